/* The Vapi mock's /call routes: POST /call (one customer or customers[]),
 * GET /call (the list, newest first, with Vapi's filters), GET, PATCH and
 * DELETE /call/{id}. The recordings under /call/{id}/ and the rendering of
 * a Call are mock_vapi.c's. */
#include <civetweb.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "core/json_depth.h"
#include "util/json_write.h"
#include "mock_vapi_internal.h"

#define E164_MSG                                                                                   \
    "customer.number must be a valid phone number in the E.164 format. Hot tip, you may be "       \
    "missing the country code (Eg. US: +1)."

static struct vapi_limits limits(const struct mock_vapi *v, bool blocked)
{
    int lim = mock_account_concurrency_limit(v->acct);
    int cap = lim > 0 ? lim : 10; /* Vapi's default: 10 concurrent call slots */
    int left = cap - mock_account_active(v->acct);
    return (struct vapi_limits){blocked, cap, left < 0 ? 0 : left};
}

/* {url, secret} from a Vapi server object or the older serverUrl /
 * serverUrlSecret members of o; NULL when o names no server. */
static json_t *server_of(const json_t *o)
{
    if (!json_is_object(o))
        return NULL;
    /* one walk over o's members, not three lookups that each hash a name
     * (o is mostly a phone number without any of them: every create asks) */
    const json_t *srv = NULL, *old_url = NULL, *old_secret = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (k[0] != 's')
            continue;
        if (!strcmp(k, "server"))
            srv = v;
        else if (!strcmp(k, "serverUrl"))
            old_url = v;
        else if (!strcmp(k, "serverUrlSecret"))
            old_secret = v;
    }
    const char *url = json_string_value(json_object_get(srv, "url"));
    const char *secret = json_string_value(json_object_get(srv, "secret"));
    if (!url) {
        url = json_string_value(old_url);
        secret = json_string_value(old_secret);
    }
    if (!url)
        return NULL;
    json_t *s = json_pack("{s:s}", "url", url);
    if (secret)
        json_object_set_new(s, "secret", json_string(secret));
    return s;
}

void mock_vapi_read_create(const json_t *body, struct vapi_create_body *b)
{
    *b = (struct vapi_create_body){0};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (!strcmp(k, "customer"))
            b->customer = v;
        else if (!strcmp(k, "customers"))
            b->customers = v;
        else if (!strcmp(k, "assistantId"))
            b->assistant_id = v;
        else if (!strcmp(k, "assistant"))
            b->assistant = v;
        else if (!strcmp(k, "phoneNumberId"))
            b->phone_number_id = v;
        else if (!strcmp(k, "assistantOverrides"))
            b->overrides = v;
        else if (!strcmp(k, "name"))
            b->name = v;
        else if (!strcmp(k, "campaignId"))
            b->campaign = v;
    }
}

/* The server this call's webhooks go to, in Vapi's order (mock_vapi.c's
 * call_webhook): overrides, the inline assistant, the phone number. */
json_t *mock_vapi_call_server_of(const struct vapi_create_body *b, const json_t *number)
{
    json_t *s = server_of(b->overrides);
    if (!s)
        s = server_of(b->assistant);
    if (!s)
        s = server_of(number);
    return s;
}

json_t *mock_vapi_call_server(const json_t *body, const json_t *number)
{
    struct vapi_create_body b;
    mock_vapi_read_create(body, &b);
    return mock_vapi_call_server_of(&b, number);
}

static void vapi_call_free(void *p)
{
    struct vapi_call *x = p;
    json_decref(x->assistant);
    json_decref(x->name);
    json_decref(x->server);
    free(x);
}

struct mock_call *mock_vapi_place_one(struct mock_vapi *v, const json_t *body,
                                      const struct vapi_create_body *b, const json_t *customer,
                                      const char *asst, const char *ani, const char *pnid,
                                      json_t *server, struct vapi_limits *limits_out)
{
    const char *number = json_string_value(json_object_get(customer, "number"));
    /* the customer's member written now, into x's block */
    static const char key[] = "\"customer\":";
    char small[512];
    char *text = NULL;
    size_t n = customer ? json_write_into(customer, small, sizeof small) : 0;
    if (n == (size_t)-1)
        return NULL;
    if (n >= sizeof small && !(text = json_write(customer, &n)))
        return NULL;
    struct vapi_call *x = calloc(1, sizeof *x + (customer ? sizeof key + n : 0));
    if (!x) {
        free(text);
        return NULL;
    }
    if (customer) {
        x->customer = (char *)(x + 1);
        memcpy(x->customer, key, sizeof key - 1);
        memcpy(x->customer + sizeof key - 1, text ? text : small, n + 1);
    }
    free(text);
    /* the request's own nodes: it is never changed */
    x->assistant = json_incref((json_t *)b->assistant);
    if (json_is_string(b->name))
        x->name = json_incref((json_t *)b->name);
    x->overrides = b->overrides;
    x->campaign = json_is_string(b->campaign) ? b->campaign : NULL;
    x->server = json_incref(server);
    int lim = mock_account_concurrency_limit(v->acct);
    bool blocked = lim > 0 && mock_account_active(v->acct) >= lim;
    *limits_out = limits(v, blocked);
    struct mock_call *c;
    v->pending = x; /* a refused call ends (and sends its webhooks) before it has its record */
    if (blocked)
        c = mock_account_refuse(v->acct, number, asst, pnid, body, MC_END_CONCURRENCY);
    else if (!mock_account_can_pay(v->acct))
        c = mock_account_refuse(v->acct, number, asst, pnid, body, MC_END_NO_CREDITS);
    else
        c = mock_account_place(v->acct, ani, number, asst, pnid, body);
    v->pending = NULL;
    if (c) {
        c->ext = x;
        c->ext_free = vapi_call_free;
    } else {
        vapi_call_free(x);
    }
    return c;
}

