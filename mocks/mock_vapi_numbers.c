/* The Vapi mock's phone numbers: GET/POST /phone-number, GET/PATCH/DELETE
 * /phone-number/{id}, in Vapi's phone-number shape (the SDK's
 * TwilioPhoneNumber: id, orgId, provider, number, twilioAccountSid,
 * createdAt, updatedAt; assistantId, the number's outbound assistant, used
 * when a create-call names none; server.url, the number's webhook server).
 * Seeded from mocks.vapi.phone_numbers ({id, number, assistantId?, server?,
 * name?}). A number made here places calls from its `number` as a
 * configured one does. GET /v2/phone-number is the paginated list
 * (PhoneNumberPaginatedResponse: results, metadata {itemsPerPage,
 * totalItems, currentPage, totalPages, hasNextPage, sortOrder}). */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_vapi_internal.h"

json_t *mock_vapi_number(const struct mock_vapi *v, const char *id)
{
    size_t i;
    json_t *n;
    if (!id)
        return NULL;
    json_array_foreach(v->numbers, i, n)
    {
        const char *nid = json_string_value(json_object_get(n, "id"));
        if (nid && strcmp(nid, id) == 0)
            return n;
    }
    return NULL;
}

/* The members a client may set, copied from src into n. */
static void set_members(json_t *n, const json_t *src)
{
    static const char *names[] = {
        "number",  "name",       "assistantId",         "server",       "credentialId",
        "squadId", "workflowId", "fallbackDestination", "twilioAccountSid"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_t *x = json_object_get(src, names[i]);
        if (json_is_null(x))
            json_object_del(n, names[i]); /* Vapi: null unsets */
        else if (x)
            json_object_set_new(n, names[i], json_deep_copy(x));
    }
}

static json_t *new_number(struct mock_vapi *v, const char *id, const json_t *src)
{
    json_t *now = mock_vapi_iso(ds_now(&v->w->clock));
    json_t *n = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:s}", "id", id, "orgId", v->org_id, "provider",
                          "twilio", "twilioAccountSid", "AC00000000000000000000000000000000",
                          "createdAt", now, "updatedAt", now, "status", "active");
    json_decref(now);
    set_members(n, src);
    const char *p = json_string_value(json_object_get(src, "provider"));
    if (p && strcmp(p, "twilio") != 0) { /* the Twilio account is Twilio's numbers' only */
        json_object_set_new(n, "provider", json_string(p));
        json_object_del(n, "twilioAccountSid");
    }
    return n;
}

void mock_vapi_numbers_seed(struct mock_vapi *v, const json_t *phone_numbers)
{
    size_t i;
    const json_t *pn;
    json_array_foreach(phone_numbers, i, pn)
    {
        const char *id = json_string_value(json_object_get(pn, "id"));
        if (id)
            json_array_append_new(v->numbers, new_number(v, id, pn));
    }
}

json_t *mock_vapi_numbers(const struct mock_vapi *v)
{
    return json_deep_copy(v->numbers);
}

void mock_vapi_set_numbers(struct mock_vapi *v, const json_t *numbers)
{
    json_array_clear(v->numbers);
    mock_vapi_numbers_seed(v, numbers ? numbers : mock_account_config_numbers(v->acct));
}

static int check_assistant(struct mock_vapi *v, const json_t *body, struct mock_response *rs)
{
    const char *a = json_string_value(json_object_get(body, "assistantId"));
    if (!a || mock_account_has_agent(v->acct, a))
        return 0;
    char msg[200];
    snprintf(msg, sizeof msg, "Couldn't Get Assistant. `assistantId` %s Does Not Exist.", a);
    return mock_vapi_bad_request(rs, msg);
}

static int create_number(struct mock_vapi *v, const struct mock_request *rq,
                         struct mock_response *rs)
{
    const json_t *body = rq->json;
    if (!json_is_object(body))
        return mock_vapi_bad_request(rs, "Unexpected token in JSON at position 0");
    const char *number = json_string_value(json_object_get(body, "number"));
    const char *provider = json_string_value(json_object_get(body, "provider"));
    if (!provider) {
        mock_reply_json(rs, 400,
                        mock_vapi_error(400, json_pack("[s]", "provider must be one of the "
                                                              "following values: byo-phone-number, "
                                                              "twilio, vonage, vapi, telnyx")));
        return 1;
    }
    if (!number && strcmp(provider, "vapi") != 0) {
        mock_reply_json(rs, 400, mock_vapi_error(400, json_pack("[s]", "number must be a string")));
        return 1;
    }
    if (check_assistant(v, body, rs))
        return 1;
    char id[40], drawn[20];
    mock_account_uuid(v->acct, id);
    json_t *n = new_number(v, id, body);
    if (!number) { /* a Vapi number is bought: one is drawn */
        snprintf(drawn, sizeof drawn, "+1555%07u", (unsigned)(json_array_size(v->numbers) + 100));
        json_object_set_new(n, "number", json_string(drawn));
    }
    json_array_append(v->numbers, n);
    mock_reply_json(rs, 201, json_deep_copy(n));
    json_decref(n);
    return 1;
}

