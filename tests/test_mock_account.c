/* Unit tests for mocks/mock_account: the provider account the three provider
 * mocks share (H-1). Keys with and without permissions (AO-4: ElevenLabs keys
 * need permissions), agents and owned numbers, credits that each call spends
 * until the account cannot pay (AO-4, H-3: a suite can run out half-way), the
 * concurrency count, refusals that never dial, and the call's life on a real
 * evq + PSTN with a fake core (tests/fake_lines.h): the dial leaves from the
 * number's ANI (AO-1, AO-3) and each change reaches the provider's hook with
 * the world's mutex held. Ids are drawn from the seed (H-2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_account.h"
#include "pstn.h"
#include "sim/evq.h"
#include "fake_lines.h"

#define T0 INT64_C(1767269100000)
#define ANI "+15550001111"  /* the number behind phone-number id pn-1 */
#define ANI2 "+15550002222" /* pn-2 */
#define EVAL "+15557770000" /* a core line */
#define FAILING "+15557770009"
#define DIAL_DELAY_MS 1500
#define RING_MS 20000
#define DURATION_MS 45000

/* What the provider module's on_change hook saw. */
struct change {
    const struct mock_call *call;
    enum mock_call_state state;
    enum mock_call_end end;
    int64_t at;
    bool mutex_held;
};

struct fx {
    struct mock_world w;
    struct evq *q;
    struct fake_core core;
    struct mock_account *a;
    struct change seen[32];
    int n_seen;
};

static void on_change(void *ctx, struct mock_call *c)
{
    struct fx *f = ctx;
    /* a default mutex held by anyone, this thread included, makes trylock fail */
    int rc = pthread_mutex_trylock(&f->w.mu);
    if (rc == 0)
        pthread_mutex_unlock(&f->w.mu);
    if (f->n_seen < 32)
        f->seen[f->n_seen++] = (struct change){c, c->state, c->end, evq_now(f->q), rc == EBUSY};
}

struct acfg {
    const char *provider;
    const char *keys, *agents, *numbers; /* JSON text */
    double credits, call_cost;
    int concurrency_limit;
    int64_t ring_timeout_ms;
    uint64_t seed;
    bool silence_as_busy;
    size_t max_ended_calls; /* the account's and the PSTN's bound; 0: none */
};

static struct acfg defaults(void)
{
    return (struct acfg){
        .provider = "retell",
        .keys = "[\"plain-key\",{\"key\":\"scoped-key\",\"permissions\":[\"convai_read\"]},"
                "{\"key\":\"full-key\",\"permissions\":[\"convai_read\",\"convai_write\"]},"
                "{\"key\":\"bare-key\"},{\"key\":\"none-key\",\"permissions\":[]}]",
        .agents = "[\"agent_1\",\"agent_2\"]",
        .numbers =
            "[{\"id\":\"pn-1\",\"number\":\"" ANI "\"},{\"id\":\"pn-2\",\"number\":\"" ANI2 "\"}]",
        .credits = -1,
        .call_cost = 1,
        .ring_timeout_ms = RING_MS,
        .seed = 7,
    };
}

