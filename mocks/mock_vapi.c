#include "mock_vapi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/timefmt.h"
#include "recording.h"
#include "webhook.h"
#include "core/e164.h"

struct mock_vapi {
    struct mock_world *w;
    struct mock_account *acct;
    int64_t latency_ms;
    bool credits_as_ended_call;
    struct mock_webhook_config wh;
    struct mock_recording_config rec;
    char org_id[40];
};

static void on_change(void *ctx, struct mock_call *c);

int mock_vapi_create(struct mock_vapi **out, struct mock_world *w,
                     const struct mock_provider_config *cfg)
{
    struct mock_vapi *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v)
        return -1;
    v->w = w;
    v->latency_ms = cfg->latency_ms;
    v->credits_as_ended_call = cfg->credits_as_ended_call;
    if (mock_account_create_for(&v->acct, w, "vapi", cfg, on_change, v) != 0) {
        free(v);
        return -1;
    }
    mock_account_uuid(v->acct, v->org_id);
    mock_webhook_config_read(&v->wh, cfg->webhooks, WH_AUTH_BEARER, NULL, 0);
    /* decision: 16 kHz stereo WAV (Vapi's default recordingFormat is wav;l16;
     * its sample rate is unconfirmed) */
    mock_recording_config_read(&v->rec, cfg->recording, REC_FMT_WAV, 16000, 2);
    *out = v;
    return 0;
}

void mock_vapi_destroy(struct mock_vapi *v)
{
    if (!v)
        return;
    mock_account_destroy(v->acct);
    free(v);
}

/* ---- vocabulary (providers.md §1.2, §3.1, §3.2) ---- */

const char *mock_vapi_status(const struct mock_call *c)
{
    static const char *names[] = {"queued", "ringing", "in-progress", "ended"};
    return names[c->state];
}

const char *mock_vapi_ended_reason(const struct mock_call *c)
{
    switch (c->end) {
    case MC_END_COMPLETED:
        return "customer-ended-call";
    case MC_END_NO_ANSWER:
        return "customer-did-not-answer";
    case MC_END_BUSY:
        return "customer-busy";
    case MC_END_FAILED:
        return "twilio-failed-to-connect-call";
    case MC_END_NO_CREDITS:
        return "call.start.error-subscription-insufficient-credits";
    case MC_END_CONCURRENCY:
        return "call.start.error-subscription-concurrency-limit-reached";
    case MC_END_DECLINED: /* Twilio reports a 603 as busy (providers.md §3.1, inferred) */
        return "customer-busy";
    case MC_END_INVALID:
        return "twilio-reported-customer-misdialed";
    case MC_END_VOICEMAIL:
        return "voicemail";
    default:
        return NULL;
    }
}

static json_t *iso(int64_t ms)
{
    char b[40];
    return json_string(ts_iso(ms, b, sizeof b));
}

/* providers.md §5: artifact.recording.{stereoUrl, mono.{combinedUrl,
 * assistantUrl, customerUrl}}, and the deprecated recordingUrl /
 * stereoRecordingUrl. */
static json_t *artifact_json(const struct mock_vapi *v, const struct mock_call *c)
{
    char st[300], mono[300], as[300], cu[300];
    const char *b = v->w->base_url ? v->w->base_url : "";
    snprintf(st, sizeof st, "%s/call/%s/stereo-recording", b, c->id);
    snprintf(mono, sizeof mono, "%s/call/%s/mono-recording", b, c->id);
    snprintf(as, sizeof as, "%s/call/%s/assistant-recording", b, c->id);
    snprintf(cu, sizeof cu, "%s/call/%s/customer-recording", b, c->id);
    return json_pack("{s:{s:s,s:{s:s,s:s,s:s}},s:s,s:s}", "recording", "stereoUrl", st, "mono",
                     "combinedUrl", mono, "assistantUrl", as, "customerUrl", cu, "recordingUrl",
                     mono, "stereoRecordingUrl", st);
}

