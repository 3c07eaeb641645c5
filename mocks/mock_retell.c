#include "mock_retell.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "recording.h"
#include "webhook.h"
#include "core/e164.h"

struct mock_retell {
    struct mock_world *w;
    struct mock_account *acct;
    int64_t latency_ms;
    struct mock_webhook_config wh;
    struct mock_recording_config rec;
};

static void on_change(void *ctx, struct mock_call *c);

int mock_retell_create(struct mock_retell **out, struct mock_world *w,
                       const struct mock_provider_config *cfg)
{
    struct mock_retell *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return -1;
    r->w = w;
    r->latency_ms = cfg->latency_ms;
    if (mock_account_create_for(&r->acct, w, "retell", cfg, on_change, r) != 0) {
        free(r);
        return -1;
    }
    /* Retell signs webhooks with the account's API key (the one with the
     * webhook badge): the first key, unless the scenario names another. */
    const json_t *k0 = json_array_get(cfg->keys, 0);
    const char *key =
        json_is_string(k0) ? json_string_value(k0) : json_string_value(json_object_get(k0, "key"));
    mock_webhook_config_read(&r->wh, cfg->webhooks, WH_AUTH_RETELL, key, 3);
    /* decision: 16 kHz WAV; recording_url mono, recording_multi_channel_url one
     * party per channel (Retell's sample rate is unconfirmed) */
    mock_recording_config_read(&r->rec, cfg->recording, REC_FMT_WAV, 16000, 1);
    *out = r;
    return 0;
}

void mock_retell_destroy(struct mock_retell *r)
{
    if (!r)
        return;
    mock_account_destroy(r->acct);
    free(r);
}

/* providers.md §3.3 */
const char *mock_retell_status(const struct mock_call *c)
{
    switch (c->state) {
    case MC_QUEUED:
    case MC_RINGING:
        return "registered";
    case MC_IN_PROGRESS:
        return "ongoing";
    default:
        break;
    }
    switch (c->end) {
    case MC_END_COMPLETED:
    case MC_END_VOICEMAIL:
        return "ended";
    case MC_END_NO_CREDITS:
    case MC_END_CONCURRENCY:
        return "error";
    default:
        return "not_connected";
    }
}

const char *mock_retell_disconnection(const struct mock_call *c)
{
    if (c->state != MC_ENDED)
        return NULL;
    switch (c->end) {
    case MC_END_COMPLETED:
        return "user_hangup";
    case MC_END_NO_ANSWER:
        return "dial_no_answer";
    case MC_END_BUSY:
        return "dial_busy";
    case MC_END_NO_CREDITS:
        return "no_valid_payment";
    case MC_END_CONCURRENCY:
        return "concurrency_limit_reached";
    case MC_END_DECLINED:
        return "user_declined";
    case MC_END_INVALID:
        return "invalid_destination";
    case MC_END_VOICEMAIL:
        return "voicemail_reached";
    default:
        return "dial_failed";
    }
}

static const char *ext(enum rec_format f)
{
    switch (f) {
    case REC_FMT_FLAC:
        return "flac";
    case REC_FMT_OGG_VORBIS:
    case REC_FMT_OGG_OPUS:
        return "ogg";
    case REC_FMT_MP3:
        return "mp3";
    default:
        return "wav";
    }
}

