/* worker_run: a scenario replayed end to end in-process (core, CivetWeb mock
 * server, libcurl, simulated clock), and every kind of expectation checked by
 * expect.c failing with a message that says expected vs. got. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runner/scenario.h"
#include "runner/world.h"

/* A caller-ID mismatch by one digit (AO-3) with a configurable expect. */
#define SCN(steps, expect)                                                                         \
    "{\"name\": \"n\", \"description\": \"d\", \"rules\": [\"AO-3\"],"                             \
    " \"agents\": [{\"id\": \"sales\", \"contact_number\": \"+15551234567\","                      \
    "   \"provider_api_key\": \"k\", \"assistant_id\": \"asst\", \"phone_number_id\": \"pn\"}],"   \
    " \"evaluators\": [{\"id\": \"e\", \"phone_number\": \"+15557654321\"}],"                      \
    " \"mocks\": {\"vapi\": {\"keys\": [\"k\"], \"assistants\": [\"asst\"],"                       \
    "   \"phone_numbers\": [{\"id\": \"pn\", \"number\": \"+15551234568\"}]}},"                    \
    " \"steps\": [" steps "], \"expect\": {" expect "}}"
#define START "{\"at\": 0, \"do\": \"start_runs\", \"agent\": \"sales\", \"evaluators\": [\"e\"]}"

static struct worker *wk;

static int group_setup(void **state)
{
    (void)state;
    return worker_create(&wk);
}

static int group_teardown(void **state)
{
    (void)state;
    worker_destroy(wk);
    return 0;
}

static void run(const char *text, struct scenario_result *res)
{
    struct scenario *s;
    char err[512];
    if (scenario_parse("w.json", text, strlen(text), &s, err, sizeof err) != 0)
        fail_msg("scenario does not load: %s", err);
    assert_int_equal(worker_run(wk, s, false, res), 0);
    scenario_free(s);
}

static void expect_failure(const char *text, const char *line)
{
    struct scenario_result res;
    run(text, &res);
    assert_false(res.passed);
    if (!strstr(res.failures, line))
        fail_msg("failures do not contain\n  %s\ngot:\n%s", line, res.failures);
    assert_non_null(strstr(res.report, "FAIL  w.json  n"));
    /* a failed scenario shows the run's diagnosis and event log */
    assert_non_null(strstr(res.report, "diagnosis: Vapi reports customer-did-not-answer."));
    assert_non_null(strstr(res.report, "dropped silently: caller_id_mismatch"));
    scenario_result_clear(&res);
}

static void test_passes(void **state)
{
    (void)state;
    struct scenario_result res;
    run(SCN(START, "\"runs\": {\"e\": {\"status\": \"timeout\", \"reason\": \"caller_id_mismatch\","
                   " \"provider_call\": {\"status\": \"ended\", \"ended_reason\": "
                   "\"customer-did-not-answer\"}}},"
                   " \"journal\": [{\"mock\": \"vapi\", \"method\": \"POST\", \"path\": \"/call\", "
                   "\"count\": 1},"
                   "  {\"mock\": \"vapi\", \"method\": \"GET\", \"path\": \"/call/*\"}]"),
        &res);
    if (!res.passed)
        fail_msg("%s", res.report);
    assert_string_equal(res.report, "PASS  w.json  n\n");
    assert_int_equal(res.n_runs, 1);
    assert_true(res.events > 5);
    scenario_result_clear(&res);
}

static void test_status_and_reason(void **state)
{
    (void)state;
    expect_failure(SCN(START, "\"runs\": {\"e\": {\"status\": \"completed\"}}"),
                   "run 'e': status: expected \"completed\", got \"timeout\"");
    expect_failure(SCN(START, "\"runs\": {\"e\": {\"reason\": \"dial_late\"}}"),
                   "run 'e': reason: expected \"dial_late\", got \"caller_id_mismatch\"");
    expect_failure(SCN(START, "\"runs\": {\"e\": {\"reason\": null}}"),
                   "run 'e': reason: expected none, got \"caller_id_mismatch\"");
}

