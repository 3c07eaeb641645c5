/* Vapi campaigns (issue 12): POST /campaign, GET /campaign (paginated),
 * GET, PATCH and DELETE /campaign/{id}, as Vapi's description and
 * @vapi-ai/server-sdk's campaigns client (campaignControllerCreate,
 * FindAll, FindOne, Update, Remove) have them.
 *
 * A campaign places one call per customer through the account when it is
 * created, each as POST /call places one (mock_vapi_place_one: the PSTN, the
 * clock, the webhooks). A call the account cannot take then ends at once with
 * Vapi's own endedReason: call.start.error-subscription-insufficient-credits
 * or -concurrency-limit-reached. The Campaign is rendered from its calls
 * each time: `calls` maps each call id to {status, endedReason?, customer},
 * the counters count them, and the campaign is "ended" (campaign.ended.
 * success) once every call has ended.
 *
 * decisions (docs/batch.md): the calls are placed at once; a schedulePlan is
 * kept and shown, not waited for; Vapi retries the calls its concurrency
 * limit holds back "for up to one hour", the mock does not (they fail, which
 * is the scenario this is for); dialPlan, workflowId and squadId are
 * refused (400), /v2/campaign is not served. Everything under the world's
 * mutex; the key was checked by mock_vapi_handle. */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "core/json_depth.h"
#include "mock_vapi_internal.h"

/* A campaign as kept: what the create request said plus id, createdAt and
 * the call ids in customer order (null where no call could be made). */
static json_t *find(const struct mock_vapi *v, const char *id, size_t *at)
{
    size_t i;
    json_t *c;
    json_array_foreach(v->campaigns, i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "id")), id)) {
            if (at)
                *at = i;
            return c;
        }
    }
    return NULL;
}

static json_t *campaign_json(const struct mock_vapi *v, const json_t *k)
{
    json_t *out = json_deep_copy(k);
    json_t *ids = json_object_get(out, "_calls");
    json_t *calls = json_object();
    int queued = 0, live = 0, ended = 0, vm = 0;
    int64_t updated = json_integer_value(json_object_get(k, "_updated"));
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        const struct mock_call *c = mock_account_call(v->acct, json_string_value(id));
        if (!c) { /* evicted: it had ended */
            ended++;
            continue;
        }
        json_t *d = json_pack("{s:s,s:o}", "status", mock_vapi_status(c), "customer",
                              json_deep_copy(json_array_get(json_object_get(k, "customers"), i)));
        const char *er = mock_vapi_ended_reason(c);
        if (er)
            json_object_set_new(d, "endedReason", json_string(er));
        json_object_set_new(calls, c->id, d);
        if (c->state == MC_ENDED) {
            ended++;
            vm += c->end == MC_END_VOICEMAIL;
        } else if (c->state == MC_QUEUED) {
            queued++;
        } else {
            live++;
        }
        int64_t at = c->ended_at ? c->ended_at : c->answered_at ? c->answered_at : c->created_at;
        if (at > updated)
            updated = at;
    }
    size_t n = json_array_size(ids);
    json_object_del(out, "_calls"); /* frees ids */
    json_object_del(out, "_updated");
    json_object_set_new(out, "calls", calls);
    json_object_set_new(out, "callsCounterScheduled", json_integer(0));
    json_object_set_new(out, "callsCounterQueued", json_integer(queued));
    json_object_set_new(out, "callsCounterInProgress", json_integer(live));
    json_object_set_new(out, "callsCounterEndedVoicemail", json_integer(vm));
    json_object_set_new(out, "callsCounterEnded", json_integer(ended));
    json_object_set_new(out, "updatedAt", mock_vapi_iso(updated));
    if (!json_object_get(out, "status")) {
        bool done = ended == (int)n;
        json_object_set_new(out, "status", json_string(done ? "ended" : "in-progress"));
        if (done)
            json_object_set_new(out, "endedReason", json_string("campaign.ended.success"));
    }
    return out;
}

static int bad(struct mock_response *rs, const char *msg)
{
    mock_reply_json(rs, 400, mock_vapi_error(400, json_pack("[s]", msg)));
    return 1;
}