static json_t *call_json(const struct mock_retell *r, const struct mock_call *c)
{
    /* a call refused at start was never dialled (no ANI), but Retell still
     * echoes the from_number it was asked for, in webhooks too */
    const char *from =
        c->ani[0] ? c->ani : json_string_value(json_object_get(c->request, "from_number"));
    json_t *j =
        json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s}", "call_type", "phone_call", "call_id", c->id,
                  "agent_id", c->agent, "agent_version", 0, "call_status", mock_retell_status(c),
                  "direction", "outbound", "from_number", from ? from : "", "to_number", c->to);
    json_t *meta = json_object_get(c->request, "metadata");
    /* copied: an answer is serialised and freed outside the world's mutex,
     * so it shares no node with mock state (mock.h) */
    json_object_set_new(j, "metadata", meta ? json_deep_copy(meta) : json_object());
    json_t *dv = json_object_get(c->request, "retell_llm_dynamic_variables");
    json_object_set_new(j, "retell_llm_dynamic_variables", dv ? json_deep_copy(dv) : json_object());
    json_object_set_new(j, "telephony_identifier", json_pack("{s:s}", "twilio_call_sid", c->sid));
    if (c->answered_at)
        json_object_set_new(j, "start_timestamp", json_integer(c->answered_at));
    if (c->state == MC_ENDED) {
        json_object_set_new(j, "end_timestamp", json_integer(c->ended_at));
        json_object_set_new(j, "duration_ms",
                            json_integer(c->answered_at ? c->ended_at - c->answered_at : 0));
        json_object_set_new(j, "disconnection_reason", json_string(mock_retell_disconnection(c)));
        if (c->answered_at) {
            /* providers.md §5: URLs end recording.wav / recording_multichannel.wav */
            char u1[300], u2[300];
            const char *b = r->w->base_url ? r->w->base_url : "";
            snprintf(u1, sizeof u1, "%s/v2/recordings/%s/recording.%s", b, c->id,
                     ext(r->rec.format));
            snprintf(u2, sizeof u2, "%s/v2/recordings/%s/recording_multichannel.%s", b, c->id,
                     ext(r->rec.format));
            json_object_set_new(j, "recording_url", json_string(u1));
            json_object_set_new(j, "recording_multi_channel_url", json_string(u2));
            struct rec_turn turns[64];
            size_t n = mock_call_turns(c, turns, 64), len = 0;
            char text[2048] = "";
            json_t *obj = json_array();
            for (size_t i = 0; i < n; i++) {
                const char *t = mock_turn_text(i, turns[i].channel);
                const char *role = turns[i].channel == 1 ? "agent" : "user";
                json_array_append_new(obj, json_pack("{s:s,s:s}", "role", role, "content", t));
                int w = snprintf(text + len, sizeof text - len, "%s: %s\n",
                                 turns[i].channel == 1 ? "Agent" : "User", t);
                if (w > 0 && (size_t)w < sizeof text - len)
                    len += (size_t)w;
            }
            json_object_set_new(j, "transcript", json_string(text));
            json_object_set_new(j, "transcript_object", obj);
        }
    }
    return j;
}

static void send_event(struct mock_retell *r, const struct mock_call *c, const char *event,
                       bool analysis)
{
    json_t *call = call_json(r, c);
    if (analysis)
        json_object_set_new(
            call, "call_analysis",
            json_pack("{s:s,s:b,s:s,s:b}", "call_summary",
                      c->answered_at ? "The call connected." : "The call did not connect.",
                      "in_voicemail", 0, "user_sentiment", "Unknown", "call_successful",
                      c->answered_at != 0));
    json_t *body = json_pack("{s:s,s:o}", "event", event, "call", call);
    mock_webhook_send(r->w, "retell", &r->wh, json_dumps(body, JSON_COMPACT));
    json_decref(body);
}

static void on_change(void *ctx, struct mock_call *c)
{
    struct mock_retell *r = ctx;
    if (!r->wh.enabled)
        return;
    /* providers.md §4.2: no call_started for calls that never connected */
    if (c->state == MC_IN_PROGRESS)
        send_event(r, c, "call_started", false);
    if (c->state == MC_ENDED) {
        send_event(r, c, "call_ended", false);
        send_event(r, c, "call_analyzed", true);
    }
}

