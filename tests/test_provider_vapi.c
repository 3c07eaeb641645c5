/* Unit tests for harness/core/provider_vapi (interface core/provider.h): the
 * request that asks Vapi to place one call (AO-1), and how Vapi's answers —
 * refusals above all — become a run's reason and detail (AO-4). The adapter
 * is pure, so no HTTP is involved: responses are crafted by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/provider.h"
#include "http_response.h"

static struct provider_call_spec spec(void)
{
    return (struct provider_call_spec){
        .base_url = "http://127.0.0.1:4010/",
        .api_key = "sk-private-123",
        .assistant_id = "asst-1",
        .phone_number_id = "pn-1",
        .from_number = "+15550001111",
        .to_number = "+15557770000",
        .dynamic_variables = NULL,
        .run_id = "run-0001",
    };
}

static struct provider_start_result parse_start(long status, const char *body)
{
    return provider_parse_start(&provider_vapi, status, body);
}

static void table_names(void **state)
{
    (void)state;
    assert_string_equal(provider_vapi.name, "vapi");
    assert_string_equal(provider_vapi.display, "Vapi");
}

/* AO-1: POST {base}/call, Bearer auth, the call from phoneNumberId to the evaluator. */
static void ao1_build_start(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    struct provider_req rq;
    assert_int_equal(provider_vapi.build_start(&s, &rq), 0);
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.url, "http://127.0.0.1:4010/call");
    assert_string_equal(req_header_value(&rq, "Authorization"), "Bearer sk-private-123");
    assert_string_equal(req_header_value(&rq, "Content-Type"), "application/json");

    json_error_t je;
    json_t *b = json_loads(rq.body, 0, &je);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "assistantId")), "asst-1");
    assert_string_equal(json_string_value(json_object_get(b, "phoneNumberId")), "pn-1");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(b, "customer"), "number")),
        "+15557770000");
    json_t *ov = json_object_get(b, "assistantOverrides");
    assert_true(json_is_object(ov));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ov, "metadata"), "dialsim_run_id")),
        "run-0001");
    /* No dynamic variables: no variableValues at all. */
    assert_null(json_object_get(ov, "variableValues"));
    json_decref(b);
    provider_req_clear(&rq);
    assert_null(rq.url);
    assert_int_equal(rq.n_headers, 0);
}

/* variableValues only when there are dynamic variables. */
static void ao1_build_start_variables(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    struct provider_req rq;

    json_t *empty = json_object();
    s.dynamic_variables = empty;
    assert_int_equal(provider_vapi.build_start(&s, &rq), 0);
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    assert_null(json_object_get(json_object_get(b, "assistantOverrides"), "variableValues"));
    json_decref(b);
    provider_req_clear(&rq);

    json_t *vars = json_pack("{s:s,s:i}", "customer_name", "Ann", "age", 42);
    s.dynamic_variables = vars;
    assert_int_equal(provider_vapi.build_start(&s, &rq), 0);
    b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    json_t *vv = json_object_get(json_object_get(b, "assistantOverrides"), "variableValues");
    assert_true(json_equal(vv, vars));
    json_decref(b);
    provider_req_clear(&rq);
    assert_int_equal(json_object_size(vars), 2); /* the caller's object is untouched */
    json_decref(vars);
    json_decref(empty);
}

/* Without a phone number id the request says nothing of one (Vapi then refuses,
 * which the mock reproduces). A base URL without a trailing slash joins too. */
static void build_start_without_phone_number_id(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    s.phone_number_id = NULL;
    s.base_url = "https://api.vapi.ai";
    struct provider_req rq;
    assert_int_equal(provider_vapi.build_start(&s, &rq), 0);
    assert_string_equal(rq.url, "https://api.vapi.ai/call");
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    assert_null(json_object_get(b, "phoneNumberId"));
    json_decref(b);
    provider_req_clear(&rq);
}

static void ao4_parse_start_created(void **state)
{
    (void)state;
    struct provider_start_result r =
        parse_start(201, "{\"id\":\"call-abc\",\"status\":\"queued\"}");
    assert_true(r.ok);
    assert_int_equal(r.reason, DS_REASON_NONE);
    assert_string_equal(r.call_id, "call-abc");
    assert_string_equal(r.status, "queued");
    r = parse_start(200, "{\"id\":\"call-def\"}");
    assert_true(r.ok);
    assert_string_equal(r.call_id, "call-def");
    assert_string_equal(r.status, "");
}

