/* Unit tests of the custom integration's matching (harness/core/transcript_match.c
 * and the hang-up side in gate.c): CI-7 attaches a customer's transcript to its
 * run, by to_phone_number or run_id; CI-6 bounds the wait to 5 minutes after
 * the call ended; CI-9 makes the same call id idempotent. The core runs on a
 * real event queue with a fake HTTP port (test_core.c's fixture): no network,
 * no mocks, no store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "sim/evq.h"
#include "core_fixture.h"
#include "fake_http.h"

#define T0 1767268800000LL /* 2026-01-01T12:00:00Z */
#define ANSWER_MS 2000     /* the provider's call reaches the line */
#define END_MS 62000       /* the far side hangs up */
#define WINDOW_MS CORE_TRANSCRIPT_WINDOW_MS
#define CONTACT "+15551234567" /* the agent's contact_number, the caller ID */
#define E1 "+15557654321"      /* evaluator e1's number */
#define E2 "+15557654322"      /* evaluator e2's number */
#define QNUM "+15557654399"    /* the evaluator of the other project */

/* ---- fixture --------------------------------------------------------------- */

struct fx {
    struct evq *q;
    struct fake_http http;
    struct core *core;
    int idc;
};

/* Agent "sales" of project "p": its transcripts come from the customer's backend. */
static struct core_agent custom_agent(const char *id, const char *project, const char *contact)
{
    return (struct core_agent){
        .id = (char *)id,
        .name = (char *)id,
        .project = (char *)project,
        .auto_outbound = true,
        .contact_number = (char *)contact,
        .provider = DS_PROVIDER_VAPI,
        .provider_api_key = "key",
        .assistant_id = "asst",
        .phone_number_id = "pn",
        .custom_transcripts = true,
    };
}

