/* Unit tests for the core's provider webhook handler, core_provider_webhook
 * (harness/core/webhook.c; contract in core/core.h). The core runs on a real
 * evq with a fake HTTP port that answers each provider's start-call request
 * (as in test_core.c), so runs have a provider call id; webhooks are then fed
 * to the core by hand, signed in the test with hmac_sha256_hex the way each
 * provider signs (providers.md §4.1-§4.3).
 *
 * H-3: forged, stale and replayed webhooks change nothing; AO-4: a provider
 * that accepted the call and then refused to start it (Vapi
 * call.start.error-subscription-insufficient-credits, Retell no_valid_payment
 * / concurrency_limit_reached) fails the run with its reason at once, not
 * with a timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/hmac.h"
#include "sim/evq.h"
#include "core_fixture.h"
#include "fake_http.h"

#define T0 INT64_C(1767268800000) /* 2026-01-01T12:00:00Z */
#define RETELL_KEY "key_retell_live"
#define VAPI_SECRET "vapi-whsec-1"
#define EL_SECRET "wsec_el_5d1c"
#define LATENCY_MS 100

/* ---- a fake HTTP port: each provider's "call accepted" ------------------- */

struct provider_http {
    struct evq *q;
    int sent;
};

static int fake_send(void *ctx, const struct ds_http_request *req, ds_http_done_fn done, void *arg)
{
    struct provider_http *f = ctx;
    int n = ++f->sent;
    struct ds_http_response resp = {.outcome = DS_HTTP_RESPONSE};
    char body[200];
    if (strcmp(req->method, "GET") == 0) {
        resp.status = 404; /* polls learn nothing: only webhooks do */
        snprintf(body, sizeof body, "{}");
    } else if (strstr(req->url, "/v2/create-phone-call")) {
        resp.status = 201;
        snprintf(body, sizeof body, "{\"call_id\":\"call_r%d\",\"call_status\":\"registered\"}", n);
    } else if (strstr(req->url, "/v1/convai/")) {
        resp.status = 200;
        snprintf(body, sizeof body,
                 "{\"success\":true,\"message\":\"Success\",\"conversation_id\":\"conv_%d\","
                 "\"callSid\":\"CA%d\"}",
                 n, n);
    } else {
        resp.status = 201;
        snprintf(body, sizeof body, "{\"id\":\"call-v%d\",\"status\":\"queued\"}", n);
    }
    resp.body = body;
    resp.body_len = strlen(body);
    resp.elapsed_ms = LATENCY_MS;
    fake_http_schedule(f->q, evq_now(f->q) + LATENCY_MS, done, arg, &resp);
    return 0;
}

static const struct ds_http_ops provider_http_ops = {fake_send};

/* ---- fixture ----------------------------------------------------------------- */

struct fx {
    struct evq *q;
    struct provider_http http;
    struct core *core;
    int idc;
};

