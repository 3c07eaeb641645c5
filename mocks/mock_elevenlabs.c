#include "mock_elevenlabs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/e164.h"
#include "util/json_write.h"
#include "mock_elevenlabs_int.h"

static void on_change(void *ctx, struct mock_call *c);

int mock_elevenlabs_create(struct mock_elevenlabs **out, struct mock_world *w,
                           const struct mock_provider_config *cfg)
{
    struct mock_elevenlabs *e = calloc(1, sizeof *e);
    *out = NULL;
    if (!e)
        return -1;
    e->w = w;
    e->latency_ms = cfg->latency_ms;
    if (mock_account_create_for(&e->acct, w, "elevenlabs", cfg, on_change, e) != 0) {
        free(e);
        return -1;
    }
    /* the batch's marks on the requests it places (mock_elevenlabs_batch.c) */
    static const char *const kept[] = {"_sip", "_batch", "_recipient", NULL};
    mock_account_keep_request(e->acct, kept, NULL);
    if (el_numbers_load(e, cfg->phone_numbers) != 0) {
        mock_account_destroy(e->acct);
        el_numbers_free(e);
        free(e);
        return -1;
    }
    mock_webhook_config_read(&e->wh, cfg->webhooks, WH_AUTH_ELEVENLABS, NULL, 0);
    /* providers.md §5: MP3 of the full conversation; channels and rate
     * unconfirmed (decision: mono, 16 kHz) */
    mock_recording_config_read(&e->rec, cfg->recording, REC_FMT_MP3, 16000, 1);
    *out = e;
    return 0;
}

void mock_elevenlabs_destroy(struct mock_elevenlabs *e)
{
    if (!e)
        return;
    mock_account_destroy(e->acct);
    el_numbers_free(e);
    el_batches_free(e);
    free(e);
}

/* providers.md §3.4 */
const char *mock_elevenlabs_status(const struct mock_call *c)
{
    switch (c->state) {
    case MC_QUEUED:
    case MC_RINGING:
        return "initiated";
    case MC_IN_PROGRESS:
        return "in-progress";
    default:
        return c->end == MC_END_COMPLETED || c->end == MC_END_VOICEMAIL ? "done" : "failed";
    }
}

const char *mock_elevenlabs_failure_reason(const struct mock_call *c)
{
    if (c->state != MC_ENDED || c->end == MC_END_COMPLETED || c->end == MC_END_VOICEMAIL)
        return NULL;
    switch (c->end) {
    case MC_END_BUSY:
    case MC_END_DECLINED: /* Twilio reports a 603 as busy (inferred) */
        return "busy";
    case MC_END_NO_ANSWER:
        return "no-answer";
    default:
        return "unknown";
    }
}

/* A batch's request says "_sip" (its calls may end, and send webhooks,
 * before they have their record) */
static bool is_sip(const struct mock_call *c)
{
    const struct el_call *x = c->ext;
    return x ? x->sip : json_is_true(json_object_get(c->request, "_sip"));
}

/* The SIP final response a failed call got: the same words as the
 * call_initiation_failure webhook's body (providers.md §6.2). */
static int sip_code(const struct mock_call *c)
{
    switch (c->end) {
    case MC_END_BUSY:
        return 486;
    case MC_END_NO_ANSWER:
        return 480;
    case MC_END_DECLINED:
        return 603;
    case MC_END_INVALID:
        return 404;
    default:
        return 503;
    }
}

/* metadata.phone_call. The SDK (2.73.0) requires stream_sid and call_sid on
 * Twilio calls and call_sid on SIP trunks, before the call is answered too:
 * the Media Stream's SID ("MZ") is drawn from the CallSid so both stay
 * stable; a SIP trunk's call_sid is the SIP Call-ID (our sid). */