static void put_agent(struct fx *f, struct core_agent a)
{
    char err[256];
    assert_int_equal(core_agent_put(f->core, &a, err, sizeof err), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(evq_create(&f->q, T0), 0);
    /* the fake HTTP port: 201 to POSTs, "ended" to GETs */
    f->http.q = f->q;
    f->http.get_body = "{\"status\":\"ended\",\"endedReason\":\"customer-ended-call\"}";
    struct core_env env = core_fixture_env(f->q, &fake_http_ops, &f->http, &f->idc);
    env.provider_base_url[DS_PROVIDER_VAPI] = "https://api.vapi.example";
    assert_int_equal(core_create(&f->core, &env), 0);
    char err[256];
    assert_int_equal(core_project_put(f->core, "p", "pk"), 0);
    assert_int_equal(core_project_put(f->core, "q", "qk"), 0);
    put_agent(f, custom_agent("sales", "p", CONTACT));
    put_agent(f, custom_agent("support", "p", "+15551234500"));
    put_agent(f, custom_agent("q-agent", "q", "+15551234599"));
    assert_int_equal(core_evaluator_put(f->core, "e1", "p", E1, NULL, err, sizeof err), 0);
    assert_int_equal(core_evaluator_put(f->core, "e2", "p", E2, NULL, err, sizeof err), 0);
    assert_int_equal(core_evaluator_put(f->core, "eq", "q", QNUM, NULL, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    core_fixture_close(f->q, f->core); /* deliveries free themselves */
    free(f);
    return 0;
}

static void run_until(struct fx *f, int64_t rel_ms)
{
    evq_run_until(f->q, T0 + rel_ms);
}

static const struct core_run *start(struct fx *f, const char *agent, const char *eval)
{
    const char *ids[] = {eval};
    const struct core_run *r = NULL;
    char err[256];
    assert_int_equal(core_start_runs(f->core, agent, ids, 1, &r, err, sizeof err), 0);
    assert_non_null(r);
    assert_int_equal(r->status, DS_RUN_PENDING);
    return r;
}

/* A run of `agent` for `eval` whose call is answered at ANSWER_MS and ends at
 * END_MS (the clock is then at END_MS). */
static const struct core_run *called_run(struct fx *f, const char *agent, const char *eval,
                                         const char *from, const char *to)
{
    const struct core_run *r = start(f, agent, eval);
    uint64_t tok = 0;
    run_until(f, ANSWER_MS);
    assert_true(core_inbound_offer(f->core, from, to, &tok));
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    run_until(f, END_MS);
    core_inbound_hangup(f->core, tok);
    return r;
}

static const struct core_run *called(struct fx *f)
{
    return called_run(f, "sales", "e1", CONTACT, E1);
}

/* A transcript as ingest hands it to the core. */
static struct core_transcript tx(const char *call_id, const char *agent_id, const char *to,
                                 const char *run_id)
{
    return (struct core_transcript){
        .call_id = call_id,
        .run_id = run_id,
        .agent_id = agent_id,
        .to_phone_number = to,
        .ended_at_ms = T0 + END_MS,
        .text = "bot: Hello, this is the assistant calling.\nuser: Hi, I can talk now.\n",
    };
}

static struct core_tx_match attach(struct fx *f, const char *project, struct core_transcript t)
{
    struct core_tx_match m;
    memset(&m, 0x5a, sizeof m); /* every field must be written */
    core_transcript_attach(f->core, project, &t, &m);
    return m;
}

static void assert_matched(const struct core_tx_match *m, const struct core_run *r)
{
    assert_int_equal(m->outcome, CORE_TX_MATCHED);
    assert_string_equal(m->run_id, r->id);
    assert_string_equal(m->message, "attached");
}

static void assert_completed_with(const struct core_run *r, const char *call_id)
{
    assert_int_equal(r->status, DS_RUN_COMPLETED);
    assert_int_equal(r->reason, DS_REASON_NONE);
    assert_non_null(r->transcript_call_id);
    assert_string_equal(r->transcript_call_id, call_id);
    assert_non_null(r->transcript);
    assert_non_null(strstr(r->transcript, "user: Hi, I can talk now."));
    assert_int_equal(r->transcript_timer, 0);
}

static void assert_untouched(const struct core_run *r)
{
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    assert_null(r->transcript_call_id);
    assert_null(r->transcript);
}

/* ---- CI-6: a custom-transcript run waits after its call -------------------- */

static void test_ci6_custom_run_waits_after_hangup(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    assert_int_equal(r->ended_at, T0 + END_MS);
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    assert_true(r->transcript_timer != 0);
    /* the provider's "ended" (poll) does not end the wait either */
    run_until(f, END_MS + WINDOW_MS - 1);
    assert_true(r->provider_ended);
    assert_untouched(r);
    assert_int_equal(r->reason, DS_REASON_NONE);
}

static void test_non_custom_agent_completes_at_hangup(void **state)
{
    struct fx *f = *state;
    struct core_agent a = custom_agent("sales", "p", CONTACT);
    a.custom_transcripts = false;
    put_agent(f, a);
    const struct core_run *r = called(f);
    assert_int_equal(r->status, DS_RUN_COMPLETED);
    assert_int_equal(r->reason, DS_REASON_NONE);
    assert_int_equal(r->transcript_timer, 0);
    run_until(f, END_MS + 2 * WINDOW_MS); /* no CI-6 timer turns it into a failure */
    assert_int_equal(r->status, DS_RUN_COMPLETED);
    assert_int_equal(r->reason, DS_REASON_NONE);
}

/* ---- CI-7: matching by to_phone_number -------------------------------------- */

static void test_ci7_number_with_agent_id_completes_run(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 5000);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_matched(&m, r);
    assert_completed_with(r, "c1");
    assert_string_equal(r->transcript,
                        "bot: Hello, this is the assistant calling.\nuser: Hi, I can talk now.\n");
    /* the cancelled CI-6 timer never fails it afterwards */
    run_until(f, END_MS + 2 * WINDOW_MS);
    assert_completed_with(r, "c1");
    assert_null(r->diagnosis);
}

static void test_ci7_number_without_agent_id_completes_run(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 5000);
    struct core_tx_match m = attach(f, "p", tx("c1", NULL, E1, NULL));
    assert_matched(&m, r);
    assert_completed_with(r, "c1");
}

static void test_ci7_agent_id_of_another_agent_unmatched(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 5000);
    /* "support" exists in the project but placed no call to E1 */
    struct core_tx_match m = attach(f, "p", tx("c1", "support", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_non_null(strstr(m.message, E1));
    assert_non_null(strstr(m.message, "to_phone_number"));
    /* an agent that does not exist at all is named as such */
    m = attach(f, "p", tx("c1", "99", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_non_null(strstr(m.message, "no agent 99"));
    /* an agent of another project does not reach this project's runs (CI-1) */
    m = attach(f, "p", tx("c1", "q-agent", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_untouched(r);
    /* reported, not consumed: the right sender still matches */
    m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_matched(&m, r);
}

static void test_ci7_unknown_number_unmatched(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    /* e2 has no run; the agent's own number is not the evaluator's */
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E2, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_non_null(strstr(m.message, E2));
    m = attach(f, "p", tx("c1", "sales", CONTACT, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    /* the same number in another project is not this run (CI-1) */
    m = attach(f, "q", tx("c1", NULL, E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_untouched(r);
}

static void test_ci7_number_of_unanswered_run_unmatched(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "sales", "e1");
    run_until(f, ANSWER_MS);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_int_equal(r->status, DS_RUN_PENDING);
    assert_null(r->transcript_call_id);
}

/* ---- CI-3 / CI-7: matching by run_id ---------------------------------------- */

static void test_ci7_run_id_completes_run(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 5000);
    /* run_id wins: no agent lookup, no number needed */
    struct core_tx_match m = attach(f, "p", tx("c1", NULL, NULL, r->id));
    assert_matched(&m, r);
    assert_completed_with(r, "c1");
}

static void test_ci7_run_id_of_other_project_unmatched(void **state)
{
    struct fx *f = *state;
    const struct core_run *q = called_run(f, "q-agent", "eq", "+15551234599", QNUM);
    assert_int_equal(q->status, DS_RUN_IN_PROGRESS);
    struct core_tx_match m = attach(f, "p", tx("c1", NULL, NULL, q->id));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_non_null(strstr(m.message, q->id));
    assert_non_null(strstr(m.message, "this project"));
    assert_untouched(q);
    m = attach(f, "p", tx("c1", NULL, NULL, "run_999"));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_non_null(strstr(m.message, "run_999"));
    /* its own project matches it */
    m = attach(f, "q", tx("c1", NULL, NULL, q->id));
    assert_matched(&m, q);
}

static void test_ci7_neither_run_id_nor_number_unmatched(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", NULL, NULL));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_non_null(strstr(m.message, "neither run_id nor to_phone_number"));
    assert_untouched(r);
    assert_string_equal(core_tx_outcome_name(m.outcome), "unmatched");
}

static void test_transcript_before_hangup_completes_at_hangup(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start(f, "sales", "e1");
    uint64_t tok = 0;
    run_until(f, ANSWER_MS);
    assert_true(core_inbound_offer(f->core, CONTACT, E1, &tok));
    /* attached while the call is still up: the run waits for its end */
    struct core_transcript t = tx("c1", NULL, NULL, r->id);
    t.ended_at_ms = T0 + ANSWER_MS;
    struct core_tx_match m = attach(f, "p", t);
    assert_matched(&m, r);
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    run_until(f, END_MS);
    core_inbound_hangup(f->core, tok);
    assert_int_equal(r->status, DS_RUN_COMPLETED); /* no 5-minute wait: it is here */
    assert_int_equal(r->transcript_timer, 0);
}

/* ---- CI-6: the 5-minute boundary --------------------------------------------- */

/* now > end + 5 min is late, so a transcript at exactly end + 5 min is in time
 * — even though the CI-6 timer is due at that same instant. */
static void test_ci6_exactly_5_min_is_in_time(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + WINDOW_MS);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_matched(&m, r);
    assert_completed_with(r, "c1");
    run_until(f, END_MS + 2 * WINDOW_MS);
    assert_completed_with(r, "c1");
}

static void test_ci6_5_min_plus_1_ms_is_late(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + WINDOW_MS + 1);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_LATE);
    assert_string_equal(core_tx_outcome_name(m.outcome), "late");
    assert_string_equal(m.run_id, r->id); /* it says which run it missed */
    assert_string_equal(m.message, "the call ended at 2026-01-01T12:01:02.000Z and the core "
                                   "listens for 5 min (CI-6): the window closed at "
                                   "2026-01-01T12:06:02.000Z — not matched");
    assert_non_null(strstr(m.message, "CI-6"));
    assert_non_null(strstr(m.message, "not matched"));
    /* not attached: the run keeps its own state */
    assert_null(r->transcript_call_id);
    assert_null(r->transcript);
    assert_int_equal(r->status, DS_RUN_FAILED);
}

/* The run's own end counts, not the sender's endedAt. */
static void test_ci6_window_counts_from_core_end(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + WINDOW_MS - 1000);
    struct core_transcript t = tx("c1", "sales", E1, NULL);
    t.ended_at_ms = T0; /* the sender claims the call ended a minute earlier */
    struct core_tx_match m = attach(f, "p", t);
    assert_matched(&m, r);
    assert_completed_with(r, "c1");
}

static void test_ci6_timer_fails_transcript_missing(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + WINDOW_MS);
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS); /* still in time, see above */
    run_until(f, END_MS + WINDOW_MS + 1);
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_int_equal(r->reason, DS_REASON_TRANSCRIPT_MISSING);
    assert_int_equal(r->updated_at, T0 + END_MS + WINDOW_MS + 1);
    assert_int_equal(r->transcript_timer, 0);
    assert_non_null(r->diagnosis);
    assert_non_null(strstr(r->diagnosis, "X-CEKURA-API-KEY"));
    assert_non_null(strstr(r->diagnosis, E1));
}

static void test_ci6_late_after_timer_refines_to_transcript_late(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 6 * 60 * 1000);
    assert_int_equal(r->reason, DS_REASON_TRANSCRIPT_MISSING);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_LATE);
    /* CI-9: the words name the call's window, not the arrival, so a re-send
     * a second later gets the same answer */
    char first[sizeof m.message];
    snprintf(first, sizeof first, "%s", m.message);
    run_until(f, END_MS + 6 * 60 * 1000 + 1000);
    m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_LATE);
    assert_string_equal(m.message, first);
    assert_int_equal(r->status, DS_RUN_FAILED); /* the status stays final */
    assert_int_equal(r->reason, DS_REASON_TRANSCRIPT_LATE);
    assert_null(r->transcript_call_id);
    assert_non_null(r->diagnosis);
    assert_non_null(strstr(r->diagnosis, "came after the 5-minute listening window"));
    /* once more: still late, still failed transcript_late */
    m = attach(f, "p", tx("c2", "sales", E1, NULL));
    assert_int_equal(m.outcome, CORE_TX_LATE);
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_int_equal(r->reason, DS_REASON_TRANSCRIPT_LATE);
}

