/* Unit tests for harness/core/reason: the one table of reason codes, their
 * stable names (what scenarios assert), their sentences and rules, and the
 * status each reason ends a run with (architecture.md, "Run statuses and
 * reasons"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "core/reason.h"

/* The status column of architecture.md's table, by reason name. A reason of
 * the code listed here must have this status; the table may list codes the
 * code does not have yet (trigger_*, transcript_*). */
static const struct {
    const char *name;
    enum ds_run_status status;
} spec_table[] = {
    {"agent_inbound_mode", DS_RUN_FAILED},
    {"auto_outbound_disabled", DS_RUN_FAILED},
    {"provider_credentials_missing", DS_RUN_FAILED},
    {"contact_number_missing", DS_RUN_FAILED},
    {"contact_number_invalid", DS_RUN_FAILED},
    {"evaluator_number_invalid", DS_RUN_FAILED},
    {"provider_auth_failed", DS_RUN_FAILED},
    {"provider_insufficient_credits", DS_RUN_FAILED},
    {"provider_permission_denied", DS_RUN_FAILED},
    {"provider_rejected_request", DS_RUN_FAILED},
    {"provider_unreachable", DS_RUN_FAILED},
    {"provider_error", DS_RUN_FAILED},
    {"trigger_not_https", DS_RUN_FAILED},
    {"trigger_bad_status", DS_RUN_FAILED},
    {"trigger_timeout", DS_RUN_FAILED},
    {"trigger_connect_failed", DS_RUN_FAILED},
    {"trigger_tls_failed", DS_RUN_FAILED},
    {"caller_id_mismatch", DS_RUN_TIMEOUT},
    {"caller_id_missing", DS_RUN_TIMEOUT},
    {"dial_late", DS_RUN_TIMEOUT},
    {"no_dial", DS_RUN_TIMEOUT},
    {"transcript_late", DS_RUN_FAILED},
    {"transcript_missing", DS_RUN_FAILED},
};

static void every_name_round_trips(void **state)
{
    (void)state;
    for (int r = 1; r < DS_REASON__COUNT; r++) {
        const char *name = reason_name((enum ds_reason)r);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        assert_int_equal(reason_from_name(name), r);
    }
}

static void names_are_unique_snake_case(void **state)
{
    (void)state;
    for (int a = 1; a < DS_REASON__COUNT; a++) {
        const char *na = reason_name((enum ds_reason)a);
        for (const char *p = na; *p; p++)
            if (!(islower((unsigned char)*p) || *p == '_'))
                fail_msg("reason name \"%s\" is not snake_case", na);
        for (int b = a + 1; b < DS_REASON__COUNT; b++)
            if (strcmp(na, reason_name((enum ds_reason)b)) == 0)
                fail_msg("reason name \"%s\" is used twice", na);
    }
}

static void unknown_names(void **state)
{
    (void)state;
    assert_int_equal(reason_from_name(""), -1); /* NONE is not found by its empty name */
    assert_int_equal(reason_from_name("no_such_reason"), -1);
    assert_int_equal(reason_from_name("Caller_ID_Mismatch"), -1);
    assert_int_equal(reason_from_name("caller_id_mismatch "), -1);
}

/* Every reason has a sentence for humans and cites the rule it comes from. */
static void sentences_and_rules(void **state)
{
    (void)state;
    for (int r = 1; r < DS_REASON__COUNT; r++) {
        const char *s = reason_sentence((enum ds_reason)r);
        const char *rule = reason_rule((enum ds_reason)r);
        assert_true(strlen(s) > 10);
        assert_true(strlen(rule) >= 4);
        const char *dash = strchr(rule, '-');
        if (!dash || dash == rule || !isdigit((unsigned char)dash[1]))
            fail_msg("rule \"%s\" of %s is not like AO-3", rule, reason_name((enum ds_reason)r));
    }
    assert_string_equal(reason_rule(DS_REASON_CALLER_ID_MISMATCH), "AO-3");
    assert_string_equal(reason_rule(DS_REASON_DIAL_LATE), "DW-2");
    assert_string_equal(reason_rule(DS_REASON_PROVIDER_AUTH_FAILED), "AO-4");
    assert_string_equal(reason_rule(DS_REASON_CONTACT_NUMBER_INVALID), "AO-5");
}

