/* Retell's routes beyond create/get-call (mock_retell.c): list, update and
 * delete of calls (POST /v3/list-calls as retell-sdk 5.x calls it, and the
 * description's POST /v2/list-calls), phone numbers (create-, get-, update-,
 * delete-phone-number, list-phone-numbers) and agents (create-, get-,
 * update-, delete-agent). State lives in struct mock_retell's registries
 * (mock_retell_internal.h); a route that matches with another method answers
 * 405, an unknown one the caller's 404, both in Retell's error shape. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "mock_retell_internal.h"

/* ---- registries --------------------------------------------------------- */

static json_t *agent_new(const char *id, const char *webhook_url, int64_t now)
{
    /* the SDK's AgentResponse requires these; the mock runs no LLM */
    json_t *a = json_pack("{s:s,s:I,s:{s:s,s:s},s:i,s:s,s:s}", "agent_id", id,
                          "last_modification_timestamp", (json_int_t)now, "response_engine", "type",
                          "retell-llm", "llm_id", "llm_dialsim", "version", 0, "voice_id",
                          "11labs-Adrian", "agent_name", id);
    json_object_set_new(a, "webhook_url", webhook_url ? json_string(webhook_url) : json_null());
    return a;
}

static void agents_of(const char *key, const char *single, json_t *n)
{
    /* outbound_agents (weighted, the SDK's) and outbound_agent_id (the
     * description's, older) name the same thing: keep both in step */
    const json_t *list = json_object_get(n, key);
    const char *id = json_string_value(json_object_get(n, single));
    if (json_array_size(list) && !id)
        json_object_set(n, single, json_object_get(json_array_get(list, 0), "agent_id"));
    else if (id && !json_array_size(list))
        json_object_set_new(n, key, json_pack("[{s:s,s:f}]", "agent_id", id, "weight", 1.0));
    if (!json_object_get(n, single))
        json_object_set_new(n, single, json_null());
    if (!json_object_get(n, key))
        json_object_set_new(n, key, json_null());
}

/* A phone-number object in Retell's shape from what a config or a request
 * says (fields copied; agents kept in step). */
static json_t *number_new(const char *number, const json_t *from, int64_t now)
{
    json_t *n = json_object();
    static const char *const copied[] = {"nickname",
                                         "inbound_agent_id",
                                         "outbound_agent_id",
                                         "inbound_agents",
                                         "outbound_agents",
                                         "inbound_webhook_url",
                                         "area_code",
                                         "allowed_inbound_country_list",
                                         "allowed_outbound_country_list",
                                         "fallback_number"};
    for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) {
        json_t *v = json_object_get(from, copied[i]);
        if (v)
            json_object_set_new(n, copied[i], json_deep_copy(v));
    }
    json_object_set_new(n, "phone_number", json_string(number));
    json_object_set_new(n, "phone_number_type", json_string("retell-twilio"));
    char pretty[64];
    if (strncmp(number, "+1", 2) == 0 && strlen(number) == 12)
        snprintf(pretty, sizeof pretty, "+1 (%.3s) %.3s-%.4s", number + 2, number + 5, number + 9);
    else
        snprintf(pretty, sizeof pretty, "%s", number);
    json_object_set_new(n, "phone_number_pretty", json_string(pretty));
    if (!json_object_get(n, "area_code") && strncmp(number, "+1", 2) == 0 && strlen(number) == 12)
        json_object_set_new(n, "area_code",
                            json_integer(atoi((char[4]){number[2], number[3], number[4], 0})));
    json_object_set_new(n, "last_modification_timestamp", json_integer(now));
    agents_of("inbound_agents", "inbound_agent_id", n);
    agents_of("outbound_agents", "outbound_agent_id", n);
    return n;
}

