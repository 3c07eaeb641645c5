#include "mock_vapi_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/timefmt.h"
#include "util/json_write.h"

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
    /* the members struct vapi_call borrows from its request */
    static const char *const kept[] = {"assistantOverrides", "campaignId", NULL};
    mock_account_keep_request(v->acct, kept, NULL);
    mock_account_uuid(v->acct, v->org_id);
    mock_webhook_config_read(&v->wh, cfg->webhooks, WH_AUTH_BEARER, NULL, 0);
    v->numbers = json_array();
    v->campaigns = json_array();
    mock_vapi_numbers_seed(v, cfg->phone_numbers);
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
    json_decref(v->numbers);
    json_decref(v->campaigns);
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

json_t *mock_vapi_iso(int64_t ms)
{
    char b[40];
    return json_string_nocheck(ts_iso(ms, b, sizeof b)); /* ASCII */
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

/* The conversation as Vapi reports it: messages (role bot/user, times in
 * unix ms, secondsFromStart) and the transcript ("AI: ..\nUser: ..\n"),
 * from the turns the PSTN played. Empty for a call never answered. */
static void conversation(const struct mock_call *c, json_t **messages, json_t **transcript)
{
    char text_all[2048] = "";
    struct rec_turn turns[64];
    size_t n = c->answered_at ? mock_call_turns(c, turns, 64) : 0, len = 0;
    *messages = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *text = mock_turn_text(i, turns[i].channel);
        int64_t at = c->answered_at + (int64_t)(turns[i].start_s * 1000);
        json_array_append_new(
            *messages,
            json_pack("{s:s,s:s,s:I,s:I,s:f,s:f}", "role", turns[i].channel == 1 ? "bot" : "user",
                      "message", text, "time", (json_int_t)at, "endTime",
                      (json_int_t)(c->answered_at + (int64_t)(turns[i].end_s * 1000)),
                      "secondsFromStart", turns[i].start_s, "duration",
                      turns[i].end_s - turns[i].start_s));
        int w = snprintf(text_all + len, sizeof text_all - len, "%s: %s\n",
                         turns[i].channel == 1 ? "AI" : "User", text);
        if (w > 0 && (size_t)w < sizeof text_all - len)
            len += (size_t)w;
    }
    *transcript = json_string(text_all);
}

/* $0.10 a minute in all, in the USD the real API reports: transport 0.05,
 * Vapi's own 0.05 (the two items every call has; the model's and voice's
 * depend on providers the mock does not run). */
static double cents(double minutes, double per_min)
{
    return (double)(int64_t)(minutes * per_min * 10000.0 + 0.5) / 10000.0;
}

static json_t *costs_json(const struct mock_call *c)
{
    double min = mock_call_duration_s(c) / 60.0;
    return json_pack("[{s:s,s:f,s:f},{s:s,s:s,s:f,s:f}]", "type", "transport", "minutes", min,
                     "cost", cents(min, 0.05), "type", "vapi", "subType", "normal", "minutes", min,
                     "cost", cents(min, 0.05));
}

/* The Call object, written: what a read-back shows (CALL_READ), or the 201
 * of a create (CALL_CREATED: the subscription's limits first, the status
 * "queued", nothing of a start or an end). Written, not built as a tree: the
 * create answer is every POST /call's, and its ~30 members were ~80
 * allocations as a tree (docs/decisions.md#json-out). */
enum call_view { CALL_READ, CALL_CREATED };

