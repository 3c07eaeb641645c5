/* Retell's calls: create-phone-call, get-call, the recordings, the webhooks,
 * and the dispatch of every Retell route (the rest: mock_retell_routes.c). */
#include "mock_retell.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/e164.h"
#include "mock_retell_internal.h"
#include "util/json_write.h"

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
    /* what a call's object reads of its request later (call_write, the batches) */
    static const char *const kept[] = {"from_number", "metadata", "retell_llm_dynamic_variables",
                                       "batch_call_id", NULL};
    mock_account_keep_request(r->acct, kept, "from_number");
    /* Retell signs webhooks with the account's API key (the one with the
     * webhook badge): the first key, unless the scenario names another. */
    const json_t *k0 = json_array_get(cfg->keys, 0);
    const char *key =
        json_is_string(k0) ? json_string_value(k0) : json_string_value(json_object_get(k0, "key"));
    mock_webhook_config_read(&r->wh, cfg->webhooks, WH_AUTH_RETELL, key, 3);
    json_t *dflt = json_object();
    mock_webhook_config_read(&r->wh_agent, r->wh.enabled ? cfg->webhooks : dflt, WH_AUTH_RETELL,
                             key, 3);
    json_decref(dflt);
    if (retell_registry_init(r, cfg) != 0) {
        mock_retell_destroy(r);
        return -1;
    }
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
    retell_registry_free(r);
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

/* A number as Retell's JavaScript writes it: integral values without ".0"
 * (jansson writes a real 1 as 1.0, and JSON.stringify of the parsed body,
 * which Retell.verify checks, would then differ from the bytes signed). */
static json_t *num(double v)
{
    return v == floor(v) && fabs(v) < 9e15 ? json_integer((json_int_t)v) : json_real(v);
}

/* Retell's words carry start/end in seconds from the call's start; the mock's
 * turns know their span, so a turn's words share it evenly. */
static json_t *words_json(const char *text, double start_s, double end_s)
{
    json_t *words = json_array();
    size_t n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ')
            p++;
    }
    double step = n ? (end_s - start_s) / (double)n : 0;
    size_t i = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        /* to the millisecond, as Retell gives them */
        double a = round((start_s + step * (double)i) * 1000) / 1000;
        double b = round((start_s + step * (double)(i + 1)) * 1000) / 1000;
        json_t *w = json_pack("{s:s%,s:o,s:o}", "word", p, len, "start", num(a), "end", num(b));
        json_array_append_new(words, w);
        p += len;
        i++;
    }
    return words;
}

static void add_transcript(const struct mock_call *c, json_t *j)
{
    struct rec_turn turns[64];
    size_t n = mock_call_turns(c, turns, 64), len = 0;
    char text[2048] = "";
    json_t *obj = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *t = mock_turn_text(i, turns[i].channel);
        const char *role = turns[i].channel == 1 ? "agent" : "user";
        json_array_append_new(obj, json_pack("{s:s,s:s,s:o}", "role", role, "content", t, "words",
                                             words_json(t, turns[i].start_s, turns[i].end_s)));
        int w = snprintf(text + len, sizeof text - len, "%s: %s\n",
                         turns[i].channel == 1 ? "Agent" : "User", t);
        if (w > 0 && (size_t)w < sizeof text - len)
            len += (size_t)w;
    }
    json_object_set_new(j, "transcript", json_string(text));
    json_object_set_new(j, "transcript_object", obj);
    json_object_set_new(j, "transcript_with_tool_calls", json_deep_copy(obj));
}

/* decision: Retell prices per minute ($0.07 voice engine, an estimate); the
 * mock's figures are made up but shaped as the SDK's CallCost is (cents). */
static json_t *cost_json(const struct mock_call *c)
{
    double secs = mock_call_duration_s(c);
    double unit = 0.07 / 60 * 100; /* cents a second */
    double cost = secs * unit;
    return json_pack("{s:[{s:s,s:o,s:o}],s:I,s:o,s:o}", "product_costs", "product",
                     "retell_platform", "unit_price", num(unit), "cost", num(cost),
                     "total_duration_seconds", (json_int_t)ceil(secs), "total_duration_unit_price",
                     num(unit), "combined_cost", num(cost));
}

