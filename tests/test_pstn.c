/* Unit tests for mocks/pstn: the simulated telephone network between a provider
 * mock and the core's inbound lines. The clock is a real evq; the core is a
 * fake that records what it is offered and answers per a flag. What the
 * provider sees (ringing / answered / ended how, and when) is what AO-3 and
 * DW-2 failures look like from the provider's side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pstn.h"
#include "pstn_outcomes.h"
#include "sim/evq.h"
#include "fake_lines.h"

#define T0 INT64_C(1767269100000)
#define RING_MS 30000
#define DURATION_MS 45000
#define LINE "+15557770000"     /* an evaluator's number: a core line */
#define LINE2 "+15557770001"    /* another core line */
#define AGENT "+15550001111"    /* the provider's number, the ANI */
#define STRANGER "+15559999999" /* a number that is no core line */

/* What the provider side observed. */
struct seen {
    struct evq *q;
    int ringing, answered, ended;
    int64_t ringing_at, answered_at, ended_at;
    enum pstn_end how;
};

static void obs_ringing(void *arg)
{
    struct seen *s = arg;
    s->ringing++;
    s->ringing_at = evq_now(s->q);
}

static void obs_answered(void *arg)
{
    struct seen *s = arg;
    s->answered++;
    s->answered_at = evq_now(s->q);
}

static void obs_ended(void *arg, enum pstn_end how)
{
    struct seen *s = arg;
    s->ended++;
    s->ended_at = evq_now(s->q);
    s->how = how;
}

struct fx {
    struct evq *q;
    struct pstn *p;
    struct fake_core core;
    struct seen seen;
};

static struct pstn_observer observer(struct seen *s)
{
    return (struct pstn_observer){obs_ringing, obs_answered, obs_ended, s};
}

/* A fixture with the given config; the core owns LINE and LINE2. */
static struct fx *fx_new(const struct pstn_config *cfg)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(evq_create(&f->q, T0), 0);
    assert_int_equal(pstn_create(&f->p, evq_clock(f->q), cfg), 0);
    f->core.q = f->q;
    f->seen.q = f->q;
    pstn_set_core(f->p, &core_ops, &f->core);
    assert_int_equal(pstn_add_line(f->p, LINE), 0);
    assert_int_equal(pstn_add_line(f->p, LINE2), 0);
    return f;
}

static struct fx *fx_default(void)
{
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS};
    return fx_new(&cfg);
}

static void fx_free(struct fx *f)
{
    pstn_destroy(f->p);
    evq_destroy(f->q);
    free(f);
}

static void run_until(struct evq *q, int64_t until)
{
    while (evq_run_next(q, until))
        ;
}

static void nothing(void *arg)
{
    (void)arg;
}

/* Move the virtual clock to t (nothing else may be due before). */
static void advance_to(struct evq *q, int64_t t)
{
    evq_schedule(q, t, nothing, NULL);
    assert_int_equal(evq_run_next(q, t), 1);
    assert_int_equal(evq_now(q), t);
}

/* The core answers: the provider sees it answered at once, and after
 * call_duration the far side hangs up: the core is told, the provider sees
 * "completed". */
static void answered_call_completes(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    f->core.answer = true;
    assert_int_equal(pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen)), 0);
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.from, AGENT);
    assert_string_equal(f->core.to, LINE);
    assert_int_equal(f->core.offered_at, T0);
    assert_int_equal(f->seen.answered, 1);
    assert_int_equal(f->seen.answered_at, T0);
    assert_int_equal(f->seen.ended, 0);

    run_until(f->q, T0 + DURATION_MS - 1);
    assert_int_equal(f->seen.ended, 0);
    assert_int_equal(f->core.hangups, 0);

    run_until(f->q, INT64_MAX);
    assert_int_equal(f->core.hangups, 1);
    assert_int_equal(f->core.hung_token, 1001); /* the token the core gave */
    assert_int_equal(f->core.hangup_at, T0 + DURATION_MS);
    assert_int_equal(f->seen.ended, 1);
    assert_int_equal(f->seen.how, PSTN_END_COMPLETED);
    assert_int_equal(f->seen.ended_at, T0 + DURATION_MS);

    assert_int_equal(pstn_call_count(f->p), 1);
    const struct pstn_call *c = pstn_call_at(f->p, 0);
    assert_string_equal(c->from, AGENT);
    assert_string_equal(c->to, LINE);
    assert_string_equal(c->delivered_from, AGENT);
    assert_string_equal(c->delivered_to, LINE);
    assert_true(c->answered);
    assert_true(c->ended);
    assert_int_equal(c->how, PSTN_END_COMPLETED);
    assert_int_equal(c->placed_at, T0);
    assert_int_equal(c->ended_at, T0 + DURATION_MS);
    assert_null(pstn_call_at(f->p, 1));
    fx_free(f);
}

