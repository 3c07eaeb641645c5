/* Unit tests for mocks/mock_vapi, driven through mock_world_dispatch
 * (mocks/mock_server.h) with hand-made requests: no network. The world is
 * built by hand: an evq as the clock, a journal, a PSTN whose core side is a
 * fake that answers per a flag, and the Vapi mock. H-1: the mock's answers are
 * Vapi's real ones (status codes, NestJS error bodies); AO-4: the refusals the
 * core must turn into reasons; AO-1/AO-3: an accepted call reaches the PSTN
 * from the phone number's ANI, and what became of it shows on GET /call/{id}.
 *
 * Locking: dispatch runs with w->mu held, as the server does. The observer
 * callbacks that the PSTN runs from evq events take w->mu themselves, so
 * events run without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "journal.h"
#include "mock_provider.h"
#include "mock_server.h"
#include "mock_vapi.h"
#include "pstn.h"
#include "sim/evq.h"
#include "fake_lines.h"
#include "mock_world_fixture.h"

#define T0 INT64_C(1767269100000)
#define KEY "sk-good-0001"
#define AGENT "+15550001111" /* the number behind phoneNumberId pn-1: the ANI */
#define EVAL "+15557770000"  /* the evaluator's number: a core line */
#define LATENCY_MS 250
#define DIAL_DELAY_MS 2000
#define RING_MS 30000
#define DURATION_MS 60000

struct fx {
    struct mock_world w;
    struct mock_vapi *vapi; /* attached to w */
    struct evq *q;
    struct fake_core core;
};

/* A Vapi account with a concurrency limit and a bound on the ended calls it
 * keeps (0: none of either). */
static struct fx *fx_new_limited(uint64_t seed, bool silence_as_busy, int concurrency_limit,
                                 size_t max_ended_calls)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct pstn_config pc = {.call_duration_ms = DURATION_MS, .silence_as_busy = silence_as_busy};
    mock_world_open(&f->w, &f->q, T0, &pc, &f->core, EVAL);

    json_t *keys = json_pack("[s]", KEY);
    json_t *assistants = json_pack("[s,s]", "asst-1", "asst-2");
    json_t *numbers = json_pack("[{s:s,s:s}]", "id", "pn-1", "number", AGENT);
    struct mock_provider_config vc = {
        .keys = keys,
        .agents = assistants,
        .credits = -1,
        .call_cost = 1,
        .phone_numbers = numbers,
        .latency_ms = LATENCY_MS,
        .dial_delay_ms = DIAL_DELAY_MS,
        .ring_timeout_ms = RING_MS,
        .seed = seed,
        .concurrency_limit = concurrency_limit,
        .max_ended_calls = max_ended_calls,
    };
    assert_int_equal(mock_vapi_create(&f->vapi, &f->w, &vc), 0);
    assert_int_equal(mock_world_attach(&f->w, &mock_vapi_ops, f->vapi), 0);
    json_decref(keys); /* config values are copied */
    json_decref(assistants);
    json_decref(numbers);
    return f;
}

static struct fx *fx_new(uint64_t seed, bool silence_as_busy)
{
    return fx_new_limited(seed, silence_as_busy, 0, 0);
}

/* The Call object as GET /call/{id} renders it; kept until fx_free. */
static json_t *views[16];
static size_t n_views;
static const json_t *mock_vapi_call(const struct mock_vapi *v, const char *id)
{
    const struct mock_call *c = mock_vapi_find(v, id);
    if (!c)
        return NULL;
    json_t *j = mock_vapi_call_json(v, c);
    if (n_views < 16)
        views[n_views++] = j;
    return j;
}

static void fx_free(struct fx *f)
{
    while (n_views > 0)
        json_decref(views[--n_views]);
    mock_world_detach(&f->w, f->vapi);
    mock_vapi_destroy(f->vapi);
    mock_world_close(&f->w, f->q);
    free(f);
}

struct reply {
    int status;
    json_t *body; /* parsed; owned */
    int64_t latency_ms;
};