static json_t *analysis_json(const struct mock_call *c)
{
    return json_pack("{s:s,s:b,s:s,s:b,s:{}}", "call_summary",
                     c->answered_at ? "The call connected." : "The call did not connect.",
                     "in_voicemail", c->end == MC_END_VOICEMAIL, "user_sentiment", "Unknown",
                     "call_successful", c->answered_at != 0 && c->end == MC_END_COMPLETED,
                     "custom_analysis_data");
}

static void add_recordings(const struct mock_retell *r, const struct mock_call *c, json_t *j)
{
    /* providers.md §5: URLs end recording.wav / recording_multichannel.wav */
    char u[300];
    const char *b = r->w->base_url ? r->w->base_url : "";
    snprintf(u, sizeof u, "%s/v2/recordings/%s/recording.%s", b, c->id, ext(r->rec.format));
    json_object_set_new(j, "recording_url", json_string(u));
    snprintf(u, sizeof u, "%s/v2/recordings/%s/recording_multichannel.%s", b, c->id,
             ext(r->rec.format));
    json_object_set_new(j, "recording_multi_channel_url", json_string(u));
}

/* The call object, written (util/json_write.h): as a read-back shows it,
 * or (created) as the 201 of a create does: registered, nothing of a start
 * or an end, whatever happened since. The create answer is every POST
 * /v2/create-phone-call's: written, not built as a tree. */
static void kv_or_empty(struct json_out *o, const char *k, const json_t *v)
{
    jo_key(o, k);
    if (v) {
        jo_json(o, v);
    } else {
        jo_object(o);
        jo_object_end(o);
    }
}

static void call_write(struct json_out *o, const struct mock_retell *r, const struct mock_call *c,
                       bool created)
{
    /* a call refused at start was never dialled (no ANI), but Retell still
     * echoes the from_number it was asked for, in webhooks too */
    const char *from =
        c->ani[0] ? c->ani : json_string_value(json_object_get(c->request, "from_number"));
    jo_object(o);
    jo_kv_lit(o, "call_type", "phone_call");
    jo_kv_lit(o, "call_id", c->id);
    jo_kv_lit(o, "agent_id", c->agent ? c->agent : "");
    jo_key(o, "agent_version");
    jo_integer(o, 0);
    jo_kv_lit(o, "call_status", created ? "registered" : mock_retell_status(c));
    jo_kv_lit(o, "direction", "outbound");
    jo_kv_lit(o, "from_number", from ? from : "");
    jo_kv_lit(o, "to_number", c->to);
    /* what update-call set wins over the create request's */
    const json_t *x = retell_extra(c);
    json_t *meta = json_object_get(x, "metadata");
    if (!meta)
        meta = json_object_get(c->request, "metadata");
    json_t *dv = json_object_get(c->request, "retell_llm_dynamic_variables");
    json_t *ca = json_object_get(x, "custom_attributes");
    json_t *ds = json_object_get(x, "data_storage_setting");
    kv_or_empty(o, "metadata", meta);
    kv_or_empty(o, "retell_llm_dynamic_variables", dv);
    jo_kv_json(o, "custom_attributes", ca);
    if (ds)
        jo_kv_json(o, "data_storage_setting", ds);
    else
        jo_kv_lit(o, "data_storage_setting", "everything");
    jo_key(o, "opt_in_signed_url");
    jo_bool(o, false);
    jo_key(o, "telephony_identifier");
    jo_object(o);
    jo_kv_lit(o, "twilio_call_sid", c->sid);
    jo_object_end(o);
    if (!created && (c->answered_at || c->state == MC_ENDED)) {
        /* a call that never connected has no start, transcript nor
         * recording (test_mock_retell AO-3); built as a tree (read-backs
         * only), then written member by member */
        json_t *j = json_object();
        if (c->answered_at)
            json_object_set_new(j, "start_timestamp", json_integer(c->answered_at));
        if (c->state == MC_ENDED) {
            json_object_set_new(j, "end_timestamp", json_integer(c->ended_at));
            json_object_set_new(j, "duration_ms",
                                json_integer(c->answered_at ? c->ended_at - c->answered_at : 0));
            json_object_set_new(j, "disconnection_reason",
                                json_string(mock_retell_disconnection(c)));
            if (c->answered_at) {
                add_transcript(c, j);
                add_recordings(r, c, j);
            }
            json_object_set_new(j, "call_analysis", analysis_json(c));
            json_object_set_new(j, "call_cost", cost_json(c));
        }
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) jo_kv_json(o, k, v);
        json_decref(j);
    }
    jo_object_end(o);
}

