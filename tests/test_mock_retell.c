/* Unit tests for mocks/mock_retell, driven through mock_world_dispatch
 * (mocks/mock_server.h) with hand-made requests: no network. The world is
 * built by hand, as in test_mock_vapi.c: an evq as the clock, a journal, a
 * PSTN whose core side is a fake (tests/fake_lines.h), the Retell mock, and a
 * webhook queue whose sink records what the core would receive
 * (tests/fake_sink.h).
 *
 * H-1: the answers are Retell's (providers.md §1.3, §2.3: status codes and
 * {"status":"error","message"} bodies, byte for byte); AO-4: the refusals the
 * core must turn into reasons; AO-1/AO-3: an accepted call reaches the PSTN
 * from from_number, and its fate shows on GET /v2/get-call as call_status +
 * disconnection_reason (§3.3) and in the signed webhooks (§4.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/provider.h"
#include "journal.h"
#include "mock_retell.h"
#include "mock_provider.h"
#include "mock_server.h"
#include "pstn.h"
#include "sim/evq.h"
#include "webhook.h"
#include "fake_lines.h"
#include "fake_sink.h"
#include "mock_world_fixture.h"

#define T0 INT64_C(1767269100000)
#define KEY "key_retell_live"
#define KEY2 "key_retell_second"
#define AGENT_NUM "+15551234567" /* owned by the account: from_number */
#define EVAL "+15557654321"      /* the evaluator's number: a core line */
#define LATENCY_MS 180
#define DIAL_DELAY_MS 2000
#define RING_MS 30000
#define DURATION_MS 60000
#define WH_DELAY_MS 500

struct fx {
    struct mock_world w;
    struct mock_retell *retell; /* attached to w */
    struct evq *q;
    struct fake_core core;
    struct fake_sink sink;
};

struct opts {
    double credits;
    int concurrency_limit;
    bool silence_as_busy;
    uint64_t seed;
    bool no_webhooks;
};

static struct fx *fx_new(struct opts o)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct pstn_config pc = {.call_duration_ms = DURATION_MS, .silence_as_busy = o.silence_as_busy};
    mock_world_open(&f->w, &f->q, T0, &pc, &f->core, EVAL);
    mock_world_open_webhooks(&f->w, f->q, &f->sink);

    json_t *keys = json_pack("[s,s]", KEY, KEY2);
    json_t *agents = json_pack("[s,s]", "agent_7f3c", "agent_b2");
    json_t *numbers = json_pack("[{s:s,s:s}]", "id", "num-main", "number", AGENT_NUM);
    json_t *webhooks = o.no_webhooks ? NULL : json_pack("{s:f}", "delay", WH_DELAY_MS / 1000.0);
    struct mock_provider_config rc = {
        .keys = keys,
        .agents = agents,
        .phone_numbers = numbers,
        .latency_ms = LATENCY_MS,
        .dial_delay_ms = DIAL_DELAY_MS,
        .ring_timeout_ms = RING_MS,
        .seed = o.seed ? o.seed : 1,
        .credits = o.credits ? o.credits : -1,
        .call_cost = 1,
        .concurrency_limit = o.concurrency_limit,
        .webhooks = webhooks,
    };
    assert_int_equal(mock_retell_create(&f->retell, &f->w, &rc), 0);
    assert_int_equal(mock_world_attach(&f->w, &mock_retell_ops, f->retell), 0);
    json_decref(keys);
    json_decref(agents);
    json_decref(numbers);
    json_decref(webhooks);
    return f;
}

static void fx_free(struct fx *f)
{
    fake_sink_clear(&f->sink);
    mock_world_detach(&f->w, f->retell);
    mock_retell_destroy(f->retell);
    mock_world_close(&f->w, f->q);
    free(f);
}

static struct mock_reply request(struct fx *f, const char *method, const char *path,
                                 const char *auth, const char *body)
{
    return mock_world_request(&f->w, method, path, "authorization", auth, body);
}