static int create(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    const json_t *b = rq->json;
    char msg[300];
    if (!json_is_object(b)) {
        snprintf(msg, sizeof msg, "%s",
                 rq->json_error && json_depth_exceeded(rq->json_error)
                     ? rq->json_error->text
                     : "Unexpected token in JSON at position 0");
        return mock_vapi_bad_request(rs, msg);
    }
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *asst = json_string_value(json_object_get(b, "assistantId"));
    const char *pnid = json_string_value(json_object_get(b, "phoneNumberId"));
    const json_t *customers = json_object_get(b, "customers");
    if (!name)
        return bad(rs, "name must be a string");
    if (json_object_get(b, "dialPlan") || json_object_get(b, "workflowId") ||
        json_object_get(b, "squadId"))
        return bad(rs, "dialPlan, workflowId and squadId are not supported by dialsim's mock");
    if (!json_is_array(customers) || json_array_size(customers) == 0)
        return bad(rs, "customers must contain at least 1 elements");
    size_t i;
    const json_t *cu;
    json_array_foreach(customers, i, cu)
    {
        if (!e164_valid(json_string_value(json_object_get(cu, "number")))) {
            snprintf(msg, sizeof msg,
                     "customers.%zu.number must be a valid phone number in the E.164 format. Hot "
                     "tip, you may be missing the country code (Eg. US: +1).",
                     i);
            return bad(rs, msg);
        }
    }
    json_t *pn = mock_vapi_number(v, pnid);
    const char *ani = json_string_value(json_object_get(pn, "number"));
    if (!asst)
        asst = json_string_value(json_object_get(pn, "assistantId"));
    if (!asst)
        return mock_vapi_bad_request(
            rs, "Couldn't Get Assistant. Need Either `assistantId`, `workflowId`, or `squadId`.");
    if (!mock_account_has_agent(v->acct, asst)) {
        snprintf(msg, sizeof msg, "Couldn't Get Assistant. `assistantId` %s Does Not Exist.", asst);
        return mock_vapi_bad_request(rs, msg);
    }
    if (!pnid || !ani) {
        snprintf(msg, sizeof msg, "Couldn't Get Phone Number. `phoneNumberId` %s Does Not Exist.",
                 pnid ? pnid : "undefined");
        return mock_vapi_bad_request(rs, msg);
    }
    /* as POST /call: an account with no credit refuses it whole */
    if (!mock_account_can_pay(v->acct) && !v->credits_as_ended_call)
        return mock_vapi_bad_request(
            rs, "Billing Limits Exceeded. Please add credits to your account to continue.");
    char id[40];
    mock_account_uuid(v->acct, id);
    int64_t now = ds_now(&v->w->clock);
    json_t *k = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:[],s:I}", "id", id, "orgId",
                          v->org_id, "name", name, "assistantId", asst, "phoneNumberId", pnid,
                          "customers", json_deep_copy(customers), "createdAt", mock_vapi_iso(now),
                          "updatedAt", mock_vapi_iso(now), "_calls", "_updated", (json_int_t)now);
    const json_t *plan = json_object_get(b, "schedulePlan");
    if (plan)
        json_object_set_new(k, "schedulePlan", json_deep_copy(plan));
    json_array_append_new(v->campaigns, k);
    json_t *ids = json_object_get(k, "_calls");
    json_t *server = mock_vapi_call_server(b, pn);
    /* each customer's call as POST /call would place it, tagged with the
     * campaign (Call.campaignId) */
    json_t *req =
        json_pack("{s:s,s:s,s:s}", "assistantId", asst, "phoneNumberId", pnid, "campaignId", id);
    json_array_foreach(customers, i, cu)
    {
        struct vapi_limits lim;
        json_t *one = json_deep_copy(req);
        json_object_set_new(one, "customer", json_deep_copy(cu));
        struct vapi_create_body ob;
        mock_vapi_read_create(one, &ob);
        struct mock_call *c =
            mock_vapi_place_one(v, one, &ob, ob.customer, asst, ani, pnid, server, &lim);
        json_decref(one);
        json_array_append_new(ids, c ? json_string(c->id) : json_null());
    }
    json_decref(req);
    json_decref(server);
    mock_reply_json(rs, 201, campaign_json(v, k));
    return 1;
}

static long query_long(const struct mock_request *rq, const char *name, long def)
{
    char b[24], *end;
    if (!rq->query || mg_get_var(rq->query, strlen(rq->query), name, b, sizeof b) < 0)
        return def;
    long x = strtol(b, &end, 10);
    return *end || x < 1 || x > 1000000 ? -1 : x;
}