/* AO-3: a silent line rings until the caller's ring timeout: no-answer, exactly then. */
static void ao3_silent_line_rings_out(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    f->core.answer = false;
    advance_to(f->q, T0 + 700);
    assert_int_equal(pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen)), 0);
    assert_int_equal(f->core.offers, 1);
    assert_int_equal(f->seen.ringing, 1);
    assert_int_equal(f->seen.ringing_at, T0 + 700);
    run_until(f->q, T0 + 700 + RING_MS - 1);
    assert_int_equal(f->seen.ended, 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.ended, 1);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    assert_int_equal(f->seen.ended_at, T0 + 700 + RING_MS);
    assert_int_equal(f->seen.answered, 0);
    assert_int_equal(f->core.hangups, 0);
    const struct pstn_call *c = pstn_call_at(f->p, 0);
    assert_false(c->answered);
    assert_true(c->ended);
    assert_int_equal(c->how, PSTN_END_NO_ANSWER);
    assert_int_equal(c->ended_at, T0 + 700 + RING_MS);
    fx_free(f);
}

/* AO-3: when the carrier presents silence as busy, the provider sees busy at once. */
static void ao3_silence_as_busy(void **state)
{
    (void)state;
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .silence_as_busy = true};
    struct fx *f = fx_new(&cfg);
    assert_int_equal(pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen)), 0);
    assert_int_equal(f->core.offers, 1); /* the core was offered it and stayed silent */
    assert_int_equal(f->seen.ended, 0);  /* through the clock, not from inside place_call */
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.ended, 1);
    assert_int_equal(f->seen.how, PSTN_END_BUSY);
    assert_int_equal(f->seen.ended_at, T0);
    assert_int_equal(evq_now(f->q), T0);
    fx_free(f);
}

/* silence_as_busy changes nothing for a call the core answers. */
static void silence_as_busy_answered_still_completes(void **state)
{
    (void)state;
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .silence_as_busy = true};
    struct fx *f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_COMPLETED);
    assert_int_equal(f->seen.ended_at, T0 + DURATION_MS);
    fx_free(f);
}

/* A number that is not a core line is never offered to the core: no-answer. */
static void not_a_core_line(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    f->core.answer = true; /* would answer, if it were asked */
    pstn_place_call(f->p, AGENT, STRANGER, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.ended, 1);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    assert_int_equal(f->seen.ended_at, T0 + RING_MS);
    assert_int_equal(f->seen.answered, 0);
    fx_free(f);
}

/* Before the core is attached, nothing answers. */
static void no_core_attached(void **state)
{
    (void)state;
    struct evq *q;
    struct pstn *p;
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS};
    struct seen s = {0};
    assert_int_equal(evq_create(&q, T0), 0);
    assert_int_equal(pstn_create(&p, evq_clock(q), &cfg), 0);
    s.q = q;
    pstn_add_line(p, LINE);
    pstn_place_call(p, AGENT, LINE, RING_MS, observer(&s));
    run_until(q, INT64_MAX);
    assert_int_equal(s.ended, 1);
    assert_int_equal(s.how, PSTN_END_NO_ANSWER);
    pstn_destroy(p);
    evq_destroy(q);
}

