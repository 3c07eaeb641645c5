/* Unit tests for the adapters' batch operations (issue 12; core/provider.h
 * build_batch, batch_id_field, build_batch_calls, parse_batch_calls): the
 * request that places a start's runs as one provider batch, each call tagged
 * with its run's id (AO-1: still one call per run), the request that lists
 * the batch's calls, and how the listing maps calls to runs with their
 * state — a call refused at start carries the reason the run fails with
 * (AO-4). Pure: the answers are crafted by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/provider.h"
#include "http_response.h"

static struct provider_call_spec specs[2];
static json_t *dv; /* the evaluators' dynamic variables (main owns it) */

static void make_specs(void)
{
    for (int i = 0; i < 2; i++)
        specs[i] = (struct provider_call_spec){
            .base_url = "http://127.0.0.1:4010",
            .api_key = "the-key",
            .assistant_id = "agent_1",
            .phone_number_id = "pn_1",
            .from_number = "+15551234567",
            .to_number = i ? "+15557654322" : "+15557654321",
            .dynamic_variables = dv,
            .run_id = i ? "run_0002" : "run_0001",
        };
}

/* The request's body, parsed (owned). */
static json_t *body_of(const struct provider_req *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    assert_non_null(j);
    return j;
}

static const char *s_at(const json_t *j, const char *path)
{
    /* a dotted path; array items by index */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = j;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(tok, NULL, 10))
                                 : json_object_get(cur, tok);
    return json_string_value(cur);
}

static void retell_batch_request(void **state)
{
    (void)state;
    make_specs();
    struct provider_req r;
    assert_int_equal(provider_retell.build_batch(specs, 2, &r), 0);
    assert_string_equal(r.method, "POST");
    assert_string_equal(r.url, "http://127.0.0.1:4010/create-batch-call");
    assert_string_equal(req_header_value(&r, "Authorization"), "Bearer the-key");
    json_t *b = body_of(&r);
    assert_string_equal(s_at(b, "from_number"), "+15551234567");
    assert_int_equal(json_array_size(json_object_get(b, "tasks")), 2);
    assert_string_equal(s_at(b, "tasks.1.to_number"), "+15557654322");
    assert_string_equal(s_at(b, "tasks.1.metadata.dialsim_run_id"), "run_0002");
    assert_string_equal(s_at(b, "tasks.0.override_agent_id"), "agent_1");
    /* a task is a create-phone-call body: dynamic variables as strings */
    assert_string_equal(s_at(b, "tasks.0.retell_llm_dynamic_variables.age"), "42");
    assert_null(json_object_get(json_array_get(json_object_get(b, "tasks"), 0), "from_number"));
    json_decref(b);
    provider_req_clear(&r);
    assert_string_equal(provider_retell.batch_id_field, "batch_call_id");
    assert_int_equal(provider_retell.build_batch_calls("http://h", "k", "batch_call_1", &r), 0);
    assert_string_equal(r.url, "http://h/v2/list-calls");
    b = body_of(&r);
    assert_string_equal(s_at(b, "filter_criteria.batch_call_id.0"), "batch_call_1");
    json_decref(b);
    provider_req_clear(&r);
}

struct seen {
    int n;
    char run[4][32], call[4][64];
    struct provider_call_state st[4];
};

static void collect(void *ctx, const char *run_id, const char *call_id,
                    const struct provider_call_state *st)
{
    struct seen *s = ctx;
    assert_true(s->n < 4);
    snprintf(s->run[s->n], sizeof s->run[0], "%s", run_id);
    snprintf(s->call[s->n], sizeof s->call[0], "%s", call_id);
    s->st[s->n++] = *st;
}

