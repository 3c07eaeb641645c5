/* Unit tests for harness/runner/verbose.c: `dialsim run -v` shows bodies with
 * secrets masked and the mocks' ephemeral ports hidden (issue 14). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runner/verbose.h"

static void secret_names(void **state)
{
    (void)state;
    assert_true(verbose_is_secret_name("Authorization"));
    assert_true(verbose_is_secret_name("xi-api-key"));
    assert_true(verbose_is_secret_name("X-CEKURA-API-KEY"));
    assert_true(verbose_is_secret_name("x-retell-signature"));
    assert_true(verbose_is_secret_name("webhook_secret"));
    assert_false(verbose_is_secret_name("content-type"));
    assert_false(verbose_is_secret_name("customer"));
    assert_false(verbose_is_secret_name(NULL));
}

static void masks(void **state)
{
    (void)state;
    char *m = verbose_mask("Authorization", "Bearer vapi-private-key");
    assert_string_equal(m, "Bearer vapi****");
    free(m);
    m = verbose_mask("xi-api-key", "short");
    assert_string_equal(m, "****");
    free(m);
    m = verbose_mask("x-cekura-api-key", "ck_live_acme_0123456789");
    assert_string_equal(m, "ck_l****");
    free(m);
}

static void bodies(void **state)
{
    (void)state;
    char *b = verbose_body("{\"a\":1,\"nested\":{\"api_key\":\"ck_live_acme_0123456789\"},"
                           "\"list\":[{\"secret\":\"s\"}]}");
    assert_string_equal(b, "{\"a\":1,\"nested\":{\"api_key\":\"ck_l****\"},\"list\":[{\"secret\":"
                           "\"****\"}]}");
    free(b);
    /* nothing masked: the sender's text as it is (its numbers, its spacing) */
    b = verbose_body("{\"cost\": 0.05}");
    assert_string_equal(b, "{\"cost\": 0.05}");
    free(b);
    b = verbose_body("not json at http://127.0.0.1:41234/x and 127.0.0.1:9");
    assert_string_equal(b, "not json at http://127.0.0.1:PORT/x and 127.0.0.1:PORT");
    free(b);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    b = verbose_body(big);
    assert_true(strlen(b) <= 2001);
    assert_non_null(strstr(b, " …"));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secret_names),
        cmocka_unit_test(masks),
        cmocka_unit_test(bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
