/* The ElevenLabs mock's batch calling (issues 11, 12): POST
 * /v1/convai/batch-calling/submit places one call per recipient at once
 * through the account, as twilio/outbound-call places one (a
 * scheduled_time_unix is kept and shown, not waited for); GET
 * /v1/convai/batch-calling/{id} and /v1/convai/batch-calling/workspace
 * (limit, last_doc, agent_id) render the batch from its calls; POST
 * {id}/cancel stops it (calls already placed go on: every recipient is
 * placed at submit, so nothing is left pending), POST {id}/retry calls the
 * failed recipients again through the account, DELETE {id} forgets it, GET
 * {id}/export gives its recipients as CSV. A recipient's conversation shows
 * metadata.batch_call (mock_elevenlabs.c).
 * The key was checked by mock_elevenlabs_handle; the world's mutex is held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "mock_elevenlabs_int.h"

/* CivetWeb's query-string reader (mock_server.c links it too) */
int mg_get_var(const char *data, size_t data_len, const char *var_name, char *dst, size_t dst_len);

static void el_query(const struct mock_request *rq, const char *name, char *out, size_t n)
{
    if (!rq->query || mg_get_var(rq->query, strlen(rq->query), name, out, n) < 0)
        out[0] = '\0';
}

struct el_recipient {
    char id[48];
    char conv[48]; /* the call's id ("" when it could not be placed) */
    char *phone;
};

struct el_batch {
    char id[48];
    char *name, *agent, *pnid;
    bool sip, cancelled;
    int retries;
    int64_t created_ms;
    double scheduled_s; /* < 0: none given */
    size_t n;
    struct el_recipient *r;
    struct el_batch *next; /* older */
};

static void batch_free(struct el_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->r[i].phone);
    free(b->r);
    free(b->name);
    free(b->agent);
    free(b->pnid);
    free(b);
}

void el_batches_free(struct mock_elevenlabs *e)
{
    for (struct el_batch *b = e->batches, *n; b; b = n) {
        n = b->next;
        batch_free(b);
    }
    e->batches = NULL;
}

/* BatchCallRecipientStatus from the call's state (an evicted call: what it
 * last was is gone; "completed" stands for it). */
static const char *recipient_status(const struct mock_call *c)
{
    if (!c)
        return "completed";
    switch (c->state) {
    case MC_QUEUED:
        return "dispatched";
    case MC_RINGING:
        return "initiated";
    case MC_IN_PROGRESS:
        return "in_progress";
    default:
        return c->end == MC_END_COMPLETED   ? "completed"
               : c->end == MC_END_VOICEMAIL ? "voicemail"
                                            : "failed";
    }
}

static json_t *batch_json(const struct mock_elevenlabs *e, const struct el_batch *b, bool detailed)
{
    size_t finished = 0;
    int64_t updated = b->created_ms;
    json_t *recipients = json_array();
    for (size_t i = 0; i < b->n; i++) {
        const struct mock_call *c =
            b->r[i].conv[0] ? mock_account_call(e->acct, b->r[i].conv) : NULL;
        const char *st = b->r[i].conv[0] ? recipient_status(c) : "failed";
        if (!strcmp(st, "completed") || !strcmp(st, "failed") || !strcmp(st, "voicemail"))
            finished++;
        int64_t at = c ? (c->ended_at      ? c->ended_at
                          : c->answered_at ? c->answered_at
                          : c->ringing_at  ? c->ringing_at
                                           : c->created_at)
                       : b->created_ms;
        if (at > updated)
            updated = at;
        json_array_append_new(
            recipients,
            json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "id", b->r[i].id, "phone_number", b->r[i].phone,
                      "status", st, "created_at_unix", (json_int_t)(b->created_ms / 1000),
                      "updated_at_unix", (json_int_t)(at / 1000), "conversation_id",
                      b->r[i].conv[0] ? json_string(b->r[i].conv) : json_null()));
    }
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:I,s:I,s:i,s:i,s:i,s:I,s:s,s:i,s:{}}",
        "id", b->id, "name", b->name, "agent_id", b->agent, "agent_name", b->agent,
        "phone_number_id", b->pnid, "phone_provider", "whatsapp_params", "branch_id", "environment",
        "timezone", "target_concurrency_limit", "branch_name", "created_at_unix",
        (json_int_t)(b->created_ms / 1000), "scheduled_time_unix",
        (json_int_t)(b->scheduled_s >= 0 ? b->scheduled_s : (double)b->created_ms / 1000),
        "total_calls_dispatched", (int)b->n, "total_calls_scheduled", (int)b->n,
        "total_calls_finished", (int)finished, "last_updated_at_unix", (json_int_t)(updated / 1000),
        "status",
        b->cancelled       ? "cancelled"
        : finished == b->n ? "completed"
                           : "in_progress",
        "retry_count", b->retries, "telephony_call_config");
    json_object_set_new(j, "phone_provider", json_string(b->sip ? "sip_trunk" : "twilio"));
    if (detailed)
        json_object_set_new(j, "recipients", recipients);
    else
        json_decref(recipients);
    return j;
}

