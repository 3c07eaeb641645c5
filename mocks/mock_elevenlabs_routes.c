/* The ElevenLabs mock's list, delete and phone-number routes (issue 11):
 * GET /v1/convai/conversations (agent_id filter, cursor pagination as
 * ElevenLabs pages: newest first, page_size 1..100, default 30, next_cursor
 * and has_more), GET and DELETE /v1/convai/conversations/{id} (and its
 * /audio), and GET/POST /v1/convai/phone-numbers, GET/PATCH/DELETE
 * /v1/convai/phone-numbers/{id} with the number's assigned agent. The key
 * was checked by mock_elevenlabs_handle; the world's mutex is held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_elevenlabs_int.h"

/* CivetWeb's query-string reader (mock_server.c links it too) */
int mg_get_var(const char *data, size_t data_len, const char *var_name, char *dst, size_t dst_len);

static bool query_var(const struct mock_request *rq, const char *name, char *out, size_t n)
{
    return rq->query && mg_get_var(rq->query, strlen(rq->query), name, out, n) >= 0;
}

void el_conv_add(struct mock_elevenlabs *e, struct mock_call *c, bool sip)
{
    struct el_call *x = calloc(1, sizeof *x);
    if (!x)
        return; /* the call is still there; only the list misses it */
    x->seq = ++e->next_seq;
    x->sip = sip;
    c->ext = x;
    c->ext_free = free;
}

/* A conversation the user may see: in the list, not deleted, not evicted
 * (every call of the account was placed through this mock). */
static const struct el_call *listed(const struct mock_call *c)
{
    const struct el_call *x = c ? c->ext : NULL;
    return x && !x->deleted ? x : NULL;
}

static struct mock_call *visible(const struct mock_elevenlabs *e, const char *id)
{
    struct mock_call *c = mock_account_call(e->acct, id);
    return listed(c) ? c : NULL;
}

static void list_conversations(struct mock_elevenlabs *e, const struct mock_request *rq,
                               struct mock_response *rs)
{
    char agent[128] = "", cursor[32] = "", size[16] = "";
    query_var(rq, "agent_id", agent, sizeof agent);
    query_var(rq, "cursor", cursor, sizeof cursor);
    long page = 30;
    if (query_var(rq, "page_size", size, sizeof size)) {
        char *end;
        page = strtol(size, &end, 10);
        if (*end || page < 1 || page > 100) {
            /* FastAPI's 422 for a query parameter out of its range */
            mock_reply_json(rs, 422,
                            json_pack("{s:[{s:[s,s],s:s,s:s,s:s}]}", "detail", "loc", "query",
                                      "page_size", "msg", "Input should be between 1 and 100",
                                      "type", "value_error", "input", size));
            return;
        }
    }
    long after = 0; /* seq of the last conversation of the page before */
    if (cursor[0]) {
        char *end;
        after = strtol(cursor, &end, 10);
        if (*end || after <= 0) {
            el_detail_error(rs, 400, "invalid_cursor", "Invalid cursor");
            return;
        }
    }
    json_t *list = json_array();
    long last = 0;
    bool more = false;
    /* the account's calls, newest first (an evicted one is gone from both) */
    for (const struct mock_call *c = mock_account_newest(e->acct); c; c = c->prev) {
        const struct el_call *v = listed(c);
        if (!v || (after && v->seq >= after) || (agent[0] && strcmp(c->agent, agent) != 0))
            continue;
        if ((long)json_array_size(list) == page) {
            more = true;
            break;
        }
        json_array_append_new(list, el_conversation_summary(c));
        last = v->seq;
    }
    json_t *ans = json_pack("{s:o,s:b}", "conversations", list, "has_more", more);
    if (more) {
        char next[32];
        snprintf(next, sizeof next, "%ld", last);
        json_object_set_new(ans, "next_cursor", json_string(next));
    } else {
        json_object_set_new(ans, "next_cursor", json_null());
    }
    mock_reply_json(rs, 200, ans);
}

