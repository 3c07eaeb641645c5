/* Unit tests for harness/core/provider_retell (interface core/provider.h):
 * the create-phone-call request (AO-1), how Retell's answers become a run's
 * reason, detail and retry decision (AO-4; providers.md §2.3), and how a
 * call's state reads from GET /v2/get-call and from webhooks (§3.3, §4.2).
 * The adapter is pure: responses are crafted by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/hmac.h"
#include "core/provider.h"
#include "http_response.h"

static struct provider_call_spec spec(void)
{
    return (struct provider_call_spec){
        .base_url = "http://127.0.0.1:4010/",
        .api_key = "key_retell_live",
        .assistant_id = "agent_7f3c",
        .phone_number_id = "num-main",
        .from_number = "+15551234567",
        .to_number = "+15557654321",
        .dynamic_variables = NULL,
        .run_id = "run_1",
    };
}

static struct provider_start_result parse_start(long status, const char *body)
{
    return provider_parse_start(&provider_retell, status, body);
}

static struct provider_call_state parse_get(long status, const char *body)
{
    return provider_parse_get(&provider_retell, status, body);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void table(void **state)
{
    (void)state;
    assert_string_equal(provider_retell.name, "retell");
    assert_string_equal(provider_retell.display, "Retell");
    /* §4.2: Retell signs webhooks with the API key */
    assert_string_equal(provider_retell.webhook_secret_field, "provider_api_key");
}

/* AO-1: POST {base}/v2/create-phone-call, Bearer auth, from the agent's number
 * to the evaluator's, for the agent; the run id travels in metadata. */
static void ao1_build_start(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    struct provider_req rq;
    assert_int_equal(provider_retell.build_start(&s, &rq), 0);
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.url, "http://127.0.0.1:4010/v2/create-phone-call");
    assert_string_equal(req_header_value(&rq, "Authorization"), "Bearer key_retell_live");
    assert_string_equal(req_header_value(&rq, "Content-Type"), "application/json");
    assert_null(req_header_value(&rq, "xi-api-key"));
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    assert_string_equal(str(b, "from_number"), "+15551234567");
    assert_string_equal(str(b, "to_number"), "+15557654321");
    assert_string_equal(str(b, "override_agent_id"), "agent_7f3c");
    assert_string_equal(str(json_object_get(b, "metadata"), "dialsim_run_id"), "run_1");
    json_t *dv = json_object_get(b, "retell_llm_dynamic_variables");
    assert_true(json_is_object(dv));
    assert_int_equal(json_object_size(dv), 0);
    /* Retell places the call from from_number; the phone-number id is not its field */
    assert_null(json_object_get(b, "agent_phone_number_id"));
    assert_null(json_object_get(b, "phoneNumberId"));
    json_decref(b);
    provider_req_clear(&rq);
    assert_null(rq.url);

    s.base_url = "https://api.retellai.com";
    assert_int_equal(provider_retell.build_start(&s, &rq), 0);
    assert_string_equal(rq.url, "https://api.retellai.com/v2/create-phone-call");
    provider_req_clear(&rq);
}

/* §1.3: retell_llm_dynamic_variables is a {string: string} map: numbers,
 * booleans, null, objects and arrays become their JSON text. */
static void ao1_dynamic_variables_are_strings(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    json_t *vars = json_loads("{\"customer_name\":\"Ann\",\"age\":42,\"balance\":12.5,"
                              "\"vip\":true,\"note\":null,\"profile\":{\"tier\":\"gold\",\"n\":1},"
                              "\"tags\":[\"a\",2]}",
                              0, NULL);
    assert_non_null(vars);
    s.dynamic_variables = vars;
    struct provider_req rq;
    assert_int_equal(provider_retell.build_start(&s, &rq), 0);
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    json_t *dv = json_object_get(b, "retell_llm_dynamic_variables");
    assert_int_equal(json_object_size(dv), 7);
    const char *k;
    json_t *v;
    json_object_foreach(dv, k, v)
    {
        if (!json_is_string(v))
            fail_msg("retell_llm_dynamic_variables.%s is not a string", k);
    }
    assert_string_equal(str(dv, "customer_name"), "Ann");
    assert_string_equal(str(dv, "age"), "42");
    assert_string_equal(str(dv, "balance"), "12.5");
    assert_string_equal(str(dv, "vip"), "true");
    assert_string_equal(str(dv, "note"), "null");
    /* objects become JSON text that parses back to the same value */
    json_t *p = json_loads(str(dv, "profile"), 0, NULL);
    assert_non_null(p);
    assert_true(json_equal(p, json_object_get(vars, "profile")));
    json_decref(p);
    p = json_loads(str(dv, "tags"), 0, NULL);
    assert_non_null(p);
    assert_true(json_equal(p, json_object_get(vars, "tags")));
    json_decref(p);
    /* the run id stays in metadata, not among the agent's variables */
    assert_null(json_object_get(dv, "dialsim_run_id"));
    json_decref(b);
    provider_req_clear(&rq);
    /* the caller's object is untouched */
    assert_int_equal(json_integer_value(json_object_get(vars, "age")), 42);
    assert_true(json_is_object(json_object_get(vars, "profile")));
    json_decref(vars);
}