static struct reply request(struct fx *f, const char *method, const char *path, const char *auth,
                            const char *body)
{
    struct mock_reply m = mock_world_request(&f->w, method, path, "authorization", auth, body);
    free(m.raw);
    return (struct reply){m.status, m.body, m.latency_ms};
}

/* POST /call body; NULL leaves a field out. */
static char *call_body(const char *asst, const char *pnid, const char *number)
{
    json_t *b = json_object();
    if (asst)
        json_object_set_new(b, "assistantId", json_string(asst));
    if (pnid)
        json_object_set_new(b, "phoneNumberId", json_string(pnid));
    if (number)
        json_object_set_new(b, "customer", json_pack("{s:s}", "number", number));
    json_object_set_new(b, "assistantOverrides",
                        json_pack("{s:{s:s}}", "metadata", "dialsim_run_id", "run-1"));
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

static struct reply post_call(struct fx *f, const char *auth, const char *asst, const char *pnid,
                              const char *number)
{
    char *b = call_body(asst, pnid, number);
    struct reply r = request(f, "POST", "/call", auth, b);
    free(b);
    return r;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* GET /call/{id}: the call's status now, or NULL; *reason gets endedReason. */
static char *call_status(struct fx *f, const char *id, char *reason, size_t n)
{
    char path[96];
    snprintf(path, sizeof path, "/call/%s", id);
    struct reply r = request(f, "GET", path, "Bearer " KEY, NULL);
    assert_int_equal(r.status, 200);
    const char *er = str(r.body, "endedReason");
    snprintf(reason, n, "%s", er ? er : "");
    char *st = strdup(str(r.body, "status"));
    json_decref(r.body);
    return st;
}

static void assert_call_status(struct fx *f, const char *id, const char *status,
                               const char *ended_reason)
{
    char reason[64];
    char *st = call_status(f, id, reason, sizeof reason);
    assert_string_equal(st, status);
    assert_string_equal(reason, ended_reason);
    free(st);
}

/* Run events due by `until` WITHOUT holding w->mu (observers take it). */
static void run_until(struct fx *f, int64_t until)
{
    while (evq_run_next(f->q, until))
        ;
}

/* Nothing was set in motion: no event, no PSTN call, no offer. */
static void assert_nothing_placed(struct fx *f)
{
    assert_int_equal(evq_pending(f->q), 0);
    run_until(f, INT64_MAX);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    assert_int_equal(f->core.offers, 0);
}

/* AO-4 (missing key): the exact 401 Vapi gives without Authorization. */
static void ao4_missing_authorization_401(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, NULL, "asst-1", "pn-1", EVAL);
    assert_int_equal(r.status, 401);
    assert_string_equal(str(r.body, "message"), "Unauthorized");
    assert_int_equal(json_integer_value(json_object_get(r.body, "statusCode")), 401);
    assert_int_equal(r.latency_ms, LATENCY_MS); /* refusals take their time too */
    json_decref(r.body);
    r = post_call(f, "", "asst-1", "pn-1", EVAL);
    assert_int_equal(r.status, 401);
    assert_string_equal(str(r.body, "message"), "Unauthorized");
    json_decref(r.body);
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4 (invalid key). */
static void ao4_wrong_key_401(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    static const char *bad[] = {"Bearer sk-wrong", "Basic " KEY,      KEY,
                                "Bearer ",         "Bearer " KEY "x", "Bearer  " KEY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct reply r = post_call(f, bad[i], "asst-1", "pn-1", EVAL);
        assert_int_equal(r.status, 401);
        const char *m = str(r.body, "message");
        assert_non_null(m);
        if (strcmp(m, "Invalid Key. Hot tip, you may be using the private key instead of the "
                      "public key, or vice versa.") != 0)
            fail_msg("Authorization \"%s\" got message \"%s\"", bad[i], m);
        assert_string_equal(str(r.body, "error"), "Unauthorized");
        assert_int_equal(json_integer_value(json_object_get(r.body, "statusCode")), 401);
        json_decref(r.body);
    }
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4 / AO-5 (malformed numbers): class-validator's 400 with a message ARRAY. */
static void ao5_non_e164_customer_number_400(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    static const char *bad[] = {
        "+1 (555) 777-0000", "15557770000", "+05557770000", "+1234567890123456", "", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", bad[i]);
        assert_int_equal(r.status, 400);
        json_t *m = json_object_get(r.body, "message");
        if (!json_is_array(m) || json_array_size(m) != 1)
            fail_msg("number \"%s\": message is not a one-element array",
                     bad[i] ? bad[i] : "(none)");
        assert_non_null(strstr(json_string_value(json_array_get(m, 0)),
                               "customer.number must be a valid phone number in the E.164 format"));
        assert_string_equal(str(r.body, "error"), "Bad Request");
        assert_int_equal(json_integer_value(json_object_get(r.body, "statusCode")), 400);
        json_decref(r.body);
    }
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4: Vapi's own words for an assistant it does not know. */
static void unknown_assistant_400(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, "Bearer " KEY, "asst-x", "pn-1", EVAL);
    assert_int_equal(r.status, 400);
    assert_string_equal(str(r.body, "message"),
                        "Couldn't Get Assistant. `assistantId` asst-x Does Not Exist.");
    assert_string_equal(str(r.body, "error"), "Bad Request");
    json_decref(r.body);
    assert_nothing_placed(f);
    fx_free(f);
}

static void missing_phone_number_id_400(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", NULL, EVAL);
    assert_int_equal(r.status, 400);
    assert_string_equal(str(r.body, "message"),
                        "Couldn't Get Phone Number. Need Either `phoneNumberId` Or `phoneNumber`.");
    json_decref(r.body);
    r = post_call(f, "Bearer " KEY, "asst-1", "", EVAL);
    assert_int_equal(r.status, 400);
    json_decref(r.body);
    assert_nothing_placed(f);
    fx_free(f);
}

static void unknown_phone_number_id_400(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-9", EVAL);
    assert_int_equal(r.status, 400);
    assert_string_equal(str(r.body, "message"),
                        "Couldn't Get Phone Number. `phoneNumberId` pn-9 Does Not Exist.");
    json_decref(r.body);
    assert_nothing_placed(f);
    fx_free(f);
}

static void body_not_json_400(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = request(f, "POST", "/call", "Bearer " KEY, "{\"assistantId\":");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(str(r.body, "message"), "Unexpected token in JSON"));
    json_decref(r.body);
    r = request(f, "POST", "/call", "Bearer " KEY, "[1,2]");
    assert_int_equal(r.status, 400);
    json_decref(r.body);
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-1: an accepted call is a 201 with Vapi's Call object, queued. */
static void ao1_good_call_201(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.latency_ms, LATENCY_MS);
    const char *id = str(r.body, "id");
    assert_non_null(id);
    assert_int_equal(strlen(id), 36); /* UUID-shaped */
    assert_int_equal(id[14], '4');
    assert_string_equal(str(r.body, "status"), "queued");
    assert_string_equal(str(r.body, "type"), "outboundPhoneCall");
    assert_non_null(str(r.body, "orgId"));
    assert_int_equal(strlen(str(r.body, "orgId")), 36);
    char iso[40];
    assert_string_equal(str(r.body, "createdAt"), ts_iso(T0, iso, sizeof iso));
    assert_string_equal(str(r.body, "assistantId"), "asst-1");
    assert_string_equal(str(r.body, "phoneNumberId"), "pn-1");
    assert_string_equal(str(json_object_get(r.body, "customer"), "number"), EVAL);
    assert_string_equal(
        str(json_object_get(json_object_get(r.body, "assistantOverrides"), "metadata"),
            "dialsim_run_id"),
        "run-1");
    assert_null(json_object_get(r.body, "endedReason"));
    /* The dial is one event, dial_delay ahead; nothing has happened yet. */
    assert_int_equal(evq_pending(f->q), 1);
    assert_int_equal(evq_next_time(f->q), T0 + DIAL_DELAY_MS);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    /* The mock's view agrees with GET. */
    pthread_mutex_lock(&f->w.mu);
    const json_t *c = mock_vapi_call(f->vapi, id);
    assert_non_null(c);
    assert_string_equal(str(c, "status"), "queued");
    assert_null(mock_vapi_call(f->vapi, "no-such-call"));
    pthread_mutex_unlock(&f->w.mu);
    json_decref(r.body);
    fx_free(f);
}

/* AO-1 + AO-3: the dial leaves from the phone number's ANI after dial_delay;
 * a core that stays silent makes the provider see customer-did-not-answer at
 * exactly the ring timeout. */
static void ao3_silent_core_customer_did_not_answer(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    assert_int_equal(r.status, 201);
    char *id = strdup(str(r.body, "id"));
    json_decref(r.body);

    run_until(f, T0 + DIAL_DELAY_MS - 1);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    assert_call_status(f, id, "queued", "");

    run_until(f, T0 + DIAL_DELAY_MS);
    assert_int_equal(pstn_call_count(f->w.pstn), 1);
    const struct pstn_call *pc = pstn_call_at(f->w.pstn, 0);
    assert_string_equal(pc->from, AGENT);
    assert_string_equal(pc->to, EVAL);
    assert_int_equal(pc->placed_at, T0 + DIAL_DELAY_MS);
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.from, AGENT);
    assert_string_equal(f->core.to, EVAL);
    assert_int_equal(f->core.offered_at, T0 + DIAL_DELAY_MS);
    assert_call_status(f, id, "ringing", "");

    run_until(f, T0 + DIAL_DELAY_MS + RING_MS - 1);
    assert_call_status(f, id, "ringing", "");
    run_until(f, INT64_MAX);
    assert_int_equal(evq_now(f->q), T0 + DIAL_DELAY_MS + RING_MS);
    assert_call_status(f, id, "ended", "customer-did-not-answer");

    char iso[40];
    pthread_mutex_lock(&f->w.mu);
    const json_t *c = mock_vapi_call(f->vapi, id);
    assert_string_equal(str(c, "endedAt"), ts_iso(T0 + DIAL_DELAY_MS + RING_MS, iso, sizeof iso));
    assert_null(json_object_get(c, "startedAt"));
    pthread_mutex_unlock(&f->w.mu);
    free(id);
    fx_free(f);
}

/* AO-3: with silence shown as busy, the provider sees customer-busy at the dial. */
static void ao3_silence_as_busy_customer_busy(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, true);
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    char *id = strdup(str(r.body, "id"));
    json_decref(r.body);
    run_until(f, INT64_MAX);
    assert_int_equal(evq_now(f->q), T0 + DIAL_DELAY_MS);
    assert_call_status(f, id, "ended", "customer-busy");
    free(id);
    fx_free(f);
}