/* AO-3 fault: the carrier rewrites the caller ID; the core sees the rewritten one. */
static void ao3_fault_ani_rewrite(void **state)
{
    (void)state;
    char to[] = LINE, ani[] = "+15550001112";
    struct pstn_fault fault = {.to = to, .ani = ani};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    /* The config is copied: the caller's strings may change afterwards. */
    strcpy(ani, "+19999999999");
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.from, "+15550001112");
    const struct pstn_call *c = pstn_call_at(f->p, 0);
    assert_string_equal(c->from, AGENT);
    assert_string_equal(c->delivered_from, "+15550001112");
    assert_string_equal(c->delivered_to, LINE);
    fx_free(f);
}

/* AO-3 fault: the caller ID is withheld (""). */
static void ao3_fault_withheld_ani(void **state)
{
    (void)state;
    struct pstn_fault fault = {.to = LINE, .ani = ""};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    strcpy(f->core.from, "unset");
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.from, "");
    assert_string_equal(pstn_call_at(f->p, 0)->delivered_from, "");
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    fx_free(f);
}

/* A provider that places the call with no caller ID at all: withheld too. */
static void null_from_is_withheld(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    strcpy(f->core.from, "unset");
    pstn_place_call(f->p, NULL, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.from, "");
    assert_string_equal(pstn_call_at(f->p, 0)->from, "");
    fx_free(f);
}

/* Fault: calls to LINE are misrouted to LINE2 (another core line). */
static void fault_misdial(void **state)
{
    (void)state;
    struct pstn_fault fault = {.to = LINE, .misdial = LINE2};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.to, LINE2);
    assert_string_equal(f->core.from, AGENT);
    const struct pstn_call *c = pstn_call_at(f->p, 0);
    assert_string_equal(c->to, LINE);
    assert_string_equal(c->delivered_to, LINE2);
    fx_free(f);
}

/* Fault: misrouted to a number that is no core line: nobody answers. */
static void fault_misdial_nowhere(void **state)
{
    (void)state;
    struct pstn_fault fault = {.to = LINE, .misdial = STRANGER};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    assert_int_equal(f->seen.ended_at, T0 + RING_MS);
    fx_free(f);
}

/* Fault: the line is busy: the core is not offered the call; busy at once. */
static void fault_busy_line(void **state)
{
    (void)state;
    struct pstn_fault fault = {.to = LINE, .busy = true};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 0);
    assert_int_equal(f->seen.ringing, 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.ended, 1);
    assert_int_equal(f->seen.how, PSTN_END_BUSY);
    assert_int_equal(f->seen.ended_at, T0);
    assert_int_equal(f->seen.answered, 0);
    assert_false(pstn_call_at(f->p, 0)->answered);
    fx_free(f);
}

/* Fault: the far side declines (SIP 603), or the number is not in service
 * (SIP 404): both end at once, the core is never offered the call. */
static void fault_declined_and_invalid(void **state)
{
    (void)state;
    struct {
        struct pstn_fault fault;
        enum pstn_end how;
    } cases[] = {
        {{.to = LINE, .declined = true}, PSTN_END_DECLINED},
        {{.to = LINE, .invalid = true}, PSTN_END_INVALID},
        /* strongest first: no connection, no such number, busy, declined */
        {{.to = LINE, .declined = true, .busy = true}, PSTN_END_BUSY},
        {{.to = LINE, .declined = true, .invalid = true}, PSTN_END_INVALID},
        {{.to = LINE, .invalid = true, .fail = true}, PSTN_END_FAILED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct pstn_config cfg = {
            .call_duration_ms = DURATION_MS, .faults = &cases[i].fault, .n_faults = 1};
        struct fx *f = fx_new(&cfg);
        f->core.answer = true;
        pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
        run_until(f->q, INT64_MAX);
        assert_int_equal(f->core.offers, 0);
        assert_int_equal(f->seen.ringing, 0);
        assert_int_equal(f->seen.answered, 0);
        assert_int_equal(f->seen.ended, 1);
        assert_int_equal(f->seen.how, cases[i].how);
        assert_int_equal(f->seen.ended_at, T0);
        fx_free(f);
    }
}

/* Fault: straight to voicemail. The provider sees the call ring and connect
 * at once, and end after call_duration; the line is never offered it. */
static void fault_voicemail(void **state)
{
    (void)state;
    struct pstn_fault fault = {.to = LINE, .voicemail = true};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->core.offers, 0);
    assert_int_equal(f->seen.ringing, 1);
    assert_int_equal(f->seen.answered, 1);
    assert_int_equal(f->seen.answered_at, T0);
    assert_int_equal(f->seen.how, PSTN_END_VOICEMAIL);
    assert_int_equal(f->seen.ended_at, T0 + DURATION_MS);
    fx_free(f);
}