/* GET /campaign: newest first (Vapi's DESC), page (from 1) of limit (100). */
static int list(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    long limit = query_long(rq, "limit", 100), page = query_long(rq, "page", 1);
    char status[32] = "", idq[64] = "";
    if (rq->query) {
        mg_get_var(rq->query, strlen(rq->query), "status", status, sizeof status);
        mg_get_var(rq->query, strlen(rq->query), "id", idq, sizeof idq);
    }
    if (limit < 0 || limit > 1000 || page < 0)
        return bad(rs, "page and limit must be positive integers, limit at most 1000");
    json_t *all = json_array();
    for (size_t n = json_array_size(v->campaigns); n-- > 0;) {
        const json_t *k = json_array_get(v->campaigns, n);
        json_t *j = campaign_json(v, k);
        if ((status[0] && strcmp(json_string_value(json_object_get(j, "status")), status)) ||
            (idq[0] && strcmp(json_string_value(json_object_get(j, "id")), idq)))
            json_decref(j);
        else
            json_array_append_new(all, j);
    }
    size_t total = json_array_size(all), from = (size_t)((page - 1) * limit);
    json_t *results = json_array();
    for (size_t i = from; i < total && i < from + (size_t)limit; i++)
        json_array_append(results, json_array_get(all, i));
    json_decref(all);
    long pages = (long)((total + (size_t)limit - 1) / (size_t)limit);
    mock_reply_json(rs, 200,
                    json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:b,s:s}}", "results", results, "metadata",
                              "itemsPerPage", (json_int_t)limit, "totalItems", (json_int_t)total,
                              "currentPage", (json_int_t)page, "totalPages", (json_int_t)pages,
                              "hasNextPage", page < pages, "sortOrder", "DESC"));
    return 1;
}

/* PATCH: name always; status "ended" ends it (the calls already placed go
 * on, as Vapi's "calls in progress will be allowed to complete"). */
static int update(struct mock_vapi *v, json_t *k, const struct mock_request *rq,
                  struct mock_response *rs)
{
    const json_t *b = rq->json;
    if (!json_is_object(b))
        return mock_vapi_bad_request(rs, "Unexpected token in JSON at position 0");
    const json_t *name = json_object_get(b, "name");
    const json_t *st = json_object_get(b, "status");
    if (name && !json_is_string(name))
        return bad(rs, "name must be a string");
    if (st && (!json_is_string(st) || strcmp(json_string_value(st), "ended")))
        return bad(rs, "status must be one of the following values: ended");
    static const char *const fixed[] = {"assistantId", "phoneNumberId", "customers", "schedulePlan",
                                        "dialPlan"};
    json_t *now = campaign_json(v, k);
    bool running = strcmp(json_string_value(json_object_get(now, "status")), "ended") != 0;
    json_decref(now);
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (json_object_get(b, fixed[i]) && running) {
            char msg[160];
            snprintf(msg, sizeof msg, "Campaign is in progress. %s can not be updated.", fixed[i]);
            return mock_vapi_bad_request(rs, msg);
        }
    if (name)
        json_object_set_new(k, "name", json_deep_copy(name));
    json_object_set_new(k, "_updated", json_integer(ds_now(&v->w->clock)));
    if (st && running) {
        json_object_set_new(k, "status", json_string("ended"));
        json_object_set_new(k, "endedReason", json_string("campaign.in-progress.ended-by-user"));
    }
    mock_reply_json(rs, 200, campaign_json(v, k));
    return 1;
}

int mock_vapi_campaigns_handle(struct mock_vapi *v, const struct mock_request *rq,
                               struct mock_response *rs)
{
    const char *m = rq->method;
    if (!strcmp(rq->path, "/campaign")) {
        if (!strcmp(m, "POST"))
            return create(v, rq, rs);
        return !strcmp(m, "GET") ? list(v, rq, rs) : 0;
    }
    if (strncmp(rq->path, "/campaign/", 10) != 0 || strchr(rq->path + 10, '/'))
        return 0;
    size_t at;
    json_t *k = find(v, rq->path + 10, &at);
    if (strcmp(m, "GET") && strcmp(m, "PATCH") && strcmp(m, "DELETE"))
        return 0;
    if (!k)
        return mock_vapi_not_found(rs, "Campaign not found");
    if (!strcmp(m, "GET")) {
        mock_reply_json(rs, 200, campaign_json(v, k));
        return 1;
    }
    if (!strcmp(m, "PATCH"))
        return update(v, k, rq, rs);
    mock_reply_json(rs, 200, campaign_json(v, k));
    json_array_remove(v->campaigns, at);
    return 1;
}

bool mock_vapi_path(const char *path)
{
    return !strcmp(path, "/call") || !strncmp(path, "/call/", 6) ||
           !strcmp(path, "/phone-number") || !strncmp(path, "/phone-number/", 14) ||
           !strcmp(path, "/v2/phone-number") || /* Vapi's; Retell has no /v2/phone-number */
           !strcmp(path, "/campaign") || !strncmp(path, "/campaign/", 10);
}