static void call_write(struct json_out *o, const struct mock_vapi *v, const struct mock_call *c,
                       enum call_view view, const struct vapi_limits *limits)
{
    int64_t updated = c->ended_at      ? c->ended_at
                      : c->answered_at ? c->answered_at
                      : c->ringing_at  ? c->ringing_at
                                       : c->created_at;
    bool created = view == CALL_CREATED, ended = !created && c->state == MC_ENDED;
    const struct vapi_call *x = mock_vapi_ext(v, c);
    char t[40];
    jo_object(o);
    if (created) { /* one copy: the writer's spelling of the object, by hand */
        char lim[160], *p = lim;
        static const char k1[] = "\"subscriptionLimits\":{\"concurrencyBlocked\":",
                          k2[] = ",\"concurrencyLimit\":", k3[] = ",\"remainingConcurrentCalls\":";
        memcpy(p, k1, sizeof k1 - 1);
        p += sizeof k1 - 1;
        p = stpcpy(p, limits->blocked ? "true" : "false");
        memcpy(p, k2, sizeof k2 - 1);
        p += sizeof k2 - 1;
        p += json_write_int(p, limits->limit);
        memcpy(p, k3, sizeof k3 - 1);
        p += sizeof k3 - 1;
        p += json_write_int(p, limits->remaining);
        *p++ = '}';
        *p = '\0';
        jo_members(o, lim);
    }
    jo_kv_lit(o, "id", c->id);
    if (c->agent && *c->agent)
        jo_kv_lit(o, "assistantId", c->agent);
    jo_kv_json(o, "assistant", x->assistant);
    jo_kv_lit(o, "phoneNumberId", c->phone_number_id);
    jo_members(o, "\"type\":\"outboundPhoneCall\"");
    char created_s[40];
    jo_kv_lit(o, "createdAt", ts_iso(c->created_at, created_s, sizeof created_s));
    jo_kv_lit(o, "updatedAt",
                 updated == c->created_at ? created_s : ts_iso(updated, t, sizeof t));
    jo_kv_lit(o, "orgId", v->org_id);
    jo_key(o, "cost");
    jo_real(o, cents(mock_call_duration_s(c) / 60.0, 0.10));
    jo_members(o, x->customer ? x->customer : "\"customer\":{}");
    jo_kv_json(o, "name", x->name);
    jo_kv_lit(o, "status", created ? "queued" : mock_vapi_status(c));
    if (c->answered_at && !created)
        jo_kv_lit(o, "startedAt", ts_iso(c->answered_at, t, sizeof t));
    if (ended) {
        jo_kv_lit(o, "endedAt", ts_iso(c->ended_at, t, sizeof t));
        jo_kv_lit(o, "endedReason", mock_vapi_ended_reason(c));
    }
    jo_members(o, "\"phoneCallProvider\":\"twilio\",\"phoneCallTransport\":\"pstn\"");
    jo_kv_lit(o, "phoneCallProviderId", c->sid);
    jo_members(o, "\"monitor\":{\"listenUrl\":\"wss://phone-call-websocket.mock/listen\","
                  "\"controlUrl\":\"https://phone-call-websocket.mock/control\"},"
                  "\"transport\":{\"conversationType\":\"voice\",\"provider\":\"twilio\","
                  "\"accountSid\":\"AC00000000000000000000000000000000\"}");
    if (x->campaign) /* mock_vapi_campaigns.c */
        jo_kv_json(o, "campaignId", x->campaign);
    jo_kv_json(o, "assistantOverrides", x->overrides);
    if (ended) {
        /* what an ended call carries on a read-back: the conversation twice
         * (messages, artifact.messages), the transcript, the recording when
         * answered, the analysis and the costs (the SDK's Call type) */
        json_t *messages, *transcript;
        conversation(c, &messages, &transcript);
        jo_kv_json(o, "messages", messages);
        json_t *art = c->answered_at ? artifact_json(v, c) : json_object();
        json_object_set_new(art, "messages", messages);
        json_object_set_new(art, "transcript", transcript);
        jo_kv_json(o, "artifact", art);
        json_decref(art);
        json_t *analysis =
            json_pack("{s:s,s:s}", "summary", c->answered_at ? "The call connected." : "",
                      "successEvaluation", c->answered_at ? "true" : "false");
        jo_kv_json(o, "analysis", analysis);
        json_decref(analysis);
        json_t *costs = costs_json(c);
        jo_kv_json(o, "costs", costs);
        json_decref(costs);
    }
    jo_object_end(o);
}