static void put_agent(struct fx *f, const char *id, enum ds_provider p, const char *key,
                      const char *secret)
{
    struct core_agent a = {
        .id = (char *)id,
        .project = "p",
        .auto_outbound = true,
        .contact_number = "+15551234567",
        .provider = p,
        .provider_api_key = (char *)key,
        .assistant_id = "agent_1",
        .phone_number_id = "pn_1",
        .webhook_secret = (char *)secret,
    };
    char err[256];
    assert_int_equal(core_agent_put(f->core, &a, err, sizeof err), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(evq_create(&f->q, T0), 0);
    f->http.q = f->q;
    struct core_env env = core_fixture_env(f->q, &provider_http_ops, &f->http, &f->idc);
    env.provider_base_url[DS_PROVIDER_VAPI] = "https://api.vapi.example";
    env.provider_base_url[DS_PROVIDER_RETELL] = "https://api.retell.example";
    env.provider_base_url[DS_PROVIDER_ELEVENLABS] = "https://api.elevenlabs.example";
    assert_int_equal(core_create(&f->core, &env), 0);
    assert_int_equal(core_project_put(f->core, "p", "pk"), 0);
    put_agent(f, "retell", DS_PROVIDER_RETELL, RETELL_KEY, NULL);
    put_agent(f, "vapi", DS_PROVIDER_VAPI, "vapi-private-key", VAPI_SECRET);
    put_agent(f, "el", DS_PROVIDER_ELEVENLABS, "xi_key", EL_SECRET);
    char err[256];
    assert_int_equal(core_evaluator_put(f->core, "e1", "p", "+15557654321", NULL, err, sizeof err),
                     0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    core_fixture_close(f->q, f->core);
    free(f);
    return 0;
}

/* Start one run for agent, and let the provider's answer arrive. */
static const struct core_run *start(struct fx *f, const char *agent)
{
    const char *ids[] = {"e1"};
    const struct core_run *r = NULL;
    char err[256];
    assert_int_equal(core_start_runs(f->core, agent, ids, 1, &r, err, sizeof err), 0);
    evq_run_until(f->q, evq_now(f->q) + LATENCY_MS);
    assert_int_equal(r->status, DS_RUN_PENDING);
    assert_non_null(r->provider_call_id);
    return r;
}

static int64_t now(struct fx *f)
{
    return evq_now(f->q);
}

/* ---- signing, as the providers do --------------------------------------- */

struct signed_body {
    char body[1024];
    char sig[200];
    struct ds_header h[2];
};

/* §4.2: x-retell-signature: v=<ms>,d=<hex HMAC(key, body + ms)> */
static void retell_sign(struct signed_body *s, const char *key, int64_t at_ms)
{
    char ms[32], hex[65];
    snprintf(ms, sizeof ms, "%" PRId64, at_ms);
    assert_int_equal(hmac_sha256_hex(key, s->body, strlen(s->body), ms, strlen(ms), hex), 0);
    snprintf(s->sig, sizeof s->sig, "v=%s,d=%s", ms, hex);
    s->h[0] = (struct ds_header){"Content-Type", "application/json"};
    s->h[1] = (struct ds_header){"X-Retell-Signature", s->sig};
}

static struct signed_body retell_event(const char *event, const char *call_id, const char *extra)
{
    struct signed_body s;
    snprintf(s.body, sizeof s.body, "{\"event\":\"%s\",\"call\":{\"call_id\":\"%s\"%s%s}}", event,
             call_id, extra[0] ? "," : "", extra);
    return s;
}

static int feed(struct fx *f, enum ds_provider p, const struct signed_body *s, char *err, size_t n)
{
    err[0] = '\0';
    return core_provider_webhook(f->core, p, s->h, 2, s->body, strlen(s->body), err, n);
}

#define ENDED_HANGUP                                                                               \
    "\"call_status\":\"ended\",\"disconnection_reason\":\"user_hangup\",\"start_timestamp\":"      \
    "1767268802000,\"transcript\":\"Agent: Hello.\\nUser: Hi.\\n\",\"recording_url\":"             \
    "\"https://rec.example/recording.wav\""

/* ---- Retell (§4.2) ----------------------------------------------------------- */

/* A good webhook is applied: the run's provider-side view changes. */
static void h1_retell_good_webhook_applied(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "retell");
    assert_string_equal(r->provider_call_id, "call_r1");
    assert_string_equal(r->provider_status, "registered");
    evq_run_until(f->q, T0 + 5000);
    struct signed_body s = retell_event("call_ended", "call_r1", ENDED_HANGUP);
    retell_sign(&s, RETELL_KEY, now(f));
    char err[300];
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 200);
    assert_string_equal(err, "");
    assert_string_equal(r->provider_status, "ended");
    assert_string_equal(r->provider_ended_reason, "user_hangup");
    assert_string_equal(r->provider_symptom, "Retell reports user_hangup (call_status ended)");
    assert_string_equal(r->transcript, "Agent: Hello.\nUser: Hi.\n");
    assert_string_equal(r->recording_url, "https://rec.example/recording.wav");
    assert_true(r->provider_ended);
    assert_int_equal(r->webhooks, 1);
    assert_int_equal(r->status, DS_RUN_PENDING); /* the run's own status is the gate's */
}

/* The run as the provider saw it before any webhook, to compare with. */
struct before {
    char status[32];
    bool ended_reason, transcript, ended;
    int webhooks;
    enum ds_run_status run;
};

static struct before snapshot(const struct core_run *r)
{
    struct before b;
    snprintf(b.status, sizeof b.status, "%s", r->provider_status ? r->provider_status : "");
    b.ended_reason = r->provider_ended_reason != NULL;
    b.transcript = r->transcript != NULL;
    b.ended = r->provider_ended;
    b.webhooks = r->webhooks;
    b.run = r->status;
    return b;
}

static void assert_unchanged(const struct core_run *r, const struct before *b)
{
    assert_string_equal(r->provider_status ? r->provider_status : "", b->status);
    assert_int_equal(r->provider_ended_reason != NULL, b->ended_reason);
    assert_int_equal(r->transcript != NULL, b->transcript);
    assert_int_equal(r->provider_ended, b->ended);
    assert_int_equal(r->webhooks, b->webhooks);
    assert_int_equal(r->status, b->run);
}

