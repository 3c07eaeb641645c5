/* Unit tests for harness/core/e164: AO-5 validity, the phrase saying why a
 * number is not E.164, and the description of how two numbers differ (used by
 * the caller-ID diagnosis, AO-3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/e164.h"

/* AO-5 */
static void ao5_valid_numbers(void **state)
{
    (void)state;
    assert_true(e164_valid("+15551234567"));
    assert_true(e164_valid("+447911123456"));
    assert_true(e164_valid("+123456789012345")); /* 15 digits: the maximum */
    assert_true(e164_valid("+12"));
}

/* AO-5: the core normalises nothing. */
static void ao5_invalid_numbers(void **state)
{
    (void)state;
    assert_false(e164_valid("+1 (555) 123-4567"));
    assert_false(e164_valid("15551234567"));
    assert_false(e164_valid("+1234567890123456")); /* 16 digits */
    assert_false(e164_valid(""));
    assert_false(e164_valid("+"));
    assert_false(e164_valid("+0123"));
    assert_false(e164_valid(NULL));
    assert_false(e164_valid("+1555123456 "));
    assert_false(e164_valid("++15551234567"));
    assert_false(e164_valid("+1555-1234567"));
}

/* AO-5: the phrase names what is wrong. */
static void ao5_problem_phrases(void **state)
{
    (void)state;
    char buf[128];
    assert_null(e164_problem("+15551234567", buf, sizeof buf));
    assert_null(e164_problem("+123456789012345", NULL, 0));
    assert_string_equal(e164_problem("", buf, sizeof buf), "is empty");
    assert_string_equal(e164_problem(NULL, buf, sizeof buf), "is empty");
    assert_string_equal(e164_problem("15551234567", buf, sizeof buf), "does not start with \"+\"");
    assert_string_equal(e164_problem("+", buf, sizeof buf), "has no digits after \"+\"");
    assert_string_equal(e164_problem("+0123", buf, sizeof buf),
                        "has a leading zero after \"+\" (country codes never start with 0)");
    assert_string_equal(e164_problem("+1 (555) 123-4567", buf, sizeof buf),
                        "has a space at position 3; only digits may follow \"+\"");
    assert_string_equal(e164_problem("+1555-1234567", buf, sizeof buf),
                        "has a non-digit at position 6; only digits may follow \"+\"");
    assert_string_equal(e164_problem("+1234567890123456", buf, sizeof buf),
                        "has 16 digits; at most 15 are allowed");
}

/* Issue 14: one boundary on each side, the same as the provider mocks'. */
static void ao5_digit_bounds(void **state)
{
    (void)state;
    char buf[128];
    assert_int_equal(E164_MIN_DIGITS, 2);
    assert_int_equal(E164_MAX_DIGITS, 15);
    assert_string_equal(e164_problem("+1", buf, sizeof buf),
                        "has 1 digit; at least 2 are needed (a country code and a number)");
    assert_false(e164_valid("+1"));
    assert_true(e164_valid("+12"));
    assert_true(e164_valid("+123456789012345"));
    assert_false(e164_valid("+1234567890123456"));
}

/* Formatted phrases land in the caller's buffer when one is given, and in a
 * static one otherwise. */
static void problem_uses_callers_buffer(void **state)
{
    (void)state;
    char buf[128];
    assert_ptr_equal(e164_problem("+1234567890123456", buf, sizeof buf), buf);
    const char *s = e164_problem("+1234567890123456", NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "has 16 digits; at most 15 are allowed");
    /* A short buffer truncates, never overflows. */
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    assert_ptr_equal(e164_problem("+1234567890123456", tiny, sizeof tiny), tiny);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

/* AO-3 diagnosis: one digit off, and where. */
static void difference_single_digit(void **state)
{
    (void)state;
    char buf[128];
    const char *want = "+15551234567";
    assert_ptr_equal(e164_difference("+15551234568", want, buf, sizeof buf), buf);
    assert_string_equal(buf, "differs in the last digit");
    assert_string_equal(e164_difference("+25551234567", want, buf, sizeof buf),
                        "differs in the first digit");
    assert_string_equal(e164_difference("+16551234567", want, buf, sizeof buf),
                        "differs in the second digit");
    assert_string_equal(e164_difference("+15451234567", want, buf, sizeof buf),
                        "differs in the third digit");
    assert_string_equal(e164_difference("+15561234567", want, buf, sizeof buf),
                        "differs in the 4th digit");
    assert_string_equal(e164_difference("+15551234557", want, buf, sizeof buf),
                        "differs in the 10th digit");
}

static void difference_several_digits(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(e164_difference("+15551234000", "+15551234567", buf, sizeof buf),
                        "differs in 3 digits");
    assert_string_equal(e164_difference("+15551234576", "+15551234567", buf, sizeof buf),
                        "differs in 2 digits");
}

static void difference_missing_plus(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(e164_difference("15551234567", "+15551234567", buf, sizeof buf),
                        "lacks the leading +");
}

static void difference_digit_count(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(e164_difference("+155512345678", "+15551234567", buf, sizeof buf),
                        "has 12 digits instead of 11");
    assert_string_equal(e164_difference("+1555123456", "+15551234567", buf, sizeof buf),
                        "has 10 digits instead of 11");
}

/* When `want` is the one that is not E.164 but holds the same number of
 * digits, the phrase must not claim "has 11 digits instead of 11". */
static void difference_when_want_is_not_e164(void **state)
{
    (void)state;
    char buf[160];
    assert_string_equal(e164_difference("+15551234567", "15551234567", buf, sizeof buf),
                        "has the leading + that the other number lacks");
    assert_string_equal(e164_difference("+15551234567", "+1 5551234567", buf, sizeof buf),
                        "is E.164; the other number is not (it has a space at position 3; "
                        "only digits may follow \"+\")");
}

static void difference_degenerate(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(e164_difference("+15551234567", "+15551234567", buf, sizeof buf),
                        "is identical");
    assert_string_equal(e164_difference("", "+15551234567", buf, sizeof buf), "is empty");
    assert_string_equal(e164_difference(NULL, "+15551234567", buf, sizeof buf), "is empty");
    assert_string_equal(e164_difference("+15551234567", "", buf, sizeof buf),
                        "cannot match an empty number");
    assert_string_equal(e164_difference("+1555123456x", "+15551234567", buf, sizeof buf),
                        "is not E.164 (it has a non-digit at position 12; only digits may "
                        "follow \"+\")");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ao5_valid_numbers),
        cmocka_unit_test(ao5_invalid_numbers),
        cmocka_unit_test(ao5_problem_phrases),
        cmocka_unit_test(ao5_digit_bounds),
        cmocka_unit_test(problem_uses_callers_buffer),
        cmocka_unit_test(difference_single_digit),
        cmocka_unit_test(difference_several_digits),
        cmocka_unit_test(difference_missing_plus),
        cmocka_unit_test(difference_digit_count),
        cmocka_unit_test(difference_when_want_is_not_e164),
        cmocka_unit_test(difference_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