int el_conversations_route(struct mock_elevenlabs *e, const struct mock_request *rq,
                           struct mock_response *rs)
{
    if (strcmp(rq->path, "/v1/convai/conversations") == 0) {
        list_conversations(e, rq, rs);
        return 1;
    }
    if (strncmp(rq->path, "/v1/convai/conversations/", 25) != 0)
        return 0;
    char id[64];
    const char *p = rq->path + 25, *slash = strchr(p, '/');
    snprintf(id, sizeof id, "%.*s", slash ? (int)(slash - p) : (int)strlen(p), p);
    struct mock_call *c = visible(e, id);
    if (!c) {
        el_detail_error(rs, 404, "conversation_not_found", "Conversation not found");
    } else if (slash) { /* /audio: methods_of let nothing else through */
        mock_recording_reply(e->w, &e->rec, c, MOCK_REC_AS_CONFIGURED, rs);
    } else if (strcmp(rq->method, "DELETE") == 0) {
        /* the call goes on if it lives; the user sees it no more */
        ((struct el_call *)c->ext)->deleted = true;
        mock_reply_json(rs, 200, json_object());
    } else {
        mock_reply_json(rs, 200, el_conversation_json(c));
    }
    return 1;
}

/* ---- phone numbers ---- */

static struct el_number *number_new(const char *id, const char *number, const char *label,
                                    const char *agent, bool sip)
{
    struct el_number *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->id = strdup(id);
    n->number = strdup(number);
    n->label = strdup(label ? label : number);
    n->agent_id = agent ? strdup(agent) : NULL;
    n->sip = sip;
    if (!n->id || !n->number || !n->label || (agent && !n->agent_id)) {
        free(n->id);
        free(n->number);
        free(n->label);
        free(n->agent_id);
        free(n);
        return NULL;
    }
    return n;
}

static void number_free(struct el_number *n)
{
    free(n->id);
    free(n->number);
    free(n->label);
    free(n->agent_id);
    free(n);
}

/* Appended, so the list keeps the config's order, then creation's. */
static void number_append(struct mock_elevenlabs *e, struct el_number *n)
{
    struct el_number **pp = &e->numbers;
    while (*pp)
        pp = &(*pp)->next;
    *pp = n;
}

int el_numbers_load(struct mock_elevenlabs *e, const json_t *cfg)
{
    size_t i;
    json_t *x;
    json_array_foreach(cfg, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        const char *num = json_string_value(json_object_get(x, "number"));
        if (!id || !num)
            continue; /* the loader refuses these before us */
        const char *prov = json_string_value(json_object_get(x, "provider"));
        struct el_number *n = number_new(id, num, json_string_value(json_object_get(x, "label")),
                                         json_string_value(json_object_get(x, "agent_id")),
                                         prov && strcmp(prov, "sip_trunk") == 0);
        if (!n)
            return -1;
        number_append(e, n);
    }
    return 0;
}

void el_numbers_free(struct mock_elevenlabs *e)
{
    for (struct el_number *n = e->numbers, *next; n; n = next) {
        next = n->next;
        number_free(n);
    }
    e->numbers = NULL;
}

struct el_number *el_number_find(const struct mock_elevenlabs *e, const char *id)
{
    for (struct el_number *n = e->numbers; id && n; n = n->next)
        if (strcmp(n->id, id) == 0)
            return n;
    return NULL;
}

/* GetPhoneNumberTwilioResponseModel / GetPhoneNumberSIPTrunkResponseModel;
 * assigned_agent's agent_name is required by the SDK and the mock's agents
 * have ids only: the id stands for the name. */
static json_t *number_json(const struct el_number *n)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "phone_number_id", n->id, "phone_number",
                          n->number, "label", n->label, "provider", n->sip ? "sip_trunk" : "twilio",
                          "supports_inbound", 1, "supports_outbound", 1);
    json_object_set_new(
        j, "assigned_agent",
        n->agent_id ? json_pack("{s:s,s:s}", "agent_id", n->agent_id, "agent_name", n->agent_id)
                    : json_null());
    if (n->sip)
        json_object_set_new(j, "livekit_stack", json_string("standard"));
    return j;
}

json_t *mock_elevenlabs_numbers(const struct mock_elevenlabs *e)
{
    json_t *a = json_array();
    for (const struct el_number *n = e->numbers; n; n = n->next)
        json_array_append_new(a, number_json(n));
    return a;
}

void mock_elevenlabs_set_numbers(struct mock_elevenlabs *e, const json_t *numbers)
{
    el_numbers_free(e);
    el_numbers_load(e, numbers ? numbers : mock_account_config_numbers(e->acct));
}

static void number_not_found(struct mock_response *rs)
{
    el_detail_error(rs, 404, "phone_number_not_found", "Phone number not found"); /* inferred */
}

