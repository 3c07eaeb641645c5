#include "mock_elevenlabs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "recording.h"
#include "webhook.h"
#include "core/e164.h"

struct mock_elevenlabs {
    struct mock_world *w;
    struct mock_account *acct;
    int64_t latency_ms;
    struct mock_webhook_config wh;
    struct mock_recording_config rec;
};

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

static bool is_sip(const struct mock_call *c)
{
    return json_is_true(json_object_get(c->request, "_sip"));
}

static json_t *conversation_json(const struct mock_call *c)
{
    json_t *pc = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", is_sip(c) ? "sip_trunking" : "twilio",
                           "direction", "outbound", "phone_number_id", c->phone_number_id,
                           "agent_number", c->ani, "external_number", c->to);
    if (!is_sip(c))
        json_object_set_new(pc, "call_sid", json_string(c->sid));
    json_t *meta =
        json_pack("{s:I,s:i,s:s,s:o}", "start_time_unix_secs",
                  (json_int_t)((c->answered_at ? c->answered_at : c->created_at) / 1000),
                  "call_duration_secs", (int)mock_call_duration_s(c), "termination_reason",
                  c->state != MC_ENDED         ? ""
                  : c->end == MC_END_COMPLETED ? "Call ended by remote party"
                  : c->end == MC_END_VOICEMAIL ? "Voicemail detected" /* inferred */
                                               : "",
                  "phone_call", pc);
    json_t *transcript = json_array();
    struct rec_turn turns[64];
    size_t n = mock_call_turns(c, turns, 64);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(transcript, json_pack("{s:s,s:s,s:i}", "role",
                                                    turns[i].channel == 1 ? "agent" : "user",
                                                    "message", mock_turn_text(i, turns[i].channel),
                                                    "time_in_call_secs", (int)turns[i].start_s));
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:b}", "agent_id", c->agent, "conversation_id", c->id,
                     "status", mock_elevenlabs_status(c), "transcript", transcript, "metadata",
                     meta, "has_audio", c->answered_at != 0);
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
                         (json_int_t)(now / 1000), "data", conversation_json(c));
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

static void detail_error(struct mock_response *rs, int status, const char *code, const char *msg)
{
    mock_reply_json(rs, status,
                    json_pack("{s:{s:s,s:s}}", "detail", "status", code, "message", msg));
}

static bool e164(const char *s)
{
    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    size_t n = 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (!isdigit((unsigned char)*p))
            return false;
    return n >= E164_MIN_DIGITS && n <= E164_MAX_DIGITS; /* the core's bounds (AO-5) */
}

/* FastAPI's 422: one entry per missing or invalid body field. */
static json_t *validation(const json_t *body)
{
    static const char *required[] = {"agent_id", "agent_phone_number_id", "to_number"};
    json_t *list = json_array();
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(body, required[i]);
        if (!json_is_string(v))
            json_array_append_new(list,
                                  json_pack("{s:[s,s],s:s,s:s,s:n}", "loc", "body", required[i],
                                            "msg", "Field required", "type", "missing", "input"));
    }
    const char *to = json_string_value(json_object_get(body, "to_number"));
    if (to && !e164(to)) /* inferred: the real status for a bad number is unconfirmed */
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
        detail_error(rs, 400, "json_too_deep", msg);
        return;
    }
    /* parsed once by the server and shared with the journal, which may free
     * it outside the world's mutex: a copy of our own to add "_sip" to */
    json_t *body = json_is_object(rq->json) ? json_deep_copy(rq->json) : json_object();
    json_t *errs = validation(body);
    const char *agent = json_string_value(json_object_get(body, "agent_id"));
    const char *pnid = json_string_value(json_object_get(body, "agent_phone_number_id"));
    const char *to = json_string_value(json_object_get(body, "to_number"));
    const char *ani = mock_account_number(e->acct, pnid);
    if (json_array_size(errs) > 0) {
        mock_reply_json(rs, 422, json_pack("{s:O}", "detail", errs));
    } else if (!mock_account_has_agent(e->acct, agent)) {
        detail_error(rs, 404, "agent_not_found", "Agent not found");
    } else if (!ani) {
        /* inferred: status for an unknown agent_phone_number_id is unconfirmed */
        detail_error(rs, 404, "phone_number_not_found", "Phone number not found");
    } else if (!mock_account_can_pay(e->acct)) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "This request exceeds your quota of 10000. You have %.0f credits remaining, "
                 "while 1 credits are required for this request.",
                 mock_account_credits(e->acct) < 0 ? 0 : mock_account_credits(e->acct));
        detail_error(rs, 401, "quota_exceeded", msg);
    } else if (mock_account_concurrency_limit(e->acct) > 0 &&
               mock_account_active(e->acct) >= mock_account_concurrency_limit(e->acct)) {
        detail_error(rs, 429, "too_many_concurrent_requests",
                     "Too many concurrent requests. Your plan allows a limited number of "
                     "concurrent calls.");
    } else {
        json_object_set_new(body, "_sip", json_boolean(sip));
        struct mock_call *c = mock_account_place(e->acct, ani, to, agent, pnid, body);
        if (!c) {
            detail_error(rs, 500, "internal_error", "Internal server error");
        } else if (sip) {
            mock_reply_json(rs, 200,
                            json_pack("{s:b,s:s,s:s,s:s}", "success", 1, "message", "Success",
                                      "conversation_id", c->id, "sip_call_id", c->sid));
        } else {
            mock_reply_json(rs, 200,
                            json_pack("{s:b,s:s,s:s,s:s}", "success", 1, "message", "Success",
                                      "conversation_id", c->id, "callSid", c->sid));
        }
    }
    json_decref(errs);
    json_decref(body);
}