static char *create_body(const char *from, const char *to, const char *agent)
{
    json_t *b = json_object();
    if (from)
        json_object_set_new(b, "from_number", json_string(from));
    if (to)
        json_object_set_new(b, "to_number", json_string(to));
    if (agent)
        json_object_set_new(b, "override_agent_id", json_string(agent));
    json_object_set_new(b, "retell_llm_dynamic_variables",
                        json_pack("{s:s,s:s}", "customer_name", "Ann", "age", "42"));
    json_object_set_new(b, "metadata", json_pack("{s:s}", "dialsim_run_id", "run_1"));
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

static struct mock_reply create(struct fx *f, const char *auth, const char *from, const char *to,
                                const char *agent)
{
    char *b = create_body(from, to, agent);
    struct mock_reply r = request(f, "POST", "/v2/create-phone-call", auth, b);
    free(b);
    return r;
}

/* 201 expected; the new call's id (owned). */
static char *create_ok(struct fx *f)
{
    struct mock_reply r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, "agent_7f3c");
    assert_int_equal(r.status, 201);
    char *id = strdup(json_string_value(json_object_get(r.body, "call_id")));
    mock_reply_free(&r);
    return id;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* GET /v2/get-call/{id}: the call as Retell shows it now (owned). */
static json_t *get_call(struct fx *f, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v2/get-call/%s", id);
    struct mock_reply r = request(f, "GET", path, "Bearer " KEY, NULL);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.body);
    mock_reply_free(&r);
    return j;
}

static void assert_call(struct fx *f, const char *id, const char *status, const char *reason)
{
    json_t *c = get_call(f, id);
    const char *st = str(c, "call_status");
    const char *dr = str(c, "disconnection_reason");
    if (!st || strcmp(st, status) != 0 || (reason ? !dr || strcmp(dr, reason) != 0 : dr != NULL))
        fail_msg("call %s: call_status %s, disconnection_reason %s; want %s, %s", id,
                 st ? st : "(none)", dr ? dr : "(none)", status, reason ? reason : "(none)");
    json_decref(c);
}

static void run_until(struct fx *f, int64_t t)
{
    while (evq_run_next(f->q, t))
        ;
}

static void assert_nothing_placed(struct fx *f)
{
    run_until(f, INT64_MAX);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    assert_int_equal(f->core.offers, 0);
    assert_int_equal(f->sink.n, 0); /* no webhook either */
}

/* A Retell error answer, byte for byte (§2.1). */
static void assert_error(struct mock_reply *r, int status, const char *message)
{
    char want[400];
    snprintf(want, sizeof want, "{\"status\":\"error\",\"message\":\"%s\"}", message);
    assert_int_equal(r->status, status);
    assert_string_equal(r->raw, want);
    mock_reply_free(r);
}

/* ---- refusals (AO-4, §2.3) ---------------------------------------------- */

static void ao4_missing_or_invalid_key_401(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    static const char *bad[] = {NULL, "",           "Bearer wrong", "Bearer " KEY "x",
                                KEY,  "Basic " KEY, "Bearer ",      "Bearer  " KEY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mock_reply r = create(f, bad[i], AGENT_NUM, EVAL, "agent_7f3c");
        assert_int_equal(r.latency_ms, LATENCY_MS);
        assert_error(&r, 401, "API key is missing or invalid.");
    }
    /* GET too */
    struct mock_reply r = request(f, "GET", "/v2/get-call/anything", "Bearer nope", NULL);
    assert_error(&r, 401, "API key is missing or invalid.");
    /* every key of the account works */
    r = create(f, "Bearer " KEY2, AGENT_NUM, EVAL, "agent_7f3c");
    assert_int_equal(r.status, 201);
    mock_reply_free(&r);
    fx_free(f);
}

