/* The ElevenLabs mock's batch calling (issue 11): POST
 * /v1/convai/batch-calling/submit places one call per recipient at once
 * through the account, as twilio/outbound-call places one (a
 * scheduled_time_unix is kept and shown, not waited for); GET
 * /v1/convai/batch-calling/{id} and /v1/convai/batch-calling/workspace
 * render the batch from its calls. Cancel, retry and export are not served.
 * The key was checked by mock_elevenlabs_handle; the world's mutex is held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "mock_elevenlabs_int.h"

struct el_recipient {
    char id[48];
    char conv[48]; /* the call's id ("" when it could not be placed) */
    char *phone;
};

struct el_batch {
    char id[48];
    char *name, *agent, *pnid;
    bool sip;
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
        "status", finished == b->n ? "completed" : "in_progress", "retry_count", 0,
        "telephony_call_config");
    json_object_set_new(j, "phone_provider", json_string(b->sip ? "sip_trunk" : "twilio"));
    if (detailed)
        json_object_set_new(j, "recipients", recipients);
    else
        json_decref(recipients);
    return j;
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
        /* each recipient a call, as the outbound route places it; one the
         * account cannot take now (credits, concurrency) fails */
        json_t *creq =
            json_pack("{s:s,s:s,s:s,s:b,s:s}", "agent_id", agent, "agent_phone_number_id", pnid,
                      "to_number", to, "_sip", num->sip, "_batch", b->id);
        struct mock_call *c = NULL;
        if (!mock_account_can_pay(e->acct))
            c = mock_account_refuse(e->acct, to, agent, pnid, creq, MC_END_NO_CREDITS);
        else if (mock_account_concurrency_limit(e->acct) > 0 &&
                 mock_account_active(e->acct) >= mock_account_concurrency_limit(e->acct))
            c = mock_account_refuse(e->acct, to, agent, pnid, creq, MC_END_CONCURRENCY);
        else
            c = mock_account_place(e->acct, num->number, to, agent, pnid, creq);
        json_decref(creq);
        if (c) {
            snprintf(r->conv, sizeof r->conv, "%s", c->id);
            el_conv_add(e, c->id);
        }
    }
    b->next = e->batches;
    e->batches = b;
    mock_reply_json(rs, 200, batch_json(e, b, false));
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
    } else if (strcmp(p, "workspace") == 0) {
        /* newest first; one page (limit and last_doc are not read) */
        json_t *list = json_array();
        for (const struct el_batch *b = e->batches; b; b = b->next)
            json_array_append_new(list, batch_json(e, b, false));
        mock_reply_json(rs, 200,
                        json_pack("{s:o,s:n,s:b}", "batch_calls", list, "next_doc", "has_more", 0));
    } else {
        const struct el_batch *b = e->batches;
        while (b && strcmp(b->id, p) != 0)
            b = b->next;
        if (b)
            mock_reply_json(rs, 200, batch_json(e, b, true));
        else
            el_detail_error(rs, 404, "batch_call_not_found", "Batch call not found"); /* inferred */
    }
    return 1;
}