static void test_diagnosis_and_counts(void **state)
{
    (void)state;
    expect_failure(SCN(START, "\"runs\": {\"e\": {\"diagnosis_contains\": [\"differs in the last "
                              "digit\", \"Retell\"]}}"),
                   "run 'e': diagnosis: expected to contain \"Retell\"");
    expect_failure(SCN(START, "\"runs\": {\"e\": {\"dials\": 2}}"),
                   "run 'e': dials: expected 2, got 1");
    expect_failure(SCN(START, "\"runs\": {\"e\": {\"outbound_dial_window_seconds\": 60}}"),
                   "run 'e': outbound_dial_window_seconds: expected 60, got 300");
    expect_failure(
        SCN(START,
            "\"runs\": {\"e\": {\"outbound_dial_window_closes_at\": \"2026-01-01T12:05:00Z\"}}"),
        "run 'e': outbound_dial_window_closes_at: expected \"2026-01-01T12:05:00Z\", got "
        "\"2026-01-01T12:05:00.000Z\"");
}

static void test_provider_call(void **state)
{
    (void)state;
    expect_failure(
        SCN(START, "\"runs\": {\"e\": {\"provider_call\": {\"ended_reason\": \"customer-busy\"}}}"),
        "run 'e': provider_call.ended_reason: expected \"customer-busy\", got "
        "\"customer-did-not-answer\"");
}

static void test_journal(void **state)
{
    (void)state;
    expect_failure(
        SCN(START, "\"journal\": [{\"mock\": \"vapi\", \"method\": \"POST\", \"count\": 2}]"),
        "journal[0] {\"mock\":\"vapi\",\"method\":\"POST\",\"count\":2}: expected 2 matching "
        "requests, got 1");
    expect_failure(SCN(START, "\"journal\": [{\"body\": {\"customer.number\": \"+15550000000\"}}]"),
                   "expected at least one matching request, got none");
    expect_failure(
        SCN(START, "\"journal\": [{\"headers\": {\"authorization\": \"Bearer other\"}}]"),
        "expected at least one matching request, got none");
}

static void test_steps(void **state)
{
    (void)state;
    expect_failure(
        SCN(START ", {\"at\": 1, \"do\": \"redial\", \"run\": \"e\", \"expect_error\": \"DW-4\"}",
            ""),
        "step 1 (redial at 1 s): expected an error containing \"DW-4\", but it succeeded");
    expect_failure(
        SCN(START ", {\"at\": 400, \"do\": \"redial\", \"run\": \"e\"}", ""),
        "step 1 (redial at 400 s) failed: run 'run_0001' is final (timeout, caller_id_mismatch)");
}

/* H-2: `until` stops the clock while Vapi's answer (10 s of virtual latency)
 * is still in flight (the dial, 2 s in, has been answered already); the answer is handed back at
 * teardown so nothing leaks (ASan's leak check is the other half of this test). */
static void test_until_with_answer_in_flight(void **state)
{
    (void)state;
    const char *t =
        "{\"name\": \"n\", \"description\": \"d\", \"rules\": [\"H-2\"], \"until\": 5,"
        " \"agents\": [{\"id\": \"sales\", \"contact_number\": \"+15551234567\","
        "   \"provider_api_key\": \"k\", \"assistant_id\": \"asst\", \"phone_number_id\": \"pn\"}],"
        " \"evaluators\": [{\"id\": \"e\", \"phone_number\": \"+15557654321\"}],"
        " \"mocks\": {\"vapi\": {\"keys\": [\"k\"], \"assistants\": [\"asst\"], \"latency\": 10,"
        "   \"phone_numbers\": [{\"id\": \"pn\", \"number\": \"+15551234567\"}]}},"
        " \"steps\": [" START "], \"expect\": {\"runs\": {\"e\": {\"status\": \"in_progress\", \"dials\": 1}},"
        " \"journal\": [{\"mock\": \"vapi\", \"method\": \"POST\", \"count\": 1}]}}";
    struct scenario_result res;
    run(t, &res);
    if (!res.passed)
        fail_msg("%s", res.report);
    scenario_result_clear(&res);
    /* the worker is clean for the next scenario */
    run(SCN(START, "\"runs\": {\"e\": {\"status\": \"timeout\"}}"), &res);
    assert_true(res.passed);
    scenario_result_clear(&res);
}

static void test_deterministic(void **state)
{
    (void)state;
    struct scenario_result a, b;
    const char *t = SCN(START, "\"runs\": {\"e\": {\"status\": \"completed\"}}");
    run(t, &a);
    run(t, &b);
    assert_string_equal(a.report, b.report);
    assert_int_equal(a.events, b.events);
    scenario_result_clear(&a);
    scenario_result_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passes),
        cmocka_unit_test(test_status_and_reason),
        cmocka_unit_test(test_diagnosis_and_counts),
        cmocka_unit_test(test_provider_call),
        cmocka_unit_test(test_journal),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_until_with_answer_in_flight),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