static json_t *phone_call_json(const struct mock_call *c)
{
    json_t *pc =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", is_sip(c) ? "sip_trunking" : "twilio",
                  "direction", "outbound", "phone_number_id", c->phone_number_id, "agent_number",
                  c->ani, "external_number", c->to, "call_sid", c->sid);
    if (!is_sip(c)) {
        char mz[48];
        snprintf(mz, sizeof mz, "MZ%s", c->sid + (strncmp(c->sid, "CA", 2) == 0 ? 2 : 0));
        json_object_set_new(pc, "stream_sid", json_string(mz));
    }
    return pc;
}

/* metadata.termination_reason: free-form in the description, values
 * undocumented (providers.md §3.4). A failed call says why in the words of
 * its call_initiation_failure (busy, no-answer, unknown), and metadata.error
 * carries the SIP code (inferred); an empty reason is only for a call not
 * yet ended. */
static const char *termination_reason(const struct mock_call *c)
{
    if (c->state != MC_ENDED)
        return "";
    if (c->end == MC_END_COMPLETED)
        return "Call ended by remote party";
    if (c->end == MC_END_VOICEMAIL)
        return "Voicemail detected"; /* inferred */
    if (c->end == MC_END_NO_CREDITS)
        return "Insufficient credits"; /* inferred */
    if (c->end == MC_END_CONCURRENCY)
        return "Concurrency limit reached"; /* inferred */
    return mock_elevenlabs_failure_reason(c);
}

static const char *call_successful(const struct mock_call *c)
{
    const char *st = mock_elevenlabs_status(c);
    return !strcmp(st, "done") ? "success" : !strcmp(st, "failed") ? "failure" : "unknown";
}

json_t *el_conversation_json(const struct mock_call *c)
{
    bool ended_ok =
        c->state == MC_ENDED && (c->end == MC_END_COMPLETED || c->end == MC_END_VOICEMAIL);
    json_t *meta =
        json_pack("{s:I,s:i,s:s,s:o}", "start_time_unix_secs",
                  (json_int_t)((c->answered_at ? c->answered_at : c->created_at) / 1000),
                  "call_duration_secs", (int)mock_call_duration_s(c), "termination_reason",
                  termination_reason(c), "phone_call", phone_call_json(c));
    /* required (nullable) by the OpenAPI description, optional in the SDK:
     * a number always; the USD rate per minute is the mock's own (inferred) */
    json_object_set_new(
        meta, "cost_fiat",
        json_real((double)(int64_t)(mock_call_duration_s(c) / 60.0 * 10000 + 0.5) / 1000.0));
    if (c->answered_at)
        json_object_set_new(meta, "accepted_time_unix_secs",
                            json_integer((json_int_t)(c->answered_at / 1000)));
    /* a batch recipient's call (mock_elevenlabs_batch.c) */
    const char *bid = json_string_value(json_object_get(c->request, "_batch"));
    const char *rid = json_string_value(json_object_get(c->request, "_recipient"));
    if (bid && rid)
        json_object_set_new(
            meta, "batch_call",
            json_pack("{s:s,s:s}", "batch_call_id", bid, "batch_call_recipient_id", rid));
    if (c->state == MC_ENDED && !ended_ok)
        json_object_set_new(
            meta, "error",
            json_pack("{s:i,s:s}", "code", sip_code(c), "reason", termination_reason(c)));
    json_t *transcript = json_array();
    struct rec_turn turns[64];
    size_t n = mock_call_turns(c, turns, 64);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(transcript, json_pack("{s:s,s:s,s:i}", "role",
                                                    turns[i].channel == 1 ? "agent" : "user",
                                                    "message", mock_turn_text(i, turns[i].channel),
                                                    "time_in_call_secs", (int)turns[i].start_s));
    bool audio = c->answered_at != 0;
    json_t *conv =
        json_pack("{s:s,s:s,s:s,s:o,s:o,s:b,s:b,s:b,s:b}", "agent_id", c->agent, "conversation_id",
                  c->id, "status", mock_elevenlabs_status(c), "transcript", transcript, "metadata",
                  meta, "has_audio", audio, "has_user_audio", audio, "has_response_audio", audio,
                  "has_auxiliary_audio", 0);
    if (c->state == MC_ENDED)
        json_object_set_new(conv, "analysis",
                            json_pack("{s:s,s:{},s:{},s:s}", "call_successful", call_successful(c),
                                      "evaluation_criteria_results", "data_collection_results",
                                      "transcript_summary", ""));
    return conv;
}