void mock_vapi_reply_call(struct mock_response *rs, int status, const struct mock_vapi *v,
                          const struct mock_call *c)
{
    struct json_out o = {0};
    call_write(&o, v, c, CALL_READ, NULL);
    mock_reply_out(rs, status, &o);
}

void mock_vapi_reply_created(struct mock_response *rs, const struct mock_vapi *v,
                             const struct mock_call *c, const struct vapi_limits *limits)
{
    struct json_out o = {0};
    call_write(&o, v, c, CALL_CREATED, limits);
    mock_reply_out(rs, 201, &o);
}

/* The same as a tree (a list's element, a webhook's message.call): the
 * written text read back, so the two cannot differ. */
static json_t *call_tree(const struct mock_vapi *v, const struct mock_call *c, enum call_view view,
                         const struct vapi_limits *limits)
{
    struct json_out o = {0};
    call_write(&o, v, c, view, limits);
    json_t *j = jo_finish_tree(&o);
    return j ? j : json_object();
}

json_t *mock_vapi_call_json(const struct mock_vapi *v, const struct mock_call *c)
{
    return call_tree(v, c, CALL_READ, NULL);
}

json_t *mock_vapi_created_json(const struct mock_vapi *v, const struct mock_call *c,
                               const struct vapi_limits *limits)
{
    return call_tree(v, c, CALL_CREATED, limits);
}

struct mock_account *mock_vapi_account(const struct mock_vapi *v)
{
    return v->acct;
}

const struct mock_call *mock_vapi_find(const struct mock_vapi *v, const char *id)
{
    return mock_account_call(v->acct, id);
}

struct vapi_call *mock_vapi_ext(const struct mock_vapi *v, const struct mock_call *c)
{
    return c->ext ? c->ext : v->pending;
}

/* ---- webhooks (providers.md §4.1) ---- */

/* Where this call's messages go and how they are signed. Vapi's order: the
 * assistant's server (assistantOverrides.server, then the inline assistant's
 * server; serverUrl/serverUrlSecret in the older shape), then the phone
 * number's, then the org's (mocks.vapi.webhooks.url, in v->wh). Resolved
 * at create into the call's record (vapi_call.server), as Vapi resolves them
 * when the call starts: a later change of the number moves no call's
 * webhooks. A secret named there signs in X-Vapi-Secret. *url: NULL for
 * dialsim's core. */
static void call_webhook(const struct mock_vapi *v, const struct mock_call *c,
                         struct mock_webhook_config *cfg, const char **url)
{
    const json_t *srv = mock_vapi_ext(v, c)->server;
    const char *u = json_string_value(json_object_get(srv, "url"));
    const char *secret = json_string_value(json_object_get(srv, "secret"));
    *cfg = v->wh;
    *url = u ? u : cfg->url[0] ? cfg->url : NULL;
    if (!u)
        return;
    if (!cfg->enabled) {
        /* the org set no webhooks: Vapi's defaults for a server it names */
        json_t *empty = json_object();
        mock_webhook_config_read(cfg, empty, WH_AUTH_VAPI_SECRET, NULL, 0);
        json_decref(empty);
    }
    if (secret) {
        cfg->auth = WH_AUTH_VAPI_SECRET;
        snprintf(cfg->secret, sizeof cfg->secret, "%s", secret);
    }
}

static void send_message(struct mock_vapi *v, const struct mock_call *c,
                         const struct mock_webhook_config *cfg, const char *url, json_t *message)
{
    json_object_set_new(message, "call", mock_vapi_call_json(v, c));
    json_object_set_new(message, "timestamp", json_integer(ds_now(&v->w->clock)));
    json_t *body = json_pack("{s:o}", "message", message);
    mock_webhook_send_to(v->w, "vapi", cfg, url, json_dumps(body, JSON_COMPACT));
    json_decref(body);
}

