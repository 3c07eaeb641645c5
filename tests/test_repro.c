/* Unit tests for harness/runner/repro.c: a Busy / NoAnswer report becomes a
 * valid scenario (AO-3 caller ID, DW-2 late dial), facts are read from each
 * provider's own call record, contradictions and bad input are refused with
 * file:line:column and the JSON path, and the verdict names both sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runner/repro.h"
#include "runner/scenario.h"

static char err[1024];
static char symptom[16];

static json_t *gen(const char *text)
{
    err[0] = '\0';
    return repro_scenario("r.json", text, strlen(text), symptom, sizeof symptom, err, sizeof err);
}

/* The generated scenario must load as any catalogue file does. */
static void assert_valid_scenario(json_t *sc)
{
    char *t = json_dumps(sc, JSON_INDENT(2));
    assert_non_null(t);
    struct scenario *s = NULL;
    char e[512] = "";
    int rc = scenario_parse("gen.json", t, strlen(t), &s, e, sizeof e);
    if (rc)
        fail_msg("generated scenario refused: %s", e);
    scenario_free(s);
    free(t);
}

static const char *at(json_t *sc, const char *path)
{
    json_t *x = json_object_get(sc, "mocks");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && x; k = strtok_r(NULL, ".", &save))
        x = json_is_array(x) ? json_array_get(x, (size_t)atoi(k)) : json_object_get(x, k);
    return json_string_value(x);
}

/* AO-3: Vapi places the call from its phone number's number, so the reported
 * caller ID becomes that number; customer-busy becomes the carrier showing a
 * silent line as busy; the callee comes from customer.number. */
static void test_vapi_busy_from_the_call_record(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\","
                     "\"from_number\":\"+15551234568\",\"provider_call\":{\"endedReason\":"
                     "\"customer-busy\",\"customer\":{\"number\":\"+15557654321\"}}}");
    assert_non_null(sc);
    assert_string_equal(symptom, "busy");
    assert_string_equal(at(sc, "vapi.phone_numbers.0.number"), "+15551234568");
    assert_string_equal(at(sc, "pstn.silent_drop_as"), "busy");
    assert_null(json_object_get(json_object_get(json_object_get(sc, "mocks"), "pstn"), "faults"));
    json_t *ev = json_array_get(json_object_get(sc, "evaluators"), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "phone_number")), "+15557654321");
    json_t *ag = json_array_get(json_object_get(sc, "agents"), 0);
    assert_string_equal(json_string_value(json_object_get(ag, "contact_number")), "+15551234567");
    assert_valid_scenario(sc);
    json_decref(sc);
}

/* Retell dials from the from_number it is sent (the contact_number): another
 * caller ID on arrival is a carrier fault on the evaluator's number. */
static void test_retell_other_caller_id_is_a_carrier_fault(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"retell\",\"contact_number\":\"+15551234567\","
                     "\"provider_call\":{\"disconnection_reason\":\"dial_no_answer\","
                     "\"from_number\":\"+15551234568\",\"to_number\":\"+15557654321\"}}");
    assert_non_null(sc);
    assert_string_equal(symptom, "no-answer");
    assert_string_equal(at(sc, "retell.phone_numbers.0.number"), "+15551234567");
    assert_string_equal(at(sc, "pstn.faults.0.to"), "+15557654321");
    assert_string_equal(at(sc, "pstn.faults.0.ani"), "+15551234568");
    assert_null(at(sc, "pstn.silent_drop_as"));
    assert_valid_scenario(sc);
    json_decref(sc);
}

/* ElevenLabs: the numbers from metadata.phone_call, the fate from
 * failure_reason (call_initiation_failure); a dial delay past the window and
 * a carrier failure both reach the scenario (DW-2). */
static void test_elevenlabs_record_delay_and_failure(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"elevenlabs\",\"contact_number\":\"+15551234567\","
                     "\"dial_delay\":301,\"dial_window_seconds\":300,\"provider_call\":{"
                     "\"failure_reason\":\"unknown\",\"metadata\":{\"phone_call\":{"
                     "\"agent_number\":\"+15551234567\",\"external_number\":\"+15557654321\"}}}}");
    assert_non_null(sc);
    assert_string_equal(symptom, "failed");
    json_t *acct = json_object_get(json_object_get(sc, "mocks"), "elevenlabs");
    assert_true(json_number_value(json_object_get(acct, "dial_delay")) == 301.0);
    assert_true(json_is_true(json_object_get(
        json_array_get(
            json_object_get(json_object_get(json_object_get(sc, "mocks"), "pstn"), "faults"), 0),
        "fail")));
    assert_valid_scenario(sc);
    json_decref(sc);
}