static void retell_batch_listing(void **state)
{
    (void)state;
    struct seen s = {0};
    const char *list =
        "[{\"call_id\":\"c1\",\"call_status\":\"registered\",\"metadata\":{\"dialsim_run_id\":"
        "\"run_0001\"}},"
        "{\"call_id\":\"c2\",\"call_status\":\"error\",\"disconnection_reason\":\"no_valid_"
        "payment\","
        "\"metadata\":{\"dialsim_run_id\":\"run_0002\"}},"
        "{\"call_id\":\"c3\",\"call_status\":\"registered\",\"metadata\":{}}]";
    assert_int_equal(provider_retell.parse_batch_calls(list, collect, &s), 2); /* c3: no run */
    assert_string_equal(s.run[1], "run_0002");
    assert_string_equal(s.call[1], "c2");
    assert_true(s.st[1].known && s.st[1].ended);
    assert_int_equal(s.st[1].start_error, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
    assert_int_equal(s.st[0].start_error, DS_REASON_NONE);
    assert_int_equal(provider_retell.parse_batch_calls("{\"items\":[]}", collect, &s), -1);
    assert_int_equal(provider_retell.parse_batch_calls("not json", collect, &s), -1);
}

static void vapi_campaign_request_and_answer(void **state)
{
    (void)state;
    make_specs();
    struct provider_req r;
    assert_int_equal(provider_vapi.build_batch(specs, 2, &r), 0);
    assert_string_equal(r.url, "http://127.0.0.1:4010/campaign");
    assert_string_equal(req_header_value(&r, "Authorization"), "Bearer the-key");
    json_t *b = body_of(&r);
    assert_string_equal(s_at(b, "assistantId"), "agent_1");
    assert_string_equal(s_at(b, "phoneNumberId"), "pn_1");
    assert_string_equal(s_at(b, "customers.0.externalId"), "run_0001");
    assert_string_equal(s_at(b, "customers.1.number"), "+15557654322");
    assert_non_null(s_at(b, "name"));
    json_decref(b);
    provider_req_clear(&r);
    assert_null(provider_vapi.build_batch_calls); /* the Campaign lists its calls */
    struct seen s = {0};
    const char *campaign =
        "{\"id\":\"camp_1\",\"calls\":{"
        "\"c1\":{\"status\":\"queued\",\"customer\":{\"number\":\"+15557654321\",\"externalId\":"
        "\"run_0001\"}},"
        "\"c2\":{\"status\":\"ended\",\"endedReason\":\"call.start.error-subscription-concurrency-"
        "limit-reached\",\"customer\":{\"number\":\"+15557654322\",\"externalId\":\"run_0002\"}}}}";
    assert_int_equal(provider_vapi.parse_batch_calls(campaign, collect, &s), 2);
    assert_string_equal(s.call[1], "c2");
    assert_int_equal(s.st[1].start_error, DS_REASON_PROVIDER_CONCURRENCY_LIMIT);
    assert_false(s.st[0].ended);
    assert_int_equal(provider_vapi.parse_batch_calls("{\"id\":\"x\"}", collect, &s), -1);
}

static void elevenlabs_batch_request_and_listing(void **state)
{
    (void)state;
    make_specs();
    struct provider_req r;
    assert_int_equal(provider_elevenlabs.build_batch(specs, 2, &r), 0);
    assert_string_equal(r.url, "http://127.0.0.1:4010/v1/convai/batch-calling/submit");
    assert_string_equal(req_header_value(&r, "xi-api-key"), "the-key");
    json_t *b = body_of(&r);
    assert_string_equal(s_at(b, "agent_id"), "agent_1");
    assert_string_equal(s_at(b, "agent_phone_number_id"), "pn_1");
    assert_string_equal(s_at(b, "recipients.1.id"), "run_0002");
    assert_string_equal(s_at(b, "recipients.1.phone_number"), "+15557654322");
    assert_string_equal(
        s_at(b,
             "recipients.0.conversation_initiation_client_data.dynamic_variables.dialsim_run_id"),
        "run_0001");
    json_decref(b);
    provider_req_clear(&r);
    assert_int_equal(provider_elevenlabs.build_batch_calls("http://h", "k", "btcal_1", &r), 0);
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.url, "http://h/v1/convai/batch-calling/btcal_1");
    assert_string_equal(req_header_value(&r, "xi-api-key"), "k");
    provider_req_clear(&r);
    /* a recipient's status says no why: its state is left to a read of the
     * conversation */
    struct seen s = {0};
    const char *detail =
        "{\"id\":\"btcal_1\",\"recipients\":["
        "{\"id\":\"run_0001\",\"status\":\"dispatched\",\"conversation_id\":\"v1\"},"
        "{\"id\":\"run_0002\",\"status\":\"failed\",\"conversation_id\":\"v2\"},"
        "{\"id\":\"run_0003\",\"status\":\"failed\",\"conversation_id\":null}]}";
    assert_int_equal(provider_elevenlabs.parse_batch_calls(detail, collect, &s), 2);
    assert_string_equal(s.call[1], "v2");
    assert_false(s.st[1].known);
    /* ... where termination_reason names the refusal (AO-4) */
    struct ds_http_response resp =
        http_response(200, "{\"conversation_id\":\"v2\",\"status\":\"failed\",\"metadata\":{"
                           "\"termination_reason\":\"Insufficient credits\"}}");
    struct provider_call_state st;
    provider_elevenlabs.parse_get(&resp, &st);
    assert_int_equal(st.start_error, DS_REASON_PROVIDER_INSUFFICIENT_CREDITS);
    resp = http_response(200, "{\"conversation_id\":\"v2\",\"status\":\"failed\",\"metadata\":{"
                              "\"termination_reason\":\"Concurrency limit reached\"}}");
    provider_elevenlabs.parse_get(&resp, &st);
    assert_int_equal(st.start_error, DS_REASON_PROVIDER_CONCURRENCY_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retell_batch_request),
        cmocka_unit_test(retell_batch_listing),
        cmocka_unit_test(vapi_campaign_request_and_answer),
        cmocka_unit_test(elevenlabs_batch_request_and_listing),
    };
    dv = json_pack("{s:s,s:i}", "customer_name", "Ada", "age", 42);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(dv);
    return rc;
}