/* The Call object's members, added to j (returned). */
static json_t *call_json_into(const struct mock_vapi *v, const struct mock_call *c, json_t *j)
{
    int64_t updated = c->ended_at      ? c->ended_at
                      : c->answered_at ? c->answered_at
                      : c->ringing_at  ? c->ringing_at
                                       : c->created_at;
    json_object_set_new(j, "id", json_string(c->id));
    json_object_set_new(j, "assistantId", json_string(c->agent));
    json_object_set_new(j, "phoneNumberId", json_string(c->phone_number_id));
    json_object_set_new(j, "type", json_string("outboundPhoneCall"));
    json_object_set_new(j, "createdAt", iso(c->created_at));
    json_object_set_new(j, "updatedAt", iso(updated));
    json_object_set_new(j, "orgId", json_string(v->org_id));
    /* $0.10 a minute, in the USD the real API reports */
    json_object_set_new(
        j, "cost",
        json_real((double)(int64_t)(mock_call_duration_s(c) / 600.0 * 10000.0 + 0.5) / 10000.0));
    json_t *customer = json_object_get(c->request, "customer");
    /* copied: an answer is serialised and freed outside the world's mutex,
     * so it shares no node with mock state (mock.h) */
    json_object_set_new(j, "customer", customer ? json_deep_copy(customer) : json_object());
    json_object_set_new(j, "status", json_string(mock_vapi_status(c)));
    if (c->answered_at)
        json_object_set_new(j, "startedAt", iso(c->answered_at));
    if (c->state == MC_ENDED) {
        json_object_set_new(j, "endedAt", iso(c->ended_at));
        json_object_set_new(j, "endedReason", json_string(mock_vapi_ended_reason(c)));
    }
    json_object_set_new(j, "phoneCallProvider", json_string("twilio"));
    json_object_set_new(j, "phoneCallTransport", json_string("pstn"));
    json_object_set_new(j, "phoneCallProviderId", json_string(c->sid));
    json_object_set_new(j, "monitor",
                        json_pack("{s:s,s:s}", "listenUrl",
                                  "wss://phone-call-websocket.mock/listen", "controlUrl",
                                  "https://phone-call-websocket.mock/control"));
    json_object_set_new(j, "transport",
                        json_pack("{s:s,s:s,s:s}", "conversationType", "voice", "provider",
                                  "twilio", "accountSid", "AC00000000000000000000000000000000"));
    json_t *ov = json_object_get(c->request, "assistantOverrides");
    if (ov)
        json_object_set_new(j, "assistantOverrides", json_deep_copy(ov));
    if (c->state == MC_ENDED && c->answered_at)
        json_object_set_new(j, "artifact", artifact_json(v, c));
    return j;
}

json_t *mock_vapi_call_json(const struct mock_vapi *v, const struct mock_call *c)
{
    return call_json_into(v, c, json_object());
}

struct mock_account *mock_vapi_account(const struct mock_vapi *v)
{
    return v->acct;
}

const struct mock_call *mock_vapi_find(const struct mock_vapi *v, const char *id)
{
    return mock_account_call(v->acct, id);
}

/* ---- webhooks (providers.md §4.1) ---- */

static void send_message(struct mock_vapi *v, const struct mock_call *c, json_t *message)
{
    json_object_set_new(message, "call", mock_vapi_call_json(v, c));
    json_object_set_new(message, "timestamp", json_integer(ds_now(&v->w->clock)));
    json_t *body = json_pack("{s:o}", "message", message);
    mock_webhook_send(v->w, "vapi", &v->wh, json_dumps(body, JSON_COMPACT));
    json_decref(body);
}