/* AO-4, AO-5: a body Retell cannot read, or numbers that are not E.164. */
static void ao4_bad_request_400(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    static const char *bodies[] = {
        "{\"from_number\":",
        "[1,2]",
        "",
        "{\"to_number\":\"" EVAL "\",\"override_agent_id\":\"agent_7f3c\"}",
        "{\"from_number\":\"" AGENT_NUM "\",\"override_agent_id\":\"agent_7f3c\"}",
        "{\"from_number\":\"" AGENT_NUM "\",\"to_number\":\"+1 (555) 765-4321\","
        "\"override_agent_id\":\"agent_7f3c\"}",
        "{\"from_number\":\"" AGENT_NUM "\",\"to_number\":\"15557654321\","
        "\"override_agent_id\":\"agent_7f3c\"}",
        "{\"from_number\":\"" AGENT_NUM "\",\"to_number\":\"+05557654321\","
        "\"override_agent_id\":\"agent_7f3c\"}",
        "{\"from_number\":\"" AGENT_NUM "\",\"to_number\":\"+1234567890123456\","
        "\"override_agent_id\":\"agent_7f3c\"}",
        "{\"from_number\":\"" AGENT_NUM "\",\"to_number\":15557654321,"
        "\"override_agent_id\":\"agent_7f3c\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct mock_reply r = request(f, "POST", "/v2/create-phone-call", "Bearer " KEY, bodies[i]);
        if (r.status != 400)
            fail_msg("body %s: %d %s", bodies[i], r.status, r.raw);
        assert_error(&r, 400, "Invalid request format, please check API reference.");
    }
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4: from_number not bought or imported into the account (§2.3, 3rd-party). */
static void ao4_unowned_from_number_404(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = create(f, "Bearer " KEY, "+15550009999", EVAL, "agent_7f3c");
    assert_error(&r, 404, "Item +15550009999 not found from phone-number");
    /* the evaluator's number is not the account's either */
    r = create(f, "Bearer " KEY, EVAL, AGENT_NUM, "agent_7f3c");
    assert_error(&r, 404, "Item " EVAL " not found from phone-number");
    assert_nothing_placed(f);
    fx_free(f);
}

static void ao4_unknown_agent_404(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, "agent_x");
    assert_error(&r, 404, "Item agent_x not found from agent");
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4, H-3: the account runs out of credits: 402 from then on. */
static void ao4_out_of_credits_402(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.credits = 1});
    char *id = create_ok(f);
    for (int i = 0; i < 2; i++) {
        struct mock_reply r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, "agent_7f3c");
        assert_error(&r, 402, "Trial has ended, please add payment method.");
    }
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_int_equal(pstn_call_count(f->w.pstn), 1); /* only the paid call */
    free(id);
    fx_free(f);
}

/* ---- the accepted call (AO-1) ------------------------------------------- */

/* §1.3: 201 PhoneCallResponse, call_status registered. */
static void ao1_created_201(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, "agent_7f3c");
    assert_int_equal(r.status, 201);
    assert_int_equal(r.latency_ms, LATENCY_MS);
    const json_t *b = r.body;
    assert_string_equal(str(b, "call_type"), "phone_call");
    const char *id = str(b, "call_id");
    assert_non_null(id);
    assert_int_equal(strlen(id), 36);
    assert_string_equal(str(b, "agent_id"), "agent_7f3c");
    assert_true(json_is_integer(json_object_get(b, "agent_version")));
    assert_string_equal(str(b, "call_status"), "registered");
    assert_string_equal(str(b, "direction"), "outbound");
    assert_string_equal(str(b, "from_number"), AGENT_NUM);
    assert_string_equal(str(b, "to_number"), EVAL);
    assert_string_equal(str(json_object_get(b, "metadata"), "dialsim_run_id"), "run_1");
    assert_string_equal(str(json_object_get(b, "retell_llm_dynamic_variables"), "customer_name"),
                        "Ann");
    const char *sid = str(json_object_get(b, "telephony_identifier"), "twilio_call_sid");
    assert_non_null(sid);
    assert_int_equal(strlen(sid), 34);
    assert_memory_equal(sid, "CA", 2);
    assert_null(json_object_get(b, "disconnection_reason"));
    assert_null(json_object_get(b, "start_timestamp"));
    assert_null(json_object_get(b, "end_timestamp"));
    /* the dial is one event, dial_delay ahead */
    assert_int_equal(evq_pending(f->q), 1);
    assert_int_equal(evq_next_time(f->q), T0 + DIAL_DELAY_MS);
    pthread_mutex_lock(&f->w.mu);
    assert_non_null(mock_retell_find(f->retell, id));
    assert_null(mock_retell_find(f->retell, "nope"));
    pthread_mutex_unlock(&f->w.mu);
    mock_reply_free(&r);
    fx_free(f);
}