static struct fx *fx_new(const struct acfg *ac)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(pthread_mutex_init(&f->w.mu, NULL), 0);
    assert_int_equal(evq_create(&f->q, T0), 0);
    f->w.clock = evq_clock(f->q);
    struct pstn_fault fault = {.to = FAILING, .fail = true};
    struct pstn_config pc = {.call_duration_ms = DURATION_MS,
                             .silence_as_busy = ac->silence_as_busy,
                             .faults = &fault,
                             .n_faults = 1,
                             .max_ended_calls = ac->max_ended_calls};
    assert_int_equal(pstn_create(&f->w.pstn, f->w.clock, &pc), 0);
    f->core.q = f->q;
    pstn_set_core(f->w.pstn, &core_ops, &f->core);
    assert_int_equal(pstn_add_line(f->w.pstn, EVAL), 0);
    json_t *keys = json_loads(ac->keys, 0, NULL);
    json_t *agents = json_loads(ac->agents, 0, NULL);
    json_t *numbers = json_loads(ac->numbers, 0, NULL);
    assert_non_null(keys);
    struct mock_account_config cfg = {
        .provider = ac->provider,
        .keys = keys,
        .agents = agents,
        .phone_numbers = numbers,
        .credits = ac->credits,
        .call_cost = ac->call_cost,
        .concurrency_limit = ac->concurrency_limit,
        .dial_delay_ms = DIAL_DELAY_MS,
        .ring_timeout_ms = ac->ring_timeout_ms,
        .seed = ac->seed,
        .max_ended_calls = ac->max_ended_calls,
    };
    assert_int_equal(mock_account_create(&f->a, &f->w, &cfg, on_change, f), 0);
    json_decref(keys); /* the account keeps copies */
    json_decref(agents);
    json_decref(numbers);
    return f;
}

static void fx_free(struct fx *f)
{
    mock_account_destroy(f->a);
    pstn_destroy(f->w.pstn);
    evq_destroy(f->q);
    pthread_mutex_destroy(&f->w.mu);
    free(f);
}

/* Place a call as an HTTP handler does: with the world's mutex held. */
static struct mock_call *place(struct fx *f, const char *ani, const char *to)
{
    json_t *req = json_pack("{s:s}", "to_number", to);
    pthread_mutex_lock(&f->w.mu);
    struct mock_call *c = mock_account_place(f->a, ani, to, "agent_1", "pn-1", req);
    pthread_mutex_unlock(&f->w.mu);
    json_decref(req);
    assert_non_null(c);
    return c;
}

/* Events run without the mutex: the PSTN observers take it themselves. */
static void run_until(struct fx *f, int64_t t)
{
    while (evq_run_next(f->q, t))
        ;
}

/* ---- keys, agents, numbers ------------------------------------------------ */

/* AO-4: a key is known or not; a key with a permission list carries only those. */
static void ao4_keys_and_permissions(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    struct fx *f = fx_new(&ac);
    /* a plain string carries every permission */
    assert_int_equal(mock_account_key(f->a, "plain-key", NULL), MK_OK);
    assert_int_equal(mock_account_key(f->a, "plain-key", "convai_write"), MK_OK);
    /* {key, permissions} carries exactly those */
    assert_int_equal(mock_account_key(f->a, "scoped-key", NULL), MK_OK);
    assert_int_equal(mock_account_key(f->a, "scoped-key", "convai_read"), MK_OK);
    assert_int_equal(mock_account_key(f->a, "scoped-key", "convai_write"), MK_NO_PERMISSION);
    assert_int_equal(mock_account_key(f->a, "full-key", "convai_write"), MK_OK);
    assert_int_equal(mock_account_key(f->a, "none-key", NULL), MK_OK);
    assert_int_equal(mock_account_key(f->a, "none-key", "convai_read"), MK_NO_PERMISSION);
    /* an object without a permission list restricts nothing */
    assert_int_equal(mock_account_key(f->a, "bare-key", "convai_write"), MK_OK);
    /* unknown keys: exact string match only */
    static const char *unknown[] = {"plain-ke", "plain-key ", "PLAIN-KEY", "", "other"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(mock_account_key(f->a, unknown[i], NULL), MK_UNKNOWN);
        assert_int_equal(mock_account_key(f->a, unknown[i], "convai_write"), MK_UNKNOWN);
    }
    assert_int_equal(mock_account_key(f->a, NULL, NULL), MK_UNKNOWN);
    fx_free(f);
}