int retell_registry_init(struct mock_retell *r, const struct mock_provider_config *cfg)
{
    int64_t now = ds_now(&r->w->clock);
    r->agents = json_object();
    r->numbers = json_array();
    if (!r->agents || !r->numbers)
        return -1;
    size_t i;
    const json_t *x;
    /* mocks.retell.agents: ids, or {"id", "webhook_url"} as Retell's agent
     * names the server its calls' webhooks go to */
    json_array_foreach(cfg->agents, i, x)
    {
        const char *id =
            json_is_string(x) ? json_string_value(x) : json_string_value(json_object_get(x, "id"));
        if (id)
            json_object_set_new(
                r->agents, id,
                agent_new(id, json_string_value(json_object_get(x, "webhook_url")), now));
    }
    json_array_foreach(cfg->phone_numbers, i, x)
    {
        const char *num = json_string_value(json_object_get(x, "number"));
        if (num)
            json_array_append_new(r->numbers, number_new(num, x, now));
    }
    return 0;
}

json_t *mock_retell_numbers(const struct mock_retell *r)
{
    return json_deep_copy(r->numbers);
}

void mock_retell_set_numbers(struct mock_retell *r, const json_t *numbers)
{
    int64_t now = ds_now(&r->w->clock);
    size_t i;
    const json_t *x;
    json_array_clear(r->numbers);
    json_array_foreach(numbers ? numbers : mock_account_config_numbers(r->acct), i, x)
    {
        const char *num = json_string_value(json_object_get(x, "number"));
        if (num)
            json_array_append_new(r->numbers, number_new(num, x, now));
    }
}

void retell_registry_free(struct mock_retell *r)
{
    json_decref(r->agents);
    json_decref(r->numbers);
}

static size_t number_index(const struct mock_retell *r, const char *number)
{
    size_t i;
    json_t *n;
    json_array_foreach(
        r->numbers, i,
        n) if (number &&
               strcmp(json_string_value(json_object_get(n, "phone_number")), number) == 0) return i;
    return (size_t)-1;
}

json_t *retell_number(const struct mock_retell *r, const char *number)
{
    return json_array_get(r->numbers, number_index(r, number));
}

const char *retell_outbound_agent(const json_t *number)
{
    const char *a = json_string_value(
        json_object_get(json_array_get(json_object_get(number, "outbound_agents"), 0), "agent_id"));
    return a ? a : json_string_value(json_object_get(number, "outbound_agent_id"));
}

bool retell_has_agent(const struct mock_retell *r, const char *id)
{
    return id && json_object_get(r->agents, id) != NULL;
}

const char *retell_webhook_url(const struct mock_retell *r, const struct mock_call *c)
{
    const char *u =
        json_string_value(json_object_get(json_object_get(r->agents, c->agent), "webhook_url"));
    return u && *u ? u : NULL;
}

/* ---- helpers ------------------------------------------------------------ */

/* The path's last segment, %XX-decoded (the SDK encodes "+1555…" as %2B). */
static void segment(const char *path, size_t skip, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = path + skip; *p && *p != '/' && o + 1 < n; p++) {
        unsigned v;
        if (p[0] == '%' && p[1] && p[2] && sscanf(p + 1, "%2x", &v) == 1)
            out[o++] = (char)v, p += 2;
        else
            out[o++] = *p;
    }
    out[o] = 0;
}

static bool route(const struct mock_request *rq, const char *prefix, bool exact)
{
    size_t n = strlen(prefix);
    return exact ? strcmp(rq->path, prefix) == 0
                 : strncmp(rq->path, prefix, n) == 0 && rq->path[n] && !strchr(rq->path + n, '/');
}

static void not_found(struct mock_response *rs, const char *what, const char *id)
{
    char msg[200];
    snprintf(msg, sizeof msg, "Item %.100s not found from %s", id, what);
    retell_error(rs, 404, msg);
}

static bool body_object(const struct mock_request *rq, struct mock_response *rs, bool required)
{
    if (json_is_object(rq->json) || (!required && !rq->body_len))
        return true;
    retell_error(rs, 400, "Invalid request format, please check API reference.");
    return false;
}

static void no_content(struct mock_response *rs)
{
    rs->status = 204;
    rs->body = strdup("");
    rs->content_type = "text/plain";
}

/* ---- list-calls: Retell's filter criteria ------------------------------- */

static bool str_op(const char *op, const char *have, const char *want)
{
    if (!have || !want)
        return op && !strcmp(op, "ne") && have;
    size_t h = strlen(have), w = strlen(want);
    if (!strcmp(op, "eq"))
        return !strcmp(have, want);
    if (!strcmp(op, "ne"))
        return strcmp(have, want) != 0;
    if (!strcmp(op, "sw"))
        return !strncmp(have, want, w);
    if (!strcmp(op, "ew"))
        return h >= w && !strcmp(have + h - w, want);
    if (!strcmp(op, "co"))
        return strstr(have, want) != NULL;
    return false;
}