/* §3.3: registered → ongoing → ended / user_hangup, with the transcript. */
static void ao1_answered_registered_ongoing_ended(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->core.answer = true;
    char *id = create_ok(f);
    assert_call(f, id, "registered", NULL);
    run_until(f, T0 + DIAL_DELAY_MS - 1);
    assert_call(f, id, "registered", NULL);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_string_equal(f->core.from, AGENT_NUM); /* AO-3: the ANI is from_number */
    assert_string_equal(f->core.to, EVAL);
    assert_call(f, id, "ongoing", NULL);
    json_t *c = get_call(f, id);
    assert_int_equal(json_integer_value(json_object_get(c, "start_timestamp")), T0 + DIAL_DELAY_MS);
    assert_null(json_object_get(c, "transcript"));
    json_decref(c);
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS - 1);
    assert_call(f, id, "ongoing", NULL);
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_call(f, id, "ended", "user_hangup");
    c = get_call(f, id);
    assert_int_equal(json_integer_value(json_object_get(c, "end_timestamp")),
                     T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_int_equal(json_integer_value(json_object_get(c, "duration_ms")), DURATION_MS);
    assert_non_null(strstr(str(c, "transcript"), "Agent: "));
    assert_true(json_is_array(json_object_get(c, "transcript_object")));
    json_decref(c);
    free(id);
    fx_free(f);
}

/* AO-3: the core stays silent: not_connected / dial_no_answer at the ring timeout. */
static void ao3_silent_not_connected_dial_no_answer(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *id = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS + RING_MS - 1);
    assert_call(f, id, "registered", NULL);
    run_until(f, T0 + DIAL_DELAY_MS + RING_MS);
    assert_call(f, id, "not_connected", "dial_no_answer");
    json_t *c = get_call(f, id);
    assert_null(json_object_get(c, "start_timestamp"));
    assert_null(json_object_get(c, "transcript"));
    assert_int_equal(json_integer_value(json_object_get(c, "duration_ms")), 0);
    json_decref(c);
    free(id);
    fx_free(f);
}

/* AO-3: silence shown as busy: not_connected / dial_busy at the dial. */
static void ao3_silence_as_busy_dial_busy(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.silence_as_busy = true});
    char *id = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_call(f, id, "not_connected", "dial_busy");
    free(id);
    fx_free(f);
}

/* AO-4, §2.3: the concurrency limit is full: 201 registered, then
 * error / concurrency_limit_reached, never dialled. A slot frees when a call ends. */
static void ao4_concurrency_limit_error_after_201(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.concurrency_limit = 1});
    f->core.answer = true;
    char *first = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_call(f, first, "ongoing", NULL);

    struct mock_reply r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, "agent_7f3c");
    assert_int_equal(r.status, 201);
    assert_string_equal(str(r.body, "call_status"), "registered"); /* whatever comes next */
    assert_null(json_object_get(r.body, "disconnection_reason"));
    assert_string_equal(str(r.body, "from_number"), AGENT_NUM);
    char *second = strdup(str(r.body, "call_id"));
    mock_reply_free(&r);
    assert_call(f, second, "error", "concurrency_limit_reached");
    json_t *c = get_call(f, second);
    assert_string_equal(str(c, "from_number"), AGENT_NUM);
    json_decref(c);

    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_call(f, first, "ended", "user_hangup");
    assert_int_equal(pstn_call_count(f->w.pstn), 1); /* the refused call never dialled */
    char *third = create_ok(f);                      /* the slot is free again */
    run_until(f, T0 + 2 * DIAL_DELAY_MS + DURATION_MS);
    assert_call(f, third, "ongoing", NULL);
    assert_int_equal(pstn_call_count(f->w.pstn), 2);
    free(first);
    free(second);
    free(third);
    fx_free(f);
}

