/* Unit tests for harness/util/netguard.c: which bind addresses are loopback,
 * which Host headers name loopback (DNS rebinding), the admin token check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/netguard.h"

static void test_loopback_addr(void **state)
{
    (void)state;
    const char *yes[] = {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1",
                         "[::1]",     "localhost", "LocalHost"};
    const char *no[] = {"0.0.0.0",           "::",  "192.168.1.10", "128.0.0.1",
                        "10.0.0.1",          "",    "[::]",         "localhost.example",
                        "127.0.0.1.example", "::2", "1.127.0.0"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(netguard_loopback_addr(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(netguard_loopback_addr(no[i]));
    assert_false(netguard_loopback_addr(NULL));
}

static void test_loopback_host(void **state)
{
    (void)state;
    const char *yes[] = {"localhost",    "localhost:8080",  "LOCALHOST:1", "127.0.0.1",
                         "127.0.0.1:80", "127.9.8.7:65535", "[::1]",       "[::1]:43121"};
    const char *no[] = {"evil.example",
                        "evil.example:80",
                        "127.0.0.1.evil.example",
                        "localhost.evil",
                        "[::2]:80",
                        "::1",
                        "0.0.0.0",
                        "127.0.0.1:",
                        "127.0.0.1:80x",
                        "127.0.0.1:123456",
                        "[::1]x",
                        "localhost:80:80",
                        "",
                        "127.1",
                        "[::1"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(netguard_loopback_host(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(netguard_loopback_host(no[i]));
    assert_false(netguard_loopback_host(NULL));
}

static void test_host_ok(void **state)
{
    (void)state;
    char why[400] = "";
    assert_true(netguard_host_ok(NULL, "1.0", why, sizeof why)); /* HTTP/1.0 has no Host */
    assert_false(netguard_host_ok(NULL, "1.1", why, sizeof why));
    assert_non_null(strstr(why, "missing"));
    assert_false(netguard_host_ok("evil.example:80", "1.0", why, sizeof why));
    assert_non_null(strstr(why, "evil.example:80"));
    assert_non_null(strstr(why, "localhost, 127.0.0.1 or [::1]"));
    assert_true(netguard_host_ok("127.0.0.1:9", "1.1", why, sizeof why));
}

static void test_bearer(void **state)
{
    (void)state;
    char why[300] = "";
    assert_true(netguard_bearer_ok(NULL, NULL, why, sizeof why)); /* no token: open */
    assert_true(netguard_bearer_ok("Bearer tok", "tok", why, sizeof why));
    assert_true(netguard_bearer_ok("bearer  tok", "tok", why, sizeof why));
    assert_false(netguard_bearer_ok(NULL, "tok", why, sizeof why));
    assert_non_null(strstr(why, "needs the admin token"));
    assert_false(netguard_bearer_ok("", "tok", why, sizeof why));
    assert_false(netguard_bearer_ok("Basic tok", "tok", why, sizeof why));
    assert_non_null(strstr(why, "Bearer"));
    assert_false(netguard_bearer_ok("Bearer to", "tok", why, sizeof why));
    assert_non_null(strstr(why, "does not match"));
    assert_false(netguard_bearer_ok("Bearer tok2", "tok", why, sizeof why));
    assert_false(netguard_bearer_ok("Bearer tOk", "tok", why, sizeof why));
    assert_false(netguard_bearer_ok("Bearer ", "tok", why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_addr),
        cmocka_unit_test(test_loopback_host),
        cmocka_unit_test(test_host_ok),
        cmocka_unit_test(test_bearer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