static void ao4_parse_start_created(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(
        201, "{\"call_type\":\"phone_call\",\"call_id\":\"call_5a1\",\"agent_id\":\"agent_7f3c\","
             "\"call_status\":\"registered\",\"direction\":\"outbound\","
             "\"telephony_identifier\":{\"twilio_call_sid\":\"CA0123\"}}");
    assert_true(r.ok);
    assert_int_equal(r.reason, DS_REASON_NONE);
    assert_int_equal(r.start_error, DS_REASON_NONE);
    assert_string_equal(r.call_id, "call_5a1");
    assert_string_equal(r.status, "registered");
    r = parse_start(200, "{\"call_id\":\"call_5a2\"}");
    assert_true(r.ok);
    assert_string_equal(r.status, "");
}

/* A 2xx without a call id is Retell's fault; not retried, it may have placed the call. */
static void ao4_parse_start_created_without_call_id(void **state)
{
    (void)state;
    static const char *bodies[] = {"{\"call_status\":\"registered\"}", "{\"call_id\":\"\"}",
                                   "{\"call_id\":7}", "not json", ""};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct provider_start_result r = parse_start(201, bodies[i]);
        assert_false(r.ok);
        assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
        assert_false(r.retryable);
        assert_non_null(strstr(r.detail, "without a call_id"));
    }
}

/* AO-4: every error row of providers.md §2.3, with Retell's exact message. */
static void ao4_parse_start_error_rows(void **state)
{
    (void)state;
    static const struct {
        long status;
        const char *message;
        enum ds_reason reason;
        bool retryable;
    } rows[] = {
        {400, "Invalid request format, please check API reference.",
         DS_REASON_PROVIDER_REJECTED_REQUEST, false},
        {401, "API key is missing or invalid.", DS_REASON_PROVIDER_AUTH_FAILED, false},
        {402, "Trial has ended, please add payment method.",
         DS_REASON_PROVIDER_INSUFFICIENT_CREDITS, false},
        {404, "Item +15551234567 not found from phone-number", DS_REASON_PROVIDER_REJECTED_REQUEST,
         false},
        {404, "Item agent_x not found from agent", DS_REASON_PROVIDER_REJECTED_REQUEST, false},
        {422, "Cannot find requested asset under given api key.",
         DS_REASON_PROVIDER_REJECTED_REQUEST, false},
        {429, "Account rate limited, please throttle your requests.",
         DS_REASON_PROVIDER_RATE_LIMITED, true},
        {500, "An unexpected server error occurred.", DS_REASON_PROVIDER_ERROR, true},
        {502, "Bad Gateway", DS_REASON_PROVIDER_ERROR, true},
        {503, "Service Unavailable", DS_REASON_PROVIDER_ERROR, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char body[300], detail[300];
        snprintf(body, sizeof body, "{\"status\":\"error\",\"message\":\"%s\"}", rows[i].message);
        struct provider_start_result r = parse_start(rows[i].status, body);
        assert_false(r.ok);
        if (r.reason != rows[i].reason)
            fail_msg("%ld %s: reason %s, want %s", rows[i].status, rows[i].message,
                     reason_name(r.reason), reason_name(rows[i].reason));
        if (r.retryable != rows[i].retryable)
            fail_msg("%ld: retryable %d, want %d", rows[i].status, r.retryable, rows[i].retryable);
        snprintf(detail, sizeof detail, "%ld: %s", rows[i].status, rows[i].message);
        assert_string_equal(r.detail, detail);
    }
}

/* An error body that is not Retell's shape still shows in the detail. */
static void ao4_parse_start_error_not_json(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(502, "<html>502 Bad Gateway</html>");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    assert_true(r.retryable);
    assert_string_equal(r.detail, "502: <html>502 Bad Gateway</html>");
    r = parse_start(401, "");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_AUTH_FAILED);
    assert_string_equal(r.detail, "401: ");
}