static void get_unknown_call_404(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = request(f, "GET", "/v2/get-call/call_nope", "Bearer " KEY, NULL);
    assert_error(&r, 404, "Item call_nope not found from call");
    fx_free(f);
}

/* ---- webhooks (§4.2) ------------------------------------------------------ */

/* A delivery is a Retell webhook for call id: event, call, and a signature
 * the core's own check accepts with the API key at the instant it arrives. */
static const json_t *expect_webhook(struct fx *f, int i, const char *event, const char *id,
                                    int64_t at)
{
    if (i >= f->sink.n)
        fail_msg("webhook %d (%s) never came; %d came", i, event, f->sink.n);
    const struct fake_delivery *d = &f->sink.d[i];
    assert_string_equal(d->provider, "retell");
    assert_non_null(d->json);
    assert_string_equal(str(d->json, "event"), event);
    const json_t *call = json_object_get(d->json, "call");
    assert_string_equal(str(call, "call_id"), id);
    assert_int_equal(d->at, at);
    assert_true(d->mutex_free);
    const char *sig = fake_sink_header(d, "x-retell-signature");
    assert_non_null(sig);
    char want[40];
    snprintf(want, sizeof want, "v=%lld,d=", (long long)at); /* signed as it leaves */
    assert_memory_equal(sig, want, strlen(want));
    char err[300];
    if (provider_retell.verify_webhook(d->headers, d->n_headers, d->body, strlen(d->body), KEY, at,
                                       err, sizeof err) != 0)
        fail_msg("webhook %d (%s): %s", i, event, err);
    assert_int_equal(provider_retell.verify_webhook(d->headers, d->n_headers, d->body,
                                                    strlen(d->body), KEY2, at, err, sizeof err),
                     -1);
    return call;
}

/* Connected: call_started, then call_ended and call_analyzed. */
static void h1_webhooks_answered_call(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->core.answer = true;
    char *id = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS + WH_DELAY_MS - 1);
    assert_int_equal(f->sink.n, 0);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 3);
    int64_t end = T0 + DIAL_DELAY_MS + DURATION_MS;
    const json_t *c = expect_webhook(f, 0, "call_started", id, T0 + DIAL_DELAY_MS + WH_DELAY_MS);
    assert_string_equal(str(c, "call_status"), "ongoing");
    c = expect_webhook(f, 1, "call_ended", id, end + WH_DELAY_MS);
    assert_string_equal(str(c, "call_status"), "ended");
    assert_string_equal(str(c, "disconnection_reason"), "user_hangup");
    assert_non_null(str(c, "transcript"));
    assert_null(json_object_get(c, "call_analysis"));
    c = expect_webhook(f, 2, "call_analyzed", id, end + WH_DELAY_MS);
    assert_string_equal(str(c, "disconnection_reason"), "user_hangup");
    assert_true(json_is_object(json_object_get(c, "call_analysis")));
    assert_true(
        json_is_true(json_object_get(json_object_get(c, "call_analysis"), "call_successful")));
    /* each delivery is journalled as mock "retell-webhook" with its status */
    pthread_mutex_lock(&f->w.mu);
    int journalled = 0;
    for (size_t i = 0; i < journal_count(f->w.journal); i++) {
        const struct journal_entry *e = journal_at(f->w.journal, i);
        if (strcmp(e->mock, "retell-webhook") == 0) {
            journalled++;
            assert_int_equal(e->status, 200);
            assert_non_null(mock_header_in(e->headers, e->headers_len, "x-retell-signature"));
        }
    }
    pthread_mutex_unlock(&f->w.mu);
    assert_int_equal(journalled, 3);
    free(id);
    fx_free(f);
}

