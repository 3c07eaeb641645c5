/* Unit tests for harness/core/provider_elevenlabs (interface core/provider.h):
 * the outbound-call request, Twilio or SIP trunk (AO-1; providers.md §1.4),
 * how ElevenLabs' answers become a run's reason, detail and retry decision
 * (AO-4; §2.4: {"detail": {"status", "message"}} and FastAPI 422 lists), and
 * how a conversation's state reads from GET and from webhooks (§3.4, §4.3).
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
        .api_key = "xi_live_key",
        .assistant_id = "agent_el_1",
        .phone_number_id = "phnum_main",
        .phone_number_type = NULL,
        .from_number = "+15551234567",
        .to_number = "+15557654321",
        .dynamic_variables = NULL,
        .run_id = "run_1",
    };
}

static struct provider_start_result parse_start(long status, const char *body)
{
    return provider_parse_start(&provider_elevenlabs, status, body);
}

static struct provider_call_state parse_get(long status, const char *body)
{
    return provider_parse_get(&provider_elevenlabs, status, body);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void table(void **state)
{
    (void)state;
    assert_string_equal(provider_elevenlabs.name, "elevenlabs");
    assert_string_equal(provider_elevenlabs.display, "ElevenLabs");
    /* §4.3: webhooks are signed with the workspace's shared secret, not the API key */
    assert_string_equal(provider_elevenlabs.webhook_secret_field, "webhook_secret");
}

/* AO-1, §1.4: POST the Twilio route with xi-api-key; the number is named by
 * its ElevenLabs id, the run id travels as a dynamic variable. */
static void ao1_build_start_twilio(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    struct provider_req rq;
    assert_int_equal(provider_elevenlabs.build_start(&s, &rq), 0);
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.url, "http://127.0.0.1:4010/v1/convai/twilio/outbound-call");
    assert_string_equal(req_header_value(&rq, "xi-api-key"), "xi_live_key");
    assert_string_equal(req_header_value(&rq, "Content-Type"), "application/json");
    assert_null(req_header_value(&rq, "Authorization"));
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    assert_string_equal(str(b, "agent_id"), "agent_el_1");
    assert_string_equal(str(b, "agent_phone_number_id"), "phnum_main");
    assert_string_equal(str(b, "to_number"), "+15557654321");
    assert_null(json_object_get(b, "from_number")); /* the number id says it */
    json_t *dv = json_object_get(json_object_get(b, "conversation_initiation_client_data"),
                                 "dynamic_variables");
    assert_true(json_is_object(dv));
    assert_string_equal(str(dv, "dialsim_run_id"), "run_1");
    assert_int_equal(json_object_size(dv), 1);
    json_decref(b);
    provider_req_clear(&rq);

    s.phone_number_type = "twilio";
    s.base_url = "https://api.elevenlabs.io";
    assert_int_equal(provider_elevenlabs.build_start(&s, &rq), 0);
    assert_string_equal(rq.url, "https://api.elevenlabs.io/v1/convai/twilio/outbound-call");
    provider_req_clear(&rq);
}

/* §1.1: SIP-trunk numbers have their own route, same body. */
static void ao1_build_start_sip_trunk(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    s.phone_number_type = "sip_trunk";
    struct provider_req rq;
    assert_int_equal(provider_elevenlabs.build_start(&s, &rq), 0);
    assert_string_equal(rq.url, "http://127.0.0.1:4010/v1/convai/sip-trunk/outbound-call");
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    assert_string_equal(str(b, "agent_phone_number_id"), "phnum_main");
    assert_string_equal(str(b, "to_number"), "+15557654321");
    json_decref(b);
    provider_req_clear(&rq);
}

/* §1.4: dynamic_variables values are str/num/bool/null: those keep their
 * type; objects and arrays, which ElevenLabs would refuse, travel as JSON text. */