/* Answered: in-progress during the call, then customer-ended-call with a cost. */
static void answered_customer_ended_call(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    f->core.answer = true;
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    char *id = strdup(str(r.body, "id"));
    json_decref(r.body);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_call_status(f, id, "in-progress", "");
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS - 1);
    assert_call_status(f, id, "in-progress", "");
    run_until(f, INT64_MAX);
    assert_int_equal(f->core.hangups, 1);
    assert_call_status(f, id, "ended", "customer-ended-call");
    char iso[40];
    pthread_mutex_lock(&f->w.mu);
    const json_t *c = mock_vapi_call(f->vapi, id);
    assert_string_equal(str(c, "startedAt"), ts_iso(T0 + DIAL_DELAY_MS, iso, sizeof iso));
    assert_string_equal(str(c, "endedAt"),
                        ts_iso(T0 + DIAL_DELAY_MS + DURATION_MS, iso, sizeof iso));
    double cost = json_number_value(json_object_get(c, "cost")); /* 1 min at $0.10 */
    assert_true(cost > 0.0999 && cost < 0.1001);
    /* the read-back of an answered call (issue 11): the conversation, the
     * analysis and the costs, as the SDK's Call type has them */
    const json_t *art = json_object_get(c, "artifact");
    assert_true(json_is_string(json_object_get(art, "transcript")));
    assert_true(json_is_array(json_object_get(art, "messages")));
    assert_true(json_is_array(json_object_get(c, "messages")));
    assert_true(json_is_string(json_object_get(json_object_get(c, "analysis"), "summary")));
    const json_t *costs = json_object_get(c, "costs");
    assert_int_equal(json_array_size(costs), 2);
    assert_string_equal(str(json_array_get(costs, 0), "type"), "transport");
    assert_true(json_is_number(json_object_get(json_array_get(costs, 1), "cost")));
    pthread_mutex_unlock(&f->w.mu);
    free(id);
    fx_free(f);
}

