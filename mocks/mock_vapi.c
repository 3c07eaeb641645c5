#include "mock_vapi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "pstn.h"

struct vapi_call {
    struct mock_vapi *v;
    json_t *call; /* the Call object */
    char *ani;
    char *to;
    int64_t answered_at;
};

struct mock_vapi {
    struct mock_world *w;
    json_t *keys, *assistants, *phone_numbers;
    int64_t latency_ms, dial_delay_ms, ring_timeout_ms;
    uint64_t rng;
    struct vapi_call **calls;
    size_t n_calls;
    char org_id[40];
};

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A version-4-shaped UUID drawn from the scenario's seed: same seed, same ids. */
static void uuid(struct mock_vapi *v, char out[40])
{
    uint64_t a = splitmix(&v->rng), b = splitmix(&v->rng);
    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

int mock_vapi_create(struct mock_vapi **out, struct mock_world *w,
                     const struct mock_vapi_config *cfg)
{
    struct mock_vapi *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v)
        return -1;
    v->w = w;
    v->keys = cfg->keys ? json_deep_copy(cfg->keys) : json_array();
    v->assistants = cfg->assistants ? json_deep_copy(cfg->assistants) : json_array();
    v->phone_numbers = cfg->phone_numbers ? json_deep_copy(cfg->phone_numbers) : json_array();
    v->latency_ms = cfg->latency_ms;
    v->dial_delay_ms = cfg->dial_delay_ms;
    v->ring_timeout_ms = cfg->ring_timeout_ms > 0 ? cfg->ring_timeout_ms : 60000;
    v->rng = cfg->seed ^ 0x5641504956415049ULL;
    uuid(v, v->org_id);
    *out = v;
    return 0;
}

void mock_vapi_destroy(struct mock_vapi *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_calls; i++) {
        json_decref(v->calls[i]->call);
        free(v->calls[i]->ani);
        free(v->calls[i]->to);
        free(v->calls[i]);
    }
    free(v->calls);
    json_decref(v->keys);
    json_decref(v->assistants);
    json_decref(v->phone_numbers);
    free(v);
}

static bool in_array(const json_t *arr, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_is_string(x) &&
                                      strcmp(json_string_value(x), s) == 0) return true;
    return false;
}

static const char *phone_number_for(const struct mock_vapi *v, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach(v->phone_numbers, i, x)
    {
        const char *pid = json_string_value(json_object_get(x, "id"));
        if (pid && strcmp(pid, id) == 0)
            return json_string_value(json_object_get(x, "number"));
    }
    return NULL;
}

/* Vapi validates customer.number as E.164 (its own check; the core's is separate). */
static bool vapi_e164(const char *s)
{
    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    size_t n = 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (!isdigit((unsigned char)*p))
            return false;
    return n >= 2 && n <= 15;
}

static json_t *nest_error(int status, json_t *message)
{
    const char *err = status == 401 ? "Unauthorized" : status == 404 ? "Not Found" : "Bad Request";
    return json_pack("{s:o,s:s,s:i}", "message", message, "error", err, "statusCode", status);
}

static void touch(struct vapi_call *c)
{
    char b[40];
    json_object_set_new(c->call, "updatedAt",
                        json_string(ts_iso(ds_now(&c->v->w->clock), b, sizeof b)));
}

/* ---- the call's life on the PSTN (runs on the clock's thread) ---- */

static void obs_ringing(void *arg)
{
    struct vapi_call *c = arg;
    pthread_mutex_lock(&c->v->w->mu);
    json_object_set_new(c->call, "status", json_string("ringing"));
    touch(c);
    pthread_mutex_unlock(&c->v->w->mu);
}

static void obs_answered(void *arg)
{
    struct vapi_call *c = arg;
    char b[40];
    pthread_mutex_lock(&c->v->w->mu);
    c->answered_at = ds_now(&c->v->w->clock);
    json_object_set_new(c->call, "status", json_string("in-progress"));
    json_object_set_new(c->call, "startedAt", json_string(ts_iso(c->answered_at, b, sizeof b)));
    touch(c);
    pthread_mutex_unlock(&c->v->w->mu);
}

/* providers.md §3.1: Twilio outcome → Vapi endedReason. */
static const char *ended_reason(enum pstn_end how)
{
    switch (how) {
    case PSTN_END_COMPLETED:
        return "customer-ended-call";
    case PSTN_END_NO_ANSWER:
        return "customer-did-not-answer";
    case PSTN_END_BUSY:
        return "customer-busy";
    default:
        return "twilio-failed-to-connect-call";
    }
}

static void obs_ended(void *arg, enum pstn_end how)
{
    struct vapi_call *c = arg;
    char b[40];
    pthread_mutex_lock(&c->v->w->mu);
    int64_t now = ds_now(&c->v->w->clock);
    json_object_set_new(c->call, "status", json_string("ended"));
    json_object_set_new(c->call, "endedReason", json_string(ended_reason(how)));
    json_object_set_new(c->call, "endedAt", json_string(ts_iso(now, b, sizeof b)));
    if (c->answered_at) {
        /* $0.10 a minute, in the USD the real API reports */
        double cost = (double)((now - c->answered_at) / 600) / 1000.0;
        json_object_set_new(c->call, "cost", json_real(cost));
    }
    touch(c);
    pthread_mutex_unlock(&c->v->w->mu);
}

static void ev_dial(void *arg)
{
    struct vapi_call *c = arg;
    struct pstn_observer obs = {obs_ringing, obs_answered, obs_ended, c};
    pstn_place_call(c->v->w->pstn, c->ani, c->to, c->v->ring_timeout_ms, obs);
}

/* ---- routes ---- */