/* §4.2: a call that never connected gets no call_started. */
static void h1_webhooks_not_connected_no_call_started(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *id = create_ok(f);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 2);
    int64_t at = T0 + DIAL_DELAY_MS + RING_MS + WH_DELAY_MS;
    const json_t *c = expect_webhook(f, 0, "call_ended", id, at);
    assert_string_equal(str(c, "call_status"), "not_connected");
    assert_string_equal(str(c, "disconnection_reason"), "dial_no_answer");
    c = expect_webhook(f, 1, "call_analyzed", id, at);
    assert_string_equal(str(c, "disconnection_reason"), "dial_no_answer");
    assert_true(
        json_is_false(json_object_get(json_object_get(c, "call_analysis"), "call_successful")));
    free(id);
    fx_free(f);
}

/* AO-4: the refused call's webhooks say error / concurrency_limit_reached,
 * for the call as it was asked for. */
static void ao4_webhooks_concurrency_refusal(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.concurrency_limit = 1});
    f->core.answer = true;
    char *first = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS + WH_DELAY_MS); /* call_started of the first */
    assert_int_equal(f->sink.n, 1);
    char *second = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS + 2 * WH_DELAY_MS);
    assert_int_equal(f->sink.n, 3);
    int64_t at = T0 + DIAL_DELAY_MS + 2 * WH_DELAY_MS;
    const json_t *c = expect_webhook(f, 1, "call_ended", second, at);
    assert_string_equal(str(c, "call_status"), "error");
    assert_string_equal(str(c, "disconnection_reason"), "concurrency_limit_reached");
    assert_string_equal(str(c, "from_number"), AGENT_NUM);
    assert_string_equal(str(c, "to_number"), EVAL);
    c = expect_webhook(f, 2, "call_analyzed", second, at);
    assert_string_equal(str(c, "from_number"), AGENT_NUM);
    free(first);
    free(second);
    fx_free(f);
}

/* providers.md §4.2: a webhook not answered 2xx is sent again (up to 3
 * times, 1 s apart by default), signed anew; one answered 200 is not. */
static void h1_webhooks_retried_until_taken(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->sink.refuse = 3; /* call_ended twice, call_analyzed once */
    char *id = create_ok(f);
    run_until(f, INT64_MAX);
    int64_t at = T0 + DIAL_DELAY_MS + RING_MS + WH_DELAY_MS;
    assert_int_equal(f->sink.n, 5);
    expect_webhook(f, 0, "call_ended", id, at);
    expect_webhook(f, 1, "call_analyzed", id, at);
    expect_webhook(f, 2, "call_ended", id, at + 1000);
    expect_webhook(f, 3, "call_analyzed", id, at + 1000);
    expect_webhook(f, 4, "call_ended", id, at + 2000);
    /* the same bytes, a new signature (its time is the retry's) */
    assert_string_equal(f->sink.d[0].body, f->sink.d[2].body);
    assert_string_not_equal(fake_sink_header(&f->sink.d[0], "x-retell-signature"),
                            fake_sink_header(&f->sink.d[2], "x-retell-signature"));
    free(id);
    fx_free(f);
}

/* Three retries at most: a webhook the core never takes is sent 4 times. */
static void h1_webhooks_retries_bounded(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->sink.refuse = 100;
    char *id = create_ok(f);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 8); /* 2 webhooks x 4 sendings */
    int64_t at = T0 + DIAL_DELAY_MS + RING_MS + WH_DELAY_MS;
    expect_webhook(f, 6, "call_ended", id, at + 3000);
    free(id);
    fx_free(f);
}

/* No webhooks object in the scenario: nothing is sent. */
static void webhooks_off_sends_nothing(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.no_webhooks = true});
    f->core.answer = true;
    char *id = create_ok(f);
    run_until(f, INT64_MAX);
    assert_call(f, id, "ended", "user_hangup");
    assert_int_equal(f->sink.n, 0);
    free(id);
    fx_free(f);
}