/* Every request is journalled, in order, with its virtual arrival time, the
 * mock that owns the route, the lower-cased headers, the body and the status. */
static void every_request_journalled(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = post_call(f, NULL, "asst-1", "pn-1", EVAL);
    json_decref(r.body);
    r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    char *id = strdup(str(r.body, "id"));
    json_decref(r.body);
    run_until(f, T0 + DIAL_DELAY_MS);
    char path[96];
    snprintf(path, sizeof path, "/call/%s", id);
    r = request(f, "GET", path, "Bearer " KEY, NULL);
    json_decref(r.body);
    r = request(f, "GET", "/nope", NULL, NULL);
    json_decref(r.body);

    pthread_mutex_lock(&f->w.mu);
    assert_int_equal(journal_count(f->w.journal), 4);
    const struct journal_entry *e = journal_at(f->w.journal, 0);
    assert_string_equal(e->mock, "vapi");
    assert_string_equal(e->method, "POST");
    assert_string_equal(e->path, "/call");
    assert_int_equal(e->status, 401);
    assert_int_equal(e->at, T0);
    assert_null(mock_header_in(e->headers, e->headers_len, "authorization"));

    e = journal_at(f->w.journal, 1);
    assert_int_equal(e->status, 201);
    assert_int_equal(e->at, T0);
    assert_string_equal(mock_header_in(e->headers, e->headers_len, "authorization"), "Bearer " KEY);
    /* the server keeps the body's text, not its tree; parsed when asked */
    assert_null(e->json);
    json_t *body = journal_entry_body(e);
    assert_string_equal(str(json_object_get(body, "customer"), "number"), EVAL);
    json_decref(body);

    e = journal_at(f->w.journal, 2);
    assert_string_equal(e->method, "GET");
    assert_string_equal(e->path, path);
    assert_int_equal(e->status, 200);
    assert_int_equal(e->at, T0 + DIAL_DELAY_MS);
    assert_string_equal(e->body, "");

    e = journal_at(f->w.journal, 3);
    assert_string_equal(e->mock, "none");
    assert_int_equal(e->status, 404);
    assert_int_equal(e->at, T0 + DIAL_DELAY_MS);
    pthread_mutex_unlock(&f->w.mu);
    free(id);
    fx_free(f);
}