static void create_number(struct mock_elevenlabs *e, const json_t *body, struct mock_response *rs)
{
    const char *prov = json_string_value(json_object_get(body, "provider"));
    bool sip = prov && strcmp(prov, "sip_trunk") == 0;
    json_t *errs = json_array();
    static const char *twilio_req[] = {"phone_number", "label", "sid", "token"};
    for (size_t i = 0; i < (sip ? 2u : 4u); i++)
        if (!json_is_string(json_object_get(body, twilio_req[i])))
            json_array_append_new(errs, el_missing(twilio_req[i]));
    const char *num = json_string_value(json_object_get(body, "phone_number"));
    const char *agent = json_string_value(json_object_get(body, "agent_id"));
    if (json_array_size(errs) > 0 || (prov && !sip && strcmp(prov, "twilio") != 0)) {
        if (json_array_size(errs) == 0) /* exotel and the rest: not served */
            json_array_append_new(errs,
                                  json_pack("{s:[s,s],s:s,s:s,s:s}", "loc", "body", "provider",
                                            "msg", "Input should be 'twilio' or 'sip_trunk'",
                                            "type", "literal_error", "input", prov));
        mock_reply_json(rs, 422, json_pack("{s:o}", "detail", errs));
        return;
    }
    json_decref(errs);
    if (agent && !mock_account_has_agent(e->acct, agent)) {
        el_detail_error(rs, 404, "agent_not_found", "Agent not found");
        return;
    }
    char uuid[40], id[48];
    mock_account_uuid(e->acct, uuid);
    /* ElevenLabs' ids: "phnum_" and 26 lower-case alphanumerics */
    size_t k = 0;
    for (const char *p = uuid; *p && k < 26; p++)
        if (*p != '-')
            id[6 + k++] = *p;
    memcpy(id, "phnum_", 6);
    id[6 + k] = '\0';
    struct el_number *n =
        number_new(id, num, json_string_value(json_object_get(body, "label")), agent, sip);
    if (!n) {
        el_detail_error(rs, 500, "internal_error", "Internal server error");
        return;
    }
    number_append(e, n);
    mock_reply_json(rs, 200, json_pack("{s:s}", "phone_number_id", n->id));
}

static void update_number(struct mock_elevenlabs *e, struct el_number *n, const json_t *body,
                          struct mock_response *rs)
{
    const json_t *agent = json_object_get(body, "agent_id");
    const char *label = json_string_value(json_object_get(body, "label"));
    if (json_is_string(agent) && !mock_account_has_agent(e->acct, json_string_value(agent))) {
        el_detail_error(rs, 404, "agent_not_found", "Agent not found");
        return;
    }
    char *na = NULL, *nl = NULL;
    if ((json_is_string(agent) && !(na = strdup(json_string_value(agent)))) ||
        (label && !(nl = strdup(label)))) {
        free(na);
        el_detail_error(rs, 500, "internal_error", "Internal server error");
        return;
    }
    if (agent) { /* null unassigns the agent */
        free(n->agent_id);
        n->agent_id = na;
    }
    if (nl) {
        free(n->label);
        n->label = nl;
    }
    mock_reply_json(rs, 200, number_json(n));
}

int el_numbers_route(struct mock_elevenlabs *e, const struct mock_request *rq,
                     struct mock_response *rs)
{
    if (strcmp(rq->path, "/v1/convai/phone-numbers") == 0) {
        if (strcmp(rq->method, "POST") == 0) {
            create_number(e, json_is_object(rq->json) ? rq->json : NULL, rs);
        } else {
            json_t *list = json_array();
            for (const struct el_number *n = e->numbers; n; n = n->next)
                json_array_append_new(list, number_json(n));
            mock_reply_json(rs, 200, list);
        }
        return 1;
    }
    if (strncmp(rq->path, "/v1/convai/phone-numbers/", 25) != 0)
        return 0;
    struct el_number *n = el_number_find(e, rq->path + 25);
    if (!n) {
        number_not_found(rs);
    } else if (strcmp(rq->method, "PATCH") == 0) {
        update_number(e, n, json_is_object(rq->json) ? rq->json : NULL, rs);
    } else if (strcmp(rq->method, "DELETE") == 0) {
        struct el_number **pp = &e->numbers;
        while (*pp != n)
            pp = &(*pp)->next;
        *pp = n->next;
        number_free(n);
        mock_reply_json(rs, 200, json_object());
    } else {
        mock_reply_json(rs, 200, number_json(n));
    }
    return 1;
}