static int create_call(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    json_error_t je;
    json_t *body = json_loadb(rq->body, rq->body_len, 0, &je);
    if (!body || !json_is_object(body)) {
        char msg[300];
        snprintf(msg, sizeof msg, "Unexpected token in JSON at position %d",
                 body ? 0 : je.position);
        json_decref(body);
        mock_reply_json(rs, 400, nest_error(400, json_string(msg)));
        return 1;
    }
    const json_t *customer = json_object_get(body, "customer");
    const char *number = json_string_value(json_object_get(customer, "number"));
    if (!vapi_e164(number)) {
        json_t *msgs = json_array();
        json_array_append_new(msgs, json_string("customer.number must be a valid phone number in "
                                                "the E.164 format. Hot tip, you may be missing "
                                                "the country code (Eg. US: +1)."));
        mock_reply_json(rs, 400, nest_error(400, msgs));
        json_decref(body);
        return 1;
    }
    const char *asst = json_string_value(json_object_get(body, "assistantId"));
    char msg[400];
    if (!asst || !in_array(v->assistants, asst)) {
        snprintf(msg, sizeof msg, "Couldn't Get Assistant. `assistantId` %s Does Not Exist.",
                 asst ? asst : "");
        mock_reply_json(rs, 400, nest_error(400, json_string(msg)));
        json_decref(body);
        return 1;
    }
    const char *pnid = json_string_value(json_object_get(body, "phoneNumberId"));
    if (!pnid || !*pnid) {
        mock_reply_json(rs, 400,
                        nest_error(400, json_string("Couldn't Get Phone Number. Need Either "
                                                    "`phoneNumberId` Or `phoneNumber`.")));
        json_decref(body);
        return 1;
    }
    const char *ani = phone_number_for(v, pnid);
    if (!ani) {
        snprintf(msg, sizeof msg, "Couldn't Get Phone Number. `phoneNumberId` %s Does Not Exist.",
                 pnid);
        mock_reply_json(rs, 400, nest_error(400, json_string(msg)));
        json_decref(body);
        return 1;
    }
    struct vapi_call **nv = realloc(v->calls, (v->n_calls + 1) * sizeof *nv);
    struct vapi_call *c = calloc(1, sizeof *c);
    if (!nv || !c) {
        free(c);
        if (nv)
            v->calls = nv;
        json_decref(body);
        mock_reply_json(rs, 500, nest_error(500, json_string("Internal server error")));
        return 1;
    }
    v->calls = nv;
    v->calls[v->n_calls++] = c;
    c->v = v;
    c->ani = strdup(ani);
    c->to = strdup(number);
    char id[40], now[40], sid[40];
    uuid(v, id);
    uuid(v, sid);
    ts_iso(ds_now(&v->w->clock), now, sizeof now);
    unsigned active = 0; /* calls not yet ended, this one included */
    for (size_t i = 0; i < v->n_calls; i++) {
        const char *st = json_string_value(json_object_get(v->calls[i]->call, "status"));
        if (!st || strcmp(st, "ended") != 0)
            active++;
    }
    c->call = json_pack(
        "{s:{s:b,s:i,s:i},s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:O,s:s,s:s,s:{s:s,s:s},s:{s:s,s:s,s:s}}",
        "subscriptionLimits", "concurrencyBlocked", 0, "concurrencyLimit", 10,
        "remainingConcurrentCalls", 10 - (int)active, "id", id, "assistantId", asst,
        "phoneNumberId", pnid, "type", "outboundPhoneCall", "createdAt", now, "updatedAt", now,
        "orgId", v->org_id, "cost", 0, "customer", customer, "status", "queued",
        "phoneCallProvider", "twilio", "monitor", "listenUrl",
        "wss://phone-call-websocket.mock/listen", "controlUrl",
        "https://phone-call-websocket.mock/control", "transport", "conversationType", "voice",
        "provider", "twilio", "accountSid", sid);
    json_t *ov = json_object_get(body, "assistantOverrides");
    if (ov)
        json_object_set(c->call, "assistantOverrides", ov);
    json_object_set_new(c->call, "phoneCallTransport", json_string("pstn"));
    json_decref(body);
    v->w->clock.ops->schedule(v->w->clock.ctx, ds_now(&v->w->clock) + v->dial_delay_ms, ev_dial, c);
    mock_reply_json(rs, 201, json_deep_copy(c->call));
    return 1;
}

const json_t *mock_vapi_call(const struct mock_vapi *v, const char *id)
{
    for (size_t i = 0; i < v->n_calls; i++)
        if (strcmp(json_string_value(json_object_get(v->calls[i]->call, "id")), id) == 0)
            return v->calls[i]->call;
    return NULL;
}

int mock_vapi_handle(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs)
{
    rs->latency_ms = v->latency_ms;
    const char *auth = mock_header(rq, "authorization");
    if (!auth || !*auth) {
        mock_reply_json(rs, 401,
                        json_pack("{s:s,s:i}", "message", "Unauthorized", "statusCode", 401));
        return 1;
    }
    if (strncmp(auth, "Bearer ", 7) != 0 || !in_array(v->keys, auth + 7)) {
        mock_reply_json(rs, 401,
                        nest_error(401, json_string("Invalid Key. Hot tip, you may be using the "
                                                    "private key instead of the public key, or "
                                                    "vice versa.")));
        return 1;
    }
    if (strcmp(rq->path, "/call") == 0 && strcmp(rq->method, "POST") == 0)
        return create_call(v, rq, rs);
    if (strncmp(rq->path, "/call/", 6) == 0 && strcmp(rq->method, "GET") == 0) {
        const json_t *c = mock_vapi_call(v, rq->path + 6);
        if (c)
            mock_reply_json(rs, 200, json_deep_copy(c));
        else
            mock_reply_json(rs, 404, nest_error(404, json_string("Call not found")));
        return 1;
    }
    return 0;
}