/* ---- CI-9: the same call again ----------------------------------------------- */

static void test_ci9_same_call_id_again_same_answer(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 5000);
    struct core_tx_match m1 = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_matched(&m1, r);
    run_until(f, END_MS + 6000);
    size_t events_before = r->n_events;
    struct core_tx_match m2 = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_int_equal(m2.outcome, m1.outcome);
    assert_string_equal(m2.run_id, m1.run_id);
    assert_string_equal(m2.message, m1.message); /* the same words */
    assert_int_equal(r->n_events, events_before);
    /* even after the window: a re-send is not "late" (CI-9 before CI-6) */
    run_until(f, END_MS + 2 * WINDOW_MS);
    struct core_tx_match m3 = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_matched(&m3, r);
    /* and by run_id, the same call is the same answer */
    struct core_tx_match m4 = attach(f, "p", tx("c1", NULL, NULL, r->id));
    assert_matched(&m4, r);
    assert_completed_with(r, "c1");
}

static void test_ci9_second_call_for_same_run_unmatched(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = called(f);
    run_until(f, END_MS + 5000);
    struct core_tx_match m = attach(f, "p", tx("c1", "sales", E1, NULL));
    assert_matched(&m, r);
    struct core_transcript t2 = tx("c2", "sales", E1, NULL);
    t2.text = "bot: something else\n";
    m = attach(f, "p", t2);
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, r->id);
    assert_non_null(strstr(m.message, "already has transcript c1"));
    assert_completed_with(r, "c1"); /* the first one stays */
    m = attach(f, "p", tx("c2", NULL, NULL, r->id));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
}