json_t *el_conversation_summary(const struct mock_call *c)
{
    struct rec_turn turns[64];
    size_t n = mock_call_turns(c, turns, 64);
    return json_pack("{s:s,s:s,s:I,s:i,s:i,s:s,s:s,s:s}", "agent_id", c->agent, "conversation_id",
                     c->id, "start_time_unix_secs",
                     (json_int_t)((c->answered_at ? c->answered_at : c->created_at) / 1000),
                     "call_duration_secs", (int)mock_call_duration_s(c), "message_count", (int)n,
                     "status", mock_elevenlabs_status(c), "call_successful", call_successful(c),
                     "direction", "outbound");
}

static void on_change(void *ctx, struct mock_call *c)
{
    struct mock_elevenlabs *e = ctx;
    if (!e->wh.enabled || c->state != MC_ENDED)
        return;
    int64_t now = ds_now(&e->w->clock);
    json_t *body;
    if (c->end == MC_END_COMPLETED || c->end == MC_END_VOICEMAIL) {
        body = json_pack("{s:s,s:I,s:o}", "type", "post_call_transcription", "event_timestamp",
                         (json_int_t)(now / 1000), "data", el_conversation_json(c));
    } else {
        /* providers.md §4.3 (3rd-party field list); the carrier's words for
         * the end: Twilio CallStatus (§6.1), SIP final response (§6.2) */
        bool busy = c->end == MC_END_BUSY, no_answer = c->end == MC_END_NO_ANSWER;
        bool declined = c->end == MC_END_DECLINED, invalid = c->end == MC_END_INVALID;
        int sip_code = busy ? 486 : no_answer ? 480 : declined ? 603 : invalid ? 404 : 503;
        const char *twilio_status = busy || declined ? "busy" : no_answer ? "no-answer" : "failed";
        json_t *pbody =
            is_sip(c) ? json_pack("{s:i}", "sip_status_code", sip_code)
                      : json_pack("{s:s,s:s}", "CallSid", c->sid, "CallStatus", twilio_status);
        body =
            json_pack("{s:s,s:I,s:{s:s,s:s,s:s,s:{s:s,s:o}}}", "type", "call_initiation_failure",
                      "event_timestamp", (json_int_t)(now / 1000), "data", "agent_id", c->agent,
                      "conversation_id", c->id, "failure_reason", mock_elevenlabs_failure_reason(c),
                      "metadata", "type", is_sip(c) ? "sip" : "twilio", "body", pbody);
    }
    mock_webhook_send(e->w, "elevenlabs", &e->wh, json_dumps(body, JSON_COMPACT));
    json_decref(body);
}

void el_detail_error(struct mock_response *rs, int status, const char *code, const char *msg)
{
    mock_reply_json(rs, status,
                    json_pack("{s:{s:s,s:s}}", "detail", "status", code, "message", msg));
}

json_t *el_missing(const char *field)
{
    return json_pack("{s:[s,s],s:s,s:s,s:n}", "loc", "body", field, "msg", "Field required", "type",
                     "missing", "input");
}

/* FastAPI's 422: one entry per missing or invalid body field. agent_id is
 * required on both outbound routes (the OpenAPI description): a number's
 * assigned agent answers its inbound calls only. */
