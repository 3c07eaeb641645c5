/* Unit tests of the orchestration core (harness/core/core.c, gate.c,
 * diagnosis.c): preconditions (AO-2, AO-5), dispatch (AO-1, AO-4), the
 * caller-ID gate (AO-3) and the dial window (DW-1..DW-4). The core runs on a
 * real event queue and a fake HTTP port that answers from a script: no
 * network, no mocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "core/timefmt.h"
#include "sim/evq.h"

#include "core_fixture.h"
#include "fake_http.h"

#define T0 1767268800000LL /* 2026-01-01T12:00:00Z */

/* ---- fixture --------------------------------------------------------------- */

struct fx {
    struct evq *q;
    struct fake_http http;
    struct core *core;
    int idc;
};

static struct core_agent good_agent(void)
{
    return (struct core_agent){
        .id = "sales",
        .name = "Sales",
        .project = "p",
        .inbound = false,
        .auto_outbound = true,
        .contact_number = "+15551234567",
        .provider = DS_PROVIDER_VAPI,
        .provider_api_key = "key",
        .assistant_id = "asst",
        .phone_number_id = "pn",
        .dial_window_seconds = 0,
    };
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    evq_create(&f->q, T0);
    f->http.q = f->q;
    struct core_env env = core_fixture_env(f->q, &fake_http_ops, &f->http, &f->idc);
    env.provider_base_url[DS_PROVIDER_VAPI] = "https://api.vapi.example";
    assert_int_equal(core_create(&f->core, &env), 0);
    f->http.core = f->core;
    char err[256];
    assert_int_equal(core_project_put(f->core, "p", "pk"), 0);
    struct core_agent a = good_agent();
    assert_int_equal(core_agent_put(f->core, &a, err, sizeof err), 0);
    assert_int_equal(core_evaluator_put(f->core, "e1", "p", "+15557654321", NULL, err, sizeof err),
                     0);
    assert_int_equal(core_evaluator_put(f->core, "e2", "p", "+15557654322", NULL, err, sizeof err),
                     0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    /* let pending deliveries free themselves (polls are bounded) */
    core_fixture_close(f->q, f->core);
    free(f);
    return 0;
}

static void run_until(struct fx *f, int64_t rel_ms)
{
    evq_run_until(f->q, T0 + rel_ms);
}

static void put_agent(struct fx *f, struct core_agent a)
{
    char err[256];
    assert_int_equal(core_agent_put(f->core, &a, err, sizeof err), 0);
}

static const struct core_run *start1(struct fx *f, const char *eval)
{
    const char *ids[] = {eval};
    const struct core_run *r = NULL;
    char err[256];
    assert_int_equal(core_start_runs(f->core, "sales", ids, 1, &r, err, sizeof err), 0);
    return r;
}

/* Advance the clock to rel_ms, then offer a call. */
static bool offer_at(struct fx *f, int64_t rel_ms, const char *from, const char *to, uint64_t *tok)
{
    run_until(f, rel_ms);
    return core_inbound_offer(f->core, from, to, tok);
}

/* ---- AO-2 / AO-5: preconditions ------------------------------------------ */

static void expect_precondition(struct fx *f, struct core_agent a, const char *eval,
                                enum ds_reason want)
{
    put_agent(f, a);
    const struct core_run *r = start1(f, eval);
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_string_equal(reason_name(r->reason), reason_name(want));
    assert_false(r->window_set); /* AO-2: never reached pending */
    assert_non_null(r->diagnosis);
    assert_non_null(strstr(r->diagnosis, "No call was placed."));
    run_until(f, 1000);
    assert_int_equal(f->http.sent, 0); /* no call asked for */
}

static void test_ao2_inbound(void **state)
{
    struct core_agent a = good_agent();
    a.inbound = true;
    expect_precondition(*state, a, "e1", DS_REASON_AGENT_INBOUND_MODE);
}

static void test_ao2_auto_outbound_off(void **state)
{
    struct core_agent a = good_agent();
    a.auto_outbound = false;
    expect_precondition(*state, a, "e1", DS_REASON_AUTO_OUTBOUND_DISABLED);
}

static void test_ao2_credentials(void **state)
{
    struct core_agent a = good_agent();
    a.provider_api_key = "";
    expect_precondition(*state, a, "e1", DS_REASON_PROVIDER_CREDENTIALS_MISSING);
}

static void test_ao2_assistant_missing(void **state)
{
    struct core_agent a = good_agent();
    a.assistant_id = NULL;
    expect_precondition(*state, a, "e1", DS_REASON_PROVIDER_CREDENTIALS_MISSING);
}

static void test_ao2_contact_missing(void **state)
{
    struct core_agent a = good_agent();
    a.contact_number = NULL;
    expect_precondition(*state, a, "e1", DS_REASON_CONTACT_NUMBER_MISSING);
}

static void test_ao5_contact_invalid(void **state)
{
    struct core_agent a = good_agent();
    a.contact_number = "+1 (555) 123-4567"; /* AO-5: not rewritten */
    expect_precondition(*state, a, "e1", DS_REASON_CONTACT_NUMBER_INVALID);
}

static void test_ao5_evaluator_invalid(void **state)
{
    struct fx *f = *state;
    char err[256];
    assert_int_equal(core_evaluator_put(f->core, "bad", "p", "15557654321", NULL, err, sizeof err),
                     0);
    expect_precondition(f, good_agent(), "bad", DS_REASON_EVALUATOR_NUMBER_INVALID);
}

/* AO-2: the whole batch is checked before any call is asked for; a bad
 * evaluator fails its own run only. */
static void test_ao2_batch_checked_before_dispatch(void **state)
{
    struct fx *f = *state;
    char err[256];
    assert_int_equal(core_evaluator_put(f->core, "bad", "p", "+1555", NULL, err, sizeof err), 0);
    assert_int_equal(core_evaluator_put(f->core, "bad2", "p", "", NULL, err, sizeof err), 0);
    const char *ids[] = {"e1", "bad", "e2", "bad2"};
    const struct core_run *runs[4];
    assert_int_equal(core_start_runs(f->core, "sales", ids, 4, runs, err, sizeof err), 0);
    assert_int_equal(f->http.runs_at_first_send, 4);
    assert_int_equal(runs[0]->status, DS_RUN_PENDING);
    assert_int_equal(runs[1]->status, DS_RUN_PENDING); /* "+1555" is E.164-shaped */
    assert_int_equal(runs[3]->status, DS_RUN_FAILED);
    assert_int_equal(runs[3]->reason, DS_REASON_EVALUATOR_NUMBER_INVALID);
    assert_int_equal(f->http.sent, 3);
}

static void test_unknown_agent_or_evaluator_creates_nothing(void **state)
{
    struct fx *f = *state;
    char err[256];
    const char *ids[] = {"e1", "nobody"};
    assert_int_equal(core_start_runs(f->core, "sales", ids, 2, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "nobody"));
    assert_int_equal(core_start_runs(f->core, "ghost", ids, 1, NULL, err, sizeof err), -1);
    assert_int_equal(core_run_count(f->core), 0);
}

/* dialsim serve stores new runs before any call is asked for: a commit that
 * fails takes the whole batch back (no run, no request, no timer left). */
static int refuse_commit(void *ctx)
{
    ++*(int *)ctx;
    return -1;
}

static void test_refused_commit_starts_nothing(void **state)
{
    struct fx *f = *state;
    char err[256];
    int commits = 0;
    const char *ids[] = {"e1", "e2"};
    const struct core_run *runs[2] = {NULL, NULL};
    assert_int_equal(core_start_runs_committed(f->core, "sales", ids, 2, runs, refuse_commit,
                                               &commits, err, sizeof err),
                     -2);
    assert_int_equal(commits, 1);
    assert_null(runs[0]);
    assert_int_equal(core_run_count(f->core), 0);
    assert_int_equal(f->http.sent, 0);
    assert_int_equal(evq_run_next(f->q, INT64_MAX), 0); /* the window timers went too */
    /* the same batch once the commit passes */
    assert_int_equal(core_start_runs(f->core, "sales", ids, 2, runs, err, sizeof err), 0);
    assert_int_equal(core_run_count(f->core), 2);
    assert_int_equal(f->http.sent, 2);
}

/* ---- AO-1 / AO-4: dispatch -------------------------------------------------- */

static void test_ao1_one_call_per_run(void **state)
{
    struct fx *f = *state;
    const char *ids[] = {"e1", "e2"};
    char err[256];
    assert_int_equal(core_start_runs(f->core, "sales", ids, 2, NULL, err, sizeof err), 0);
    assert_int_equal(f->http.sent, 2);
    assert_string_equal(f->http.methods[0], "POST");
    assert_string_equal(f->http.urls[0], "https://api.vapi.example/call");
    assert_non_null(strstr(f->http.bodies[0], "\"number\":\"+15557654321\""));
    assert_non_null(strstr(f->http.bodies[1], "\"number\":\"+15557654322\""));
    run_until(f, 1000);
    assert_string_equal(core_run_at(f->core, 0)->provider_call_id, "call-1");
}

static void test_ao4_refusal_fails_at_once(void **state)
{
    struct fx *f = *state;
    f->http.script[0] = (struct fake_answer){
        401, "{\"message\":\"Invalid Key. Hot tip\",\"error\":\"Unauthorized\",\"statusCode\":401}",
        250};
    f->http.n_script = 1;
    const struct core_run *r = start1(f, "e1");
    run_until(f, 249);
    assert_int_equal(r->status, DS_RUN_PENDING);
    run_until(f, 250);
    assert_int_equal(r->status, DS_RUN_FAILED); /* not a timeout */
    assert_int_equal(r->reason, DS_REASON_PROVIDER_AUTH_FAILED);
    assert_non_null(strstr(r->detail, "401: Invalid Key. Hot tip"));
    /* a failed run answers no call */
    uint64_t tok;
    assert_false(offer_at(f, 2000, "+15551234567", "+15557654321", &tok));
}

/* AO-4 without webhooks (issue 14): a call accepted (201) and ended at start
 * is read during the window, CORE_WINDOW_POLL_FIRST_MS after the 201, and the
 * run fails with the provider's reason then, not at the window's end. */
static void test_ao4_ended_at_start_found_by_window_poll(void **state)
{
    struct fx *f = *state;
    f->http.get_body = "{\"status\":\"ended\",\"endedReason\":\"call.start.error-subscription-"
                       "insufficient-credits\"}";
    const struct core_run *r = start1(f, "e1");
    run_until(f, 100 + CORE_WINDOW_POLL_FIRST_MS - 1);
    assert_int_equal(r->status, DS_RUN_PENDING);
    assert_int_equal(f->http.sent, 1); /* the POST only */
    run_until(f, 100 + CORE_WINDOW_POLL_FIRST_MS + 100);
    assert_int_equal(f->http.sent, 2);
    assert_string_equal(f->http.methods[1], "GET");
    assert_string_equal(f->http.urls[1], "https://api.vapi.example/call/call-1");
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_int_equal(r->reason, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
    run_until(f, 400000);
    assert_int_equal(f->http.sent, 2); /* ended: no more polls */
}

/* A call still ringing is read every CORE_POLL_INTERVAL_MS while the run is
 * pending; answering the call ends the window's polls. */
static void test_window_polls_stop_when_answered(void **state)
{
    struct fx *f = *state;
    f->http.get_body = "{\"status\":\"ringing\"}";
    const struct core_run *r = start1(f, "e1");
    run_until(f, 100 + CORE_WINDOW_POLL_FIRST_MS + CORE_POLL_INTERVAL_MS + 100);
    assert_int_equal(f->http.sent, 3); /* POST, GET at 5.1 s, GET at 35.2 s */
    uint64_t tok;
    assert_true(offer_at(f, 40000, "+15551234567", "+15557654321", &tok));
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    run_until(f, 200000);
    assert_int_equal(f->http.sent, 3); /* the poll due at 65.2 s finds the run answered: none */
}

/* Issue 14: two runs pending on one line (two agents test the same evaluator
 * at once): a call goes to the run whose agent calls from its caller ID, not
 * to the most recent pending run. */
static void test_line_with_two_pending_runs_by_caller_id(void **state)
{
    struct fx *f = *state;
    struct core_agent b = good_agent();
    b.id = "support";
    b.contact_number = "+15559990000";
    put_agent(f, b);
    const char *ids[] = {"e1"};
    const struct core_run *rs = NULL, *rb = NULL;
    char err[256];
    assert_int_equal(core_start_runs(f->core, "support", ids, 1, &rb, err, sizeof err), 0);
    rs = start1(f, "e1"); /* sales: the most recent pending run */
    uint64_t tok;
    assert_true(offer_at(f, 2000, "+15559990000", "+15557654321", &tok));
    assert_int_equal(rb->status, DS_RUN_IN_PROGRESS);
    assert_int_equal(rs->status, DS_RUN_PENDING);
    assert_true(offer_at(f, 2000, "+15551234567", "+15557654321", &tok));
    assert_int_equal(rs->status, DS_RUN_IN_PROGRESS);
}

/* ---- DW-1 / DW-3: the window ---------------------------------------------- */

static void test_dw1_window_opens_at_pending(void **state)
{
    struct fx *f = *state;
    run_until(f, 5000);
    const struct core_run *r = start1(f, "e1");
    assert_int_equal(r->status, DS_RUN_PENDING);
    assert_true(r->window_set);
    assert_int_equal(r->opens_at, T0 + 5000);
    assert_int_equal(r->window_seconds, 300); /* DW-1 default */
    assert_int_equal(r->closes_at, T0 + 305000);
    json_t *j = core_run_to_json(r); /* DW-3 */
    assert_string_equal(json_string_value(json_object_get(j, "outbound_dial_window_opens_at")),
                        "2026-01-01T12:00:05.000Z");
    assert_int_equal(json_integer_value(json_object_get(j, "outbound_dial_window_seconds")), 300);
    assert_string_equal(json_string_value(json_object_get(j, "outbound_dial_window_closes_at")),
                        "2026-01-01T12:05:05.000Z");
    json_decref(j);
}

static void test_dw1_window_per_agent(void **state)
{
    struct fx *f = *state;
    struct core_agent a = good_agent();
    a.dial_window_seconds = 60;
    put_agent(f, a);
    const struct core_run *r = start1(f, "e1");
    assert_int_equal(r->closes_at - r->opens_at, 60000);
}

static void test_dw3_failed_run_has_null_window(void **state)
{
    struct fx *f = *state;
    struct core_agent a = good_agent();
    a.inbound = true;
    put_agent(f, a);
    json_t *j = core_run_to_json(start1(f, "e1"));
    assert_true(json_is_null(json_object_get(j, "outbound_dial_window_opens_at")));
    assert_true(json_is_null(json_object_get(j, "outbound_dial_window_closes_at")));
    json_decref(j);
}

/* ---- AO-3: the caller-ID gate ---------------------------------------------- */

static void test_ao3_exact_match_answers(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    uint64_t tok = 0;
    assert_true(offer_at(f, 2000, "+15551234567", "+15557654321", &tok));
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    assert_int_equal(r->n_dials, 1);
    assert_true(r->dials[0].answered);
    core_inbound_hangup(f->core, tok);
    assert_int_equal(r->status, DS_RUN_COMPLETED);
    assert_null(r->diagnosis);
}

static void test_ao3_mismatch_drops_silently(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    /* exact string: no normalisation, no trimming */
    assert_false(offer_at(f, 2000, "+15551234568", "+15557654321", &tok));
    assert_false(core_inbound_offer(f->core, "15551234567", "+15557654321", &tok));
    assert_false(core_inbound_offer(f->core, "+15551234567 ", "+15557654321", &tok));
    assert_int_equal(r->status, DS_RUN_PENDING); /* silent: nothing happens yet */
    assert_int_equal(r->n_dials, 3);
    assert_int_equal(r->dials[0].drop, DS_REASON_CALLER_ID_MISMATCH);
    assert_string_equal(r->dials[0].from, "+15551234568");
    assert_string_equal(r->dials[0].to, "+15557654321");
    run_until(f, 300000);
    assert_int_equal(r->status, DS_RUN_TIMEOUT);
    assert_int_equal(r->reason, DS_REASON_CALLER_ID_MISMATCH);
    run_until(f, 400000); /* the core follows the provider call to name the symptom */
    assert_non_null(strstr(r->diagnosis, "Vapi reports customer-did-not-answer."));
    assert_non_null(strstr(r->diagnosis, "The call from +15551234568 was dropped"));
    assert_non_null(
        strstr(r->diagnosis, "agent 'sales' has +15551234567, which differs in the last digit"));
}

/* AO-3, AO-5: a caller ID without its "+" is a mismatch, and the diagnosis
 * says what is wrong with it. */
static void test_ao3_diagnosis_names_missing_plus(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    assert_false(offer_at(f, 1000, "15551234567", "+15557654321", &tok));
    run_until(f, 400000);
    assert_int_equal(r->reason, DS_REASON_CALLER_ID_MISMATCH);
    assert_non_null(strstr(r->diagnosis,
                           "(agent 'sales' has +15551234567; the caller ID lacks the leading +)."));
}

static void test_ao3_other_agent_of_project_accepted(void **state)
{
    struct fx *f = *state;
    struct core_agent b = good_agent();
    b.id = "support";
    b.contact_number = "+15559990000";
    put_agent(f, b);
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    assert_true(offer_at(f, 1000, "+15559990000", "+15557654321", &tok));
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
}

static void test_ao3_agent_of_other_project_refused(void **state)
{
    struct fx *f = *state;
    char err[256];
    assert_int_equal(core_project_put(f->core, "other", "k2"), 0);
    struct core_agent b = good_agent();
    b.id = "elsewhere";
    b.project = "other";
    b.contact_number = "+15559990000";
    put_agent(f, b);
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    assert_false(offer_at(f, 1000, "+15559990000", "+15557654321", &tok));
    assert_int_equal(r->dials[0].drop, DS_REASON_CALLER_ID_MISMATCH);
    (void)err;
}

static void test_ao3_missing_caller_id(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    assert_false(offer_at(f, 1000, "", "+15557654321", &tok));
    assert_false(core_inbound_offer(f->core, NULL, "+15557654321", &tok));
    run_until(f, 300000);
    assert_int_equal(r->reason, DS_REASON_CALLER_ID_MISSING);
    assert_non_null(strstr(r->diagnosis, "without a caller ID"));
}

static void test_ao3_line_without_run(void **state)
{
    struct fx *f = *state;
    uint64_t tok;
    assert_false(core_inbound_offer(f->core, "+15551234567", "+15550000000", &tok));
}

/* ---- DW-2: late dials -------------------------------------------------------- */

static void test_dw2_one_ms_before_close_answers(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    assert_true(offer_at(f, 299999, "+15551234567", "+15557654321", &tok));
    run_until(f, 400000);
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS); /* the window timer was cancelled */
}

static void test_dw2_dial_at_close_is_late(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    uint64_t tok;
    /* at exactly closes_at: "placed before closes_at" fails, so it is late */
    assert_false(offer_at(f, 300000, "+15551234567", "+15557654321", &tok));
    assert_int_equal(r->dials[0].drop, DS_REASON_DIAL_LATE);
    assert_int_equal(r->dials[0].late_by_ms, 0);
    assert_int_equal(r->reason, DS_REASON_DIAL_LATE);
    assert_non_null(strstr(r->diagnosis, "at the instant the dial window closed"));
}

static void test_dw2_no_dial_then_late_dial_refines(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    run_until(f, 300000);
    assert_int_equal(r->status, DS_RUN_TIMEOUT);
    assert_int_equal(r->reason, DS_REASON_NO_DIAL);
    assert_non_null(
        strstr(r->diagnosis, "No call reached +15557654321 within the 300 s dial window"));
    uint64_t tok;
    assert_false(offer_at(f, 301200, "+15551234567", "+15557654321", &tok));
    assert_int_equal(r->status, DS_RUN_TIMEOUT); /* DW-4: still final */
    assert_int_equal(r->reason, DS_REASON_DIAL_LATE);
    assert_int_equal(r->dials[0].late_by_ms, 1200);
    assert_non_null(strstr(r->diagnosis, "The dial came 1.2 s after the dial window closed "
                                         "(opened 12:00:00, closed 12:05:00, dial 12:05:01.2)."));
}

/* ---- DW-4: final runs ---------------------------------------------------------- */

static void test_dw4_timeout_is_final(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    run_until(f, 300000);
    assert_int_equal(r->status, DS_RUN_TIMEOUT);
    char err[256];
    int sent = f->http.sent;
    assert_int_equal(core_run_redial(f->core, r->id, err, sizeof err), -1);
    assert_non_null(strstr(err, "DW-4"));
    assert_int_equal(f->http.sent, sent);
    uint64_t tok; /* a matching dial later does not revive it */
    assert_false(offer_at(f, 310000, "+15551234567", "+15557654321", &tok));
    assert_int_equal(r->status, DS_RUN_TIMEOUT);
    /* a fresh run for the same evaluator gets the call */
    run_until(f, 320000);
    const struct core_run *r2 = start1(f, "e1");
    assert_true(offer_at(f, 321000, "+15551234567", "+15557654321", &tok));
    assert_int_equal(r2->status, DS_RUN_IN_PROGRESS);
    assert_int_equal(r->status, DS_RUN_TIMEOUT);
}

/* dialsim serve bounds its memory with core_runs_evict: a final run goes
 * only once no timer or request points at it (a poll of its call, the dial
 * window), oldest first, never a run still open; may() can veto one. */
static int evicted_seen;
static void count_gone(void *ctx, const struct core_run *r)
{
    (void)ctx;
    (void)r;
    evicted_seen++;
}
static bool refuse_all(void *ctx, const struct core_run *r)
{
    (void)ctx;
    (void)r;
    return false;
}

static void test_evict_only_quiet_final_runs(void **state)
{
    struct fx *f = *state;
    f->http.get_body = "{\"status\":\"queued\"}"; /* the call never ends: polls go on */
    const struct core_run *open = start1(f, "e1");
    char open_id[64];
    snprintf(open_id, sizeof open_id, "%s", open->id);
    struct core_agent inbound = good_agent();
    inbound.inbound = true;
    put_agent(f, inbound);
    const struct core_run *failed = start1(f, "e2"); /* AO-2: failed at once, nothing pending */
    assert_int_equal(failed->status, DS_RUN_FAILED);
    put_agent(f, good_agent());
    run_until(f, 1000);
    evicted_seen = 0;
    assert_int_equal(core_runs_evict(f->core, 0, refuse_all, count_gone, NULL), 0);
    assert_int_equal(core_run_count(f->core), 2);
    assert_int_equal(core_runs_evict(f->core, 1, NULL, count_gone, NULL), 0); /* within keep */
    assert_int_equal(core_runs_evict(f->core, 0, NULL, count_gone, NULL), 1);
    assert_int_equal(evicted_seen, 1);
    assert_int_equal(core_run_count(f->core), 1);
    assert_string_equal(core_run_at(f->core, 0)->id, open_id); /* pending: kept */
    /* the window closes: final, but its call is still polled */
    run_until(f, 300000 + 1000);
    open = core_run_get(f->core, open_id);
    assert_non_null(open);
    assert_int_equal(open->status, DS_RUN_TIMEOUT);
    assert_int_equal(core_runs_evict(f->core, 0, NULL, count_gone, NULL), 0);
    assert_non_null(core_run_get(f->core, open_id));
    /* the polls give up (CORE_POLL_MAX): nothing points at it any more */
    run_until(f, 300000 + (int64_t)(CORE_POLL_MAX + 2) * CORE_POLL_INTERVAL_MS);
    assert_int_equal(core_runs_evict(f->core, 0, NULL, count_gone, NULL), 1);
    assert_int_equal(core_run_count(f->core), 0);
    assert_null(core_run_get(f->core, open_id));
    assert_int_equal(evicted_seen, 2);
}

static void test_redial_pending_sends_again(void **state)
{
    struct fx *f = *state;
    const struct core_run *r = start1(f, "e1");
    char err[256];
    assert_int_equal(core_run_redial(f->core, r->id, err, sizeof err), 0);
    assert_int_equal(f->http.sent, 2);
    assert_int_equal(core_run_redial(f->core, "run_99", err, sizeof err), -1);
}

/* The run observer (dialsim serve stores runs with it): told after every
 * change, last after the diagnosis is set, on the core's thread. */
struct seen_runs {
    int calls;
    enum ds_run_status last_status;
    bool last_had_diagnosis;
    const struct core_run *last;
};

static void observe(void *ctx, const struct core_run *r)
{
    struct seen_runs *s = ctx;
    s->calls++;
    s->last = r;
    s->last_status = r->status;
    s->last_had_diagnosis = r->diagnosis != NULL;
}

static void test_run_observer_told_of_every_change(void **state)
{
    struct fx *f = *state;
    core_destroy(f->core);
    struct seen_runs seen = {0};
    struct core_env env = core_fixture_env(f->q, &fake_http_ops, &f->http, &f->idc);
    env.provider_base_url[DS_PROVIDER_VAPI] = "https://api.vapi.example";
    env.on_run = (struct ds_run_observer){observe, &seen};
    assert_int_equal(core_create(&f->core, &env), 0);
    f->http.core = f->core;
    char err[256];
    assert_int_equal(core_project_put(f->core, "p", "pk"), 0);
    struct core_agent a = good_agent();
    a.inbound = true; /* AO-2: fails at once */
    assert_int_equal(core_agent_put(f->core, &a, err, sizeof err), 0);
    assert_int_equal(core_evaluator_put(f->core, "e1", "p", "+15557654321", NULL, err, sizeof err),
                     0);
    const struct core_run *r = start1(f, "e1");
    assert_true(seen.calls >= 2); /* created, failed */
    assert_ptr_equal(seen.last, r);
    assert_int_equal(seen.last_status, DS_RUN_FAILED);
    assert_true(seen.last_had_diagnosis);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_ao2_inbound),
        T(test_ao2_auto_outbound_off),
        T(test_ao2_credentials),
        T(test_ao2_assistant_missing),
        T(test_ao2_contact_missing),
        T(test_ao5_contact_invalid),
        T(test_ao5_evaluator_invalid),
        T(test_ao2_batch_checked_before_dispatch),
        T(test_unknown_agent_or_evaluator_creates_nothing),
        T(test_refused_commit_starts_nothing),
        T(test_ao1_one_call_per_run),
        T(test_ao4_refusal_fails_at_once),
        T(test_ao4_ended_at_start_found_by_window_poll),
        T(test_window_polls_stop_when_answered),
        T(test_line_with_two_pending_runs_by_caller_id),
        T(test_dw1_window_opens_at_pending),
        T(test_dw1_window_per_agent),
        T(test_dw3_failed_run_has_null_window),
        T(test_ao3_exact_match_answers),
        T(test_ao3_mismatch_drops_silently),
        T(test_ao3_diagnosis_names_missing_plus),
        T(test_ao3_other_agent_of_project_accepted),
        T(test_ao3_agent_of_other_project_refused),
        T(test_ao3_missing_caller_id),
        T(test_ao3_line_without_run),
        T(test_dw2_one_ms_before_close_answers),
        T(test_dw2_dial_at_close_is_late),
        T(test_dw2_no_dial_then_late_dial_refines),
        T(test_run_observer_told_of_every_change),
        T(test_dw4_timeout_is_final),
        T(test_evict_only_quiet_final_runs),
        T(test_redial_pending_sends_again),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