static bool num_op(const char *op, double h, double w)
{
    return !strcmp(op, "eq")   ? h == w
           : !strcmp(op, "ne") ? h != w
           : !strcmp(op, "gt") ? h > w
           : !strcmp(op, "ge") ? h >= w
           : !strcmp(op, "lt") ? h < w
           : !strcmp(op, "le") ? h <= w
                               : false;
}

/* One filter ({op, type, value}; v3) or a legacy one (an array of values,
 * {lower_threshold, upper_threshold}; v2) against the call's value. */
static bool match_one(const json_t *f, const json_t *have)
{
    if (json_is_array(f)) { /* v2: any of these values */
        size_t i;
        const json_t *v;
        json_array_foreach(f, i, v) if (json_equal((json_t *)v, (json_t *)have)) return true;
        return false;
    }
    const char *op = json_string_value(json_object_get(f, "op"));
    const json_t *want = json_object_get(f, "value");
    if (!op) { /* v2 thresholds */
        const json_t *lo = json_object_get(f, "lower_threshold");
        const json_t *hi = json_object_get(f, "upper_threshold");
        double h = json_number_value(have);
        return json_is_number(have) && (!lo || h >= json_number_value(lo)) &&
               (!hi || h <= json_number_value(hi));
    }
    if (!strcmp(op, "pr"))
        return have && !json_is_null(have);
    if (!strcmp(op, "np"))
        return !have || json_is_null(have);
    if (!strcmp(op, "in"))
        return match_one(want, have);
    if (!strcmp(op, "bt"))
        return json_is_number(have) &&
               json_number_value(have) >= json_number_value(json_array_get(want, 0)) &&
               json_number_value(have) <= json_number_value(json_array_get(want, 1));
    if (json_is_string(want))
        return str_op(op, json_string_value(have), json_string_value(want));
    if (json_is_boolean(want))
        return json_is_boolean(have) && json_equal((json_t *)want, (json_t *)have);
    return json_is_number(have) && num_op(op, json_number_value(have), json_number_value(want));
}

/* Where a criterion's value lives in the call object. */
static const json_t *field_of(const json_t *call, const char *k)
{
    const json_t *an = json_object_get(call, "call_analysis");
    if (!strcmp(k, "call_successful") || !strcmp(k, "in_voicemail") || !strcmp(k, "user_sentiment"))
        return json_object_get(an, k);
    if (!strcmp(k, "combined_cost"))
        return json_object_get(json_object_get(call, "call_cost"), k);
    if (!strcmp(k, "dynamic_variables"))
        return json_object_get(call, "retell_llm_dynamic_variables");
    if (!strcmp(k, "custom_analysis_data"))
        return json_object_get(an, k);
    return json_object_get(call, k);
}

static bool matches(const json_t *criteria, const json_t *call)
{
    const char *k;
    const json_t *f;
    json_object_foreach((json_t *)criteria, k, f)
    {
        const char *dot = strchr(k, '.');
        if (!strcmp(k, "agent")) { /* [{agent_id, version?}] */
            bool any = false;
            size_t i;
            const json_t *a;
            json_array_foreach(f, i, a) any |=
                json_equal(json_object_get(a, "agent_id"), json_object_get(call, "agent_id"));
            if (!any)
                return false;
        } else if (dot) { /* v2: "metadata.customer_id": [..] */
            char top[64];
            snprintf(top, sizeof top, "%.*s", (int)(dot - k), k);
            if (!match_one(f, json_object_get(field_of(call, top), dot + 1)))
                return false;
        } else if (json_is_array(f) && json_is_object(json_array_get(f, 0))) {
            /* keyed filters: metadata, custom_attributes, dynamic_variables */
            size_t i;
            const json_t *x;
            json_array_foreach(
                f, i, x) if (!match_one(x, json_object_get(field_of(call, k),
                                                           json_string_value(json_object_get(
                                                               x, "key"))))) return false;
        } else if (!match_one(f, field_of(call, !strcmp(k, "agent_id") ? "agent_id" : k))) {
            return false;
        }
    }
    return true;
}