/* A positive integer query parameter (def when absent); -1 when bad. */
static long query_int(const struct mock_request *rq, const char *name, long def, long max)
{
    char b[24], *end;
    if (!rq->query || mg_get_var(rq->query, strlen(rq->query), name, b, sizeof b) < 0)
        return def;
    long x = strtol(b, &end, 10);
    return *end || x < 1 || x > max ? -1 : x;
}

/* GET /phone-number: oldest first, `limit` of them (Vapi's default 100). */
static int list_numbers(struct mock_vapi *v, const struct mock_request *rq,
                        struct mock_response *rs)
{
    long limit = query_int(rq, "limit", 100, 1000);
    if (limit < 0)
        return mock_vapi_bad_request(rs, "limit must not be greater than 1000");
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(v->numbers) && (long)i < limit; i++)
        json_array_append_new(out, json_deep_copy(json_array_get(v->numbers, i)));
    mock_reply_json(rs, 200, out);
    return 1;
}

/* GET /v2/phone-number: page (from 1) of limit (default 100), newest first
 * unless sortOrder=ASC, as Vapi's paginated lists are. */
static int page_numbers(struct mock_vapi *v, const struct mock_request *rq,
                        struct mock_response *rs)
{
    long limit = query_int(rq, "limit", 100, 1000), page = query_int(rq, "page", 1, 1000000);
    char order[8];
    /* mg_get_var empties order when the name is absent */
    if (!rq->query ||
        mg_get_var(rq->query, strlen(rq->query), "sortOrder", order, sizeof order) < 0)
        snprintf(order, sizeof order, "DESC");
    if (limit < 0 || page < 0 || (strcmp(order, "ASC") != 0 && strcmp(order, "DESC") != 0))
        return mock_vapi_bad_request(rs, "page, limit or sortOrder is not valid");
    size_t total = json_array_size(v->numbers), from = (size_t)((page - 1) * limit);
    json_t *out = json_array();
    for (size_t k = from; k < total && k < from + (size_t)limit; k++) {
        size_t i = strcmp(order, "ASC") == 0 ? k : total - 1 - k;
        json_array_append_new(out, json_deep_copy(json_array_get(v->numbers, i)));
    }
    long pages = (long)((total + (size_t)limit - 1) / (size_t)limit);
    mock_reply_json(rs, 200,
                    json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:b,s:s}}", "results", out, "metadata",
                              "itemsPerPage", (json_int_t)limit, "totalItems", (json_int_t)total,
                              "currentPage", (json_int_t)page, "totalPages", (json_int_t)pages,
                              "hasNextPage", page < pages, "sortOrder", order));
    return 1;
}

int mock_vapi_numbers_handle(struct mock_vapi *v, const struct mock_request *rq,
                             struct mock_response *rs)
{
    const char *m = rq->method;
    if (strcmp(rq->path, "/phone-number") == 0) {
        if (strcmp(m, "POST") == 0)
            return create_number(v, rq, rs);
        if (strcmp(m, "GET") == 0)
            return list_numbers(v, rq, rs);
        return 0;
    }
    if (strcmp(rq->path, "/v2/phone-number") == 0)
        return strcmp(m, "GET") == 0 ? page_numbers(v, rq, rs) : 0;
    if (strncmp(rq->path, "/phone-number/", 14) != 0 || strchr(rq->path + 14, '/'))
        return 0;
    const char *id = rq->path + 14;
    json_t *n = mock_vapi_number(v, id);
    if (strcmp(m, "GET") != 0 && strcmp(m, "PATCH") != 0 && strcmp(m, "DELETE") != 0)
        return 0;
    if (!n)
        return mock_vapi_not_found(rs, "Phone Number not found");
    if (strcmp(m, "PATCH") == 0) {
        if (!json_is_object(rq->json))
            return mock_vapi_bad_request(rs, "Unexpected token in JSON at position 0");
        if (check_assistant(v, rq->json, rs))
            return 1;
        set_members(n, rq->json);
        json_object_set_new(n, "updatedAt", mock_vapi_iso(ds_now(&v->w->clock)));
    }
    mock_reply_json(rs, 200, json_deep_copy(n));
    if (strcmp(m, "DELETE") == 0) {
        size_t i;
        json_t *x;
        json_array_foreach(v->numbers, i, x) if (x == n)
        {
            json_array_remove(v->numbers, i);
            break;
        }
    }
    return 1;
}