/* ---- issue 14: runs that share a number ------------------------------------ */

/* A run of "sales" for e1 answered at answer_ms and hung up at end_ms (the
 * clock is then at end_ms); with end_ms 0 the call stays in progress. */
static const struct core_run *call_at(struct fx *f, const char *eval, int64_t answer_ms,
                                      int64_t end_ms)
{
    const struct core_run *r = start(f, "sales", eval);
    uint64_t tok = 0;
    run_until(f, answer_ms);
    assert_true(core_inbound_offer(f->core, CONTACT, E1, &tok));
    if (end_ms) {
        run_until(f, end_ms);
        core_inbound_hangup(f->core, tok);
    }
    return r;
}

static struct core_transcript tx_times(const char *call_id, int64_t started, int64_t ended)
{
    struct core_transcript t = tx(call_id, "sales", E1, NULL);
    t.started_at_ms = T0 + started;
    t.ended_at_ms = T0 + ended;
    return t;
}

/* The first call's transcript arrives during the second call of the same
 * number: it goes to the run whose call has ended and waits for it. */
static void test_ci7_ended_run_before_run_in_progress(void **state)
{
    struct fx *f = *state;
    const struct core_run *r1 = call_at(f, "e1", 2000, 62000);
    const struct core_run *r2 = call_at(f, "e1", 70000, 0);
    assert_int_equal(r2->status, DS_RUN_IN_PROGRESS);
    struct core_tx_match m = attach(f, "p", tx_times("c1", 2000, 62000));
    assert_matched(&m, r1);
    assert_completed_with(r1, "c1");
    assert_null(r2->transcript_call_id);
}