static void extra_free(void *x)
{
    json_decref(x);
}

json_t *retell_extra(const struct mock_call *c)
{
    return c->ext;
}

bool retell_deleted(const struct mock_call *c)
{
    return json_is_true(json_object_get(retell_extra(c), "deleted"));
}

json_t *retell_extra_make(struct mock_call *c)
{
    if (!c->ext) {
        c->ext = json_object();
        c->ext_free = extra_free;
    }
    return c->ext;
}

/* v3: {items, has_more, pagination_key?, total?}; v2: the array alone.
 * Pagination as Retell's: pagination_key is the last call id of the previous
 * page, newest first unless sort_order says ascending. */
static void list_calls(struct mock_retell *r, const struct mock_request *rq,
                       struct mock_response *rs, bool v3)
{
    if (!body_object(rq, rs, false))
        return;
    const json_t *b = rq->json;
    const json_t *crit = json_object_get(b, "filter_criteria");
    json_int_t limit = json_integer_value(json_object_get(b, "limit"));
    json_int_t skip = json_integer_value(json_object_get(b, "skip"));
    const char *after = json_string_value(json_object_get(b, "pagination_key"));
    bool asc = !strcmp(json_string_value(json_object_get(b, "sort_order")) ?: "", "ascending");
    if (limit <= 0)
        limit = 50;
    if (limit > 1000)
        limit = 1000;
    json_t *items = json_array();
    size_t total = 0;
    bool started = after == NULL, more = false;
    /* the account's calls in the order of creation, either way */
    for (const struct mock_call *c = asc ? mock_account_oldest(r->acct)
                                         : mock_account_newest(r->acct);
         c; c = asc ? c->next : c->prev) {
        if (retell_deleted(c))
            continue;
        const char *id = c->id;
        json_t *j = retell_call_json(r, c);
        /* the batch a call came from is no field of Retell's call object,
         * but filter_criteria.batch_call_id selects by it: shown to the
         * filter only */
        json_t *bid = json_object_get(c->request, "batch_call_id");
        if (crit && bid)
            json_object_set_new(j, "batch_call_id", json_deep_copy(bid));
        bool keep = !crit || matches(crit, j);
        json_object_del(j, "batch_call_id");
        if (!keep) {
            json_decref(j);
            continue;
        }
        total++;
        if (!started || skip > 0 || (json_int_t)json_array_size(items) >= limit) {
            more |= started && skip <= 0;
            if (started && skip > 0)
                skip--;
            if (!started && !strcmp(id, after))
                started = true;
            json_decref(j);
            continue;
        }
        json_array_append_new(items, j);
    }
    if (!v3) {
        mock_reply_json(rs, 200, items);
        return;
    }
    json_t *out = json_pack("{s:o,s:b}", "items", items, "has_more", more);
    if (more)
        json_object_set_new(out, "pagination_key",
                            json_deep_copy(json_object_get(
                                json_array_get(items, json_array_size(items) - 1), "call_id")));
    if (json_is_true(json_object_get(b, "include_total")))
        json_object_set_new(out, "total", json_integer((json_int_t)total));
    mock_reply_json(rs, 200, out);
}

static void update_call(struct mock_retell *r, const struct mock_request *rq,
                        struct mock_response *rs, const char *id)
{
    struct mock_call *c = retell_call(r, id);
    if (!c) {
        not_found(rs, "call", id);
        return;
    }
    if (!body_object(rq, rs, true))
        return;
    json_t *x = retell_extra_make(c);
    static const char *const fields[] = {"metadata", "custom_attributes", "data_storage_setting"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        json_t *v = json_object_get(rq->json, fields[i]);
        if (v)
            json_object_set_new(x, fields[i], json_deep_copy(v));
    }
    retell_reply_call(rs, 200, r, c, false);
}

static void delete_call(struct mock_retell *r, struct mock_response *rs, const char *id)
{
    struct mock_call *c = retell_call(r, id);
    if (!c) {
        not_found(rs, "call", id);
        return;
    }
    json_object_set_new(retell_extra_make(c), "deleted", json_true());
    no_content(rs);
}

/* ---- phone numbers ------------------------------------------------------ */