/* Retell's own words for a decline and for voicemail: a carrier fault on the
 * evaluator's number, and a silent line that ends in voicemail. */
static void test_retell_declined_and_voicemail(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"retell\",\"contact_number\":\"+15551234567\","
                     "\"provider_call\":{\"disconnection_reason\":\"user_declined\","
                     "\"from_number\":\"+15551234567\",\"to_number\":\"+15557654321\"}}");
    assert_non_null(sc);
    assert_string_equal(symptom, "declined");
    assert_string_equal(at(sc, "pstn.faults.0.to"), "+15557654321");
    assert_true(json_is_true(json_object_get(
        json_array_get(
            json_object_get(json_object_get(json_object_get(sc, "mocks"), "pstn"), "faults"), 0),
        "declined")));
    assert_valid_scenario(sc);
    json_decref(sc);
    sc = gen("{\"provider\":\"retell\",\"contact_number\":\"+15551234567\","
             "\"provider_call\":{\"disconnection_reason\":\"voicemail_reached\","
             "\"from_number\":\"+15551234568\",\"to_number\":\"+15557654321\"}}");
    assert_non_null(sc);
    assert_string_equal(symptom, "voicemail");
    assert_string_equal(at(sc, "pstn.silent_drop_as"), "voicemail");
    assert_string_equal(at(sc, "pstn.faults.0.ani"), "+15551234568");
    assert_valid_scenario(sc);
    json_decref(sc);
}

/* TU-4: dispatched through the customer's trigger URL: the endpoint mock
 * answers after the reported latency, the customer's system dials from the
 * contact_number (unless the report says otherwise) after the dial delay. */
static void test_trigger_url_dispatch(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"trigger_url\",\"contact_number\":\"+15551234567\","
                     "\"evaluator_number\":\"+15557654321\",\"trigger_latency\":25,"
                     "\"trigger_status\":201,\"dial_delay\":280,\"symptom\":\"busy\"}");
    if (!sc)
        fail_msg("refused: %s", err);
    json_t *ag = json_array_get(json_object_get(sc, "agents"), 0);
    assert_string_equal(json_string_value(json_object_get(ag, "trigger_url")),
                        "{mock}/trigger/customer");
    assert_null(json_object_get(ag, "provider"));
    json_t *ep = json_object_get(json_object_get(json_object_get(sc, "mocks"), "trigger_endpoints"),
                                 "customer");
    assert_int_equal(json_integer_value(json_object_get(ep, "status")), 201);
    assert_true(json_number_value(json_object_get(ep, "latency")) == 25.0);
    json_t *dial = json_object_get(ep, "dial");
    assert_string_equal(json_string_value(json_object_get(dial, "from")), "+15551234567");
    assert_true(json_number_value(json_object_get(dial, "delay")) == 280.0);
    assert_string_equal(at(sc, "pstn.silent_drop_as"), "busy");
    assert_valid_scenario(sc);
    json_decref(sc);
}

/* A withheld caller ID ("") is the carrier's, for every provider (AO-3). */
static void test_withheld_caller_id(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\","
                     "\"from_number\":\"\",\"evaluator_number\":\"+15557654321\"}");
    assert_non_null(sc);
    assert_string_equal(symptom, "");
    assert_string_equal(at(sc, "pstn.faults.0.ani"), "");
    assert_string_equal(at(sc, "vapi.phone_numbers.0.number"), "+15551234567");
    assert_valid_scenario(sc);
    json_decref(sc);
}

/* A symptom the provider's word can stand for is no contradiction. */
static void test_symptom_agrees_with_a_shared_word(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\","
                     "\"from_number\":\"+15551234567\",\"symptom\":\"declined\","
                     "\"provider_call\":{\"endedReason\":\"customer-busy\",\"customer\":{"
                     "\"number\":\"+15557654321\"}}}");
    if (!sc)
        fail_msg("refused: %s", err);
    assert_string_equal(symptom, "declined");
    json_decref(sc);
}