static void ao1_dynamic_variables(void **state)
{
    (void)state;
    struct provider_call_spec s = spec();
    json_t *vars = json_loads("{\"customer_name\":\"Ann\",\"age\":42,\"balance\":12.5,"
                              "\"vip\":true,\"note\":null,\"profile\":{\"tier\":\"gold\"},"
                              "\"tags\":[\"a\",2]}",
                              0, NULL);
    assert_non_null(vars);
    s.dynamic_variables = vars;
    struct provider_req rq;
    assert_int_equal(provider_elevenlabs.build_start(&s, &rq), 0);
    json_t *b = json_loads(rq.body, 0, NULL);
    assert_non_null(b);
    json_t *dv = json_object_get(json_object_get(b, "conversation_initiation_client_data"),
                                 "dynamic_variables");
    assert_int_equal(json_object_size(dv), 8);
    assert_string_equal(str(dv, "customer_name"), "Ann");
    assert_int_equal(json_integer_value(json_object_get(dv, "age")), 42);
    assert_true(json_is_integer(json_object_get(dv, "age")));
    assert_true(json_is_real(json_object_get(dv, "balance")));
    assert_true(json_is_true(json_object_get(dv, "vip")));
    assert_true(json_is_null(json_object_get(dv, "note")));
    const char *k;
    json_t *v;
    json_object_foreach(dv, k, v)
    {
        if (json_is_object(v) || json_is_array(v))
            fail_msg("dynamic_variables.%s is not a str/num/bool/null", k);
    }
    json_t *p = json_loads(str(dv, "profile"), 0, NULL);
    assert_non_null(p);
    assert_true(json_equal(p, json_object_get(vars, "profile")));
    json_decref(p);
    p = json_loads(str(dv, "tags"), 0, NULL);
    assert_non_null(p);
    assert_true(json_equal(p, json_object_get(vars, "tags")));
    json_decref(p);
    assert_string_equal(str(dv, "dialsim_run_id"), "run_1");
    json_decref(b);
    provider_req_clear(&rq);
    /* the caller's object is untouched */
    assert_int_equal(json_object_size(vars), 7);
    assert_null(json_object_get(vars, "dialsim_run_id"));
    assert_true(json_is_object(json_object_get(vars, "profile")));
    json_decref(vars);
}

/* §1.4: 200 {success, message, conversation_id, callSid | sip_call_id}. */
static void ao4_parse_start_success(void **state)
{
    (void)state;
    struct provider_start_result r =
        parse_start(200, "{\"success\":true,\"message\":\"Success\",\"conversation_id\":"
                         "\"conv_01\",\"callSid\":\"CA0123456789abcdef0123456789abcdef\"}");
    assert_true(r.ok);
    assert_int_equal(r.reason, DS_REASON_NONE);
    assert_int_equal(r.start_error, DS_REASON_NONE);
    assert_string_equal(r.call_id, "conv_01");
    assert_string_equal(r.status, "initiated");
    r = parse_start(200, "{\"success\":true,\"message\":\"Success\",\"conversation_id\":"
                         "\"conv_02\",\"sip_call_id\":\"sip-77\"}");
    assert_true(r.ok);
    assert_string_equal(r.call_id, "conv_02");
}

/* §1.4: a 200 with success:false is a refusal; a 200 naming no conversation
 * is ElevenLabs' fault. Neither is retried (the call may exist). */