/* H-3: forged (other key, one byte of the body changed, digest or timestamp
 * altered, header malformed or missing): 401, nothing applied. */
static void h3_retell_forged_401_nothing_changes(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "retell");
    struct before b = snapshot(r);
    char err[300];

    struct signed_body s = retell_event("call_ended", "call_r1", ENDED_HANGUP);
    retell_sign(&s, "forged-" RETELL_KEY, now(f));
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);
    assert_non_null(strstr(err, "does not match"));
    assert_unchanged(r, &b);

    retell_sign(&s, RETELL_KEY, now(f));
    strstr(s.body, "Hello")[4] = 'p'; /* still JSON, no longer what was signed */
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);
    assert_unchanged(r, &b);

    s = retell_event("call_ended", "call_r1", ENDED_HANGUP);
    retell_sign(&s, RETELL_KEY, now(f));
    char moved[200];
    snprintf(moved, sizeof moved, "v=%" PRId64 "%s", now(f) - 1, strstr(s.sig, ",d="));
    snprintf(s.sig, sizeof s.sig, "%s", moved);
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);

    static const char *bad[] = {"", "v=1,d=00", "garbage", "Bearer " RETELL_KEY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(s.sig, sizeof s.sig, "%s", bad[i]);
        assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);
    }
    s.h[1].name = "X-Other"; /* no signature header at all */
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);
    assert_non_null(strstr(err, "no x-retell-signature"));
    assert_unchanged(r, &b);
    assert_null(r->transcript);
}

/* H-3: Retell signatures older or newer than 5 minutes are refused. */
static void h3_retell_stale_401(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "retell");
    evq_run_until(f->q, T0 + 3600 * 1000);
    struct before b = snapshot(r);
    char err[300];
    struct signed_body s = retell_event("call_ended", "call_r1", ENDED_HANGUP);
    retell_sign(&s, RETELL_KEY, now(f) - 5 * 60 * 1000 - 1);
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);
    assert_non_null(strstr(err, "old"));
    retell_sign(&s, RETELL_KEY, now(f) + 5 * 60 * 1000 + 1);
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 401);
    assert_unchanged(r, &b);
    retell_sign(&s, RETELL_KEY, now(f) - 5 * 60 * 1000); /* at the edge: accepted */
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 200);
    assert_string_equal(r->provider_status, "ended");
}

/* H-3: the same bytes again are a replay: 200 "duplicate", not applied a
 * second time (it would undo the later call_ended). */
static void h3_retell_replay_is_duplicate(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "retell");
    char err[300];
    struct signed_body started =
        retell_event("call_started", "call_r1", "\"call_status\":\"ongoing\"");
    retell_sign(&started, RETELL_KEY, now(f));
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &started, err, sizeof err), 200);
    assert_string_equal(r->provider_status, "ongoing");
    evq_run_until(f->q, now(f) + 60000);
    struct signed_body ended = retell_event("call_ended", "call_r1", ENDED_HANGUP);
    retell_sign(&ended, RETELL_KEY, now(f));
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &ended, err, sizeof err), 200);
    assert_string_equal(r->provider_status, "ended");
    assert_int_equal(r->webhooks, 2);

    evq_run_until(f->q, now(f) + 1000);
    struct before b = snapshot(r);
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &started, err, sizeof err), 200);
    assert_string_equal(err, "duplicate");
    assert_unchanged(r, &b); /* still ended */
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &ended, err, sizeof err), 200);
    assert_string_equal(err, "duplicate");
    assert_int_equal(r->webhooks, 2);
}

static void retell_unknown_call_404(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "retell");
    struct before b = snapshot(r);
    char err[300];
    struct signed_body s = retell_event("call_ended", "call_nobody", ENDED_HANGUP);
    retell_sign(&s, RETELL_KEY, now(f));
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 404);
    assert_non_null(strstr(err, "call_nobody"));
    /* the run's call id in another provider's webhook: that provider has no such call */
    snprintf(s.body, sizeof s.body,
             "{\"type\":\"call_initiation_failure\",\"data\":{\"conversation_id\":"
             "\"call_r1\",\"failure_reason\":\"busy\"}}");
    assert_int_equal(feed(f, DS_PROVIDER_ELEVENLABS, &s, err, sizeof err), 404);
    assert_unchanged(r, &b);
}