/* The agents a request names must exist (Retell answers 404 for one that
 * does not). */
static bool agents_exist(struct mock_retell *r, const json_t *b, struct mock_response *rs)
{
    static const char *const single[] = {"inbound_agent_id", "outbound_agent_id"};
    static const char *const lists[] = {"inbound_agents", "outbound_agents"};
    for (size_t i = 0; i < 2; i++) {
        const char *id = json_string_value(json_object_get(b, single[i]));
        if (id && !retell_has_agent(r, id))
            return not_found(rs, "agent", id), false;
        size_t k;
        const json_t *a;
        json_array_foreach(json_object_get(b, lists[i]), k, a)
        {
            id = json_string_value(json_object_get(a, "agent_id"));
            if (!id || !retell_has_agent(r, id))
                return not_found(rs, "agent", id ? id : ""), false;
        }
    }
    return true;
}

static void create_number(struct mock_retell *r, const struct mock_request *rq,
                          struct mock_response *rs)
{
    if (!body_object(rq, rs, true) || !agents_exist(r, rq->json, rs))
        return;
    const char *want = json_string_value(json_object_get(rq->json, "phone_number"));
    char num[32];
    if (want && !e164_valid(want)) {
        retell_error(rs, 400, "Invalid request format, please check API reference.");
        return;
    }
    if (want) {
        snprintf(num, sizeof num, "%s", want);
    } else {
        /* bought from the pool: a US number in the area code asked for */
        json_int_t area = json_integer_value(json_object_get(rq->json, "area_code"));
        char uuid[40];
        mock_account_uuid(r->acct, uuid);
        unsigned long tail = strtoul(uuid + 24, NULL, 16) % 10000000ul;
        snprintf(num, sizeof num, "+1%03d%07lu", area >= 200 && area <= 999 ? (int)area : 415,
                 tail);
    }
    if (retell_number(r, num)) {
        retell_error(rs, 409, "Phone number already exists.");
        return;
    }
    json_t *n = number_new(num, rq->json, ds_now(&r->w->clock));
    json_array_append(r->numbers, n);
    mock_reply_json(rs, 201, json_deep_copy(n));
    json_decref(n);
}

static void update_number(struct mock_retell *r, const struct mock_request *rq,
                          struct mock_response *rs, json_t *n)
{
    if (!body_object(rq, rs, true) || !agents_exist(r, rq->json, rs))
        return;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rq->json, k, v)
    {
        if (strcmp(k, "phone_number") && strcmp(k, "phone_number_type"))
            json_object_set_new(n, k, json_deep_copy(v));
    }
    /* a new single id replaces the weighted list, and the other way round */
    if (json_object_get(rq->json, "outbound_agent_id") &&
        !json_object_get(rq->json, "outbound_agents"))
        json_object_del(n, "outbound_agents");
    if (json_object_get(rq->json, "outbound_agents") &&
        !json_object_get(rq->json, "outbound_agent_id"))
        json_object_del(n, "outbound_agent_id");
    if (json_object_get(rq->json, "inbound_agent_id") &&
        !json_object_get(rq->json, "inbound_agents"))
        json_object_del(n, "inbound_agents");
    if (json_object_get(rq->json, "inbound_agents") &&
        !json_object_get(rq->json, "inbound_agent_id"))
        json_object_del(n, "inbound_agent_id");
    agents_of("inbound_agents", "inbound_agent_id", n);
    agents_of("outbound_agents", "outbound_agent_id", n);
    json_object_set_new(n, "last_modification_timestamp", json_integer(ds_now(&r->w->clock)));
    mock_reply_json(rs, 200, json_deep_copy(n));
}