json_t *retell_call_json(const struct mock_retell *r, const struct mock_call *c)
{
    /* the written text read back: the tree and the answer cannot differ */
    struct json_out o = {0};
    call_write(&o, r, c, false);
    json_t *j = jo_finish_tree(&o);
    return j ? j : json_object();
}

void retell_reply_call(struct mock_response *rs, int status, const struct mock_retell *r,
                       const struct mock_call *c, bool created)
{
    struct json_out o = {0};
    call_write(&o, r, c, created);
    mock_reply_out(rs, status, &o);
}

struct mock_call *retell_call(const struct mock_retell *r, const char *id)
{
    struct mock_call *c = mock_account_call(r->acct, id);
    return c && retell_deleted(c) ? NULL : c;
}

static void send_event(struct mock_retell *r, const struct mock_call *c, const char *event,
                       bool analysis)
{
    json_t *call = retell_call_json(r, c);
    /* call_ended comes before the analysis is done: Retell sends
     * call_analysis with call_analyzed only */
    if (!analysis)
        json_object_del(call, "call_analysis");
    json_t *body = json_pack("{s:s,s:o}", "event", event, "call", call);
    /* 15 digits: what the user's JSON.stringify of the parsed body gives back
     * (jansson's default 17 does not), so Retell.verify(JSON.stringify(body))
     * checks the bytes that were signed */
    const char *url = retell_webhook_url(r, c);
    const struct mock_webhook_config *cfg = url ? &r->wh_agent : &r->wh;
    mock_webhook_send_to(r->w, "retell", cfg,
                         url           ? url
                         : cfg->url[0] ? cfg->url
                                       : NULL,
                         json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15)));
    json_decref(body);
}

static void on_change(void *ctx, struct mock_call *c)
{
    struct mock_retell *r = ctx;
    if (!r->wh.enabled && !retell_webhook_url(r, c))
        return;
    /* providers.md §4.2: no call_started for calls that never connected */
    if (c->state == MC_IN_PROGRESS)
        send_event(r, c, "call_started", false);
    if (c->state == MC_ENDED) {
        send_event(r, c, "call_ended", false);
        send_event(r, c, "call_analyzed", true);
    }
}

void retell_error(struct mock_response *rs, int status, const char *msg)
{
    mock_reply_json(rs, status, json_pack("{s:s,s:s}", "status", "error", "message", msg));
}

/* The agent a call runs: override_agent_id, else the from number's outbound
 * agent (as Retell does); *msg says why there is none. */
