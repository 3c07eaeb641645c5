/* unit.mock_vapi_server: the Vapi mock's rules that need no world: where a
 * call's webhooks go (mock_vapi_calls.c's server_of, read from a create body
 * and its phone number alone), and the words a call's end is said in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "mock_vapi_internal.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Where a call's webhooks go, in Vapi's order: the overrides' server, the
 * inline assistant's, the phone number's; on each, `server` before the older
 * serverUrl / serverUrlSecret members (mock_vapi_calls.c's server_of). */
static json_t *server_for(const char *body, const char *number)
{
    json_t *b = json_loads(body, 0, NULL), *n = number ? json_loads(number, 0, NULL) : NULL;
    assert_non_null(b);
    json_t *s = mock_vapi_call_server(b, n);
    json_decref(b);
    json_decref(n);
    return s;
}

static void server_order(void **state)
{
    (void)state;
    const char *number = "{\"id\":\"pn\",\"number\":\"+15551234567\",\"status\":\"active\","
                         "\"serverUrl\":\"http://old/n\",\"serverUrlSecret\":\"olds\"}";
    json_t *s = server_for("{\"assistantId\":\"a\"}", number);
    assert_string_equal(str(s, "url"), "http://old/n");
    assert_string_equal(str(s, "secret"), "olds");
    json_decref(s);
    s = server_for(
        "{\"assistantId\":\"a\"}",
        "{\"id\":\"pn\",\"serverUrl\":\"http://old/n\",\"server\":{\"url\":\"http://n\"}}");
    assert_string_equal(str(s, "url"), "http://n");
    assert_null(json_object_get(s, "secret"));
    json_decref(s);
    s = server_for("{\"assistant\":{\"serverUrl\":\"http://a\"},"
                   "\"assistantOverrides\":{\"server\":{\"url\":\"http://o\",\"secret\":\"os\"}}}",
                   number);
    assert_string_equal(str(s, "url"), "http://o");
    assert_string_equal(str(s, "secret"), "os");
    json_decref(s);
    s = server_for("{\"assistant\":{\"serverUrl\":\"http://a\"}}", number);
    assert_string_equal(str(s, "url"), "http://a");
    assert_null(json_object_get(s, "secret"));
    json_decref(s);
    assert_null(server_for("{\"assistantId\":\"a\"}", "{\"id\":\"pn\",\"status\":\"active\"}"));
    assert_null(server_for("{\"assistantId\":\"a\"}", NULL));
}

/* providers.md §3.1: a declined call (Twilio busy), a number not in service
 * and voicemail in Vapi's words. */
static void vocabulary_declined_invalid_voicemail(void **state)
{
    (void)state;
    struct mock_call c = {.state = MC_ENDED};
    c.end = MC_END_DECLINED;
    assert_string_equal(mock_vapi_ended_reason(&c), "customer-busy");
    c.end = MC_END_INVALID;
    assert_string_equal(mock_vapi_ended_reason(&c), "twilio-reported-customer-misdialed");
    c.end = MC_END_VOICEMAIL;
    assert_string_equal(mock_vapi_ended_reason(&c), "voicemail");
    assert_string_equal(mock_vapi_status(&c), "ended");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_order),
        cmocka_unit_test(vocabulary_declined_invalid_voicemail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
