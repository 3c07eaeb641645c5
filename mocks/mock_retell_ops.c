/* Retell's registration (mock_provider.h): its routes served by
 * mock_retell*.c, its {"status":"error","message"} bodies, its catalogue. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <civetweb.h>
#include <stdlib.h>

#include "catalogue.h"
#include "catalogue_data.h"
#include "catalogue_serve.h"
#include "mock_provider.h"
#include "mock_retell.h"
#include "mock_retell_internal.h"
#include "schema_check.h"

static const char *const routes[] = {"POST /v2/create-phone-call",
                                     "GET /v2/get-call/{call_id}",
                                     "POST /v2/list-calls",
                                     "PATCH /v2/update-call/{call_id}",
                                     "DELETE /v2/delete-call/{call_id}",
                                     "POST /create-phone-number",
                                     "GET /list-phone-numbers",
                                     "GET /v2/list-phone-numbers",
                                     "GET /get-phone-number/{phone_number}",
                                     "PATCH /update-phone-number/{phone_number}",
                                     "DELETE /delete-phone-number/{phone_number}",
                                     "POST /create-agent",
                                     "GET /list-agents",
                                     "GET /get-agent/{agent_id}",
                                     "PATCH /update-agent/{agent_id}",
                                     "DELETE /delete-agent/{agent_id}",
                                     "POST /create-batch-call",
                                     NULL};

static bool recognises(const char *path)
{
    return mock_retell_path(path);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct catalogue *cat;
static void load(void)
{
    cat = catalogue_get("retell", dialsim_catalogue_retell,
                        (size_t)(dialsim_catalogue_retell_end - dialsim_catalogue_retell));
}
static const struct catalogue *catalogue(void)
{
    pthread_once(&once, load);
    return cat;
}

static int create(void **out, struct mock_world *w, const struct mock_provider_config *cfg)
{
    struct mock_retell *r = NULL;
    int rc = mock_retell_create(&r, w, cfg);
    *out = r;
    return rc;
}

static void destroy(void *m)
{
    mock_retell_destroy(m);
}

static int authorise(void *m, const struct mock_request *rq, struct mock_response *rs);

/* GET /list-agents: the module's agents (the configured ones and those
 * POST /create-agent made), newest first, as the other lists of this mock. */
static void list_agents(struct mock_retell *r, struct mock_response *rs)
{
    json_t *all = json_array();
    const char *k;
    json_t *a;
    json_object_foreach(r->agents, k, a) json_array_insert_new(all, 0, json_deep_copy(a));
    mock_reply_json(rs, 200, all);
}

/* The SDK's /v2/ lists (retell-sdk 5.66.1: agent.list is POST /v2/list-agents,
 * llm.list GET /v2/list-retell-llms, conversationFlow.list, ...), which the
 * description of 2026-04-03 has only as /list-x arrays: the same list, as
 * {items, has_more, pagination_key} (the SDK wins, docs/catalogue.md). The
 * page: limit (default 1000) and pagination_key (the last id of the previous
 * page), newest first as the other lists; one more is read to know has_more. */
static const char *item_id(const json_t *o)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k,
                        v) if (json_is_string(v) &&
                               (!strcmp(k, "id") || strstr(k, "_id"))) return json_string_value(v);
    return NULL;
}

static void v2_page(const struct mock_request *rq, json_t *all, struct mock_response *rs)
{
    char v[160] = "";
    long limit = 1000;
    if (rq->query && mg_get_var(rq->query, strlen(rq->query), "limit", v, sizeof v) > 0)
        limit = strtol(v, NULL, 10) > 0 ? strtol(v, NULL, 10) : 1000;
    char after[160] = "";
    if (rq->query)
        mg_get_var(rq->query, strlen(rq->query), "pagination_key", after, sizeof after);
    size_t start = 0, i;
    json_t *o;
    json_array_foreach(all, i, o) if (*after && item_id(o) && !strcmp(item_id(o), after)) start =
        i + 1;
    json_t *items = json_array();
    for (i = start; i < json_array_size(all) && json_array_size(items) < (size_t)limit; i++)
        json_array_append(items, json_array_get(all, i));
    bool more = i < json_array_size(all);
    json_t *page = json_pack("{s:o,s:b}", "items", items, "has_more", more);
    const char *last = more ? item_id(json_array_get(items, json_array_size(items) - 1)) : NULL;
    if (last)
        json_object_set_new(page, "pagination_key", json_string(last));
    json_decref(all);
    mock_reply_json(rs, 200, page);
}

extern const struct mock_provider_ops mock_retell_ops;