static void on_change(void *ctx, struct mock_call *c)
{
    struct mock_vapi *v = ctx;
    if (!v->wh.enabled)
        return;
    json_t *su = json_pack("{s:s,s:s}", "type", "status-update", "status", mock_vapi_status(c));
    if (c->state == MC_ENDED)
        json_object_set_new(su, "endedReason", json_string(mock_vapi_ended_reason(c)));
    send_message(v, c, su);
    if (c->state != MC_ENDED)
        return;
    json_t *artifact = json_object();
    json_t *messages = json_array();
    char transcript[2048] = "";
    struct rec_turn turns[64];
    size_t n = mock_call_turns(c, turns, 64), len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *text = mock_turn_text(i, turns[i].channel);
        int64_t at = c->answered_at + (int64_t)(turns[i].start_s * 1000);
        json_array_append_new(
            messages,
            json_pack("{s:s,s:s,s:I,s:I,s:f,s:f}", "role", turns[i].channel == 1 ? "bot" : "user",
                      "message", text, "time", (json_int_t)at, "endTime",
                      (json_int_t)(c->answered_at + (int64_t)(turns[i].end_s * 1000)),
                      "secondsFromStart", turns[i].start_s, "duration",
                      turns[i].end_s - turns[i].start_s));
        int w = snprintf(transcript + len, sizeof transcript - len, "%s: %s\n",
                         turns[i].channel == 1 ? "AI" : "User", text);
        if (w > 0 && (size_t)w < sizeof transcript - len)
            len += (size_t)w;
    }
    json_object_set_new(artifact, "messages", messages);
    json_object_set_new(artifact, "transcript", json_string(transcript));
    if (c->answered_at) {
        json_t *cj = mock_vapi_call_json(v, c);
        json_object_update(artifact, json_object_get(cj, "artifact"));
        json_decref(cj);
    }
    json_t *report = json_pack("{s:s,s:s,s:o,s:{s:s}}", "type", "end-of-call-report", "endedReason",
                               mock_vapi_ended_reason(c), "artifact", artifact, "analysis",
                               "summary", c->answered_at ? "The call connected." : "");
    if (c->answered_at)
        json_object_set_new(report, "startedAt", iso(c->answered_at));
    json_object_set_new(report, "endedAt", iso(c->ended_at));
    send_message(v, c, report);
}

/* ---- routes ---- */

/* Vapi validates customer.number as E.164 (its own check; the core's is separate). */
static bool vapi_e164(const char *s)
{
    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    size_t n = 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (!isdigit((unsigned char)*p))
            return false;
    return n >= E164_MIN_DIGITS && n <= E164_MAX_DIGITS; /* the core's bounds (AO-5) */
}

static json_t *nest_error(int status, json_t *message)
{
    const char *err = status == 401   ? "Unauthorized"
                      : status == 404 ? "Not Found"
                      : status == 500 ? "Internal Server Error"
                                      : "Bad Request";
    return json_pack("{s:o,s:s,s:i}", "message", message, "error", err, "statusCode", status);
}

static int bad_request(struct mock_response *rs, const char *msg)
{
    mock_reply_json(rs, 400, nest_error(400, json_string(msg)));
    return 1;
}

static json_t *limits(const struct mock_vapi *v, bool blocked)
{
    int lim = mock_account_concurrency_limit(v->acct);
    int cap = lim > 0 ? lim : 10; /* Vapi's default: 10 concurrent call slots */
    int left = cap - mock_account_active(v->acct);
    return json_pack("{s:b,s:i,s:i}", "concurrencyBlocked", blocked, "concurrencyLimit", cap,
                     "remainingConcurrentCalls", left < 0 ? 0 : left);
}