static void on_change(void *ctx, struct mock_call *c)
{
    struct mock_vapi *v = ctx;
    struct mock_webhook_config cfg;
    const char *url;
    call_webhook(v, c, &cfg, &url);
    if (!cfg.enabled)
        return;
    json_t *su = json_pack("{s:s,s:s}", "type", "status-update", "status", mock_vapi_status(c));
    if (c->state == MC_ENDED)
        json_object_set_new(su, "endedReason", json_string(mock_vapi_ended_reason(c)));
    send_message(v, c, &cfg, url, su);
    if (c->state != MC_ENDED)
        return;
    json_t *cj = mock_vapi_call_json(v, c);
    json_t *report = json_pack(
        "{s:s,s:s,s:O,s:O,s:O}", "type", "end-of-call-report", "endedReason",
        mock_vapi_ended_reason(c), "artifact", json_object_get(cj, "artifact"), "analysis",
        json_object_get(cj, "analysis"), "costs", json_object_get(cj, "costs"));
    json_decref(cj);
    if (c->answered_at)
        json_object_set_new(report, "startedAt", mock_vapi_iso(c->answered_at));
    json_object_set_new(report, "endedAt", mock_vapi_iso(c->ended_at));
    send_message(v, c, &cfg, url, report);
}

/* ---- routing ---- */

json_t *mock_vapi_error(int status, json_t *message)
{
    const char *err = status == 401   ? "Unauthorized"
                      : status == 404 ? "Not Found"
                      : status == 405 ? "Method Not Allowed"
                      : status == 500 ? "Internal Server Error"
                                      : "Bad Request";
    return json_pack("{s:o,s:s,s:i}", "message", message, "error", err, "statusCode", status);
}

int mock_vapi_bad_request(struct mock_response *rs, const char *msg)
{
    mock_reply_json(rs, 400, mock_vapi_error(400, json_string(msg)));
    return 1;
}

int mock_vapi_not_found(struct mock_response *rs, const char *msg)
{
    mock_reply_json(rs, 404, mock_vapi_error(404, json_string(msg)));
    return 1;
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
        if (!c)
            return mock_vapi_not_found(rs, "Call not found");
        mock_recording_reply(v->w, &v->rec, c, kinds[i].v, rs);
        return 1;
    }
    return 0;
}

int mock_vapi_authorise(struct mock_vapi *v, const struct mock_request *rq,
                        struct mock_response *rs)
{
    rs->latency_ms = v->latency_ms;
    const char *auth = mock_header(rq, "authorization");
    if (!auth || !*auth) {
        mock_reply_json(rs, 401,
                        json_pack("{s:s,s:i}", "message", "Unauthorized", "statusCode", 401));
        return 1;
    }
    if (strncmp(auth, "Bearer ", 7) != 0 || mock_account_key(v->acct, auth + 7, NULL) != MK_OK) {
        mock_reply_json(rs, 401,
                        mock_vapi_error(401, json_string("Invalid Key. Hot tip, you may be using "
                                                         "the private key instead of the public "
                                                         "key, or vice versa.")));
        return 1;
    }
    return 0;
}

int mock_vapi_handle(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    rs->latency_ms = v->latency_ms;
    if (strncmp(rq->path, "/call/", 6) == 0 && recording_route(v, rq, rs))
        return 1;
    if (mock_vapi_authorise(v, rq, rs))
        return 1;
    if (mock_vapi_calls_handle(v, rq, rs) || mock_vapi_numbers_handle(v, rq, rs) ||
        mock_vapi_campaigns_handle(v, rq, rs))
        return 1;
    /* Vapi's own 404 for any other path under its prefixes. A known path
     * with a method it lacks (PUT /call) is no 405 on Vapi: NestJS's router
     * matches method and path together, so it is the same "Cannot PUT /call"
     * 404 (docs/providers-confirmed.md). */
    char msg[300];
    snprintf(msg, sizeof msg, "Cannot %s %s", rq->method, rq->path);
    return mock_vapi_not_found(rs, msg);
}