/* Two ended calls without transcripts: each transcript goes to the call whose
 * times it gives, whatever order they arrive in (not "the most recent"). */
static void test_ci7_two_ended_runs_by_call_times(void **state)
{
    struct fx *f = *state;
    const struct core_run *r1 = call_at(f, "e1", 2000, 62000);
    const struct core_run *r2 = call_at(f, "e1", 70000, 130000);
    struct core_tx_match m = attach(f, "p", tx_times("c1", 2100, 61900));
    assert_matched(&m, r1);
    m = attach(f, "p", tx_times("c2", 70100, 129900));
    assert_matched(&m, r2);
    assert_completed_with(r1, "c1");
    assert_completed_with(r2, "c2");
}

/* Two runs that fit exactly as well: the answer says so and nothing is attached. */
static void test_ci7_equal_fit_is_ambiguous(void **state)
{
    struct fx *f = *state;
    const struct core_run *r1 = call_at(f, "e1", 2000, 62000);
    const struct core_run *r2 = call_at(f, "e1", 70000, 130000);
    struct core_tx_match m = attach(f, "p", tx_times("c1", 36000, 96000));
    assert_int_equal(m.outcome, CORE_TX_UNMATCHED);
    assert_string_equal(m.run_id, "");
    assert_non_null(strstr(m.message, "ambiguous"));
    assert_non_null(strstr(m.message, r1->id));
    assert_non_null(strstr(m.message, r2->id));
    assert_non_null(strstr(m.message, "run_id"));
    assert_untouched(r1);
    assert_untouched(r2);
    /* the sender resolves it with run_id */
    struct core_transcript t = tx_times("c1", 36000, 96000);
    t.run_id = r2->id;
    m = attach(f, "p", t);
    assert_matched(&m, r2);
}

static void test_outcome_names(void **state)
{
    (void)state;
    assert_string_equal(core_tx_outcome_name(CORE_TX_MATCHED), "matched");
    assert_string_equal(core_tx_outcome_name(CORE_TX_LATE), "late");
    assert_string_equal(core_tx_outcome_name(CORE_TX_UNMATCHED), "unmatched");
    assert_string_equal(core_tx_outcome_name((enum core_tx_outcome)7), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_ci6_custom_run_waits_after_hangup),
        T(test_non_custom_agent_completes_at_hangup),
        T(test_ci7_number_with_agent_id_completes_run),
        T(test_ci7_number_without_agent_id_completes_run),
        T(test_ci7_agent_id_of_another_agent_unmatched),
        T(test_ci7_unknown_number_unmatched),
        T(test_ci7_number_of_unanswered_run_unmatched),
        T(test_ci7_run_id_completes_run),
        T(test_ci7_run_id_of_other_project_unmatched),
        T(test_ci7_neither_run_id_nor_number_unmatched),
        T(test_transcript_before_hangup_completes_at_hangup),
        T(test_ci6_exactly_5_min_is_in_time),
        T(test_ci6_5_min_plus_1_ms_is_late),
        T(test_ci6_window_counts_from_core_end),
        T(test_ci6_timer_fails_transcript_missing),
        T(test_ci6_late_after_timer_refines_to_transcript_late),
        T(test_ci9_same_call_id_again_same_answer),
        T(test_ci9_second_call_for_same_run_unmatched),
        T(test_ci7_ended_run_before_run_in_progress),
        T(test_ci7_two_ended_runs_by_call_times),
        T(test_ci7_equal_fit_is_ambiguous),
        T(test_outcome_names),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