static json_t *validation(const json_t *body)
{
    static const char *required[] = {"agent_id", "agent_phone_number_id", "to_number"};
    json_t *list = json_array();
    for (size_t i = 0; i < 3; i++)
        if (!json_is_string(json_object_get(body, required[i])))
            json_array_append_new(list, el_missing(required[i]));
    const char *to = json_string_value(json_object_get(body, "to_number"));
    if (to && !e164_valid(to)) /* inferred: the real status for a bad number is unconfirmed */
        json_array_append_new(list, json_pack("{s:[s,s],s:s,s:s,s:s}", "loc", "body", "to_number",
                                              "msg", "Value error, invalid phone number", "type",
                                              "value_error", "input", to));
    return list;
}

static void create_call(struct mock_elevenlabs *e, const struct mock_request *rq,
                        struct mock_response *rs, bool sip)
{
    if (!rq->json && rq->json_error && json_depth_exceeded(rq->json_error)) {
        /* refused before jansson recursed */
        char msg[300];
        snprintf(msg, sizeof msg, "body: %s", rq->json_error->text);
        el_detail_error(rs, 400, "json_too_deep", msg);
        return;
    }
    /* parsed once by the server and shared with the journal: read only (the
     * call holds it; whether it came through SIP is the call's record) */
    json_t *own = json_is_object(rq->json) ? NULL : json_object();
    const json_t *body = own ? own : rq->json;
    json_t *errs = validation(body);
    const char *agent = json_string_value(json_object_get(body, "agent_id"));
    const char *pnid = json_string_value(json_object_get(body, "agent_phone_number_id"));
    const char *to = json_string_value(json_object_get(body, "to_number"));
    const struct el_number *num = el_number_find(e, pnid);
    if (json_array_size(errs) > 0) {
        mock_reply_json(rs, 422, json_pack("{s:O}", "detail", errs));
    } else if (!mock_account_has_agent(e->acct, agent)) {
        el_detail_error(rs, 404, "agent_not_found", "Agent not found");
    } else if (!num) {
        /* inferred: status for an unknown agent_phone_number_id is unconfirmed */
        el_detail_error(rs, 404, "phone_number_not_found", "Phone number not found");
    } else if (!mock_account_can_pay(e->acct)) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "This request exceeds your quota of 10000. You have %.0f credits remaining, "
                 "while 1 credits are required for this request.",
                 mock_account_credits(e->acct) < 0 ? 0 : mock_account_credits(e->acct));
        el_detail_error(rs, 401, "quota_exceeded", msg);
    } else if (mock_account_concurrency_limit(e->acct) > 0 &&
               mock_account_active(e->acct) >= mock_account_concurrency_limit(e->acct)) {
        el_detail_error(rs, 429, "too_many_concurrent_requests",
                        "Too many concurrent requests. Your plan allows a limited number of "
                        "concurrent calls.");
    } else {
        struct mock_call *c = mock_account_place(e->acct, num->number, to, agent, pnid, body);
        if (!c) {
            el_detail_error(rs, 500, "internal_error", "Internal server error");
        } else {
            el_conv_add(e, c, sip);
            /* success and message are what the SDK requires of both;
             * written, not packed: json_pack reads its format anew on every
             * call (util/json_write.h) */
            struct json_out o = {0};
            jo_object(&o);
            jo_key(&o, "success");
            jo_bool(&o, true);
            jo_kv_lit(&o, "message", "Success");
            jo_kv_lit(&o, "conversation_id", c->id);
            jo_kv_string(&o, sip ? "sip_call_id" : "callSid", c->sid);
            jo_object_end(&o);
            mock_reply_out(rs, 200, &o);
        }
    }
    json_decref(errs);
    json_decref(own);
}

struct mock_account *mock_elevenlabs_account(const struct mock_elevenlabs *e)
{
    return e->acct;
}

const struct mock_call *mock_elevenlabs_find(const struct mock_elevenlabs *e, const char *id)
{
    return mock_account_call(e->acct, id);
}

/* FastAPI routes first, then the dependencies check the key: an unknown
 * path is {"detail":"Not Found"} and a known one with another method
 * {"detail":"Method Not Allowed"}, whatever the key. Returns the methods
 * the path allows ("GET,DELETE"), or NULL when it is not a route. */