struct mock_account *mock_elevenlabs_account(const struct mock_elevenlabs *e)
{
    return e->acct;
}

const struct mock_call *mock_elevenlabs_find(const struct mock_elevenlabs *e, const char *id)
{
    return mock_account_call(e->acct, id);
}

int mock_elevenlabs_handle(struct mock_elevenlabs *e, const struct mock_request *rq,
                           struct mock_response *rs)
{
    bool twilio = strcmp(rq->path, "/v1/convai/twilio/outbound-call") == 0;
    bool sip = strcmp(rq->path, "/v1/convai/sip-trunk/outbound-call") == 0;
    bool get = strncmp(rq->path, "/v1/convai/conversations/", 25) == 0;
    if (!twilio && !sip && !get)
        return 0;
    rs->latency_ms = e->latency_ms;
    const char *key = mock_header(rq, "xi-api-key");
    /* providers.md §2.4: outbound calls need convai_write, reading convai_read */
    enum mock_key_check kc = mock_account_key(e->acct, key, get ? "convai_read" : "convai_write");
    if (kc == MK_UNKNOWN) {
        detail_error(rs, 401, "invalid_api_key", "Invalid API key");
        return 1;
    }
    if (kc == MK_NO_PERMISSION) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "The API key you used is missing the permission %s to execute this operation.",
                 get ? "convai_read" : "convai_write");
        detail_error(rs, 401, "missing_permissions", msg);
        return 1;
    }
    if ((twilio || sip) && strcmp(rq->method, "POST") == 0) {
        create_call(e, rq, rs, sip);
    } else if (get && strcmp(rq->method, "GET") == 0 && strstr(rq->path + 25, "/audio")) {
        char cid[64];
        const char *id = rq->path + 25, *slash = strchr(id, '/');
        snprintf(cid, sizeof cid, "%.*s", (int)(slash - id), id);
        const struct mock_call *c = mock_account_call(e->acct, cid);
        if (c)
            mock_recording_reply(e->w, &e->rec, c, MOCK_REC_AS_CONFIGURED, rs);
        else
            detail_error(rs, 404, "conversation_not_found", "Conversation not found");
    } else if (get && strcmp(rq->method, "GET") == 0) {
        const struct mock_call *c = mock_account_call(e->acct, rq->path + 25);
        if (c)
            mock_reply_json(rs, 200, conversation_json(c));
        else
            detail_error(rs, 404, "conversation_not_found", "Conversation not found");
    } else {
        mock_reply_json(rs, 405, json_pack("{s:s}", "detail", "Method Not Allowed"));
    }
    return 1;
}