/* Refusals: where, and what was expected. */
static void test_refusals_say_where(void **state)
{
    (void)state;
    struct {
        const char *text, *want;
    } cases[] = {
        {"{\"provider\":\"vapi\",",
         "r.json:1:19: invalid JSON: string or '}' expected near end of file"},
        {"[]", "at (top level): expected an object (the report), got an array"},
        {"{\"provider\":\"twilio\",\"contact_number\":\"+1\"}",
         "r.json:1:13: at provider: expected \"vapi\", \"retell\", \"elevenlabs\" or "
         "\"trigger_url\""},
        {"{\"provider\":\"vapi\"}", "contact_number is required"},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\",\"form_number\":\"+1\"}",
         "r.json:1:66: at form_number: unknown key (did you mean \"from_number\"?)"},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\",\"evaluator_number\":\"+"
         "15557654321\"}",
         "from_number is required (a Vapi call placed with phoneNumberId names only the id)"},
        {"{\"provider\":\"retell\",\"contact_number\":\"+15551234567\",\"from_number\":\"+"
         "15551234567\"}",
         "evaluator_number is required (or provider_call.to_number)"},
        {"{\"provider\":\"retell\",\"contact_number\":\"+15551234567\",\"from_number\":\"+"
         "15550000000\","
         "\"provider_call\":{\"from_number\":\"+15551234568\",\"to_number\":\"+15557654321\"}}",
         "at from_number: \"+15550000000\", but provider_call.from_number says \"+15551234568\""},
        {"{\"provider\":\"retell\",\"contact_number\":\"+15551234567\",\"symptom\":\"busy\","
         "\"provider_call\":{\"disconnection_reason\":\"dial_no_answer\",\"from_number\":\"+1\","
         "\"to_number\":\"+2\"}}",
         "at symptom: \"busy\", but provider_call.disconnection_reason is \"dial_no_answer\""},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\",\"from_number\":\"+1\","
         "\"provider_call\":{\"customer\":{\"number\":15557654321}}}",
         "at provider_call.customer.number: expected a string, got a number"},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+1\",\"from_number\":\"+1\","
         "\"evaluator_number\":\"+2\",\"symptom\":\"engaged\"}",
         "at symptom: expected \"busy\", \"no-answer\", \"failed\", \"declined\", "
         "\"invalid\" or \"voicemail\", got \"engaged\""},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+1\",\"from_number\":\"+1\","
         "\"evaluator_number\":\"+2\",\"dial_delay\":-1}",
         "at dial_delay: expected seconds from 0 to 86400, got -1"},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+1\",\"from_number\":\"+1\","
         "\"evaluator_number\":\"+2\",\"dial_window_seconds\":0}",
         "at dial_window_seconds: expected an integer from 1 to 86400"},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+1\",\"from_number\":\"+1\","
         "\"provider_call\":{\"customer\":\"+15557654321\"}}",
         "at provider_call.customer: expected an object (with \"number\"), got a string"},
        {"{\"provider\":\"vapi\",\"contact_number\":\"+1\",\"trigger_latency\":3}",
         "at trigger_latency: only with \"provider\": \"trigger_url\""},
        {"{\"provider\":\"trigger_url\",\"contact_number\":\"+1\",\"evaluator_number\":\"+2\","
         "\"provider_call\":{}}",
         "at provider_call: not with a trigger URL"},
        {"{\"provider\":\"trigger_url\",\"contact_number\":\"+1\",\"evaluator_number\":\"+2\","
         "\"trigger_status\":700}",
         "at trigger_status: expected an HTTP status from 100 to 599"},
        {"{\"provider\":\"trigger_url\",\"contact_number\":null,\"evaluator_number\":\"+2\"}",
         "from_number is required when the agent has no contact_number"},
        {"{\"provider\":\"vapi\",\"contact_number\":7}",
         "at contact_number: expected a string or null, got a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *sc = gen(cases[i].text);
        if (sc || !strstr(err, cases[i].want))
            fail_msg("case %zu: got \"%s\", wanted \"%s\"", i, err, cases[i].want);
    }
}

static json_t *run_json(const char *status, const char *reason, const char *diag, const char *pst,
                        const char *per, int answered)
{
    json_t *r = json_pack("{s:s,s:s,s:[{s:b}]}", "status", status, "provider", "vapi", "dials",
                          "answered", answered);
    if (reason)
        json_object_set_new(r, "reason", json_string(reason));
    if (diag)
        json_object_set_new(r, "diagnosis", json_string(diag));
    json_object_set_new(r, "provider_call",
                        pst ? json_pack("{s:s,s:s}", "status", pst, "ended_reason", per)
                            : json_null());
    return r;
}