static void retell_error(struct mock_response *rs, int status, const char *msg)
{
    mock_reply_json(rs, status, json_pack("{s:s,s:s}", "status", "error", "message", msg));
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

static void create_call(struct mock_retell *r, const struct mock_request *rq,
                        struct mock_response *rs)
{
    /* parsed once by the server, shared with the journal: read only */
    const json_t *body = rq->json;
    char msg[300];
    if (!body && rq->json_error && json_depth_exceeded(rq->json_error)) {
        /* refused before jansson recursed */
        snprintf(msg, sizeof msg, "body: %s", rq->json_error->text);
        retell_error(rs, 400, msg);
        return;
    }
    const char *from = json_string_value(json_object_get(body, "from_number"));
    const char *to = json_string_value(json_object_get(body, "to_number"));
    const char *agent = json_string_value(json_object_get(body, "override_agent_id"));
    if (!json_is_object(body) || !from || !to || !e164(from) || !e164(to)) {
        retell_error(rs, 400, "Invalid request format, please check API reference.");
    } else if (!mock_account_owns_number(r->acct, from)) {
        snprintf(msg, sizeof msg, "Item %s not found from phone-number", from);
        retell_error(rs, 404, msg);
    } else if (!agent || !mock_account_has_agent(r->acct, agent)) {
        snprintf(msg, sizeof msg, "Item %s not found from agent", agent ? agent : "");
        retell_error(rs, 404, msg);
    } else if (!mock_account_can_pay(r->acct)) {
        retell_error(rs, 402, "Trial has ended, please add payment method.");
    } else {
        int lim = mock_account_concurrency_limit(r->acct);
        struct mock_call *c =
            lim > 0 && mock_account_active(r->acct) >= lim
                ? mock_account_refuse(r->acct, to, agent, NULL, body, MC_END_CONCURRENCY)
                : mock_account_place(r->acct, from, to, agent, NULL, body);
        if (!c) {
            retell_error(rs, 500, "An unexpected server error occurred.");
        } else {
            if (c->state == MC_ENDED)
                free(c->ani), c->ani = strdup(from);
            /* the 201 shows the call as registered, whatever happens next */
            json_t *j = call_json(r, c);
            json_object_set_new(j, "call_status", json_string("registered"));
            json_object_del(j, "disconnection_reason");
            json_object_del(j, "end_timestamp");
            json_object_del(j, "duration_ms");
            mock_reply_json(rs, 201, j);
        }
    }
}

struct mock_account *mock_retell_account(const struct mock_retell *r)
{
    return r->acct;
}

const struct mock_call *mock_retell_find(const struct mock_retell *r, const char *call_id)
{
    return mock_account_call(r->acct, call_id);
}

int mock_retell_handle(struct mock_retell *r, const struct mock_request *rq,
                       struct mock_response *rs)
{
    bool create = strcmp(rq->path, "/v2/create-phone-call") == 0;
    bool get = strncmp(rq->path, "/v2/get-call/", 13) == 0;
    if (strncmp(rq->path, "/v2/recordings/", 15) == 0 && !strcmp(rq->method, "GET")) {
        /* public storage URLs: no API key */
        const char *id = rq->path + 15, *slash = strchr(id, '/');
        char cid[64];
        snprintf(cid, sizeof cid, "%.*s", slash ? (int)(slash - id) : 0, id);
        const struct mock_call *c = slash ? mock_account_call(r->acct, cid) : NULL;
        rs->latency_ms = r->latency_ms;
        if (!c)
            retell_error(rs, 404, "Not Found");
        else
            mock_recording_reply(
                r->w, &r->rec, c,
                strstr(slash, "multichannel") ? MOCK_REC_STEREO : MOCK_REC_AS_CONFIGURED, rs);
        return 1;
    }
    if (!create && !get)
        return 0;
    rs->latency_ms = r->latency_ms;
    const char *auth = mock_header(rq, "authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 ||
        mock_account_key(r->acct, auth + 7, NULL) != MK_OK) {
        retell_error(rs, 401, "API key is missing or invalid.");
        return 1;
    }
    if (create && strcmp(rq->method, "POST") == 0) {
        create_call(r, rq, rs);
    } else if (get && strcmp(rq->method, "GET") == 0) {
        const struct mock_call *c = mock_account_call(r->acct, rq->path + 13);
        if (c) {
            mock_reply_json(rs, 200, call_json(r, c));
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "Item %.100s not found from call", rq->path + 13);
            retell_error(rs, 404, msg);
        }
    } else {
        retell_error(rs, 404, "Not Found");
    }
    return 1;
}