static void agents_and_numbers(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    struct fx *f = fx_new(&ac);
    assert_true(mock_account_has_agent(f->a, "agent_1"));
    assert_true(mock_account_has_agent(f->a, "agent_2"));
    assert_false(mock_account_has_agent(f->a, "agent_3"));
    assert_false(mock_account_has_agent(f->a, "agent_"));
    assert_false(mock_account_has_agent(f->a, NULL));
    assert_string_equal(mock_account_number(f->a, "pn-1"), ANI);
    assert_string_equal(mock_account_number(f->a, "pn-2"), ANI2);
    assert_null(mock_account_number(f->a, "pn-3"));
    assert_null(mock_account_number(f->a, ANI)); /* a number is not an id */
    assert_null(mock_account_number(f->a, NULL));
    assert_true(mock_account_owns_number(f->a, ANI));
    assert_true(mock_account_owns_number(f->a, ANI2));
    assert_false(mock_account_owns_number(f->a, EVAL));
    assert_false(mock_account_owns_number(f->a, "pn-1"));
    assert_false(mock_account_owns_number(f->a, NULL));
    fx_free(f);
}

/* An account with nothing configured knows nothing. */
static void empty_account(void **state)
{
    (void)state;
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(evq_create(&f->q, T0), 0);
    f->w.clock = evq_clock(f->q);
    struct mock_account_config cfg = {.provider = "vapi", .credits = -1};
    assert_int_equal(mock_account_create(&f->a, &f->w, &cfg, NULL, NULL), 0);
    assert_int_equal(mock_account_key(f->a, "k", NULL), MK_UNKNOWN);
    assert_false(mock_account_has_agent(f->a, "a"));
    assert_null(mock_account_number(f->a, "pn-1"));
    assert_int_equal(mock_account_active(f->a), 0);
    assert_int_equal(mock_account_concurrency_limit(f->a), 0);
    assert_true(mock_account_can_pay(f->a));
    mock_account_destroy(f->a);
    mock_account_destroy(NULL);
    evq_destroy(f->q);
    free(f);
}

/* ---- credits ---------------------------------------------------------------- */

/* AO-4, H-3: each accepted call spends its cost; the account runs out. */
static void ao4_credits_spent_per_call(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.credits = 3;
    ac.call_cost = 1;
    struct fx *f = fx_new(&ac);
    assert_true(mock_account_can_pay(f->a));
    assert_true(mock_account_credits(f->a) == 3.0);
    place(f, ANI, EVAL);
    assert_true(mock_account_credits(f->a) == 2.0);
    assert_true(mock_account_can_pay(f->a));
    place(f, ANI, EVAL);
    place(f, ANI, EVAL);
    assert_true(mock_account_credits(f->a) == 0.0);
    assert_false(mock_account_can_pay(f->a));
    fx_free(f);
}

/* H-3: a suite runs out half-way, whatever the fractions: the calls that fit
 * in the credits are placed, and then none. */
static void h3_credits_run_out_half_way(void **state)
{
    (void)state;
    static const struct {
        double credits, cost;
        int fits;
    } cases[] = {{3, 1, 3}, {2.5, 1, 2}, {0.3, 0.1, 3}, {0.7, 0.1, 7}, {1, 0.2, 5}, {0.5, 1, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct acfg ac = defaults();
        ac.credits = cases[i].credits;
        ac.call_cost = cases[i].cost;
        struct fx *f = fx_new(&ac);
        int placed = 0;
        while (mock_account_can_pay(f->a) && placed < 100) {
            place(f, ANI, EVAL);
            placed++;
        }
        if (placed != cases[i].fits)
            fail_msg("credits %g at %g per call: %d calls placed, want %d", cases[i].credits,
                     cases[i].cost, placed, cases[i].fits);
        assert_true(mock_account_credits(f->a) >= 0.0);
        fx_free(f);
    }
}

/* credits < 0: unlimited, and never spent. */
static void unlimited_credits(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.credits = -1;
    ac.call_cost = 5;
    struct fx *f = fx_new(&ac);
    for (int i = 0; i < 10; i++)
        place(f, ANI, EVAL);
    assert_true(mock_account_can_pay(f->a));
    assert_true(mock_account_credits(f->a) < 0);
    fx_free(f);
}

/* ---- concurrency ------------------------------------------------------------ */

/* Calls count as active until they end, whatever way they end. */
static void concurrency_counts_calls_until_they_end(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.concurrency_limit = 2;
    struct fx *f = fx_new(&ac);
    assert_int_equal(mock_account_concurrency_limit(f->a), 2);
    f->core.answer = true;
    place(f, ANI, EVAL); /* answered at T0+1.5 s, hung up 45 s later */
    assert_int_equal(mock_account_active(f->a), 1);
    run_until(f, T0 + 10000);
    f->core.answer = false;
    place(f, ANI, EVAL);    /* rings out at T0+10 s+1.5 s+20 s */
    place(f, ANI, FAILING); /* fails at once when dialled */
    assert_int_equal(mock_account_active(f->a), 3);
    run_until(f, T0 + 10000 + DIAL_DELAY_MS);
    assert_int_equal(mock_account_active(f->a), 2); /* the failed one */
    run_until(f, T0 + 10000 + DIAL_DELAY_MS + RING_MS);
    assert_int_equal(mock_account_active(f->a), 1); /* the unanswered one */
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS - 1);
    assert_int_equal(mock_account_active(f->a), 1);
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_int_equal(mock_account_active(f->a), 0); /* the answered one */
    fx_free(f);
}