static void test_verdict_names_both_sides(void **state)
{
    (void)state;
    json_t *r = run_json("timeout", "caller_id_mismatch", "The call from +1 was dropped.", "ended",
                         "customer-busy", 0);
    char *v = repro_verdict("busy", r, false);
    assert_non_null(strstr(v, "Vapi shows the call ended, customer-busy: the reported busy, "
                              "reproduced."));
    assert_non_null(strstr(v, "timeout with caller_id_mismatch: The call from +1 was dropped."));
    free(v);
    v = repro_verdict("no-answer", r, false);
    assert_non_null(strstr(v, "not the reported no-answer"));
    free(v);
    json_decref(r);
    r = run_json("completed", NULL, NULL, "ended", "customer-ended-call", 1);
    v = repro_verdict("busy", r, false);
    assert_non_null(strstr(v, "the core answered the call and the run completed"));
    assert_non_null(strstr(v, "not the reported busy"));
    free(v);
    json_decref(r);
    /* one word for two symptoms: Twilio reports a decline as busy */
    r = run_json("timeout", "no_dial", NULL, "ended", "customer-busy", 0);
    v = repro_verdict("declined", r, false);
    assert_non_null(strstr(v, "the reported declined, reproduced."));
    free(v);
    json_decref(r);
    /* no word at all: ElevenLabs has no ended reason for voicemail */
    r = json_pack("{s:s,s:s,s:[],s:{s:s}}", "status", "completed", "provider", "elevenlabs",
                  "dials", "provider_call", "status", "done");
    v = repro_verdict("voicemail", r, false);
    assert_non_null(strstr(v, "ElevenLabs has no ended reason for voicemail to compare"));
    free(v);
    json_decref(r);
    r = run_json("failed", "contact_number_invalid", NULL, NULL, NULL, 0);
    v = repro_verdict("", r, false);
    assert_non_null(strstr(v, "Vapi has no call (the core never asked it for one)."));
    assert_non_null(strstr(v, "failed with contact_number_invalid: the agent's contact_number is "
                              "not E.164"));
    free(v);
    json_decref(r);
}

/* repro_pin copies status, reason, diagnosis and the provider's call. */
static void test_pin(void **state)
{
    (void)state;
    json_t *sc = gen("{\"provider\":\"vapi\",\"contact_number\":\"+15551234567\","
                     "\"from_number\":\"+15551234568\",\"evaluator_number\":\"+15557654321\"}");
    assert_non_null(sc);
    json_t *runs = json_pack(
        "{s:o}", "evaluator",
        run_json("timeout", "caller_id_mismatch", "D.", "ended", "customer-did-not-answer", 0));
    assert_int_equal(repro_pin(sc, runs), 0);
    json_t *want =
        json_object_get(json_object_get(json_object_get(sc, "expect"), "runs"), "evaluator");
    assert_string_equal(json_string_value(json_object_get(want, "reason")), "caller_id_mismatch");
    assert_string_equal(json_string_value(json_object_get(want, "diagnosis_contains")), "D.");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(want, "provider_call"), "ended_reason")),
        "customer-did-not-answer");
    assert_valid_scenario(sc);
    /* a provider with no ended reason (ElevenLabs "done"): nothing pinned as null */
    json_t *done =
        json_pack("{s:{s:s,s:s,s:{s:s,s:n}}}", "evaluator", "status", "completed", "provider",
                  "elevenlabs", "provider_call", "status", "done", "ended_reason");
    assert_int_equal(repro_pin(sc, done), 0);
    want = json_object_get(json_object_get(json_object_get(sc, "expect"), "runs"), "evaluator");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(want, "provider_call"), "status")),
        "done");
    assert_null(json_object_get(json_object_get(want, "provider_call"), "ended_reason"));
    assert_null(json_object_get(want, "reason"));
    assert_valid_scenario(sc);
    json_decref(done);
    json_t *none = json_object();
    assert_int_equal(repro_pin(sc, none), -1);
    json_decref(none);
    json_decref(runs);
    json_decref(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vapi_busy_from_the_call_record),
        cmocka_unit_test(test_retell_other_caller_id_is_a_carrier_fault),
        cmocka_unit_test(test_elevenlabs_record_delay_and_failure),
        cmocka_unit_test(test_withheld_caller_id),
        cmocka_unit_test(test_trigger_url_dispatch),
        cmocka_unit_test(test_retell_declined_and_voicemail),
        cmocka_unit_test(test_refusals_say_where),
        cmocka_unit_test(test_symptom_agrees_with_a_shared_word),
        cmocka_unit_test(test_verdict_names_both_sides),
        cmocka_unit_test(test_pin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