static void ao4_parse_start_200_not_success(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(
        200, "{\"success\":false,\"message\":\"Failed to place call\",\"conversation_id\":null,"
             "\"callSid\":null}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_false(r.retryable);
    assert_non_null(strstr(r.detail, "Failed to place call"));
    assert_non_null(strstr(r.detail, "success false"));

    static const char *bodies[] = {"{\"message\":\"?\",\"conversation_id\":\"c\"}",
                                   "{\"success\":true,\"conversation_id\":null}",
                                   "{\"success\":true,\"conversation_id\":\"\"}", "not json"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        r = parse_start(200, bodies[i]);
        assert_false(r.ok);
        assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
        assert_false(r.retryable);
    }
}

/* AO-4: the error rows of §2.4 the mock implements, by detail.status. */
static void ao4_parse_start_detail_errors(void **state)
{
    (void)state;
    static const struct {
        long status;
        const char *code, *message;
        enum ds_reason reason;
        bool retryable;
    } rows[] = {
        {401, "invalid_api_key", "Invalid API key", DS_REASON_PROVIDER_AUTH_FAILED, false},
        {401, "missing_permissions",
         "The API key you used is missing the permission convai_write to execute this "
         "operation.",
         DS_REASON_PROVIDER_PERMISSION_DENIED, false},
        {401, "quota_exceeded",
         "This request exceeds your quota of 10000. You have 0 credits remaining, while 43 "
         "credits are required for this request.",
         DS_REASON_PROVIDER_INSUFFICIENT_CREDITS, false},
        {400, "quota_exceeded", "This request exceeds your quota.",
         DS_REASON_PROVIDER_INSUFFICIENT_CREDITS, false},
        {404, "agent_not_found", "Agent not found", DS_REASON_PROVIDER_REJECTED_REQUEST, false},
        {400, "invalid_provider_config", "missing some Twilio credentials for the number",
         DS_REASON_PROVIDER_REJECTED_REQUEST, false},
        {429, "too_many_concurrent_requests", "Too many concurrent requests.",
         DS_REASON_PROVIDER_CONCURRENCY_LIMIT, true},
        {429, "system_busy", "The system is busy.", DS_REASON_PROVIDER_RATE_LIMITED, true},
        {500, "internal_error", "Internal server error", DS_REASON_PROVIDER_ERROR, true},
        {503, "service_unavailable", "Try later", DS_REASON_PROVIDER_ERROR, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char body[400], detail[400];
        snprintf(body, sizeof body, "{\"detail\":{\"status\":\"%s\",\"message\":\"%s\"}}",
                 rows[i].code, rows[i].message);
        struct provider_start_result r = parse_start(rows[i].status, body);
        assert_false(r.ok);
        if (r.reason != rows[i].reason)
            fail_msg("%ld %s: reason %s, want %s", rows[i].status, rows[i].code,
                     reason_name(r.reason), reason_name(rows[i].reason));
        if (r.retryable != rows[i].retryable)
            fail_msg("%ld %s: retryable %d", rows[i].status, rows[i].code, r.retryable);
        snprintf(detail, sizeof detail, "%ld: %s: %s", rows[i].status, rows[i].code,
                 rows[i].message);
        assert_string_equal(r.detail, detail);
    }
}

/* §2.4: FastAPI's 422 names each field; the detail keeps every one. */
static void ao4_parse_start_422_list(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(
        422, "{\"detail\":[{\"loc\":[\"body\",\"to_number\"],\"msg\":\"Field required\","
             "\"type\":\"missing\",\"input\":null}]}");
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_false(r.retryable);
    assert_string_equal(r.detail, "422: body.to_number: Field required");

    r = parse_start(
        422, "{\"detail\":[{\"loc\":[\"body\",\"agent_phone_number_id\"],\"msg\":\"Field "
             "required\",\"type\":\"missing\",\"input\":null},{\"loc\":[\"body\",\"to_number\"],"
             "\"msg\":\"Value error, invalid phone number\",\"type\":\"value_error\","
             "\"input\":\"555\"}]}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_string_equal(r.detail, "422: body.agent_phone_number_id: Field required; "
                                  "body.to_number: Value error, invalid phone number");
}

static void ao4_parse_start_error_not_detail(void **state)
{
    (void)state;
    struct provider_start_result r = parse_start(502, "<html>bad gateway</html>");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_ERROR);
    assert_true(r.retryable);
    assert_string_equal(r.detail, "502: <html>bad gateway</html>");
    r = parse_start(405, "{\"detail\":\"Method Not Allowed\"}");
    assert_int_equal(r.reason, DS_REASON_PROVIDER_REJECTED_REQUEST);
    assert_non_null(strstr(r.detail, "Method Not Allowed"));
}

static void ao4_parse_start_transport(void **state)
{
    (void)state;
    struct ds_http_response resp;
    struct provider_start_result r;
    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_CONNECT_FAILED;
    strcpy(resp.error, "Connection refused");
    provider_elevenlabs.parse_start(&resp, &r);
    assert_false(r.ok);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_true(r.retryable);
    assert_non_null(strstr(r.detail, "ElevenLabs could not be reached: Connection refused"));

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_TIMEOUT;
    resp.elapsed_ms = 30000;
    provider_elevenlabs.parse_start(&resp, &r);
    assert_false(r.retryable);
    assert_non_null(strstr(r.detail, "ElevenLabs did not answer within 30000 ms"));

    memset(&resp, 0, sizeof resp);
    resp.outcome = DS_HTTP_PROTOCOL_ERROR;
    provider_elevenlabs.parse_start(&resp, &r);
    assert_int_equal(r.reason, DS_REASON_PROVIDER_UNREACHABLE);
    assert_false(r.retryable);
}

static void build_get(void **state)
{
    (void)state;
    struct provider_req rq;
    assert_int_equal(
        provider_elevenlabs.build_get("http://127.0.0.1:4010", "xi_live_key", "conv_01", &rq), 0);
    assert_string_equal(rq.method, "GET");
    assert_string_equal(rq.url, "http://127.0.0.1:4010/v1/convai/conversations/conv_01");
    assert_string_equal(req_header_value(&rq, "xi-api-key"), "xi_live_key");
    assert_null(rq.body);
    provider_req_clear(&rq);
}

/* §3.4: initiated → in-progress → done / failed. */
static void parse_get_states(void **state)
{
    (void)state;
    struct provider_call_state st =
        parse_get(200, "{\"conversation_id\":\"conv_01\",\"status\":\"initiated\","
                       "\"transcript\":[],\"has_audio\":false}");
    assert_true(st.known);
    assert_false(st.ended);
    assert_false(st.answered);
    assert_string_equal(st.status, "initiated");
    assert_string_equal(st.symptom, "");

    st = parse_get(200, "{\"conversation_id\":\"conv_01\",\"status\":\"in-progress\"}");
    assert_true(st.known);
    assert_false(st.ended);
    assert_true(st.answered);

    st = parse_get(200, "{\"conversation_id\":\"conv_01\",\"status\":\"processing\"}");
    assert_true(st.known);
    assert_false(st.ended);

    st = parse_get(
        200, "{\"conversation_id\":\"conv_01\",\"status\":\"done\",\"has_audio\":true,"
             "\"transcript\":[{\"role\":\"agent\",\"message\":\"Hello.\",\"time_in_call_secs\":0},"
             "{\"role\":\"user\",\"message\":\"Hi.\",\"time_in_call_secs\":3}],"
             "\"metadata\":{\"termination_reason\":\"Call ended by remote party\"}}");
    assert_true(st.known);
    assert_true(st.ended);
    assert_true(st.answered);
    assert_string_equal(st.status, "done");
    assert_string_equal(st.ended_reason, "Call ended by remote party");
    assert_string_equal(st.symptom,
                        "ElevenLabs shows the conversation as done: Call ended by remote party");
    assert_string_equal(st.transcript, "agent: Hello.\nuser: Hi.\n");
    assert_int_equal(st.start_error, DS_REASON_NONE);

    st = parse_get(200, "{\"conversation_id\":\"conv_01\",\"status\":\"failed\","
                        "\"has_audio\":false,\"metadata\":{\"termination_reason\":\"\"}}");
    assert_true(st.ended);
    assert_false(st.answered);
    assert_string_equal(st.status, "failed");
    assert_string_equal(st.ended_reason, "");
    assert_string_equal(st.symptom, "ElevenLabs shows the conversation as failed");
    assert_string_equal(st.transcript, "");
}

static void parse_get_unknown(void **state)
{
    (void)state;
    struct provider_call_state st = parse_get(
        404, "{\"detail\":{\"status\":\"conversation_not_found\",\"message\":\"Not found\"}}");
    assert_false(st.known);
    st = parse_get(401, "{\"status\":\"done\"}");
    assert_false(st.known);
    assert_false(st.ended);
    st = parse_get(200, "[]");
    assert_false(st.known);
}

/* §4.3, §3.4: busy and no-answer come only as call_initiation_failure. */
static void parse_webhook_initiation_failure(void **state)
{
    (void)state;
    static const char *reasons[] = {"busy", "no-answer", "unknown"};
    for (size_t i = 0; i < 3; i++) {
        char body[400], symptom[200];
        snprintf(body, sizeof body,
                 "{\"type\":\"call_initiation_failure\",\"event_timestamp\":1767268830,"
                 "\"data\":{\"agent_id\":\"agent_el_1\",\"conversation_id\":\"conv_01\","
                 "\"failure_reason\":\"%s\",\"metadata\":{\"type\":\"twilio\",\"body\":{}}}}",
                 reasons[i]);
        struct provider_webhook wh;
        char err[200];
        assert_int_equal(
            provider_elevenlabs.parse_webhook(body, strlen(body), &wh, err, sizeof err), 0);
        assert_string_equal(wh.event, "call_initiation_failure");
        assert_string_equal(wh.call_id, "conv_01");
        assert_true(wh.state.known);
        assert_true(wh.state.ended);
        assert_false(wh.state.answered);
        assert_string_equal(wh.state.status, "failed");
        assert_string_equal(wh.state.ended_reason, reasons[i]);
        snprintf(symptom, sizeof symptom,
                 "ElevenLabs reports call_initiation_failure (failure_reason %s)", reasons[i]);
        assert_string_equal(wh.state.symptom, symptom);
        assert_int_equal(wh.state.network_ended, strcmp(reasons[i], "no-answer") != 0);
    }
    /* no failure_reason at all: unknown */
    const char *bare =
        "{\"type\":\"call_initiation_failure\",\"data\":{\"conversation_id\":\"c\"}}";
    struct provider_webhook wh;
    char err[200];
    assert_int_equal(provider_elevenlabs.parse_webhook(bare, strlen(bare), &wh, err, sizeof err),
                     0);
    assert_string_equal(wh.state.ended_reason, "unknown");
}

/* §4.3: post_call_transcription carries the GET-conversation shape. */
static void parse_webhook_transcription(void **state)
{
    (void)state;
    const char *body =
        "{\"type\":\"post_call_transcription\",\"event_timestamp\":1767268900,\"data\":{"
        "\"agent_id\":\"agent_el_1\",\"conversation_id\":\"conv_01\",\"status\":\"done\","
        "\"has_audio\":true,\"transcript\":[{\"role\":\"agent\",\"message\":\"Hello.\"}],"
        "\"metadata\":{\"termination_reason\":\"Call ended by remote party\"}}}";
    struct provider_webhook wh;
    char err[200];
    assert_int_equal(provider_elevenlabs.parse_webhook(body, strlen(body), &wh, err, sizeof err),
                     0);
    assert_string_equal(wh.event, "post_call_transcription");
    assert_string_equal(wh.call_id, "conv_01");
    assert_true(wh.state.known);
    assert_true(wh.state.ended);
    assert_true(wh.state.answered);
    assert_string_equal(wh.state.status, "done");
    assert_string_equal(wh.state.transcript, "agent: Hello.\n");
    assert_non_null(strstr(wh.state.symptom, "done"));
}

static void parse_webhook_not_elevenlabs(void **state)
{
    (void)state;
    static const char *bodies[] = {
        "",
        "nope",
        "{}",
        "{\"type\":\"post_call_transcription\"}",
        "{\"type\":\"post_call_transcription\",\"data\":{}}",
        "{\"data\":{\"conversation_id\":\"c\"}}",
        "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"c\"}}",
        "{\"message\":{\"type\":\"status-update\",\"call\":{\"id\":\"c\"}}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct provider_webhook wh;
        char err[200] = "";
        if (provider_elevenlabs.parse_webhook(bodies[i], strlen(bodies[i]), &wh, err, sizeof err) !=
            -1)
            fail_msg("accepted as an ElevenLabs webhook: %s", bodies[i]);
        assert_non_null(strstr(err, "not an ElevenLabs webhook"));
    }
}

/* Issue 14: t near INT64_MIN made now - t overflow; it is refused as stale. */
static void verify_webhook_timestamp_extremes(void **state)
{
    (void)state;
    const char *body = "{\"type\":\"post_call_transcription\",\"data\":{}}";
    const char *stamps[] = {"-9223372036854775808", "-9223372036854775807"};
    for (size_t i = 0; i < sizeof stamps / sizeof *stamps; i++) {
        char prefix[40], hex[65], sig[160], err[200] = "";
        snprintf(prefix, sizeof prefix, "%s.", stamps[i]);
        assert_int_equal(
            hmac_sha256_hex("wsec", prefix, strlen(prefix), body, strlen(body), hex), 0);
        snprintf(sig, sizeof sig, "t=%s,v0=%s", stamps[i], hex);
        struct ds_header h = {"ElevenLabs-Signature", sig};
        assert_int_equal(provider_elevenlabs.verify_webhook(&h, 1, body, strlen(body), "wsec",
                                                            INT64_C(1767268800000), err,
                                                            sizeof err),
                         -1);
        assert_non_null(strstr(err, "s old; at most 1800 s is accepted"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify_webhook_timestamp_extremes),
        cmocka_unit_test(table),
        cmocka_unit_test(ao1_build_start_twilio),
        cmocka_unit_test(ao1_build_start_sip_trunk),
        cmocka_unit_test(ao1_dynamic_variables),
        cmocka_unit_test(ao4_parse_start_success),
        cmocka_unit_test(ao4_parse_start_200_not_success),
        cmocka_unit_test(ao4_parse_start_detail_errors),
        cmocka_unit_test(ao4_parse_start_422_list),
        cmocka_unit_test(ao4_parse_start_error_not_detail),
        cmocka_unit_test(ao4_parse_start_transport),
        cmocka_unit_test(build_get),
        cmocka_unit_test(parse_get_states),
        cmocka_unit_test(parse_get_unknown),
        cmocka_unit_test(parse_webhook_initiation_failure),
        cmocka_unit_test(parse_webhook_transcription),
        cmocka_unit_test(parse_webhook_not_elevenlabs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