/* Every reason in the code ends a run with the status the architecture table gives. */
static void statuses_match_architecture_table(void **state)
{
    (void)state;
    for (int r = 1; r < DS_REASON__COUNT; r++) {
        const char *name = reason_name((enum ds_reason)r);
        size_t i = 0;
        while (i < sizeof spec_table / sizeof spec_table[0] &&
               strcmp(spec_table[i].name, name) != 0)
            i++;
        enum ds_run_status st = reason_status((enum ds_reason)r);
        if (i == sizeof spec_table / sizeof spec_table[0]) {
            /* A code added since ("add codes where needed") must still end the run. */
            if (st != DS_RUN_FAILED && st != DS_RUN_TIMEOUT)
                fail_msg("reason %s ends a run as \"%s\"", name, run_status_name(st));
            continue;
        }
        if (st != spec_table[i].status)
            fail_msg("reason %s ends a run as %s, the table says %s", name,
                     run_status_name(reason_status((enum ds_reason)r)),
                     run_status_name(spec_table[i].status));
    }
}

/* The cases the rules hinge on, spelled out. */
static void statuses_named(void **state)
{
    (void)state;
    assert_int_equal(reason_status(DS_REASON_CALLER_ID_MISMATCH), DS_RUN_TIMEOUT); /* AO-3 */
    assert_int_equal(reason_status(DS_REASON_CALLER_ID_MISSING), DS_RUN_TIMEOUT);  /* AO-3 */
    assert_int_equal(reason_status(DS_REASON_DIAL_LATE), DS_RUN_TIMEOUT);          /* DW-2 */
    assert_int_equal(reason_status(DS_REASON_NO_DIAL), DS_RUN_TIMEOUT);            /* DW-2 */
    /* AO-4: a provider refusal fails the run, never times it out. */
    assert_int_equal(reason_status(DS_REASON_PROVIDER_AUTH_FAILED), DS_RUN_FAILED);
    assert_int_equal(reason_status(DS_REASON_PROVIDER_INSUFFICIENT_CREDITS), DS_RUN_FAILED);
    assert_int_equal(reason_status(DS_REASON_PROVIDER_PERMISSION_DENIED), DS_RUN_FAILED);
    assert_int_equal(reason_status(DS_REASON_PROVIDER_REJECTED_REQUEST), DS_RUN_FAILED);
    assert_int_equal(reason_status(DS_REASON_PROVIDER_UNREACHABLE), DS_RUN_FAILED);
    assert_int_equal(reason_status(DS_REASON_PROVIDER_ERROR), DS_RUN_FAILED);
    assert_int_equal(reason_status(DS_REASON_AGENT_INBOUND_MODE), DS_RUN_FAILED); /* AO-2 */
    assert_string_equal(reason_name(DS_REASON_CALLER_ID_MISMATCH), "caller_id_mismatch");
    assert_string_equal(reason_name(DS_REASON_PROVIDER_AUTH_FAILED), "provider_auth_failed");
}

static void none_and_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(reason_name(DS_REASON_NONE), "");
    assert_int_equal(reason_status(DS_REASON_NONE), DS_RUN_NONE);
    assert_string_equal(reason_name(DS_REASON__COUNT), "?");
    assert_string_equal(reason_sentence(DS_REASON__COUNT), "?");
    assert_string_equal(reason_rule(DS_REASON__COUNT), "?");
    assert_int_equal(reason_status(DS_REASON__COUNT), DS_RUN_NONE);
    assert_string_equal(reason_name((enum ds_reason) - 1), "?");
}

static void run_status_names(void **state)
{
    (void)state;
    static const char *names[] = {"pending", "in_progress", "completed", "failed", "timeout"};
    static const enum ds_run_status st[] = {DS_RUN_PENDING, DS_RUN_IN_PROGRESS, DS_RUN_COMPLETED,
                                            DS_RUN_FAILED, DS_RUN_TIMEOUT};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(run_status_name(st[i]), names[i]);
        assert_int_equal(run_status_from_name(names[i]), st[i]);
    }
    assert_string_equal(run_status_name(DS_RUN_NONE), "");
    assert_string_equal(run_status_name((enum ds_run_status)(DS_RUN_TIMEOUT + 1)), "?");
    assert_int_equal(run_status_from_name(""), -1);
    assert_int_equal(run_status_from_name("Pending"), -1);
    assert_int_equal(run_status_from_name("in-progress"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_name_round_trips),
        cmocka_unit_test(names_are_unique_snake_case),
        cmocka_unit_test(unknown_names),
        cmocka_unit_test(sentences_and_rules),
        cmocka_unit_test(statuses_match_architecture_table),
        cmocka_unit_test(statuses_named),
        cmocka_unit_test(none_and_out_of_range),
        cmocka_unit_test(run_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
