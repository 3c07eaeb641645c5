/* The scenario loader: defaults, strictness, and errors that say where
 * (file:line:column and JSON path) and what was expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runner/scenario.h"

#define MINIMAL(agents_extra, steps, expect)                                                       \
    "{\"name\": \"n\", \"description\": \"d\", \"rules\": [\"AO-1\"],\n"                           \
    " \"agents\": [{\"id\": \"a\"" agents_extra "}],\n"                                            \
    " \"evaluators\": [{\"id\": \"e\", \"phone_number\": \"+15550001111\"}],\n"                    \
    " \"steps\": [" steps "],\n"                                                                   \
    " \"expect\": {" expect "}}"

#define START "{\"at\": 0, \"do\": \"start_runs\", \"agent\": \"a\", \"evaluators\": [\"e\"]}"

static struct scenario *load_ok(const char *text)
{
    struct scenario *s = NULL;
    char err[512] = "";
    int rc = scenario_parse("t.json", text, strlen(text), &s, err, sizeof err);
    if (rc != 0)
        fail_msg("unexpected error: %s", err);
    return s;
}

static void load_err(const char *text, const char *want)
{
    struct scenario *s = NULL;
    char err[512] = "";
    assert_int_equal(scenario_parse("t.json", text, strlen(text), &s, err, sizeof err), -1);
    assert_null(s);
    if (strcmp(err, want) != 0)
        fail_msg("error\n  expected: %s\n  got:      %s", want, err);
}

static void test_defaults(void **state)
{
    (void)state;
    struct scenario *s = load_ok(MINIMAL("", START, ""));
    assert_string_equal(s->name, "n");
    assert_int_equal(s->start_ms, 1767268800000LL); /* 2026-01-01T12:00:00Z */
    assert_int_equal(s->seed, 1);
    assert_false(s->has_until);
    scenario_free(s);
}

static void test_start_time_seed_until(void **state)
{
    (void)state;
    const char *t = "{\"name\": \"n\", \"description\": \"d\", \"rules\": [\"DW-1\"],"
                    " \"seed\": 7, \"start_time\": \"2026-03-01T09:30:00+01:00\", \"until\": 0.5,"
                    " \"agents\": [{\"id\": \"a\"}], \"evaluators\": [{\"id\": \"e\", "
                    "\"phone_number\": \"x\"}],"
                    " \"steps\": [{\"at\": 0, \"do\": \"advance\"}], \"expect\": {}}";
    struct scenario *s = load_ok(t);
    assert_int_equal(s->seed, 7);
    assert_int_equal(s->start_ms, 1772353800000LL); /* 08:30Z */
    assert_true(s->has_until);
    assert_int_equal(s->until_ms, 500);
    scenario_free(s);
}

static void test_syntax_error_has_line_and_column(void **state)
{
    (void)state;
    load_err("{\n  \"name\": \"x\",\n  \"rules\": [1,]\n}",
             "t.json:3:15: invalid JSON: unexpected token near ']'");
}

static void test_unknown_key_did_you_mean(void **state)
{
    (void)state;
    load_err(MINIMAL(", \"contact_numbr\": \"+1\"", START, ""),
             "t.json:2:42: at agents[0].contact_numbr: unknown key \"contact_numbr\" (did you mean "
             "\"contact_number\"?)");
}

static void test_wrong_type_and_bounds(void **state)
{
    (void)state;
    load_err(MINIMAL(", \"inbound\": 0", START, ""),
             "t.json:2:36: at agents[0].inbound: expected true or false, got a number");
    load_err(
        MINIMAL(", \"dial_window_seconds\": 0", START, ""),
        "t.json:2:48: at agents[0].dial_window_seconds: expected a value from 1 to 86400, got 0");
}

static void test_enums(void **state)
{
    (void)state;
    load_err(MINIMAL(", \"provider\": \"retel\"", START, ""),
             "t.json:2:37: at agents[0].provider: \"retel\" is not one of \"vapi\", \"retell\", "
             "\"elevenlabs\" (did you mean \"retell\"?)");
    load_err(MINIMAL("", START, "\"runs\": {\"e\": {\"reason\": \"late_dial\"}}"),
             "t.json:5:38: at expect.runs.e.reason: \"late_dial\" is not a reason code");
}

static void test_required(void **state)
{
    (void)state;
    load_err("{\"name\": \"n\"}",
             "t.json:1:1: at (top level): missing required key \"description\" (a string)");
    load_err(MINIMAL("", "{\"at\": 0, \"do\": \"redial\"}", ""),
             "t.json:4:12: at steps[0]: \"do\": \"redial\" needs \"run\"");
}

static void test_references(void **state)
{
    (void)state;
    load_err(
        MINIMAL("",
                "{\"at\": 0, \"do\": \"start_runs\", \"agent\": \"b\", \"evaluators\": [\"e\"]}",
                ""),
        "t.json:4:51: at steps[0].agent: no agent has id \"b\"");
    load_err(MINIMAL("", START, "\"runs\": {\"f\": {}}"),
             "t.json:5:27: at expect.runs.f: no step creates a run labelled \"f\"");
    load_err(MINIMAL("", START "," START, ""),
             "t.json:4:136: at steps[1].evaluators[0]: run label \"e\" is already used by an "
             "earlier step; give this step an \"as\"");
    load_err(
        MINIMAL("", "{\"at\": 0, \"do\": \"redial\", \"run\": \"e\"}," START, ""),
        "t.json:4:45: at steps[0].run: no earlier start_runs step creates a run labelled \"e\"");
}

static void test_labels_with_as(void **state)
{
    (void)state;
    struct scenario *s =
        load_ok(MINIMAL("",
                        START ", {\"at\": 9, \"do\": \"start_runs\", \"agent\": \"a\", "
                              "\"evaluators\": [\"e\"], \"as\": \"again\"}",
                        "\"runs\": {\"e\": {}, \"again/e\": {\"status\": \"completed\"}}"));
    scenario_free(s);
}

static void test_fault_needs_effect(void **state)
{
    (void)state;
    const char *t = "{\"name\": \"n\", \"description\": \"d\", \"rules\": [\"AO-3\"],"
                    " \"agents\": [{\"id\": \"a\"}], \"evaluators\": [{\"id\": \"e\", "
                    "\"phone_number\": \"x\"}],"
                    " \"mocks\": {\"pstn\": {\"faults\": [{\"to\": \"x\"}]}},"
                    " \"steps\": [{\"at\": 0, \"do\": \"advance\"}], \"expect\": {}}";
    load_err(t, "t.json:1:159: at mocks.pstn.faults[0]: a fault needs \"ani\", \"misdial\", "
                "\"busy\", \"fail\", \"declined\", \"invalid\" or \"voicemail\" besides "
                "\"to\"");
}

static void test_scenario_ms(void **state)
{
    (void)state;
    json_t *x = json_real(301.2);
    assert_int_equal(scenario_ms(x), 301200);
    json_decref(x);
    x = json_integer(300);
    assert_int_equal(scenario_ms(x), 300000);
    json_decref(x);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct scenario *s;
    char err[512];
    assert_int_equal(scenario_load("/nonexistent/x.json", &s, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x.json: cannot open: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_start_time_seed_until),
        cmocka_unit_test(test_syntax_error_has_line_and_column),
        cmocka_unit_test(test_unknown_key_did_you_mean),
        cmocka_unit_test(test_wrong_type_and_bounds),
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_labels_with_as),
        cmocka_unit_test(test_fault_needs_effect),
        cmocka_unit_test(test_scenario_ms),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