/* H-2: the same seed gives the same call ids. */
static void h2_deterministic_ids(void **state)
{
    (void)state;
    char ids[3][48];
    static const uint64_t seeds[3] = {42, 42, 43};
    for (int k = 0; k < 3; k++) {
        struct fx *f = fx_new((struct opts){.seed = seeds[k]});
        char *id = create_ok(f);
        snprintf(ids[k], sizeof ids[k], "%s", id);
        free(id);
        fx_free(f);
    }
    assert_string_equal(ids[0], ids[1]);
    assert_string_not_equal(ids[0], ids[2]);
}

/* providers.md §3.1, §3.3: user_declined and invalid_destination are
 * not_connected; voicemail_reached ended (the call connected). */
static void vocabulary_declined_invalid_voicemail(void **state)
{
    (void)state;
    struct mock_call c = {.state = MC_ENDED};
    c.end = MC_END_DECLINED;
    assert_string_equal(mock_retell_disconnection(&c), "user_declined");
    assert_string_equal(mock_retell_status(&c), "not_connected");
    c.end = MC_END_INVALID;
    assert_string_equal(mock_retell_disconnection(&c), "invalid_destination");
    assert_string_equal(mock_retell_status(&c), "not_connected");
    c.end = MC_END_VOICEMAIL;
    assert_string_equal(mock_retell_disconnection(&c), "voicemail_reached");
    assert_string_equal(mock_retell_status(&c), "ended");
}

/* Issue 11: what retell-sdk's types require of an ended call: words in each
 * utterance, call_analysis and call_cost. */
static void sdk_ended_call_words_analysis_cost(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->core.answer = true;
    char *id = create_ok(f);
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS);
    json_t *c = get_call(f, id);
    const json_t *u0 = json_array_get(json_object_get(c, "transcript_object"), 0);
    const json_t *w0 = json_array_get(json_object_get(u0, "words"), 0);
    assert_non_null(w0);
    assert_string_equal(str(w0, "word"), "Hello,");
    assert_true(json_number_value(json_object_get(w0, "start")) <
                json_number_value(json_object_get(w0, "end")));
    assert_true(json_is_true(mock_json_path(c, "call_analysis.call_successful")));
    assert_true(json_is_number(mock_json_path(c, "call_cost.combined_cost")));
    assert_true(json_is_array(mock_json_path(c, "call_cost.product_costs")));
    json_decref(c);
    free(id);
    fx_free(f);
}

static struct mock_reply list(struct fx *f, const char *body)
{
    return request(f, "POST", "/v3/list-calls", "Bearer " KEY, body);
}

