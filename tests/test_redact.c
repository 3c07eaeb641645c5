/* Unit tests for harness/util/redact.c: which headers and body keys are
 * secrets, the masked form, and copies that leave the original alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/redact.h"

static void test_names(void **state)
{
    (void)state;
    const char *secret_headers[] = {"authorization",    "Authorization", "proxy-authorization",
                                    "x-api-key",        "xi-api-key",    "x-vapi-secret",
                                    "X-CEKURA-API-KEY", "cookie",        "set-cookie",
                                    "x-auth-token",     "apikey"};
    const char *plain_headers[] = {"content-type",         "host",       "x-retell-signature",
                                   "elevenlabs-signature", "user-agent", "x-dialsim-latency-ms"};
    for (size_t i = 0; i < sizeof secret_headers / sizeof *secret_headers; i++)
        assert_true(redact_header_name(secret_headers[i]));
    for (size_t i = 0; i < sizeof plain_headers / sizeof *plain_headers; i++)
        assert_false(redact_header_name(plain_headers[i]));
    const char *secret_keys[] = {"secret",   "webhook_secret", "api_key", "provider_api_key",
                                 "apiKey",   "password",       "token",   "access_token",
                                 "authToken"};
    const char *plain_keys[] = {"max_tokens", "tokens", "url", "assistantId", "customer", "id"};
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
        assert_true(redact_key_name(secret_keys[i]));
    for (size_t i = 0; i < sizeof plain_keys / sizeof *plain_keys; i++)
        assert_false(redact_key_name(plain_keys[i]));
}

static void test_value(void **state)
{
    (void)state;
    char out[64];
    redact_value("sk-0123456789abcd", false, out, sizeof out);
    assert_string_equal(out, "***abcd");
    redact_value("short-key", false, out, sizeof out); /* < 12: nothing shown */
    assert_string_equal(out, "***");
    redact_value("Bearer vk-0123456789wxyz", true, out, sizeof out);
    assert_string_equal(out, "Bearer ***wxyz");
    redact_value("Bearer tiny", true, out, sizeof out);
    assert_string_equal(out, "Bearer ***");
    redact_value("my secret phrase here", false, out, sizeof out); /* no scheme in a body */
    assert_string_equal(out, "***here");
    redact_value("", false, out, sizeof out);
    assert_string_equal(out, "***");
}

static void test_copies(void **state)
{
    (void)state;
    json_t *h = json_pack("{s:s,s:s,s:s}", "authorization", "Bearer vk-0123456789wxyz",
                          "xi-api-key", "xi-0123456789abcd", "content-type", "application/json");
    json_t *m = redact_headers(h);
    assert_string_equal(json_string_value(json_object_get(m, "authorization")), "Bearer ***wxyz");
    assert_string_equal(json_string_value(json_object_get(m, "xi-api-key")), "***abcd");
    assert_string_equal(json_string_value(json_object_get(m, "content-type")), "application/json");
    /* the original is what was received */
    assert_string_equal(json_string_value(json_object_get(h, "xi-api-key")), "xi-0123456789abcd");
    json_decref(m);
    json_decref(h);

    json_t *b = json_loads("{\"assistantOverrides\":{\"server\":{\"url\":\"https://x\","
                           "\"secret\":\"whsec-0123456789\"}},\"list\":[{\"api_key\":\"k\"}],"
                           "\"max_tokens\":5,\"token\":7}",
                           0, NULL);
    json_t *mb = redact_json(b);
    char *text = json_dumps(mb, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"assistantOverrides\":{\"server\":{\"secret\":\"***6789\","
                              "\"url\":\"https://x\"}},\"list\":[{\"api_key\":\"***\"}],"
                              "\"max_tokens\":5,\"token\":7}");
    free(text);
    json_decref(mb);
    json_decref(b);
    assert_null(redact_json(NULL));
    assert_null(redact_headers(NULL));
}

static void test_depth(void **state)
{
    (void)state;
    json_t *v = json_string("x");
    for (int i = 0; i < 200; i++)
        v = json_pack("{s:o}", "a", v);
    json_t *m = redact_json(v);
    const json_t *p = m;
    int depth = 0;
    while (json_is_object(p)) {
        p = json_object_get(p, "a");
        depth++;
    }
    assert_true(depth <= 66);
    assert_non_null(strstr(json_string_value(p), "too deep"));
    json_decref(m);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_copies),
        cmocka_unit_test(test_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