/* Routes nobody serves: NestJS's 404. */
/* Bounded memory (issue 10): the account keeps the last max_ended_calls ended
 * calls; GET of an evicted one is Vapi's own 404, like a call that never was;
 * a live call is never evicted, and counts as active until it ends. Calls
 * past the concurrency limit are accepted and end at once (Vapi's 201 then
 * ended), which ends calls without the clock. */
static void evicted_call_is_vapi_404(void **state)
{
    (void)state;
    struct fx *f = fx_new_limited(1, false, 1, 2);
    char ids[5][48];
    for (int i = 0; i < 5; i++) {
        struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
        assert_int_equal(r.status, 201);
        snprintf(ids[i], sizeof ids[i], "%s", str(r.body, "id"));
        json_decref(r.body);
    }
    struct mock_account_stats st;
    mock_account_get_stats(mock_vapi_account(f->vapi), &st);
    assert_int_equal(st.live, 1); /* the first: queued, then ringing */
    assert_int_equal(st.ended, 2);
    assert_int_equal(st.evicted, 2);
    assert_int_equal(mock_account_active(mock_vapi_account(f->vapi)), 1);
    for (int i = 1; i <= 2; i++) {
        char path[96];
        snprintf(path, sizeof path, "/call/%s", ids[i]);
        struct reply r = request(f, "GET", path, "Bearer " KEY, NULL);
        assert_int_equal(r.status, 404);
        assert_string_equal(str(r.body, "message"), "Call not found");
        assert_string_equal(str(r.body, "error"), "Not Found");
        assert_int_equal(json_integer_value(json_object_get(r.body, "statusCode")), 404);
        json_decref(r.body);
    }
    assert_call_status(f, ids[0], "queued", "");
    assert_call_status(f, ids[4], "ended",
                       "call.start.error-subscription-concurrency-limit-reached");
    /* the live call rings out: it ends, and the oldest kept ended call goes */
    run_until(f, INT64_MAX);
    mock_account_get_stats(mock_vapi_account(f->vapi), &st);
    assert_int_equal(st.live, 0);
    assert_int_equal(st.ended, 2);
    assert_int_equal(st.evicted, 3);
    assert_call_status(f, ids[0], "ended", "customer-did-not-answer");
    assert_null(mock_vapi_find(f->vapi, ids[3]));
    assert_non_null(mock_vapi_find(f->vapi, ids[4]));
    /* GET /call lists the kept ones only, newest first (issue 11) */
    struct reply l = request(f, "GET", "/call", "Bearer " KEY, NULL);
    assert_int_equal(l.status, 200);
    assert_int_equal(json_array_size(l.body), 2);
    assert_string_equal(str(json_array_get(l.body, 0), "id"), ids[4]);
    assert_string_equal(str(json_array_get(l.body, 1), "id"), ids[0]);
    json_decref(l.body);
    fx_free(f);
}

