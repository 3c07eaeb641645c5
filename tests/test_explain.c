/* Unit tests for harness/runner/explain.c: every reason code the core can
 * end a run with has advice (a new reason without it fails here), and
 * nothing else has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/reason.h"
#include "runner/explain.h"

static void test_every_reason_has_advice(void **state)
{
    (void)state;
    for (int r = 1; r < DS_REASON__COUNT; r++) {
        const char *a = explain_advice(reason_name((enum ds_reason)r));
        if (!a || strlen(a) < 20)
            fail_msg("reason %s has no advice in explain.c", reason_name((enum ds_reason)r));
    }
}

static void test_no_advice_for_what_is_no_reason(void **state)
{
    (void)state;
    assert_null(explain_advice(""));
    assert_null(explain_advice("caller_id_mismach"));
    assert_null(explain_advice(NULL));
    assert_non_null(strstr(explain_advice("caller_id_mismatch"), "contact_number"));
    assert_non_null(strstr(explain_advice("trigger_timeout"), "30 s"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_reason_has_advice),
        cmocka_unit_test(test_no_advice_for_what_is_no_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