static int v2_list(struct mock_retell *r, const struct mock_request *rq, struct mock_response *rs)
{
    bool agents = !strcmp(rq->path, "/v2/list-agents");
    if (agents ? strcmp(rq->method, "POST") != 0 : strcmp(rq->method, "GET") != 0)
        return 0;
    if (agents) {
        if (!authorise(r, rq, rs)) {
            list_agents(r, rs);
            json_t *all = rs->json;
            rs->json = NULL;
            v2_page(rq, all, rs);
        }
        return 1;
    }
    char alias[200];
    snprintf(alias, sizeof alias, "%s", rq->path + 3); /* "/list-x" */
    struct cat_params params;
    const struct catalogue *c = catalogue();
    const struct cat_route *route = c ? catalogue_match(c, "GET", alias, &params, NULL) : NULL;
    struct mock_provider_slot *slot = mock_world_slot(r->w, "retell");
    /* the module's own lists (/v2/list-phone-numbers) are the module's */
    if (!route || !slot || mock_provider_takes(&mock_retell_ops, "GET", route->path))
        return 0;
    /* the whole list (the page is cut here): the client's other parameters
     * (filters), limit and pagination_key left out */
    char q[1024];
    size_t qn = (size_t)snprintf(q, sizeof q, "limit=1000");
    for (const char *p = rq->query; p && *p && qn < sizeof q;) {
        size_t len = strcspn(p, "&");
        if (strncmp(p, "limit=", 6) && strncmp(p, "pagination_key=", 15))
            qn += (size_t)snprintf(q + qn, sizeof q - qn, "&%.*s", (int)len, p);
        p += len + (p[len] == '&');
    }
    struct mock_request arq = *rq;
    arq.path = alias;
    arq.query = q;
    catalogue_serve(r->w, slot, route, &params, &arq, rs);
    if (rs->status == 200 && json_is_array(rs->json)) {
        json_t *all = rs->json;
        rs->json = NULL;
        v2_page(rq, all, rs);
    }
    return 1;
}

static int handle(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    if (!strcmp(rq->path, "/list-agents") && !strcmp(rq->method, "GET")) {
        if (!authorise(m, rq, rs))
            list_agents(m, rs);
        return 1;
    }
    if (!strncmp(rq->path, "/v2/list-", 9) && v2_list(m, rq, rs))
        return 1;
    return mock_retell_handle(m, rq, rs);
}

/* As mock_retell_handle answers a request without a valid key. */
static int authorise(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    return mock_retell_authorise(m, rq, rs);
}

/* One message: Retell's body has room for one string. Its sentence for a
 * bad request (docs/providers-coverage.md), then every refused field. */
static void refuse(struct mock_response *rs, const struct schema_errors *errs)
{
    char msg[1024];
    size_t len =
        (size_t)snprintf(msg, sizeof msg, "Invalid request format, please check API reference. ");
    for (size_t i = 0; i < errs->n && len < sizeof msg; i++) {
        char one[400];
        schema_error_text(&errs->e[i], one, sizeof one);
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s%s", i ? "; " : "",
                                strcmp(errs->e[i].in, "query") ? "" : "query ", one);
    }
    retell_error(rs, 400, msg);
}

static void not_found(struct mock_response *rs, const char *what, const char *id)
{
    char msg[300];
    snprintf(msg, sizeof msg, "Item %.100s not found from %.100s", id, what);
    retell_error(rs, 404, msg);
}

static void method_not_allowed(struct mock_response *rs)
{
    retell_error(rs, 405, "Method Not Allowed"); /* as the module's own paths answer */
}

static bool call_outcome(const void *m, const char *id, const char **status, const char **ended)
{
    const struct mock_call *c = mock_retell_find(m, id);
    if (!c)
        return false;
    *status = mock_retell_status(c);
    *ended = mock_retell_disconnection(c);
    return true;
}

static struct mock_account *account(const void *m)
{
    return mock_retell_account(m);
}

static json_t *numbers(const void *m)
{
    return mock_retell_numbers(m);
}

static void set_numbers(void *m, const json_t *n)
{
    mock_retell_set_numbers(m, n);
}

const struct mock_provider_ops mock_retell_ops = {
    .name = "retell",
    .routes = routes,
    .recognises = recognises,
    .catalogue = catalogue,
    .create = create,
    .destroy = destroy,
    .handle = handle,
    .authorise = authorise,
    .refuse = refuse,
    .not_found = not_found,
    .method_not_allowed = method_not_allowed,
    .refuse_unknown_fields = false,
    .webhook_auth = WH_AUTH_RETELL,
    .call_outcome = call_outcome,
    .account = account,
    .numbers = numbers,
    .set_numbers = set_numbers,
};