static int create_call(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    /* parsed once by the server, shared with the journal: read only */
    const json_t *body = rq->json;
    char msg[400];
    if (!body && rq->json_error && json_depth_exceeded(rq->json_error)) {
        /* refused before jansson recursed */
        snprintf(msg, sizeof msg, "body: %s", rq->json_error->text);
        return mock_vapi_bad_request(rs, msg);
    }
    if (!body || !json_is_object(body)) {
        snprintf(msg, sizeof msg, "Unexpected token in JSON at position %d",
                 body || !rq->json_error ? 0 : rq->json_error->position);
        return mock_vapi_bad_request(rs, msg);
    }
    struct vapi_create_body b;
    mock_vapi_read_create(body, &b);
    /* customers[]: one call per customer, answered as a CallBatchResponse */
    const json_t *customers = b.customers;
    bool batch = json_is_array(customers) && json_array_size(customers) > 0;
    const char *number = json_string_value(json_object_get(b.customer, "number"));
    const char *asst = json_string_value(b.assistant_id);
    const json_t *inline_asst = b.assistant;
    const char *pnid = json_string_value(b.phone_number_id);
    json_t *pn = mock_vapi_number(v, pnid);
    const char *ani = json_string_value(json_object_get(pn, "number"));
    if (!asst && !json_is_object(inline_asst)) /* the number's outbound assistant */
        asst = json_string_value(json_object_get(pn, "assistantId"));
    if (!batch && !e164_valid(number)) {
        mock_reply_json(rs, 400, mock_vapi_error(400, json_pack("[s]", E164_MSG)));
        return 1;
    }
    if (!asst && !json_is_object(inline_asst))
        return mock_vapi_bad_request(
            rs, "Couldn't Get Assistant. Need Either `assistant`, `assistantId`, `squad`, "
                "`squadId`, `workflow`, or `workflowId`.");
    if (asst && !mock_account_has_agent(v->acct, asst)) {
        snprintf(msg, sizeof msg, "Couldn't Get Assistant. `assistantId` %s Does Not Exist.", asst);
        return mock_vapi_bad_request(rs, msg);
    }
    if (!pnid || !*pnid)
        return mock_vapi_bad_request(
            rs, "Couldn't Get Phone Number. Need Either `phoneNumberId` Or `phoneNumber`.");
    if (!ani) {
        snprintf(msg, sizeof msg, "Couldn't Get Phone Number. `phoneNumberId` %s Does Not Exist.",
                 pnid);
        return mock_vapi_bad_request(rs, msg);
    }
    if (!mock_account_can_pay(v->acct) && !v->credits_as_ended_call)
        return mock_vapi_bad_request(
            rs, "Billing Limits Exceeded. Please add credits to your account to continue.");
    json_t *server = mock_vapi_call_server_of(&b, pn);
    if (!batch) {
        struct vapi_limits lj;
        struct mock_call *c =
            mock_vapi_place_one(v, body, &b, b.customer, asst, ani, pnid, server, &lj);
        json_decref(server);
        if (!c)
            mock_reply_json(rs, 500, mock_vapi_error(500, json_string("Internal server error")));
        else
            mock_vapi_reply_created(rs, v, c, &lj);
        return 1;
    }
    json_t *results = json_array(), *errors = json_array();
    size_t i;
    const json_t *cu;
    json_array_foreach(customers, i, cu)
    {
        const char *n = json_string_value(json_object_get(cu, "number"));
        struct vapi_limits lj;
        struct mock_call *c =
            e164_valid(n) ? mock_vapi_place_one(v, body, &b, cu, asst, ani, pnid, server, &lj)
                          : NULL;
        if (c)
            json_array_append_new(results, mock_vapi_created_json(v, c, &lj));
        else
            json_array_append_new(errors,
                                  json_pack("{s:o,s:s}", "customer", json_deep_copy(cu), "error",
                                            e164_valid(n) ? "Internal server error" : E164_MSG));
    }
    json_decref(server);
    mock_reply_json(rs, 201, json_pack("{s:o,s:o}", "results", results, "errors", errors));
    return 1;
}