static const char *call_agent(struct mock_retell *r, const json_t *body, const json_t *number,
                              char *msg, size_t n)
{
    const char *agent = json_string_value(json_object_get(body, "override_agent_id"));
    if (!agent)
        agent = retell_outbound_agent(number);
    if (!agent) {
        snprintf(msg, n,
                 "Phone number %s does not have an outbound agent, "
                 "please set override_agent_id.",
                 json_string_value(json_object_get(number, "phone_number")));
        return NULL;
    }
    if (!retell_has_agent(r, agent)) {
        snprintf(msg, n, "Item %s not found from agent", agent);
        return NULL;
    }
    return agent;
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
    /* ignore_e164_validation: Retell dials to_number as given (SIP trunks,
     * short codes); from_number must still be one of the account's */
    bool any_to = json_is_true(json_object_get(body, "ignore_e164_validation"));
    const json_t *number = retell_number(r, from);
    const char *agent = NULL;
    if (!json_is_object(body) || !from || !to || !e164_valid(from) || !to[0] ||
        (!any_to && !e164_valid(to))) {
        retell_error(rs, 400, "Invalid request format, please check API reference.");
    } else if (!number) {
        snprintf(msg, sizeof msg, "Item %s not found from phone-number", from);
        retell_error(rs, 404, msg);
    } else if (!(agent = call_agent(r, body, number, msg, sizeof msg))) {
        retell_error(rs, strncmp(msg, "Item ", 5) ? 400 : 404, msg);
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
            return;
        }
        if (c->state == MC_ENDED)
            free(c->ani), c->ani = strdup(from);
        /* the 201 shows the call as registered, whatever happens next */
        retell_reply_call(rs, 201, r, c, true);
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

bool mock_retell_path(const char *path)
{
    static const char *const prefixes[] = {"/v2/",
                                           "/create-batch-call",
                                           "/v3/",
                                           "/create-phone-number",
                                           "/get-phone-number/",
                                           "/update-phone-number/",
                                           "/delete-phone-number/",
                                           "/list-phone-numbers",
                                           "/create-agent",
                                           "/get-agent/",
                                           "/update-agent/",
                                           "/delete-agent/",
                                           "/list-agents"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

static int recording(struct mock_retell *r, const struct mock_request *rq, struct mock_response *rs)
{
    /* public storage URLs: no API key */
    const char *id = rq->path + 15, *slash = strchr(id, '/');
    char cid[64];
    snprintf(cid, sizeof cid, "%.*s", slash ? (int)(slash - id) : 0, id);
    const struct mock_call *c = slash ? retell_call(r, cid) : NULL;
    rs->latency_ms = r->latency_ms;
    if (!c)
        retell_error(rs, 404, "Not Found");
    else
        mock_recording_reply(
            r->w, &r->rec, c,
            strstr(slash, "multichannel") ? MOCK_REC_STEREO : MOCK_REC_AS_CONFIGURED, rs);
    return 1;
}

int mock_retell_authorise(struct mock_retell *r, const struct mock_request *rq,
                          struct mock_response *rs)
{
    rs->latency_ms = r->latency_ms;
    const char *auth = mock_header(rq, "authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 ||
        mock_account_key(r->acct, auth + 7, NULL) != MK_OK) {
        retell_error(rs, 401, "API key is missing or invalid.");
        return 1;
    }
    return 0;
}

int mock_retell_handle(struct mock_retell *r, const struct mock_request *rq,
                       struct mock_response *rs)
{
    if (strncmp(rq->path, "/v2/recordings/", 15) == 0 && !strcmp(rq->method, "GET"))
        return recording(r, rq, rs);
    if (!mock_retell_path(rq->path))
        return 0;
    if (mock_retell_authorise(r, rq, rs))
        return 1;
    bool create = strcmp(rq->path, "/v2/create-phone-call") == 0;
    bool get = strncmp(rq->path, "/v2/get-call/", 13) == 0;
    if (create && strcmp(rq->method, "POST") == 0) {
        create_call(r, rq, rs);
    } else if (get && strcmp(rq->method, "GET") == 0) {
        const struct mock_call *c = retell_call(r, rq->path + 13);
        if (c) {
            retell_reply_call(rs, 200, r, c, false);
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "Item %.100s not found from call", rq->path + 13);
            retell_error(rs, 404, msg);
        }
    } else if (create || get) {
        retell_error(rs, 405, "Method Not Allowed");
    } else if (!retell_batch_route(r, rq, rs) && !retell_routes_handle(r, rq, rs)) {
        retell_error(rs, 404, "Not Found");
    }
    return 1;
}
