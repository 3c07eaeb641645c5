/* unit.mock_route: mock_route_for says what mock_provider_for_path and
 * mock_route_plan say, for every request of a sequence that repeats, changes
 * the method on one path, changes a path parameter, and moves between
 * providers, generic routes, the provider's 405 and paths of nobody's: the
 * thread's remembered answer is never another request's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mock_route.h"

static void same_as_fresh(const char *method, const char *path)
{
    struct route_plan got, want;
    memset(&got, 0x5a, sizeof got); /* nothing left from the last call */
    const struct mock_provider_ops *ops = mock_route_for(method, path, &got);
    const struct mock_provider_ops *fresh = mock_provider_for_path(path);
    mock_route_plan(fresh, method, path, &want);
    if (ops != fresh || got.kind != want.kind || got.route != want.route ||
        got.params.n != want.params.n)
        fail_msg("%s %s: remembered plan differs (kind %d/%d)", method, path, (int)got.kind,
                 (int)want.kind);
    for (size_t i = 0; i < want.params.n; i++) {
        assert_string_equal(got.params.p[i].name, want.params.p[i].name);
        assert_string_equal(got.params.p[i].value, want.params.p[i].value);
    }
}

static void remembered_plan_is_the_fresh_one(void **state)
{
    (void)state;
    static const char *const seq[][2] = {
        {"POST", "/call"},
        {"POST", "/call"},
        {"GET", "/call"},
        {"PUT", "/call"},
        {"GET", "/call/abc"},
        {"GET", "/call/xyz"},
        {"GET", "/call/xyz"},
        {"POST", "/v2/create-phone-call"},
        {"GET", "/v2/get-call/one"},
        {"GET", "/v2/get-call/two"},
        {"POST", "/v1/convai/twilio/outbound-call"},
        {"POST", "/v1/convai/twilio/outbound-call"},
        {"GET", "/v1/convai/conversations/c1"},
        {"DELETE", "/v1/convai/conversations/c1"},
        {"GET", "/assistant"},
        {"POST", "/assistant"},
        {"GET", "/no/such/path"},
        {"POST", "/call"},
    };
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++)
        same_as_fresh(seq[i][0], seq[i][1]);
    /* the sequence covers each kind of plan */
    struct route_plan p;
    int kinds[4] = {0};
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++) {
        mock_route_for(seq[i][0], seq[i][1], &p);
        kinds[p.kind]++;
    }
    assert_true(kinds[PLAN_NONE] > 0 && kinds[PLAN_MODULE] > 0 && kinds[PLAN_GENERIC] > 0);
    /* a path longer than what is remembered is worked out every time */
    char longp[400];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    same_as_fresh("GET", longp);
    same_as_fresh("GET", "/call/abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remembered_plan_is_the_fresh_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