/* The call behind /call/{id}, unless deleted; NULL after a 404 is set. */
static struct mock_call *call_or_404(struct mock_vapi *v, const char *id, struct mock_response *rs)
{
    struct mock_call *c = strchr(id, '/') ? NULL : mock_account_call(v->acct, id);
    if (c && mock_vapi_ext(v, c)->deleted)
        c = NULL;
    if (!c)
        mock_vapi_not_found(rs, "Call not found");
    return c;
}

/* A filter of GET /call: s compared with the query's value of name. */
static bool keep_by(const char *query, const char *name, const char *s, int want)
{
    char q[100];
    if (!query || mg_get_var(query, strlen(query), name, q, sizeof q) < 0)
        return true;
    int cmp = strcmp(s, q);
    switch (want) {
    case 0:
        return cmp == 0;
    case 1:
        return cmp > 0;
    case 2:
        return cmp < 0;
    case 3:
        return cmp >= 0;
    default:
        return cmp <= 0;
    }
}

/* GET /call: newest first, `limit` of them (Vapi's default 100, at most
 * 1000); the next page is asked with createdAtLt the last one's createdAt. */
static int list_calls(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    char lim_s[24];
    long limit = 100;
    if (rq->query && mg_get_var(rq->query, strlen(rq->query), "limit", lim_s, sizeof lim_s) >= 0) {
        char *end;
        limit = strtol(lim_s, &end, 10);
        if (*end || limit < 0 || limit > 1000)
            return mock_vapi_bad_request(rs, "limit must not be greater than 1000");
    }
    static const char *ops[] = {"Gt", "Lt", "Ge", "Le"};
    json_t *out = json_array();
    for (const struct mock_call *c = mock_account_newest(v->acct);
         c && (long)json_array_size(out) < limit; c = c->prev) {
        if (mock_vapi_ext(v, c)->deleted)
            continue;
        json_t *cj = mock_vapi_call_json(v, c);
        const char *created = json_string_value(json_object_get(cj, "createdAt"));
        const char *updated = json_string_value(json_object_get(cj, "updatedAt"));
        bool keep = keep_by(rq->query, "id", c->id, 0) &&
                    keep_by(rq->query, "assistantId", c->agent, 0) &&
                    keep_by(rq->query, "phoneNumberId", c->phone_number_id, 0);
        for (int k = 0; k < 4 && keep; k++) {
            char name[20];
            snprintf(name, sizeof name, "createdAt%s", ops[k]);
            keep = keep_by(rq->query, name, created, k + 1);
            snprintf(name, sizeof name, "updatedAt%s", ops[k]);
            keep = keep && keep_by(rq->query, name, updated, k + 1);
        }
        if (keep)
            json_array_append_new(out, cj);
        else
            json_decref(cj);
    }
    mock_reply_json(rs, 200, out);
    return 1;
}

/* PATCH /call/{id}: UpdateCallDto has only `name` (at most 40 characters). */
static int update_call(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    struct mock_call *c = call_or_404(v, rq->path + 6, rs);
    if (!c)
        return 1;
    const json_t *body = rq->json;
    if (body && !json_is_object(body))
        return mock_vapi_bad_request(rs, "Unexpected token in JSON at position 0");
    const json_t *name = json_object_get(body, "name");
    if (name && (!json_is_string(name) || strlen(json_string_value(name)) > 40)) {
        mock_reply_json(rs, 400,
                        mock_vapi_error(400, json_pack("[s]", "name must be shorter than or "
                                                              "equal to 40 characters")));
        return 1;
    }
    if (name) { /* a copy: that body is the journal's, not the call's */
        struct vapi_call *x = mock_vapi_ext(v, c);
        json_decref(x->name);
        x->name = json_deep_copy(name);
    }
    mock_vapi_reply_call(rs, 200, v, c);
    return 1;
}

/* DELETE /call/{id}: answers the call as it was; afterwards it is gone from
 * GET and the list (a live call keeps ringing on the PSTN: the mock's
 * account still runs it, as Vapi's deletion removes the record only). */
static int delete_call(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    struct mock_call *c = call_or_404(v, rq->path + 6, rs);
    if (!c)
        return 1;
    mock_vapi_reply_call(rs, 200, v, c);
    /* kept, flagged: its record goes when the account evicts it */
    mock_vapi_ext(v, c)->deleted = true;
    return 1;
}

int mock_vapi_calls_handle(struct mock_vapi *v, const struct mock_request *rq,
                           struct mock_response *rs)
{
    const char *m = rq->method;
    if (strcmp(rq->path, "/call") == 0) {
        if (strcmp(m, "POST") == 0)
            return create_call(v, rq, rs);
        if (strcmp(m, "GET") == 0)
            return list_calls(v, rq, rs);
        return 0;
    }
    if (strncmp(rq->path, "/call/", 6) != 0 || strchr(rq->path + 6, '/'))
        return 0;
    if (strcmp(m, "GET") == 0) {
        struct mock_call *c = call_or_404(v, rq->path + 6, rs);
        if (c)
            mock_vapi_reply_call(rs, 200, v, c);
        return 1;
    }
    if (strcmp(m, "PATCH") == 0)
        return update_call(v, rq, rs);
    if (strcmp(m, "DELETE") == 0)
        return delete_call(v, rq, rs);
    return 0;
}