/* ---- refuse ------------------------------------------------------------------- */

/* AO-4: accepted, then refused at start: ended at once, never dialled, not
 * counted as active, not charged; the hook hears of it, mutex held. */
static void ao4_refuse_ends_at_once_never_dials(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.credits = 5;
    struct fx *f = fx_new(&ac);
    evq_run_until(f->q, T0 + 777);
    static const enum mock_call_end ends[] = {MC_END_CONCURRENCY, MC_END_NO_CREDITS};
    for (size_t i = 0; i < 2; i++) {
        json_t *req = json_pack("{s:s}", "to_number", EVAL);
        pthread_mutex_lock(&f->w.mu);
        struct mock_call *c = mock_account_refuse(f->a, EVAL, "agent_2", "pn-2", req, ends[i]);
        pthread_mutex_unlock(&f->w.mu);
        json_decref(req);
        assert_non_null(c);
        assert_int_equal(c->state, MC_ENDED);
        assert_int_equal(c->end, ends[i]);
        assert_int_equal(c->created_at, T0 + 777);
        assert_int_equal(c->ended_at, T0 + 777);
        assert_int_equal(c->ringing_at, 0);
        assert_int_equal(c->answered_at, 0);
        assert_string_equal(c->ani, ""); /* never dialled from anywhere */
        assert_string_equal(c->to, EVAL);
        assert_string_equal(c->agent, "agent_2");
        assert_string_equal(c->phone_number_id, "pn-2");
        assert_true(mock_call_duration_s(c) == 0.0);
        assert_ptr_equal(mock_account_call(f->a, c->id), c);
        /* the hook ran once, synchronously, with the mutex held */
        assert_int_equal(f->n_seen, (int)i + 1);
        assert_ptr_equal(f->seen[i].call, c);
        assert_int_equal(f->seen[i].state, MC_ENDED);
        assert_int_equal(f->seen[i].end, ends[i]);
        assert_true(f->seen[i].mutex_held);
    }
    assert_int_equal(evq_pending(f->q), 0); /* nothing scheduled */
    assert_int_equal(mock_account_active(f->a), 0);
    assert_true(mock_account_credits(f->a) == 5.0);
    run_until(f, INT64_MAX);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    assert_int_equal(f->core.offers, 0);
    assert_int_equal(f->n_seen, 2);
    fx_free(f);
}

/* ---- the call's life on the PSTN ----------------------------------------- */

static void expect_change(const struct fx *f, int i, const struct mock_call *c,
                          enum mock_call_state st, enum mock_call_end end, int64_t at)
{
    if (i >= f->n_seen)
        fail_msg("change %d never came (%d seen)", i, f->n_seen);
    assert_ptr_equal(f->seen[i].call, c);
    assert_int_equal(f->seen[i].state, st);
    assert_int_equal(f->seen[i].end, end);
    assert_int_equal(f->seen[i].at, at);
    if (!f->seen[i].mutex_held)
        fail_msg("change %d ran without the world's mutex", i);
}

