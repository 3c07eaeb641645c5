/* Retell's registration (mock_provider.h): its routes served by
 * mock_retell*.c, its {"status":"error","message"} bodies, its catalogue. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_data.h"
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

static int handle(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    if (!strcmp(rq->path, "/list-agents") && !strcmp(rq->method, "GET")) {
        if (!authorise(m, rq, rs))
            list_agents(m, rs);
        return 1;
    }
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