static const char *methods_of(const char *p)
{
    if (!strcmp(p, "/v1/convai/twilio/outbound-call") ||
        !strcmp(p, "/v1/convai/sip-trunk/outbound-call"))
        return "POST";
    if (!strcmp(p, "/v1/convai/conversations"))
        return "GET";
    if (!strcmp(p, "/v1/convai/phone-numbers"))
        return "GET,POST";
    if (!strcmp(p, "/v1/convai/batch-calling/submit"))
        return "POST";
    if (!strncmp(p, "/v1/convai/batch-calling/", 25) && p[25]) {
        const char *s = strchr(p + 25, '/');
        if (!s) /* workspace, or one batch */
            return strcmp(p + 25, "workspace") ? "GET,DELETE" : "GET";
        return !strcmp(s, "/cancel") || !strcmp(s, "/retry") ? "POST"
               : !strcmp(s, "/export")                       ? "GET"
                                                             : NULL;
    }
    const char *id = NULL;
    const char *m = NULL;
    if (!strncmp(p, "/v1/convai/conversations/", 25)) {
        id = p + 25;
        m = "GET,DELETE";
    } else if (!strncmp(p, "/v1/convai/phone-numbers/", 25)) {
        id = p + 25;
        m = "GET,PATCH,DELETE";
    }
    if (!id || !*id)
        return NULL;
    const char *slash = strchr(id, '/');
    if (!slash)
        return m;
    if (m[4] == 'D' && !strcmp(slash, "/audio")) /* a conversation's audio */
        return "GET";
    return NULL;
}

static bool allows(const char *methods, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = methods; p && *p;) {
        if (!strncmp(p, method, n) && (p[n] == ',' || p[n] == '\0'))
            return true;
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return false;
}

int mock_elevenlabs_authorise(struct mock_elevenlabs *e, const struct mock_request *rq,
                              struct mock_response *rs)
{
    rs->latency_ms = e->latency_ms;
    /* providers.md §2.4: writing needs convai_write, reading convai_read */
    const char *need = strcmp(rq->method, "GET") ? "convai_write" : "convai_read";
    enum mock_key_check kc = mock_account_key(e->acct, mock_header(rq, "xi-api-key"), need);
    if (kc == MK_UNKNOWN) {
        el_detail_error(rs, 401, "invalid_api_key", "Invalid API key");
        return 1;
    }
    if (kc == MK_NO_PERMISSION) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "The API key you used is missing the permission %s to execute this operation.",
                 need);
        el_detail_error(rs, 401, "missing_permissions", msg);
        return 1;
    }
    return 0;
}

int mock_elevenlabs_handle(struct mock_elevenlabs *e, const struct mock_request *rq,
                           struct mock_response *rs)
{
    if (strncmp(rq->path, "/v1/convai/", 11) != 0)
        return 0;
    rs->latency_ms = e->latency_ms;
    const char *methods = methods_of(rq->path);
    if (!methods) {
        mock_reply_json(rs, 404, json_pack("{s:s}", "detail", "Not Found"));
        return 1;
    }
    if (!allows(methods, rq->method)) {
        mock_reply_json(rs, 405, json_pack("{s:s}", "detail", "Method Not Allowed"));
        return 1;
    }
    if (mock_elevenlabs_authorise(e, rq, rs))
        return 1;
    bool sip = strcmp(rq->path, "/v1/convai/sip-trunk/outbound-call") == 0;
    if (sip || strcmp(rq->path, "/v1/convai/twilio/outbound-call") == 0)
        create_call(e, rq, rs, sip);
    else if (!el_conversations_route(e, rq, rs) && !el_numbers_route(e, rq, rs) &&
             !el_batch_route(e, rq, rs))
        mock_reply_json(rs, 404, json_pack("{s:s}", "detail", "Not Found"));
    return 1;
}