/* AO-4: a 201 that names no call is the provider's fault, not a success. */
static void ao4_parse_start_created_without_id(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(201, "{\"status\":\"queued\"}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    assert_non_null(strstr(r.detail, "without a call id"));
    r = parse_start(201, "{\"id\":\"\"}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    r = parse_start(201, "not json");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    r = parse_start(201, "{\"id\":42}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
}

/* AO-4: invalid or missing API key. */
static void ao4_parse_start_401(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(
        401, "{\"message\":\"Invalid Key. Hot tip, you may be using the private key instead of "
             "the public key, or vice versa.\",\"error\":\"Unauthorized\",\"statusCode\":401}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_AUTH_FAILED);
    assert_non_null(strstr(r.detail, "Invalid Key. Hot tip"));
    assert_non_null(strstr(r.detail, "401"));
    r = parse_start(401, "{\"message\":\"Unauthorized\",\"statusCode\":401}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_AUTH_FAILED);
    assert_non_null(strstr(r.detail, "Unauthorized"));
}

/* AO-4: malformed phone numbers; NestJS answers with a message ARRAY. */
static void ao4_parse_start_400_message_array(void **state)
{
    (void)state;
    struct provider_start_result r =
        parse_start(400, "{\"message\":[\"customer.number must be a valid phone number in the "
                         "E.164 format.\",\"assistantId must be a UUID\"],\"error\":\"Bad "
                         "Request\",\"statusCode\":400}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_non_null(strstr(r.detail, "customer.number must be a valid phone number in the E.164 "
                                     "format."));
    assert_non_null(strstr(r.detail, "assistantId must be a UUID"));
    /* Every message, in order, joined so that a human can tell them apart. */
    assert_string_equal(r.detail, "400: customer.number must be a valid phone number in the E.164 "
                                  "format.; assistantId must be a UUID");
}

static void ao4_parse_start_400_message_string(void **state)
{
    (void)state;
    struct provider_start_result r =
        parse_start(400, "{\"message\":\"Couldn't Get Assistant. `assistantId` x Does Not Exist.\","
                         "\"error\":\"Bad Request\",\"statusCode\":400}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_non_null(strstr(r.detail, "Couldn't Get Assistant. `assistantId` x Does Not Exist."));
    /* A body that is not JSON still shows in the detail. */
    r = parse_start(400, "<html>bad</html>");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_non_null(strstr(r.detail, "<html>bad</html>"));
}

/* AO-4: insufficient credits, however Vapi says it. */
static void ao4_parse_start_credits(void **state)
{
    (void)state;
    struct provider_start_result r =
        parse_start(400, "{\"message\":\"Billing Limits Exceeded\",\"error\":\"Bad Request\","
                         "\"statusCode\":400}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
    assert_non_null(strstr(r.detail, "Billing Limits Exceeded"));
    r = parse_start(402, "{\"message\":\"Payment Required\"}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
}

/* AO-4: missing permissions. */
static void ao4_parse_start_403(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(403, "{\"message\":\"Forbidden\"}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_PERMISSION_DENIED);
}

static void ao4_parse_start_5xx(void **state)
{
    (void)state;
    struct provider_start_result r =
        parse_start(500, "{\"message\":\"Internal server error\",\"statusCode\":500}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    assert_non_null(strstr(r.detail, "Internal server error"));
    r = parse_start(503, "");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    r = parse_start(404, "{\"message\":\"Cannot POST /call\"}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
}

/* AO-4: no answer at all is "unreachable", with the transport's words. */
static void ao4_parse_start_transport(void **state)
{
    (void)state;
    struct ds_http_response resp;
    struct provider_start_result r;

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_CONNECT_FAILED;
    strcpy(resp.error, "Couldn't connect to server");
    provider_vapi.parse_start(&resp, &r);
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_non_null(strstr(r.detail, "Couldn't connect to server"));
    assert_non_null(strstr(r.detail, "Vapi"));

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_TIMEOUT;
    resp.elapsed_ms = 30000;
    provider_vapi.parse_start(&resp, &r);
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_non_null(strstr(r.detail, "30000 ms"));

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_TLS_FAILED;
    provider_vapi.parse_start(&resp, &r);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_non_null(strstr(r.detail, "TLS failed"));
    assert_false(r.retryable);

    /* cut off after the request went out: the call may exist, so no retry */
    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_PROTOCOL_ERROR;
    provider_vapi.parse_start(&resp, &r);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_non_null(strstr(r.detail, "may or may not have been placed"));
    assert_false(r.retryable);

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_CONNECT_FAILED;
    provider_vapi.parse_start(&resp, &r);
    assert_true(r.retryable); /* nothing was sent */
}

static void build_get(void **state)
{
    (void)state;
    struct provider_req rq;
    assert_int_equal(provider_vapi.build_get("http://127.0.0.1:4010", "sk-1", "call-abc", &rq), 0);
    assert_string_equal(rq.method, "GET");
    assert_string_equal(rq.url, "http://127.0.0.1:4010/call/call-abc");
    assert_string_equal(req_header_value(&rq, "Authorization"), "Bearer sk-1");
    assert_null(rq.body);
    provider_req_clear(&rq);
}

static void parse_get(void **state)
{
    (void)state;
    struct provider_call_state st;
    struct ds_http_response r = http_response(
        200, "{\"id\":\"c\",\"status\":\"ended\",\"endedReason\":\"customer-did-not-answer\"}");
    provider_vapi.parse_get(&r, &st);
    assert_true(st.known);
    assert_true(st.ended);
    assert_string_equal(st.status, "ended");
    assert_string_equal(st.ended_reason, "customer-did-not-answer");
    assert_false(st.network_ended); /* a silent line rings out the same way */
    static const char *const network[] = {"customer-busy", "twilio-reported-customer-misdialed",
                                          "twilio-failed-to-connect-call", "voicemail"};
    for (size_t i = 0; i < sizeof network / sizeof *network; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"id\":\"c\",\"status\":\"ended\",\"endedReason\":\"%s\"}",
                 network[i]);
        r = http_response(200, body);
        provider_vapi.parse_get(&r, &st);
        assert_true(st.network_ended);
    }

    r = http_response(200, "{\"id\":\"c\",\"status\":\"ringing\"}");
    provider_vapi.parse_get(&r, &st);
    assert_true(st.known);
    assert_false(st.ended);
    assert_string_equal(st.status, "ringing");
    assert_string_equal(st.ended_reason, "");

    r = http_response(404, "{\"message\":\"Call not found\",\"statusCode\":404}");
    provider_vapi.parse_get(&r, &st);
    assert_false(st.known);
    assert_false(st.ended);

    /* A non-200 answer says nothing about the call, whatever its body holds. */
    r = http_response(500, "{\"status\":\"ended\",\"endedReason\":\"pipeline-error\"}");
    provider_vapi.parse_get(&r, &st);
    assert_false(st.known);
    assert_false(st.ended);

    r = http_response(200, "garbage");
    provider_vapi.parse_get(&r, &st);
    assert_false(st.known);

    memset(&r, 0, sizeof r);
    r.outcome = DS_HTTP_TIMEOUT;
    provider_vapi.parse_get(&r, &st);
    assert_false(st.known);
}

static void req_headers_are_bounded_and_copied(void **state)
{
    (void)state;
    struct provider_req rq;
    memset(&rq, 0, sizeof rq);
    char v[8] = "value";
    assert_int_equal(provider_req_header(&rq, "X-A", v), 0);
    v[0] = 'V'; /* the value was copied */
    assert_string_equal(rq.headers[0].value, "value");
    for (int i = 1; i < PROVIDER_MAX_HEADERS; i++)
        assert_int_equal(provider_req_header(&rq, "X-B", "b"), 0);
    assert_int_equal(provider_req_header(&rq, "X-C", "c"), -1);
    assert_int_equal(rq.n_headers, PROVIDER_MAX_HEADERS);
    provider_req_clear(&rq);
    assert_int_equal(rq.n_headers, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_names),
        cmocka_unit_test(ao1_build_start),
        cmocka_unit_test(ao1_build_start_variables),
        cmocka_unit_test(build_start_without_phone_number_id),
        cmocka_unit_test(ao4_parse_start_created),
        cmocka_unit_test(ao4_parse_start_created_without_id),
        cmocka_unit_test(ao4_parse_start_401),
        cmocka_unit_test(ao4_parse_start_400_message_array),
        cmocka_unit_test(ao4_parse_start_400_message_string),
        cmocka_unit_test(ao4_parse_start_credits),
        cmocka_unit_test(ao4_parse_start_403),
        cmocka_unit_test(ao4_parse_start_5xx),
        cmocka_unit_test(ao4_parse_start_transport),
        cmocka_unit_test(build_get),
        cmocka_unit_test(parse_get),
        cmocka_unit_test(req_headers_are_bounded_and_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