/* AO-1, AO-3: queued → (dial after dial_delay, from the ANI) ringing →
 * answered → ended completed when the far side hangs up. */
static void ao1_answered_call_life(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    struct fx *f = fx_new(&ac);
    f->core.answer = true;
    struct mock_call *c = place(f, ANI, EVAL);
    assert_int_equal(c->state, MC_QUEUED);
    assert_int_equal(c->created_at, T0);
    assert_int_equal(f->n_seen, 0); /* placing is no change yet */
    assert_int_equal(evq_pending(f->q), 1);
    assert_int_equal(evq_next_time(f->q), T0 + DIAL_DELAY_MS);

    run_until(f, T0 + DIAL_DELAY_MS - 1);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_int_equal(pstn_call_count(f->w.pstn), 1);
    assert_string_equal(pstn_call_at(f->w.pstn, 0)->from, ANI);
    assert_string_equal(pstn_call_at(f->w.pstn, 0)->to, EVAL);
    assert_string_equal(f->core.from, ANI);
    assert_int_equal(c->state, MC_IN_PROGRESS);
    assert_int_equal(c->ringing_at, T0 + DIAL_DELAY_MS);
    assert_int_equal(c->answered_at, T0 + DIAL_DELAY_MS);
    assert_int_equal(f->n_seen, 2);
    expect_change(f, 0, c, MC_RINGING, MC_END_NONE, T0 + DIAL_DELAY_MS);
    expect_change(f, 1, c, MC_IN_PROGRESS, MC_END_NONE, T0 + DIAL_DELAY_MS);

    run_until(f, INT64_MAX);
    assert_int_equal(c->state, MC_ENDED);
    assert_int_equal(c->end, MC_END_COMPLETED);
    assert_int_equal(c->ended_at, T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_true(mock_call_duration_s(c) == DURATION_MS / 1000.0);
    assert_int_equal(f->core.hangups, 1);
    assert_int_equal(f->n_seen, 3);
    expect_change(f, 2, c, MC_ENDED, MC_END_COMPLETED, T0 + DIAL_DELAY_MS + DURATION_MS);
    fx_free(f);
}

/* AO-3: a silent core: the call rings out at the account's ring timeout. */
static void ao3_silent_line_rings_out(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    struct fx *f = fx_new(&ac);
    struct mock_call *c = place(f, ANI2, EVAL);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_int_equal(c->state, MC_RINGING);
    assert_string_equal(f->core.from, ANI2);
    run_until(f, T0 + DIAL_DELAY_MS + RING_MS - 1);
    assert_int_equal(c->state, MC_RINGING);
    run_until(f, INT64_MAX);
    assert_int_equal(c->state, MC_ENDED);
    assert_int_equal(c->end, MC_END_NO_ANSWER);
    assert_int_equal(c->answered_at, 0);
    assert_true(mock_call_duration_s(c) == 0.0);
    assert_int_equal(f->n_seen, 2);
    expect_change(f, 0, c, MC_RINGING, MC_END_NONE, T0 + DIAL_DELAY_MS);
    expect_change(f, 1, c, MC_ENDED, MC_END_NO_ANSWER, T0 + DIAL_DELAY_MS + RING_MS);
    fx_free(f);
}

/* No ring timeout configured: 60 s (Twilio's default, providers.md §6.3). */
static void default_ring_timeout_60s(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.ring_timeout_ms = 0;
    struct fx *f = fx_new(&ac);
    struct mock_call *c = place(f, ANI, EVAL);
    run_until(f, INT64_MAX);
    assert_int_equal(c->end, MC_END_NO_ANSWER);
    assert_int_equal(c->ended_at, T0 + DIAL_DELAY_MS + 60000);
    fx_free(f);
}

/* AO-3: silence shown as busy, and a number that cannot be reached. */
static void ao3_busy_and_failed(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.silence_as_busy = true;
    struct fx *f = fx_new(&ac);
    struct mock_call *busy = place(f, ANI, EVAL);
    struct mock_call *failed = place(f, ANI, FAILING);
    run_until(f, INT64_MAX);
    assert_int_equal(evq_now(f->q), T0 + DIAL_DELAY_MS);
    assert_int_equal(busy->state, MC_ENDED);
    assert_int_equal(busy->end, MC_END_BUSY);
    assert_int_equal(failed->state, MC_ENDED);
    assert_int_equal(failed->end, MC_END_FAILED);
    assert_int_equal(failed->ringing_at, 0); /* never rang */
    for (int i = 0; i < f->n_seen; i++)
        assert_true(f->seen[i].mutex_held);
    /* each call's last change is its end */
    int busy_end = 0, failed_end = 0;
    for (int i = 0; i < f->n_seen; i++) {
        busy_end += f->seen[i].call == busy && f->seen[i].state == MC_ENDED;
        failed_end += f->seen[i].call == failed && f->seen[i].state == MC_ENDED;
    }
    assert_int_equal(busy_end, 1);
    assert_int_equal(failed_end, 1);
    fx_free(f);
}

/* ---- bounded memory (issue 10) ------------------------------------------- */

#define SILENT "+15557770042" /* nobody's line: rings until the ring timeout */

static void stats_are(struct fx *f, size_t live, size_t ended, size_t evicted)
{
    struct mock_account_stats st;
    mock_account_get_stats(f->a, &st);
    assert_int_equal(st.live, live);
    assert_int_equal(st.ended, ended);
    assert_int_equal(st.evicted, evicted);
    assert_int_equal(mock_account_active(f->a), (int)live);
}

/* Ended calls beyond the bound are evicted oldest first and counted; a
 * call still live is never evicted, however old; an evicted id is gone
 * (the provider modules answer their 404). The PSTN keeps its ended calls
 * to the same bound. Under ASan: nothing touches an evicted call. */
static void ended_calls_evicted_oldest_first(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.max_ended_calls = 2;
    struct fx *f = fx_new(&ac);
    char live[48], ids[5][48];
    snprintf(live, sizeof live, "%s", place(f, ANI, SILENT)->id); /* the oldest of all */
    for (int i = 0; i < 5; i++)
        snprintf(ids[i], sizeof ids[i], "%s", place(f, ANI, FAILING)->id);
    stats_are(f, 6, 0, 0);
    run_until(f, T0 + DIAL_DELAY_MS); /* the five fail at the dial; the first rings */
    stats_are(f, 1, 2, 3);
    for (int i = 0; i < 3; i++)
        assert_null(mock_account_call(f->a, ids[i]));
    for (int i = 3; i < 5; i++)
        assert_int_equal(mock_account_call(f->a, ids[i])->end, MC_END_FAILED);
    assert_int_equal(mock_account_call(f->a, live)->state, MC_RINGING);
    assert_int_equal(pstn_call_count(f->w.pstn), 3); /* the ringing one and 2 ended */
    assert_int_equal(pstn_calls_evicted(f->w.pstn), 3);
    assert_string_equal(pstn_call_at(f->w.pstn, 0)->to, SILENT);
    run_until(f, INT64_MAX); /* it rings out: now the oldest kept ended call goes */
    stats_are(f, 0, 2, 4);
    assert_int_equal(mock_account_call(f->a, live)->end, MC_END_NO_ANSWER);
    assert_null(mock_account_call(f->a, ids[3]));
    assert_non_null(mock_account_call(f->a, ids[4]));
    fx_free(f);
}

/* The active count is a counter: right across placing, refusing (ended at
 * once, never active), ringing, answering, ending and evicting; with a bound
 * of 1 the newest ended call (the one the handler renders) is kept. */
static void active_count_across_start_end_evict(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.max_ended_calls = 1;
    struct fx *f = fx_new(&ac);
    f->core.answer = true; /* the evaluator's line picks up */
    struct mock_call *answered = place(f, ANI, EVAL);
    place(f, ANI, SILENT);
    place(f, ANI, FAILING);
    stats_are(f, 3, 0, 0);
    json_t *req = json_object();
    pthread_mutex_lock(&f->w.mu);
    struct mock_call *r =
        mock_account_refuse(f->a, EVAL, "agent_1", "pn-1", req, MC_END_CONCURRENCY);
    pthread_mutex_unlock(&f->w.mu);
    json_decref(req);
    assert_non_null(r);
    stats_are(f, 3, 1, 0);
    assert_ptr_equal(mock_account_call(f->a, r->id), r); /* kept: the newest ended */
    run_until(f, T0 + DIAL_DELAY_MS);                    /* failed; answered; ringing */
    assert_int_equal(answered->state, MC_IN_PROGRESS);
    stats_are(f, 2, 1, 1);
    run_until(f, T0 + DIAL_DELAY_MS + RING_MS); /* the silent one rings out */
    stats_are(f, 1, 1, 2);
    run_until(f, INT64_MAX); /* the answered one hangs up */
    stats_are(f, 0, 1, 3);
    assert_int_equal(mock_account_call(f->a, answered->id)->end, MC_END_COMPLETED);
    fx_free(f);
}

/* Many calls through a small bound: what is kept stays small and the count
 * stays right (a walk over every call ever placed would be 20,000 long). */
static void many_calls_stay_bounded(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    ac.max_ended_calls = 10;
    struct fx *f = fx_new(&ac);
    for (int i = 0; i < 20000; i++) {
        place(f, ANI, FAILING);
        if (i % 1000 == 999)
            run_until(f, INT64_MAX);
    }
    run_until(f, INT64_MAX);
    stats_are(f, 0, 10, 19990);
    assert_int_equal(pstn_call_count(f->w.pstn), 10);
    fx_free(f);
}

/* The call keeps what was asked: a reference to the create request (shared
 * with the journal, never changed), alive after the caller lets go. */
static void request_is_copied(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    struct fx *f = fx_new(&ac);
    json_t *req = json_pack("{s:s,s:{s:s}}", "to_number", EVAL, "metadata", "run", "run_1");
    pthread_mutex_lock(&f->w.mu);
    struct mock_call *c = mock_account_place(f->a, ANI, EVAL, "agent_1", "pn-1", req);
    pthread_mutex_unlock(&f->w.mu);
    assert_ptr_equal(c->request, req);
    json_decref(req);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(c->request, "metadata"), "run")),
        "run_1");
    assert_string_equal(c->agent, "agent_1");
    assert_string_equal(c->phone_number_id, "pn-1");
    assert_null(mock_account_call(f->a, "no-such-call"));
    assert_ptr_equal(mock_account_world(f->a), &f->w);
    fx_free(f);
}