/* docs/retries.md: a connect failure is retried (nothing was sent); a timeout
 * or a cut-off answer is not (the call may exist). */
static void ao4_parse_start_transport(void **state)
{
    (void)state;
    struct ds_http_response resp;
    struct provider_start_result r;
    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_CONNECT_FAILED;
    strcpy(resp.error, "Connection refused");
    provider_retell.parse_start(&resp, &r);
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_true(r.retryable);
    assert_non_null(strstr(r.detail, "Retell could not be reached: Connection refused"));

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_TIMEOUT;
    resp.elapsed_ms = 30000;
    provider_retell.parse_start(&resp, &r);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_false(r.retryable);
    assert_non_null(strstr(r.detail, "Retell did not answer within 30000 ms"));

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_PROTOCOL_ERROR;
    strcpy(resp.error, "transfer closed with 12 bytes remaining");
    provider_retell.parse_start(&resp, &r);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_false(r.retryable);
    assert_non_null(strstr(r.detail, "may or may not have been placed"));
}

static void build_get(void **state)
{
    (void)state;
    struct provider_req rq;
    assert_int_equal(
        provider_retell.build_get("http://127.0.0.1:4010/", "key_retell_live", "call_5a1", &rq), 0);
    assert_string_equal(rq.method, "GET");
    assert_string_equal(rq.url, "http://127.0.0.1:4010/v2/get-call/call_5a1");
    assert_string_equal(req_header_value(&rq, "Authorization"), "Bearer key_retell_live");
    assert_null(rq.body);
    provider_req_clear(&rq);
}

/* §3.3: registered and ongoing are live; ongoing means answered. */
static void parse_get_live_states(void **state)
{
    (void)state;
    struct provider_call_state st =
        parse_get(200, "{\"call_id\":\"c\",\"call_status\":\"registered\"}");
    assert_true(st.known);
    assert_false(st.ended);
    assert_false(st.answered);
    assert_string_equal(st.status, "registered");
    assert_string_equal(st.ended_reason, "");
    assert_string_equal(st.symptom, "");
    assert_int_equal(st.start_error, DS_REASON_NONE);

    st = parse_get(200, "{\"call_id\":\"c\",\"call_status\":\"ongoing\","
                        "\"start_timestamp\":1767268802000}");
    assert_true(st.known);
    assert_false(st.ended);
    assert_true(st.answered);
    assert_string_equal(st.status, "ongoing");
}

/* §3.3: ended / not_connected with their disconnection reasons, the
 * transcript and the recording. */
static void parse_get_ended_states(void **state)
{
    (void)state;
    struct provider_call_state st = parse_get(
        200, "{\"call_id\":\"c\",\"call_status\":\"ended\",\"disconnection_reason\":"
             "\"user_hangup\",\"start_timestamp\":1767268802000,\"end_timestamp\":1767268862000,"
             "\"transcript\":\"Agent: Hello.\\nUser: Hi.\\n\",\"recording_url\":"
             "\"https://x/recording.wav\"}");
    assert_true(st.known);
    assert_true(st.ended);
    assert_true(st.answered);
    assert_string_equal(st.status, "ended");
    assert_string_equal(st.ended_reason, "user_hangup");
    assert_string_equal(st.symptom, "Retell reports user_hangup (call_status ended)");
    assert_false(st.network_ended);
    assert_string_equal(st.transcript, "Agent: Hello.\nUser: Hi.\n");
    assert_string_equal(st.recording_url, "https://x/recording.wav");
    assert_int_equal(st.start_error, DS_REASON_NONE);

    static const char *not_connected[] = {"dial_no_answer", "dial_busy", "dial_failed",
                                          "invalid_destination", "user_declined"};
    for (size_t i = 0; i < sizeof not_connected / sizeof not_connected[0]; i++) {
        char body[200], symptom[200];
        snprintf(body, sizeof body,
                 "{\"call_id\":\"c\",\"call_status\":\"not_connected\","
                 "\"disconnection_reason\":\"%s\"}",
                 not_connected[i]);
        st = parse_get(200, body);
        assert_true(st.known);
        assert_true(st.ended);
        assert_false(st.answered);
        assert_string_equal(st.status, "not_connected");
        assert_string_equal(st.ended_reason, not_connected[i]);
        snprintf(symptom, sizeof symptom, "Retell reports %s (call_status not_connected)",
                 not_connected[i]);
        assert_string_equal(st.symptom, symptom);
        assert_int_equal(st.start_error, DS_REASON_NONE); /* dialled: not a refusal */
        /* the network's verdicts, not a ring-out (a silent line rings out too) */
        assert_int_equal(st.network_ended, i > 0);
        assert_string_equal(st.transcript, "");
    }
}