/* AO-3 and a carrier that sends a silent line to voicemail: after
 * voicemail_after when that is shorter than the caller's ring timeout, else
 * the call rings out; a call the core answers is untouched. */
static void ao3_silence_to_voicemail(void **state)
{
    (void)state;
    struct pstn_config cfg = {
        .call_duration_ms = DURATION_MS, .silence_to_voicemail = true, .voicemail_after_ms = 20000};
    struct fx *f = fx_new(&cfg);
    f->core.answer = false;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->core.offers, 1);
    assert_int_equal(f->seen.answered, 1);
    assert_int_equal(f->seen.answered_at, T0 + 20000);
    assert_int_equal(f->seen.how, PSTN_END_VOICEMAIL);
    assert_int_equal(f->seen.ended_at, T0 + 20000 + DURATION_MS);
    fx_free(f);

    f = fx_new(&cfg);
    f->core.answer = false;
    pstn_place_call(f->p, AGENT, LINE, 15000, observer(&f->seen)); /* gives up first */
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.answered, 0);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    assert_int_equal(f->seen.ended_at, T0 + 15000);
    fx_free(f);

    f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_COMPLETED);
    assert_int_equal(f->seen.answered_at, T0);
    fx_free(f);
}

/* A fault for one number leaves calls to other numbers alone. */
static void fault_only_for_its_number(void **state)
{
    (void)state;
    struct pstn_fault fault = {.to = LINE, .ani = "", .busy = true};
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .faults = &fault, .n_faults = 1};
    struct fx *f = fx_new(&cfg);
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE2, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 1);
    assert_string_equal(f->core.from, AGENT);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_COMPLETED);
    fx_free(f);
}

/* Two calls at different times keep their own clocks. */
static void two_calls_independent(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct seen other = {.q = f->q};
    f->core.answer = true;
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    f->core.answer = false;
    advance_to(f->q, T0 + 1000);
    pstn_place_call(f->p, AGENT, LINE2, RING_MS, observer(&other));
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_COMPLETED);
    assert_int_equal(f->seen.ended_at, T0 + DURATION_MS);
    assert_int_equal(other.how, PSTN_END_NO_ANSWER);
    assert_int_equal(other.ended_at, T0 + 1000 + RING_MS);
    assert_int_equal(f->seen.ended, 1);
    assert_int_equal(other.ended, 1);
    assert_int_equal(pstn_call_count(f->p), 2);
    assert_int_equal(pstn_call_at(f->p, 1)->placed_at, T0 + 1000);
    fx_free(f);
}

static void end_names(void **state)
{
    (void)state;
    assert_string_equal(pstn_end_name(PSTN_END_COMPLETED), "completed");
    assert_string_equal(pstn_end_name(PSTN_END_NO_ANSWER), "no-answer");
    assert_string_equal(pstn_end_name(PSTN_END_BUSY), "busy");
    assert_string_equal(pstn_end_name(PSTN_END_FAILED), "failed");
    assert_string_equal(pstn_end_name(PSTN_END_DECLINED), "declined");
    assert_string_equal(pstn_end_name(PSTN_END_INVALID), "invalid");
    assert_string_equal(pstn_end_name(PSTN_END_VOICEMAIL), "voicemail");
    assert_string_equal(pstn_end_name((enum pstn_end)(PSTN_END_VOICEMAIL + 1)), "?");
}

/* Adding a line twice keeps one line (an offer still happens exactly once). */
static void duplicate_line(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    assert_int_equal(pstn_add_line(f->p, LINE), 0);
    pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen));
    assert_int_equal(f->core.offers, 1);
    fx_free(f);
}

/* issue 13: outcomes per number. A stranger's number answers after its ring
 * and lasts call_duration (no core involved); a "next call" busy set over it
 * applies first, once; a core line's "answer" is still the core's offer to
 * refuse (AO-3): refused, the call rings out; a ring as long as the ring
 * timeout rings out. */