/* Each recipient a call, as the outbound route places it; one the account
 * cannot take now (credits, concurrency) fails at once. */
static void place_recipient(struct mock_elevenlabs *e, const struct el_batch *b,
                            struct el_recipient *r, const char *ani)
{
    json_t *creq = json_pack("{s:s,s:s,s:s,s:b,s:s,s:s}", "agent_id", b->agent,
                             "agent_phone_number_id", b->pnid, "to_number", r->phone, "_sip",
                             b->sip, "_batch", b->id, "_recipient", r->id);
    struct mock_call *c = NULL;
    if (!mock_account_can_pay(e->acct))
        c = mock_account_refuse(e->acct, r->phone, b->agent, b->pnid, creq, MC_END_NO_CREDITS);
    else if (mock_account_concurrency_limit(e->acct) > 0 &&
             mock_account_active(e->acct) >= mock_account_concurrency_limit(e->acct))
        c = mock_account_refuse(e->acct, r->phone, b->agent, b->pnid, creq, MC_END_CONCURRENCY);
    else
        c = mock_account_place(e->acct, ani, r->phone, b->agent, b->pnid, creq);
    json_decref(creq);
    if (c) {
        snprintf(r->conv, sizeof r->conv, "%s", c->id);
        el_conv_add(e, c, b->sip);
    }
}

static void submit(struct mock_elevenlabs *e, const json_t *body, struct mock_response *rs)
{
    json_t *errs = json_array();
    static const char *req[] = {"call_name", "agent_id", "agent_phone_number_id"};
    for (size_t i = 0; i < 3; i++)
        if (!json_is_string(json_object_get(body, req[i])))
            json_array_append_new(errs, el_missing(req[i]));
    const json_t *list = json_object_get(body, "recipients");
    if (!json_is_array(list))
        json_array_append_new(errs, el_missing("recipients"));
    size_t i;
    const json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *to = json_string_value(json_object_get(x, "phone_number"));
        if (!e164_valid(to))
            json_array_append_new(errs, json_pack("{s:[s,s,i,s],s:s,s:s,s:O}", "loc", "body",
                                                  "recipients", (int)i, "phone_number", "msg",
                                                  "Value error, invalid phone number", "type",
                                                  "value_error", "input",
                                                  json_object_get(x, "phone_number")
                                                      ? json_object_get(x, "phone_number")
                                                      : json_null()));
    }
    if (json_array_size(errs) > 0) {
        mock_reply_json(rs, 422, json_pack("{s:o}", "detail", errs));
        return;
    }
    json_decref(errs);
    const char *agent = json_string_value(json_object_get(body, "agent_id"));
    const char *pnid = json_string_value(json_object_get(body, "agent_phone_number_id"));
    const struct el_number *num = el_number_find(e, pnid);
    if (!mock_account_has_agent(e->acct, agent)) {
        el_detail_error(rs, 404, "agent_not_found", "Agent not found");
        return;
    }
    if (!num) {
        el_detail_error(rs, 404, "phone_number_not_found", "Phone number not found");
        return;
    }
    struct el_batch *b = calloc(1, sizeof *b);
    size_t n = json_array_size(list);
    if (!b || !(b->r = calloc(n ? n : 1, sizeof *b->r)) ||
        !(b->name = strdup(json_string_value(json_object_get(body, "call_name")))) ||
        !(b->agent = strdup(agent)) || !(b->pnid = strdup(pnid))) {
        if (b)
            batch_free(b);
        el_detail_error(rs, 500, "internal_error", "Internal server error");
        return;
    }
    char uuid[40];
    mock_account_uuid(e->acct, uuid);
    snprintf(b->id, sizeof b->id, "btcal_%.8s%.4s%.4s%.4s%.6s", uuid, uuid + 9, uuid + 14,
             uuid + 19, uuid + 24);
    b->sip = num->sip;
    b->created_ms = ds_now(&mock_account_world(e->acct)->clock);
    const json_t *sched = json_object_get(body, "scheduled_time_unix");
    b->scheduled_s = json_is_number(sched) ? json_number_value(sched) : -1;
    json_array_foreach(list, i, x)
    {
        struct el_recipient *r = &b->r[b->n];
        const char *to = json_string_value(json_object_get(x, "phone_number"));
        if (!(r->phone = strdup(to)))
            break;
        b->n++;
        const char *rid = json_string_value(json_object_get(x, "id"));
        if (rid) {
            snprintf(r->id, sizeof r->id, "%s", rid);
        } else {
            mock_account_uuid(e->acct, uuid);
            snprintf(r->id, sizeof r->id, "%s", uuid);
        }
        place_recipient(e, b, r, num->number);
    }
    b->next = e->batches;
    e->batches = b;
    mock_reply_json(rs, 200, batch_json(e, b, false));
}

/* GET workspace: newest first; last_doc is the id of the last batch of the
 * previous page, next_doc this page's last when there are more. */