static int numbers(struct mock_retell *r, const struct mock_request *rq, struct mock_response *rs)
{
    const char *m = rq->method;
    char id[128];
    if (route(rq, "/create-phone-number", true)) {
        if (strcmp(m, "POST"))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        create_number(r, rq, rs);
        return 1;
    }
    if (route(rq, "/v2/list-phone-numbers", true) || route(rq, "/list-phone-numbers", true)) {
        if (strcmp(m, "GET"))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        json_t *items = json_deep_copy(r->numbers);
        /* decision: the query (limit, pagination_key) does not reach the mock
         * handlers, so v2 answers every number on one page */
        if (rq->path[1] == 'v')
            items = json_pack("{s:o,s:b}", "items", items, "has_more", 0);
        mock_reply_json(rs, 200, items);
        return 1;
    }
    static const struct {
        const char *prefix, *method;
    } by_number[] = {{"/get-phone-number/", "GET"},
                     {"/update-phone-number/", "PATCH"},
                     {"/delete-phone-number/", "DELETE"}};
    for (size_t i = 0; i < 3; i++) {
        if (!route(rq, by_number[i].prefix, false))
            continue;
        if (strcmp(m, by_number[i].method))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        segment(rq->path, strlen(by_number[i].prefix), id, sizeof id);
        size_t at = number_index(r, id);
        json_t *n = json_array_get(r->numbers, at);
        if (!n)
            not_found(rs, "phone-number", id);
        else if (i == 0)
            mock_reply_json(rs, 200, json_deep_copy(n));
        else if (i == 1)
            update_number(r, rq, rs, n);
        else
            json_array_remove(r->numbers, at), no_content(rs);
        return 1;
    }
    return 0;
}

/* ---- agents ------------------------------------------------------------- */

static int agents(struct mock_retell *r, const struct mock_request *rq, struct mock_response *rs)
{
    const char *m = rq->method;
    char id[128];
    if (route(rq, "/create-agent", true)) {
        if (strcmp(m, "POST"))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        if (!body_object(rq, rs, true))
            return 1;
        char uuid[40], aid[48];
        mock_account_uuid(r->acct, uuid);
        snprintf(aid, sizeof aid, "agent_%.24s", uuid);
        json_t *a = agent_new(aid, NULL, ds_now(&r->w->clock));
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)rq->json, k, v) if (strcmp(k, "agent_id"))
            json_object_set_new(a, k, json_deep_copy(v));
        json_object_set_new(r->agents, aid, a);
        mock_reply_json(rs, 201, json_deep_copy(a));
        return 1;
    }
    static const struct {
        const char *prefix, *method;
    } by_id[] = {{"/get-agent/", "GET"}, {"/update-agent/", "PATCH"}, {"/delete-agent/", "DELETE"}};
    for (size_t i = 0; i < 3; i++) {
        if (!route(rq, by_id[i].prefix, false))
            continue;
        if (strcmp(m, by_id[i].method))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        segment(rq->path, strlen(by_id[i].prefix), id, sizeof id);
        json_t *a = json_object_get(r->agents, id);
        if (!a) {
            not_found(rs, "agent", id);
        } else if (i == 0) {
            mock_reply_json(rs, 200, json_deep_copy(a));
        } else if (i == 1) {
            if (!body_object(rq, rs, true))
                return 1;
            const char *k;
            json_t *v;
            json_object_foreach((json_t *)rq->json, k, v) if (strcmp(k, "agent_id"))
                json_object_set_new(a, k, json_deep_copy(v));
            json_object_set_new(a, "last_modification_timestamp",
                                json_integer(ds_now(&r->w->clock)));
            mock_reply_json(rs, 200, json_deep_copy(a));
        } else {
            json_object_del(r->agents, id);
            no_content(rs);
        }
        return 1;
    }
    return 0;
}

int retell_routes_handle(struct mock_retell *r, const struct mock_request *rq,
                         struct mock_response *rs)
{
    const char *m = rq->method;
    char id[128];
    bool v3 = route(rq, "/v3/list-calls", true);
    if (v3 || route(rq, "/v2/list-calls", true)) {
        if (strcmp(m, "POST"))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        list_calls(r, rq, rs, v3);
        return 1;
    }
    if (route(rq, "/v2/update-call/", false)) {
        if (strcmp(m, "PATCH"))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        segment(rq->path, 16, id, sizeof id);
        update_call(r, rq, rs, id);
        return 1;
    }
    if (route(rq, "/v2/delete-call/", false)) {
        if (strcmp(m, "DELETE"))
            return retell_error(rs, 405, "Method Not Allowed"), 1;
        segment(rq->path, 16, id, sizeof id);
        delete_call(r, rs, id);
        return 1;
    }
    return numbers(r, rq, rs) || agents(r, rq, rs);
}