/* Issue 11: list (newest first, pagination_key the last id), update, delete. */
static void sdk_list_update_delete(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = create_ok(f);
    struct mock_reply r = list(f, "{\"limit\":2,\"include_total\":true}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str(mock_json_path(r.body, "items.0"), "call_id"), ids[2]);
    assert_string_equal(str(mock_json_path(r.body, "items.1"), "call_id"), ids[1]);
    assert_true(json_is_true(json_object_get(r.body, "has_more")));
    assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 3);
    char body[200];
    snprintf(body, sizeof body, "{\"limit\":2,\"pagination_key\":\"%s\"}", ids[1]);
    mock_reply_free(&r);
    r = list(f, body);
    assert_int_equal(json_array_size(json_object_get(r.body, "items")), 1);
    assert_string_equal(str(mock_json_path(r.body, "items.0"), "call_id"), ids[0]);
    assert_true(json_is_false(json_object_get(r.body, "has_more")));
    mock_reply_free(&r);
    snprintf(body, sizeof body, "/v2/update-call/%s", ids[0]);
    r = request(f, "PATCH", body, "Bearer " KEY, "{\"metadata\":{\"k\":\"v\"}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(mock_json_path(r.body, "metadata.k")), "v");
    mock_reply_free(&r);
    snprintf(body, sizeof body, "/v2/delete-call/%s", ids[0]);
    r = request(f, "DELETE", body, "Bearer " KEY, NULL);
    assert_int_equal(r.status, 204);
    mock_reply_free(&r);
    snprintf(body, sizeof body, "/v2/get-call/%s", ids[0]);
    r = request(f, "GET", body, "Bearer " KEY, NULL);
    assert_int_equal(r.status, 404);
    mock_reply_free(&r);
    r = list(f, "{\"filter_criteria\":{\"call_status\":{\"op\":\"in\",\"type\":\"enum\","
                "\"value\":[\"registered\"]}}}");
    assert_int_equal(json_array_size(json_object_get(r.body, "items")), 2);
    mock_reply_free(&r);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
    fx_free(f);
}

/* Issue 11: a number's outbound agent runs a call that names none; set
 * through update-phone-number (the SDK encodes the + as %2B). */
static void sdk_number_outbound_agent(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, NULL);
    assert_int_equal(r.status, 400);
    mock_reply_free(&r);
    r = request(f, "PATCH", "/update-phone-number/%2B15551234567", "Bearer " KEY,
                "{\"outbound_agent_id\":\"agent_b2\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str(mock_json_path(r.body, "outbound_agents.0"), "agent_id"), "agent_b2");
    mock_reply_free(&r);
    r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(str(r.body, "agent_id"), "agent_b2");
    mock_reply_free(&r);
    r = request(f, "DELETE", "/delete-phone-number/%2B15551234567", "Bearer " KEY, NULL);
    assert_int_equal(r.status, 204);
    mock_reply_free(&r);
    r = create(f, "Bearer " KEY, AGENT_NUM, EVAL, "agent_b2");
    assert_int_equal(r.status, 404);
    mock_reply_free(&r);
    fx_free(f);
}

/* Issue 11: Retell's own 404 and 405; ignore_e164_validation honoured. */
static void sdk_own_errors_and_e164(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = request(f, "GET", "/v2/no-such", "Bearer " KEY, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.raw, "{\"status\":\"error\",\"message\":\"Not Found\"}");
    mock_reply_free(&r);
    r = request(f, "POST", "/v2/get-call/x", "Bearer " KEY, NULL);
    assert_int_equal(r.status, 405);
    assert_string_equal(str(r.body, "status"), "error");
    mock_reply_free(&r);
    r = request(f, "POST", "/v2/create-phone-call", "Bearer " KEY,
                "{\"from_number\":\"" AGENT_NUM "\",\"to_number\":\"5557654321\","
                "\"override_agent_id\":\"agent_b2\",\"ignore_e164_validation\":true}");
    assert_int_equal(r.status, 201);
    mock_reply_free(&r);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(h1_webhooks_retried_until_taken),
        cmocka_unit_test(h1_webhooks_retries_bounded),
        cmocka_unit_test(vocabulary_declined_invalid_voicemail),
        cmocka_unit_test(ao4_missing_or_invalid_key_401),
        cmocka_unit_test(ao4_bad_request_400),
        cmocka_unit_test(ao4_unowned_from_number_404),
        cmocka_unit_test(ao4_unknown_agent_404),
        cmocka_unit_test(ao4_out_of_credits_402),
        cmocka_unit_test(ao1_created_201),
        cmocka_unit_test(ao1_answered_registered_ongoing_ended),
        cmocka_unit_test(ao3_silent_not_connected_dial_no_answer),
        cmocka_unit_test(ao3_silence_as_busy_dial_busy),
        cmocka_unit_test(ao4_concurrency_limit_error_after_201),
        cmocka_unit_test(get_unknown_call_404),
        cmocka_unit_test(h1_webhooks_answered_call),
        cmocka_unit_test(h1_webhooks_not_connected_no_call_started),
        cmocka_unit_test(ao4_webhooks_concurrency_refusal),
        cmocka_unit_test(webhooks_off_sends_nothing),
        cmocka_unit_test(h2_deterministic_ids),
        cmocka_unit_test(sdk_ended_call_words_analysis_cost),
        cmocka_unit_test(sdk_list_update_delete),
        cmocka_unit_test(sdk_number_outbound_agent),
        cmocka_unit_test(sdk_own_errors_and_e164),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