static void retell_not_a_webhook_400(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "retell");
    struct before b = snapshot(r);
    static const char *bodies[] = {
        "",
        "not json",
        "{}",
        "{\"event\":\"call_ended\"}",
        "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"call_r1\"}}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct signed_body s;
        snprintf(s.body, sizeof s.body, "%s", bodies[i]);
        retell_sign(&s, RETELL_KEY, now(f));
        char err[300];
        assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 400);
        assert_non_null(strstr(err, "not a Retell webhook"));
    }
    assert_unchanged(r, &b);
}

/* AO-4: accepted, then error / no_valid_payment or concurrency_limit_reached:
 * the run fails at once with the provider's reason, and stays failed. */
static void ao4_retell_error_webhook_fails_run_at_once(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *dr;
        enum ds_reason reason;
    } cases[] = {{"no_valid_payment", DS_REASON_PROVIDER_INSUFFICIENT_CREDITS},
                 {"concurrency_limit_reached", DS_REASON_PROVIDER_CONCURRENCY_LIMIT}};
    for (size_t i = 0; i < 2; i++) {
        const struct core_run *r = start(f, "retell");
        evq_run_until(f->q, now(f) + 700);
        char extra[200], err[300];
        snprintf(extra, sizeof extra, "\"call_status\":\"error\",\"disconnection_reason\":\"%s\"",
                 cases[i].dr);
        struct signed_body s = retell_event("call_ended", r->provider_call_id, extra);
        retell_sign(&s, RETELL_KEY, now(f));
        int64_t at = now(f);
        assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 200);
        assert_int_equal(r->status, DS_RUN_FAILED);
        assert_int_equal(r->reason, cases[i].reason);
        assert_int_equal(r->updated_at, at);
        assert_non_null(strstr(r->detail, cases[i].dr));
        evq_run_until(f->q, now(f) + 400 * 1000); /* past the dial window */
        assert_int_equal(r->status, DS_RUN_FAILED);
        assert_int_equal(r->reason, cases[i].reason);
    }
}

/* ---- Vapi (§4.1) --------------------------------------------------------------- */

/* Fills *s in place: its headers point into it. */
static void vapi_message(struct signed_body *s, const char *call_id, const char *type,
                         const char *ended_reason, const char *auth_name, const char *auth_value)
{
    snprintf(s->body, sizeof s->body,
             "{\"message\":{\"type\":\"%s\",\"endedReason\":\"%s\",\"call\":{\"id\":\"%s\","
             "\"status\":\"ended\"},\"artifact\":{\"messages\":[]},\"analysis\":{}}}",
             type, ended_reason, call_id);
    snprintf(s->sig, sizeof s->sig, "%s", auth_value);
    s->h[0] = (struct ds_header){"Content-Type", "application/json"};
    s->h[1] = (struct ds_header){auth_name, s->sig};
}

/* AO-4: an end-of-call-report that says the call never started for want of
 * credits fails the pending run at once with provider_insufficient_credits. */
static void ao4_vapi_insufficient_credits_report_fails_run(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "vapi");
    assert_string_equal(r->provider_status, "queued");
    evq_run_until(f->q, now(f) + 1200);
    const char *er = "call.start.error-subscription-insufficient-credits";
    char err[300];
    /* a wrong secret first: 401, the run waits */
    struct signed_body s;
    vapi_message(&s, r->provider_call_id, "end-of-call-report", er, "Authorization",
                 "Bearer wrong");
    assert_int_equal(feed(f, DS_PROVIDER_VAPI, &s, err, sizeof err), 401);
    assert_int_equal(r->status, DS_RUN_PENDING);
    assert_null(r->provider_ended_reason);

    vapi_message(&s, r->provider_call_id, "end-of-call-report", er, "Authorization",
                 "Bearer " VAPI_SECRET);
    int64_t at = now(f);
    assert_int_equal(feed(f, DS_PROVIDER_VAPI, &s, err, sizeof err), 200);
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_int_equal(r->reason, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
    assert_int_equal(r->updated_at, at); /* at once, not at the window's end */
    assert_string_equal(r->provider_ended_reason, er);
    assert_non_null(strstr(r->detail, er));
    evq_run_until(f->q, now(f) + 400 * 1000);
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_int_equal(r->reason, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
}

/* §4.1: X-Vapi-Secret works too; an ordinary end only records the symptom. */
static void vapi_secret_header_and_ordinary_end(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "vapi");
    char err[300];
    struct signed_body s;
    vapi_message(&s, r->provider_call_id, "end-of-call-report", "customer-did-not-answer",
                 "x-vapi-secret", VAPI_SECRET);
    assert_int_equal(feed(f, DS_PROVIDER_VAPI, &s, err, sizeof err), 200);
    assert_int_equal(r->status, DS_RUN_PENDING); /* the gate decides, not the provider */
    assert_string_equal(r->provider_ended_reason, "customer-did-not-answer");
    assert_string_equal(r->provider_symptom, "Vapi reports customer-did-not-answer");
    /* no secret at all: 401 */
    vapi_message(&s, r->provider_call_id, "status-update", "x", "Content-Type", "text/plain");
    assert_int_equal(feed(f, DS_PROVIDER_VAPI, &s, err, sizeof err), 401);
}