static void workspace(struct mock_elevenlabs *e, const struct mock_request *rq,
                      struct mock_response *rs)
{
    char lim_s[16] = "", last[64] = "", agent[128] = "";
    el_query(rq, "limit", lim_s, sizeof lim_s);
    el_query(rq, "last_doc", last, sizeof last);
    el_query(rq, "agent_id", agent, sizeof agent);
    char *end;
    long limit = lim_s[0] ? strtol(lim_s, &end, 10) : 100;
    if (lim_s[0] && (*end || limit < 1)) {
        json_t *d = json_pack("[{s:[s,s],s:s,s:s,s:s}]", "loc", "query", "limit", "msg",
                              "Input should be a valid integer greater than 0", "type",
                              "int_parsing", "input", lim_s);
        mock_reply_json(rs, 422, json_pack("{s:o}", "detail", d));
        return;
    }
    json_t *list = json_array();
    bool started = !last[0], more = false;
    const char *next = NULL;
    for (const struct el_batch *b = e->batches; b; b = b->next) {
        if (!started) {
            started = !strcmp(b->id, last);
            continue;
        }
        if (agent[0] && strcmp(b->agent, agent))
            continue;
        if ((long)json_array_size(list) >= limit) {
            more = true;
            break;
        }
        json_array_append_new(list, batch_json(e, b, false));
        next = b->id;
    }
    mock_reply_json(rs, 200,
                    json_pack("{s:o,s:o,s:b}", "batch_calls", list, "next_doc",
                              more && next ? json_string(next) : json_null(), "has_more", more));
}

/* retry: the recipients whose call failed (busy, no answer, refused) are
 * called again through the account; the batch is running again. */
static void retry(struct mock_elevenlabs *e, struct el_batch *b, struct mock_response *rs)
{
    const struct el_number *num = el_number_find(e, b->pnid);
    if (!num) {
        el_detail_error(rs, 404, "phone_number_not_found", "Phone number not found");
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        const struct mock_call *c =
            b->r[i].conv[0] ? mock_account_call(e->acct, b->r[i].conv) : NULL;
        if (!b->r[i].conv[0] || (c && !strcmp(recipient_status(c), "failed")))
            place_recipient(e, b, &b->r[i], num->number);
    }
    b->retries++;
    b->cancelled = false;
    mock_reply_json(rs, 200, batch_json(e, b, false));
}

/* export: the recipients as CSV, one line each (the description gives
 * text/csv and no columns; these are the recipient's own fields). */
static void export_csv(struct mock_elevenlabs *e, const struct el_batch *b,
                       struct mock_response *rs)
{
    size_t cap = 64 + b->n * 200, len = 0;
    char *csv = malloc(cap);
    if (!csv) {
        el_detail_error(rs, 500, "internal_error", "Internal server error");
        return;
    }
    len += (size_t)snprintf(csv, cap, "recipient_id,phone_number,status,conversation_id\n");
    for (size_t i = 0; i < b->n && len < cap; i++) {
        const struct mock_call *c =
            b->r[i].conv[0] ? mock_account_call(e->acct, b->r[i].conv) : NULL;
        len += (size_t)snprintf(csv + len, cap - len, "%.47s,%.31s,%s,%.47s\n", b->r[i].id,
                                b->r[i].phone, b->r[i].conv[0] ? recipient_status(c) : "failed",
                                b->r[i].conv);
    }
    rs->status = 200;
    rs->body = csv;
    rs->content_type = "text/csv";
}

int el_batch_route(struct mock_elevenlabs *e, const struct mock_request *rq,
                   struct mock_response *rs)
{
    const char *p = rq->path;
    if (strncmp(p, "/v1/convai/batch-calling/", 25) != 0)
        return 0;
    p += 25;
    if (strcmp(p, "submit") == 0) {
        submit(e, json_is_object(rq->json) ? rq->json : NULL, rs);
        return 1;
    }
    if (strcmp(p, "workspace") == 0) {
        workspace(e, rq, rs);
        return 1;
    }
    const char *slash = strchr(p, '/');
    size_t idn = slash ? (size_t)(slash - p) : strlen(p);
    struct el_batch **at = &e->batches;
    while (*at && (strlen((*at)->id) != idn || strncmp((*at)->id, p, idn) != 0))
        at = &(*at)->next;
    struct el_batch *b = *at;
    if (!b) {
        el_detail_error(rs, 404, "batch_call_not_found", "Batch call not found"); /* inferred */
        return 1;
    }
    if (!slash && !strcmp(rq->method, "DELETE")) {
        *at = b->next;
        batch_free(b);
        rs->status = 204;
        rs->body = strdup("");
        rs->content_type = "text/plain";
    } else if (!slash) {
        mock_reply_json(rs, 200, batch_json(e, b, true));
    } else if (!strcmp(slash, "/cancel")) {
        b->cancelled = true;
        mock_reply_json(rs, 200, batch_json(e, b, false));
    } else if (!strcmp(slash, "/retry")) {
        retry(e, b, rs);
    } else {
        export_csv(e, b, rs);
    }
    return 1;
}