static int create_call(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    /* parsed once by the server, shared with the journal: read only */
    const json_t *body = rq->json;
    char msg[400];
    if (!body && rq->json_error && json_depth_exceeded(rq->json_error)) {
        /* refused before jansson recursed */
        snprintf(msg, sizeof msg, "body: %s", rq->json_error->text);
        return bad_request(rs, msg);
    }
    if (!body || !json_is_object(body)) {
        snprintf(msg, sizeof msg, "Unexpected token in JSON at position %d",
                 body || !rq->json_error ? 0 : rq->json_error->position);
        return bad_request(rs, msg);
    }
    const char *number =
        json_string_value(json_object_get(json_object_get(body, "customer"), "number"));
    const char *asst = json_string_value(json_object_get(body, "assistantId"));
    const char *pnid = json_string_value(json_object_get(body, "phoneNumberId"));
    const char *ani = mock_account_number(v->acct, pnid);
    int rc = 1;
    if (!vapi_e164(number)) {
        json_t *msgs = json_pack("[s]", "customer.number must be a valid phone number in the E.164 "
                                        "format. Hot tip, you may be missing the country code (Eg. "
                                        "US: +1).");
        mock_reply_json(rs, 400, nest_error(400, msgs));
    } else if (!mock_account_has_agent(v->acct, asst)) {
        snprintf(msg, sizeof msg, "Couldn't Get Assistant. `assistantId` %s Does Not Exist.",
                 asst ? asst : "");
        bad_request(rs, msg);
    } else if (!pnid || !*pnid) {
        bad_request(rs, "Couldn't Get Phone Number. Need Either `phoneNumberId` Or `phoneNumber`.");
    } else if (!ani) {
        snprintf(msg, sizeof msg, "Couldn't Get Phone Number. `phoneNumberId` %s Does Not Exist.",
                 pnid);
        bad_request(rs, msg);
    } else if (!mock_account_can_pay(v->acct) && !v->credits_as_ended_call) {
        bad_request(rs, "Billing Limits Exceeded. Please add credits to your account to continue.");
    } else {
        int lim = mock_account_concurrency_limit(v->acct);
        bool blocked = lim > 0 && mock_account_active(v->acct) >= lim;
        struct mock_call *c;
        json_t *lj = limits(v, blocked);
        if (blocked)
            c = mock_account_refuse(v->acct, number, asst, pnid, body, MC_END_CONCURRENCY);
        else if (!mock_account_can_pay(v->acct))
            c = mock_account_refuse(v->acct, number, asst, pnid, body, MC_END_NO_CREDITS);
        else
            c = mock_account_place(v->acct, ani, number, asst, pnid, body);
        if (!c) {
            json_decref(lj);
            mock_reply_json(rs, 500, nest_error(500, json_string("Internal server error")));
        } else {
            /* The 201 shows the call as it was accepted: queued. Built in
             * place after subscriptionLimits (no copy of the call's members). */
            json_t *out = call_json_into(v, c, json_pack("{s:o}", "subscriptionLimits", lj));
            json_object_set_new(out, "status", json_string("queued"));
            json_object_del(out, "endedAt");
            json_object_del(out, "endedReason");
            mock_reply_json(rs, 201, out);
        }
    }
    return rc;
}

/* GET /call/{id}/{stereo,mono,assistant,customer}-recording: served like the
 * storage URLs they stand for, without the API key. */
static int recording_route(struct mock_vapi *v, const struct mock_request *rq,
                           struct mock_response *rs)
{
    static const struct {
        const char *suffix;
        enum mock_rec_variant v;
    } kinds[] = {{"/stereo-recording", MOCK_REC_AS_CONFIGURED},
                 {"/mono-recording", MOCK_REC_MONO},
                 {"/assistant-recording", MOCK_REC_AGENT},
                 {"/customer-recording", MOCK_REC_CUSTOMER}};
    const char *id = rq->path + 6;
    const char *slash = strchr(id, '/');
    if (!slash || strcmp(rq->method, "GET") != 0)
        return 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(slash, kinds[i].suffix) != 0)
            continue;
        char cid[64];
        snprintf(cid, sizeof cid, "%.*s", (int)(slash - id), id);
        const struct mock_call *c = mock_account_call(v->acct, cid);
        if (!c) {
            mock_reply_json(rs, 404, nest_error(404, json_string("Call not found")));
            return 1;
        }
        mock_recording_reply(v->w, &v->rec, c, kinds[i].v, rs);
        return 1;
    }
    return 0;
}

int mock_vapi_handle(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    rs->latency_ms = v->latency_ms;
    if (strncmp(rq->path, "/call/", 6) == 0 && recording_route(v, rq, rs))
        return 1;
    const char *auth = mock_header(rq, "authorization");
    if (!auth || !*auth) {
        mock_reply_json(rs, 401,
                        json_pack("{s:s,s:i}", "message", "Unauthorized", "statusCode", 401));
        return 1;
    }
    if (strncmp(auth, "Bearer ", 7) != 0 || mock_account_key(v->acct, auth + 7, NULL) != MK_OK) {
        mock_reply_json(rs, 401,
                        nest_error(401, json_string("Invalid Key. Hot tip, you may be using the "
                                                    "private key instead of the public key, or "
                                                    "vice versa.")));
        return 1;
    }
    if (strcmp(rq->path, "/call") == 0 && strcmp(rq->method, "POST") == 0)
        return create_call(v, rq, rs);
    if (strncmp(rq->path, "/call/", 6) == 0 && strcmp(rq->method, "GET") == 0) {
        const struct mock_call *c = mock_account_call(v->acct, rq->path + 6);
        if (c)
            mock_reply_json(rs, 200, mock_vapi_call_json(v, c));
        else
            mock_reply_json(rs, 404, nest_error(404, json_string("Call not found")));
        return 1;
    }
    return 0;
}