/* An agent without a webhook secret accepts no Vapi webhook. */
static void vapi_agent_without_secret_401(void **state)
{
    struct fx *f = *state;
    put_agent(f, "vapi", DS_PROVIDER_VAPI, "vapi-private-key", NULL);
    const struct core_run *r = start(f, "vapi");
    char err[300];
    struct signed_body s;
    vapi_message(&s, r->provider_call_id, "end-of-call-report",
                 "call.start.error-subscription-insufficient-credits", "Authorization", "Bearer ");
    assert_int_equal(feed(f, DS_PROVIDER_VAPI, &s, err, sizeof err), 401);
    assert_int_equal(r->status, DS_RUN_PENDING);
}

/* ---- ElevenLabs (§4.3) ------------------------------------------------------ */

static void el_sign(struct signed_body *s, const char *secret, int64_t at_ms)
{
    char t[40], hex[65];
    snprintf(t, sizeof t, "%" PRId64 ".", at_ms / 1000);
    assert_int_equal(hmac_sha256_hex(secret, t, strlen(t), s->body, strlen(s->body), hex), 0);
    t[strlen(t) - 1] = '\0';
    snprintf(s->sig, sizeof s->sig, "t=%s,v0=%s", t, hex);
    s->h[0] = (struct ds_header){"Content-Type", "application/json"};
    s->h[1] = (struct ds_header){"elevenlabs-signature", s->sig};
}

static void h3_elevenlabs_initiation_failure(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "el");
    assert_string_equal(r->provider_call_id, "conv_1");
    evq_run_until(f->q, T0 + 3600 * 1000);
    struct signed_body s;
    snprintf(s.body, sizeof s.body,
             "{\"type\":\"call_initiation_failure\",\"event_timestamp\":1767272400,\"data\":{"
             "\"agent_id\":\"agent_1\",\"conversation_id\":\"conv_1\",\"failure_reason\":"
             "\"busy\",\"metadata\":{\"type\":\"twilio\",\"body\":{}}}}");
    char err[300];
    struct before b = snapshot(r);
    el_sign(&s, RETELL_KEY, now(f)); /* not the webhook secret */
    assert_int_equal(feed(f, DS_PROVIDER_ELEVENLABS, &s, err, sizeof err), 401);
    el_sign(&s, EL_SECRET, now(f) - 31 * 60 * 1000); /* stale */
    assert_int_equal(feed(f, DS_PROVIDER_ELEVENLABS, &s, err, sizeof err), 401);
    assert_unchanged(r, &b);
    el_sign(&s, EL_SECRET, now(f) - 29 * 60 * 1000);
    assert_int_equal(feed(f, DS_PROVIDER_ELEVENLABS, &s, err, sizeof err), 200);
    assert_string_equal(r->provider_status, "failed");
    assert_string_equal(r->provider_ended_reason, "busy");
    assert_string_equal(r->provider_symptom,
                        "ElevenLabs reports call_initiation_failure (failure_reason busy)");
    assert_true(r->provider_ended);
    /* the same webhook for the Retell handler is not Retell's */
    assert_int_equal(feed(f, DS_PROVIDER_RETELL, &s, err, sizeof err), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(h1_retell_good_webhook_applied),
        T(h3_retell_forged_401_nothing_changes),
        T(h3_retell_stale_401),
        T(h3_retell_replay_is_duplicate),
        T(retell_unknown_call_404),
        T(retell_not_a_webhook_400),
        T(ao4_retell_error_webhook_fails_run_at_once),
        T(ao4_vapi_insufficient_credits_report_fails_run),
        T(vapi_secret_header_and_ordinary_end),
        T(vapi_agent_without_secret_401),
        T(h3_elevenlabs_initiation_failure),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