/* With mock_account_keep_request, a call keeps only the members named (the
 * body's own nodes, alive after the caller lets go), or nothing; the one
 * naming the caller ID only when the call has no ANI. */
static void request_keeps_named_members(void **state)
{
    (void)state;
    struct acfg ac = defaults();
    struct fx *f = fx_new(&ac);
    static const char *const kept[] = {"metadata", "batch_call_id", "from_number", NULL};
    mock_account_keep_request(f->a, kept, "from_number");
    json_t *req = json_pack("{s:s,s:{s:s},s:s}", "to_number", EVAL, "metadata", "run", "run_1",
                            "from_number", ANI);
    json_t *meta = json_object_get(req, "metadata");
    json_t *bare = json_pack("{s:s,s:s}", "to_number", EVAL, "from_number", ANI);
    pthread_mutex_lock(&f->w.mu);
    struct mock_call *c = mock_account_place(f->a, ANI, EVAL, "agent_1", "pn-1", req);
    struct mock_call *d =
        mock_account_refuse(f->a, EVAL, "agent_1", "pn-1", bare, MC_END_NO_CREDITS);
    pthread_mutex_unlock(&f->w.mu);
    json_decref(req);
    json_decref(bare);
    assert_int_equal(json_object_size(c->request), 1);
    assert_ptr_equal(json_object_get(c->request, "metadata"), meta);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(c->request, "metadata"), "run")),
        "run_1");
    /* the caller ID: in the placed call's ANI, in the refused call's request */
    assert_null(json_object_get(c->request, "from_number"));
    assert_string_equal(c->ani, ANI);
    assert_int_equal(json_object_size(d->request), 1);
    assert_string_equal(json_string_value(json_object_get(d->request, "from_number")), ANI);
    fx_free(f);
}