/* AO-4, §2.3: accepted, then refused at start: call_status error with
 * no_valid_payment / concurrency_limit_reached names the run's reason. */
static void ao4_parse_get_error_start_errors(void **state)
{
    (void)state;
    struct provider_call_state st =
        parse_get(200, "{\"call_id\":\"c\",\"call_status\":\"error\","
                       "\"disconnection_reason\":\"no_valid_payment\"}");
    assert_true(st.known);
    assert_true(st.ended);
    assert_false(st.answered);
    assert_int_equal(st.start_error, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
    assert_string_equal(st.symptom, "Retell reports no_valid_payment (call_status error)");

    st = parse_get(200, "{\"call_id\":\"c\",\"call_status\":\"error\","
                        "\"disconnection_reason\":\"concurrency_limit_reached\"}");
    assert_true(st.ended);
    assert_int_equal(st.start_error, DS_REASON_PROVIDER_CONCURRENCY_LIMIT);
    assert_string_equal(st.ended_reason, "concurrency_limit_reached");

    /* other errors end the call but are not start refusals */
    st = parse_get(200, "{\"call_id\":\"c\",\"call_status\":\"error\","
                        "\"disconnection_reason\":\"error_llm_websocket_open\"}");
    assert_true(st.ended);
    assert_int_equal(st.start_error, DS_REASON_NONE);
}

/* Only a 200 with a call_status says anything of the call. */
static void parse_get_unknown(void **state)
{
    (void)state;
    struct provider_call_state st =
        parse_get(404, "{\"status\":\"error\",\"message\":\"Item c not found from call\"}");
    assert_false(st.known);
    assert_false(st.ended);
    st = parse_get(500, "{\"call_status\":\"ended\",\"disconnection_reason\":\"user_hangup\"}");
    assert_false(st.known);
    assert_string_equal(st.status, "");
    st = parse_get(200, "garbage");
    assert_false(st.known);
    st = parse_get(200, "{\"call_id\":\"c\"}");
    assert_false(st.known);
    struct ds_http_response r;
    memset(&r, 0, sizeof r);
    r.outcome = DS_HTTP_TIMEOUT;
    provider_retell.parse_get(&r, &st);
    assert_false(st.known);
}

/* §4.2: {"event", "call": {PhoneCallResponse}}; state as from GET. */
static void parse_webhook_events(void **state)
{
    (void)state;
    struct provider_webhook wh;
    char err[200];
    const char *started = "{\"event\":\"call_started\",\"call\":{\"call_id\":\"call_5a1\","
                          "\"call_status\":\"ongoing\",\"start_timestamp\":1767268802000}}";
    assert_int_equal(provider_retell.parse_webhook(started, strlen(started), &wh, err, sizeof err),
                     0);
    assert_string_equal(wh.event, "call_started");
    assert_string_equal(wh.call_id, "call_5a1");
    assert_true(wh.state.known);
    assert_true(wh.state.answered);
    assert_false(wh.state.ended);

    const char *ended =
        "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"call_5a1\","
        "\"call_status\":\"not_connected\",\"disconnection_reason\":\"dial_busy\"}}";
    assert_int_equal(provider_retell.parse_webhook(ended, strlen(ended), &wh, err, sizeof err), 0);
    assert_string_equal(wh.event, "call_ended");
    assert_true(wh.state.ended);
    assert_false(wh.state.answered);
    assert_string_equal(wh.state.ended_reason, "dial_busy");
    assert_string_equal(wh.state.symptom, "Retell reports dial_busy (call_status not_connected)");

    const char *analyzed =
        "{\"event\":\"call_analyzed\",\"call\":{\"call_id\":\"call_5a1\",\"call_status\":"
        "\"error\",\"disconnection_reason\":\"no_valid_payment\",\"call_analysis\":{}}}";
    assert_int_equal(
        provider_retell.parse_webhook(analyzed, strlen(analyzed), &wh, err, sizeof err), 0);
    assert_string_equal(wh.event, "call_analyzed");
    assert_int_equal(wh.state.start_error, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);

    /* the length bounds the body: bytes after it are not read */
    char buf[300];
    snprintf(buf, sizeof buf, "%sGARBAGE", started);
    assert_int_equal(provider_retell.parse_webhook(buf, strlen(started), &wh, err, sizeof err), 0);
}

static void parse_webhook_not_retell(void **state)
{
    (void)state;
    static const char *bodies[] = {
        "",
        "not json",
        "{}",
        "{\"event\":\"call_ended\"}",
        "{\"event\":\"call_ended\",\"call\":{}}",
        "{\"call\":{\"call_id\":\"c\"}}",
        "{\"event\":7,\"call\":{\"call_id\":\"c\"}}",
        "{\"message\":{\"type\":\"status-update\",\"call\":{\"id\":\"c\"}}}",
        "{\"type\":\"post_call_transcription\",\"data\":{\"conversation_id\":\"c\"}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct provider_webhook wh;
        char err[200] = "";
        if (provider_retell.parse_webhook(bodies[i], strlen(bodies[i]), &wh, err, sizeof err) != -1)
            fail_msg("accepted as a Retell webhook: %s", bodies[i]);
        assert_non_null(strstr(err, "not a Retell webhook"));
    }
}

/* Issue 14: the signature's timestamp is the sender's number; one near
 * INT64_MIN made now_ms - ts overflow (UBSan: signed integer overflow). It is
 * a very old signature: refused as stale, with no undefined behaviour. */
static void verify_webhook_timestamp_extremes(void **state)
{
    (void)state;
    const char *body = "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"c1\"}}";
    const char *stamps[] = {"-9223372036854775808", "-9223372036854775807", "9223372036854775807"};
    const int64_t now = INT64_C(1767268800000);
    for (size_t i = 0; i < sizeof stamps / sizeof *stamps; i++) {
        char hex[65], sig[128], err[200] = "";
        assert_int_equal(hmac_sha256_hex("key_retell_live", body, strlen(body), stamps[i],
                                         strlen(stamps[i]), hex),
                         0);
        snprintf(sig, sizeof sig, "v=%s,d=%s", stamps[i], hex);
        struct ds_header h = {"x-retell-signature", sig};
        assert_int_equal(provider_retell.verify_webhook(&h, 1, body, strlen(body),
                                                        "key_retell_live", now, err, sizeof err),
                         -1);
        assert_non_null(strstr(err, "s old; at most 300 s is accepted"));
    }
    /* beyond 64 bits: not a timestamp at all (sscanf's %lld was UB there) */
    char err[200] = "";
    struct ds_header h = {"x-retell-signature", "v=99999999999999999999,d=00"};
    assert_int_equal(provider_retell.verify_webhook(&h, 1, body, strlen(body), "key_retell_live",
                                                    now, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "is not \"v=<unix ms>,d=<hex>\""));
    int64_t v = 0;
    const char *end = NULL;
    assert_int_equal(provider_parse_i64("-9223372036854775808,", &end, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(*end, ',');
    assert_int_equal(provider_parse_i64("9223372036854775807", &end, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(provider_parse_i64("9223372036854775808", &end, &v), -1);
    assert_int_equal(provider_parse_i64("-9223372036854775809", &end, &v), -1);
    assert_int_equal(provider_parse_i64("-", &end, &v), -1);
    assert_int_equal(provider_parse_i64("x1", &end, &v), -1);
    assert_int_equal(provider_age(0, INT64_MIN), INT64_MAX);
    assert_int_equal(provider_age(-1, INT64_MAX), INT64_MIN);
    assert_int_equal(provider_age(now, now - 1000), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify_webhook_timestamp_extremes),
        cmocka_unit_test(table),
        cmocka_unit_test(ao1_build_start),
        cmocka_unit_test(ao1_dynamic_variables_are_strings),
        cmocka_unit_test(ao4_parse_start_created),
        cmocka_unit_test(ao4_parse_start_created_without_call_id),
        cmocka_unit_test(ao4_parse_start_error_rows),
        cmocka_unit_test(ao4_parse_start_error_not_json),
        cmocka_unit_test(ao4_parse_start_transport),
        cmocka_unit_test(build_get),
        cmocka_unit_test(parse_get_live_states),
        cmocka_unit_test(parse_get_ended_states),
        cmocka_unit_test(ao4_parse_get_error_start_errors),
        cmocka_unit_test(parse_get_unknown),
        cmocka_unit_test(parse_webhook_events),
        cmocka_unit_test(parse_webhook_not_retell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