static void unknown_route_404(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    /* a path of no route in Vapi's description (issue 12: /assistant is a
     * catalogue route now, served by the generic handler) */
    struct reply r = request(f, "GET", "/call/c-1/no-such-part", "Bearer " KEY, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(str(r.body, "message"), "Cannot GET /call/c-1/no-such-part");
    assert_string_equal(str(r.body, "error"), "Not Found");
    assert_int_equal(json_integer_value(json_object_get(r.body, "statusCode")), 404);
    json_decref(r.body);
    /* A Vapi path with a method Vapi does not serve there. */
    r = request(f, "DELETE", "/call", "Bearer " KEY, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(str(r.body, "message"), "Cannot DELETE /call");
    json_decref(r.body);
    /* A call id nobody created. */
    r = request(f, "GET", "/call/00000000-0000-4000-8000-000000000000", "Bearer " KEY, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(str(r.body, "message"), "Call not found");
    json_decref(r.body);
    fx_free(f);
}

/* A scenario without a Vapi account: /call is just an unknown route. */
static void world_without_vapi_404(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    mock_world_detach(&f->w, f->vapi);
    mock_vapi_destroy(f->vapi);
    f->vapi = NULL;
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    assert_int_equal(r.status, 404);
    assert_string_equal(str(r.body, "message"), "Cannot POST /call");
    json_decref(r.body);
    assert_nothing_placed(f);
    fx_free(f);
}

/* H-2: same seed, same ids; another seed, other ids. */
static void deterministic_ids(void **state)
{
    (void)state;
    char ids[3][2][40], orgs[3][40];
    static const uint64_t seeds[3] = {42, 42, 43};
    for (int k = 0; k < 3; k++) {
        struct fx *f = fx_new(seeds[k], false);
        for (int i = 0; i < 2; i++) {
            struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
            assert_int_equal(r.status, 201);
            snprintf(ids[k][i], sizeof ids[k][i], "%s", str(r.body, "id"));
            snprintf(orgs[k], sizeof orgs[k], "%s", str(r.body, "orgId"));
            json_decref(r.body);
        }
        fx_free(f);
    }
    assert_string_equal(ids[0][0], ids[1][0]);
    assert_string_equal(ids[0][1], ids[1][1]);
    assert_string_equal(orgs[0], orgs[1]);
    assert_string_not_equal(ids[0][0], ids[0][1]);
    assert_string_not_equal(ids[0][0], ids[2][0]);
    assert_string_not_equal(orgs[0], orgs[2]);
}

/* Two calls in one world: each keeps its own id and fate. */
static void two_calls_two_fates(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    f->core.answer = true;
    struct reply r = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    char *first = strdup(str(r.body, "id"));
    json_decref(r.body);
    run_until(f, T0 + DIAL_DELAY_MS); /* the first is answered */
    f->core.answer = false;
    r = post_call(f, "Bearer " KEY, "asst-2", "pn-1", EVAL);
    char *second = strdup(str(r.body, "id"));
    char iso[40];
    assert_string_equal(str(r.body, "createdAt"), ts_iso(T0 + DIAL_DELAY_MS, iso, sizeof iso));
    json_decref(r.body);
    run_until(f, INT64_MAX);
    assert_call_status(f, first, "ended", "customer-ended-call");
    assert_call_status(f, second, "ended", "customer-did-not-answer");
    assert_int_equal(pstn_call_count(f->w.pstn), 2);
    free(first);
    free(second);
    fx_free(f);
}

/* An inline assistant (no assistantId) is a transient assistant; its
 * server's secret signs the call's webhooks in X-Vapi-Secret (issue 11). */
static void inline_assistant_and_its_server_secret(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct fake_sink sink = {0};
    mock_world_open_webhooks(&f->w, f->q, &sink);
    struct reply r =
        request(f, "POST", "/call", "Bearer " KEY,
                "{\"phoneNumberId\":\"pn-1\",\"customer\":{\"number\":\"+15550009999\"},"
                "\"assistant\":{\"name\":\"T\",\"server\":{\"url\":\"http://u/h\","
                "\"secret\":\"s3\"}},\"assistantOverrides\":{\"firstMessage\":\"Hi\"}}");
    assert_int_equal(r.status, 201);
    assert_null(json_object_get(r.body, "assistantId"));
    assert_string_equal(str(json_object_get(r.body, "assistant"), "name"), "T");
    json_decref(r.body);
    run_until(f, INT64_MAX);
    /* to the assistant's server (journalled with its URL as the path: no
     * HTTP client in a unit test), signed with its secret; none to the core */
    assert_int_equal(sink.n, 0);
    int sent = 0;
    for (size_t i = 0; i < journal_count(f->w.journal); i++) {
        const struct journal_entry *e = journal_at(f->w.journal, i);
        if (strcmp(e->mock, "vapi-webhook") != 0)
            continue;
        assert_string_equal(e->path, "http://u/h");
        assert_string_equal(mock_header_in(e->headers, e->headers_len, "x-vapi-secret"), "s3");
        sent++;
    }
    assert_true(sent >= 2); /* status-update(s), end-of-call-report */
    fake_sink_clear(&sink);
    fx_free(f);
}

/* The customer as it was sent, in the 201 and in GET /call/{id}, however
 * long (its text is kept past the 512 bytes written on the stack). */
static void customer_kept_whole(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    char name[1201], body[1400];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(body, sizeof body,
             "{\"assistantId\":\"asst-1\",\"phoneNumberId\":\"pn-1\",\"customer\":"
             "{\"number\":\"" EVAL "\",\"name\":\"%s\",\"extension\":\"12\"}}",
             name);
    struct reply r = request(f, "POST", "/call", "Bearer " KEY, body);
    assert_int_equal(r.status, 201);
    char path[96];
    snprintf(path, sizeof path, "/call/%s", str(r.body, "id"));
    json_decref(r.body);
    run_until(f, INT64_MAX);
    r = request(f, "GET", path, "Bearer " KEY, NULL);
    assert_int_equal(r.status, 200);
    const json_t *cu = json_object_get(r.body, "customer");
    assert_int_equal(json_object_size(cu), 3);
    assert_string_equal(str(cu, "name"), name);
    assert_string_equal(str(cu, "extension"), "12");
    json_decref(r.body);
    fx_free(f);
}

/* customers[]: a call per good number, an error per bad one (CallBatchResponse). */
static void customers_batch(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply r = request(f, "POST", "/call", "Bearer " KEY,
                             "{\"assistantId\":\"asst-1\",\"phoneNumberId\":\"pn-1\",\"customers\":"
                             "[{\"number\":\"+15550000001\"},{\"number\":\"12\"},"
                             "{\"number\":\"+15550000002\"}]}");
    assert_int_equal(r.status, 201);
    assert_int_equal(json_array_size(json_object_get(r.body, "results")), 2);
    const json_t *err = json_array_get(json_object_get(r.body, "errors"), 0);
    assert_string_equal(str(json_object_get(err, "customer"), "number"), "12");
    json_decref(r.body);
    fx_free(f);
}

/* GET /call lists newest first with filters; PATCH names; DELETE removes. */
static void list_update_delete(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, false);
    struct reply a = post_call(f, "Bearer " KEY, "asst-1", "pn-1", EVAL);
    run_until(f, T0 + 10);
    struct reply b = post_call(f, "Bearer " KEY, "asst-2", "pn-1", EVAL);
    char ida[48], idb[48], path[96];
    snprintf(ida, sizeof ida, "%s", str(a.body, "id"));
    snprintf(idb, sizeof idb, "%s", str(b.body, "id"));
    json_decref(a.body);
    json_decref(b.body);
    struct reply l = request(f, "GET", "/call", "Bearer " KEY, NULL);
    assert_int_equal(l.status, 200);
    assert_int_equal(json_array_size(l.body), 2);
    assert_string_equal(str(json_array_get(l.body, 0), "id"), idb);
    json_decref(l.body);
    snprintf(path, sizeof path, "/call/%s", ida);
    struct reply u = request(f, "PATCH", path, "Bearer " KEY, "{\"name\":\"n1\"}");
    assert_int_equal(u.status, 200);
    assert_string_equal(str(u.body, "name"), "n1");
    json_decref(u.body);
    struct reply d = request(f, "DELETE", path, "Bearer " KEY, NULL);
    assert_int_equal(d.status, 200);
    json_decref(d.body);
    struct reply g = request(f, "GET", path, "Bearer " KEY, NULL);
    assert_int_equal(g.status, 404);
    json_decref(g.body);
    l = request(f, "GET", "/call", "Bearer " KEY, NULL);
    assert_int_equal(json_array_size(l.body), 1);
    json_decref(l.body);
    struct reply p = request(f, "PUT", "/call", "Bearer " KEY, "{}");
    assert_int_equal(p.status, 404);
    assert_string_equal(str(p.body, "message"), "Cannot PUT /call");
    json_decref(p.body);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ao4_missing_authorization_401),
        cmocka_unit_test(ao4_wrong_key_401),
        cmocka_unit_test(ao5_non_e164_customer_number_400),
        cmocka_unit_test(unknown_assistant_400),
        cmocka_unit_test(missing_phone_number_id_400),
        cmocka_unit_test(unknown_phone_number_id_400),
        cmocka_unit_test(body_not_json_400),
        cmocka_unit_test(ao1_good_call_201),
        cmocka_unit_test(ao3_silent_core_customer_did_not_answer),
        cmocka_unit_test(ao3_silence_as_busy_customer_busy),
        cmocka_unit_test(answered_customer_ended_call),
        cmocka_unit_test(every_request_journalled),
        cmocka_unit_test(evicted_call_is_vapi_404),
        cmocka_unit_test(unknown_route_404),
        cmocka_unit_test(world_without_vapi_404),
        cmocka_unit_test(deterministic_ids),
        cmocka_unit_test(two_calls_two_fates),
        cmocka_unit_test(inline_assistant_and_its_server_secret),
        cmocka_unit_test(customer_kept_whole),
        cmocka_unit_test(customers_batch),
        cmocka_unit_test(list_update_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