/* ---- ids -------------------------------------------------------------------- */

static void ids_of(uint64_t seed, const char *provider, char ids[3][48], char sids[3][48])
{
    struct acfg ac = defaults();
    ac.seed = seed;
    ac.provider = provider;
    struct fx *f = fx_new(&ac);
    for (int i = 0; i < 3; i++) {
        struct mock_call *c = place(f, ANI, EVAL);
        snprintf(ids[i], 48, "%s", c->id);
        snprintf(sids[i], 48, "%s", c->sid);
    }
    fx_free(f);
}

static void assert_uuid(const char *id)
{
    assert_int_equal(strlen(id), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(id[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", id[i]));
    }
    assert_int_equal(id[14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", id[19])); /* RFC 4122 variant */
}

/* H-2: the same seed gives the same ids every time; another seed or another
 * provider, other ids. Call ids are UUIDs, carrier ids Twilio CallSids. */
static void h2_deterministic_ids_per_seed(void **state)
{
    (void)state;
    char a[3][48], as[3][48], b[3][48], bs[3][48], c[3][48], cs[3][48], d[3][48], ds[3][48];
    ids_of(42, "retell", a, as);
    ids_of(42, "retell", b, bs);
    ids_of(43, "retell", c, cs);
    ids_of(42, "elevenlabs", d, ds);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(a[i], b[i]);
        assert_string_equal(as[i], bs[i]);
        assert_string_not_equal(a[i], c[i]);
        assert_string_not_equal(a[i], d[i]);
        assert_string_not_equal(as[i], cs[i]);
        assert_uuid(a[i]);
        assert_int_equal(strlen(as[i]), 34); /* "CA" + 32 hex */
        assert_memory_equal(as[i], "CA", 2);
        for (int k = 2; k < 34; k++)
            assert_non_null(strchr("0123456789abcdef", as[i][k]));
        assert_string_not_equal(a[i], as[i]);
    }
    assert_string_not_equal(a[0], a[1]);
    assert_string_not_equal(a[1], a[2]);
    assert_string_not_equal(as[0], as[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ao4_keys_and_permissions),
        cmocka_unit_test(agents_and_numbers),
        cmocka_unit_test(empty_account),
        cmocka_unit_test(ao4_credits_spent_per_call),
        cmocka_unit_test(h3_credits_run_out_half_way),
        cmocka_unit_test(unlimited_credits),
        cmocka_unit_test(concurrency_counts_calls_until_they_end),
        cmocka_unit_test(ao4_refuse_ends_at_once_never_dials),
        cmocka_unit_test(ao1_answered_call_life),
        cmocka_unit_test(ao3_silent_line_rings_out),
        cmocka_unit_test(default_ring_timeout_60s),
        cmocka_unit_test(ao3_busy_and_failed),
        cmocka_unit_test(request_is_copied),
        cmocka_unit_test(request_keeps_named_members),
        cmocka_unit_test(ended_calls_evicted_oldest_first),
        cmocka_unit_test(active_count_across_start_end_evict),
        cmocka_unit_test(many_calls_stay_bounded),
        cmocka_unit_test(h2_deterministic_ids_per_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