static void outcomes_per_number(void **state)
{
    (void)state;
    json_t *oc = json_loads("[{\"to\": \"" STRANGER "\", \"outcome\": \"answer\", \"ring\": 3},"
                            " {\"to\": \"" STRANGER "\", \"outcome\": \"busy\", \"times\": 1},"
                            " {\"to\": \"" LINE "\", \"outcome\": \"answer\", \"ring\": 2},"
                            " {\"to\": \"" LINE2 "\", \"outcome\": \"voicemail\", \"ring\": 30}]",
                            0, NULL);
    assert_non_null(oc);
    struct pstn_config cfg = {.call_duration_ms = DURATION_MS, .outcomes = oc};
    struct fx *f = fx_new(&cfg);
    json_decref(oc); /* copied */
    /* the latest set first: busy, once */
    assert_int_equal(pstn_place_call(f->p, AGENT, STRANGER, RING_MS, observer(&f->seen)), 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_BUSY);
    assert_int_equal(f->seen.ringing, 0);
    /* then every call answered after 3 s */
    memset(&f->seen, 0, sizeof f->seen);
    f->seen.q = f->q;
    int64_t t = evq_now(f->q);
    assert_int_equal(pstn_place_call(f->p, AGENT, STRANGER, RING_MS, observer(&f->seen)), 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.answered_at, t + 3000);
    assert_int_equal(f->seen.how, PSTN_END_COMPLETED);
    assert_int_equal(f->seen.ended_at, t + 3000 + DURATION_MS);
    assert_int_equal(f->core.offers, 0);
    assert_int_equal(f->core.hangups, 0); /* not the core's call */
    /* a core line: offered after its ring, and refused: it rings out */
    memset(&f->seen, 0, sizeof f->seen);
    f->seen.q = f->q;
    f->core.answer = false;
    t = evq_now(f->q);
    assert_int_equal(pstn_place_call(f->p, AGENT, LINE, RING_MS, observer(&f->seen)), 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->core.offers, 1);
    assert_int_equal(f->core.offered_at, t + 2000);
    assert_int_equal(f->seen.answered, 0);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    assert_int_equal(f->seen.ended_at, t + RING_MS);
    /* a ring as long as the caller's ring timeout: the caller gives up first */
    memset(&f->seen, 0, sizeof f->seen);
    f->seen.q = f->q;
    t = evq_now(f->q);
    assert_int_equal(pstn_place_call(f->p, AGENT, LINE2, RING_MS, observer(&f->seen)), 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(f->seen.how, PSTN_END_NO_ANSWER);
    assert_int_equal(f->seen.ended_at, t + RING_MS);
    /* run time: cleared, and a line does what it does again */
    json_t *list = pstn_outcomes_json(pstn_outcomes_of(f->p));
    assert_int_equal(json_array_size(list), 3); /* the busy-once one is spent */
    json_decref(list);
    assert_int_equal(pstn_outcomes_clear(pstn_outcomes_of(f->p)), 3);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcomes_per_number),
        cmocka_unit_test(answered_call_completes),
        cmocka_unit_test(ao3_silent_line_rings_out),
        cmocka_unit_test(ao3_silence_as_busy),
        cmocka_unit_test(fault_declined_and_invalid),
        cmocka_unit_test(fault_voicemail),
        cmocka_unit_test(ao3_silence_to_voicemail),
        cmocka_unit_test(silence_as_busy_answered_still_completes),
        cmocka_unit_test(not_a_core_line),
        cmocka_unit_test(no_core_attached),
        cmocka_unit_test(ao3_fault_ani_rewrite),
        cmocka_unit_test(ao3_fault_withheld_ani),
        cmocka_unit_test(null_from_is_withheld),
        cmocka_unit_test(fault_misdial),
        cmocka_unit_test(fault_misdial_nowhere),
        cmocka_unit_test(fault_busy_line),
        cmocka_unit_test(fault_only_for_its_number),
        cmocka_unit_test(two_calls_independent),
        cmocka_unit_test(end_names),
        cmocka_unit_test(duplicate_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
