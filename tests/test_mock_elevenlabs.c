/* Unit tests for mocks/mock_elevenlabs, driven through mock_world_dispatch
 * (mocks/mock_server.h) with hand-made requests: no network. The world is
 * built by hand, as in test_mock_vapi.c: an evq as the clock, a journal, a
 * PSTN whose core side is a fake (tests/fake_lines.h), the ElevenLabs mock,
 * and a webhook queue whose sink records what the core would receive
 * (tests/fake_sink.h).
 *
 * H-1: the answers are ElevenLabs' (providers.md §1.4, §2.4: the
 * {"detail":{"status","message"}} bodies and FastAPI's 422 list, byte for
 * byte); AO-4: invalid keys, keys without convai_write, quota, unknown agent,
 * concurrency; AO-1/AO-3: the call leaves from the number behind
 * agent_phone_number_id, and its fate shows on GET conversation (§3.4) and in
 * the signed webhooks (§4.3): post_call_transcription when answered,
 * call_initiation_failure with busy / no-answer otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/provider.h"
#include "journal.h"
#include "mock_elevenlabs.h"
#include "mock_provider.h"
#include "mock_server.h"
#include "pstn.h"
#include "sim/evq.h"
#include "webhook.h"
#include "fake_lines.h"
#include "fake_sink.h"
#include "mock_world_fixture.h"

#define T0 INT64_C(1767269100000)
#define KEY "xi_live_key"
#define READ_KEY "xi_read_only"
#define WRITE_KEY "xi_write_only"
#define SECRET "wsec_el_5d1c"
#define AGENT "agent_el_1"
#define PNID "phnum_main"
#define AGENT_NUM "+15551234567" /* the number behind PNID: the ANI */
#define EVAL "+15557654321"      /* the evaluator's number: a core line */
#define FAILING "+15557650000"   /* the PSTN cannot connect it */
#define LATENCY_MS 220
#define DIAL_DELAY_MS 1000
#define RING_MS 25000
#define DURATION_MS 40000
#define WH_DELAY_MS 500

struct fx {
    struct mock_world w;
    struct mock_elevenlabs *elevenlabs; /* attached to w */
    struct evq *q;
    struct fake_core core;
    struct fake_sink sink;
};

struct opts {
    double credits;
    int concurrency_limit;
    bool silence_as_busy;
};

static struct fx *fx_new(struct opts o)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct pstn_fault fault = {.to = FAILING, .fail = true};
    struct pstn_config pc = {.call_duration_ms = DURATION_MS,
                             .silence_as_busy = o.silence_as_busy,
                             .faults = &fault,
                             .n_faults = 1};
    mock_world_open(&f->w, &f->q, T0, &pc, &f->core, EVAL);
    assert_int_equal(pstn_add_line(f->w.pstn, FAILING), 0);
    mock_world_open_webhooks(&f->w, f->q, &f->sink);

    json_t *keys = json_pack("[s,{s:s,s:[s]},{s:s,s:[s]}]", KEY, "key", READ_KEY, "permissions",
                             "convai_read", "key", WRITE_KEY, "permissions", "convai_write");
    json_t *agents = json_pack("[s]", AGENT);
    json_t *numbers = json_pack("[{s:s,s:s}]", "id", PNID, "number", AGENT_NUM);
    json_t *webhooks = json_pack("{s:s,s:f}", "secret", SECRET, "delay", WH_DELAY_MS / 1000.0);
    struct mock_provider_config ec = {
        .keys = keys,
        .agents = agents,
        .phone_numbers = numbers,
        .latency_ms = LATENCY_MS,
        .dial_delay_ms = DIAL_DELAY_MS,
        .ring_timeout_ms = RING_MS,
        .seed = 5,
        .credits = o.credits ? o.credits : -1,
        .call_cost = 1,
        .concurrency_limit = o.concurrency_limit,
        .webhooks = webhooks,
    };
    assert_int_equal(mock_elevenlabs_create(&f->elevenlabs, &f->w, &ec), 0);
    assert_int_equal(mock_world_attach(&f->w, &mock_elevenlabs_ops, f->elevenlabs), 0);
    json_decref(keys);
    json_decref(agents);
    json_decref(numbers);
    json_decref(webhooks);
    return f;
}

static void fx_free(struct fx *f)
{
    fake_sink_clear(&f->sink);
    mock_world_detach(&f->w, f->elevenlabs);
    mock_elevenlabs_destroy(f->elevenlabs);
    mock_world_close(&f->w, f->q);
    free(f);
}

static struct mock_reply request(struct fx *f, const char *method, const char *path,
                                 const char *key, const char *body)
{
    return mock_world_request(&f->w, method, path, "xi-api-key", key, body);
}

#define TWILIO "/v1/convai/twilio/outbound-call"
#define SIP "/v1/convai/sip-trunk/outbound-call"

static char *call_body(const char *agent, const char *pnid, const char *to)
{
    json_t *b = json_object();
    if (agent)
        json_object_set_new(b, "agent_id", json_string(agent));
    if (pnid)
        json_object_set_new(b, "agent_phone_number_id", json_string(pnid));
    if (to)
        json_object_set_new(b, "to_number", json_string(to));
    json_object_set_new(b, "conversation_initiation_client_data",
                        json_pack("{s:{s:s}}", "dynamic_variables", "dialsim_run_id", "run_1"));
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

static struct mock_reply post(struct fx *f, const char *route, const char *key, const char *agent,
                              const char *pnid, const char *to)
{
    char *b = call_body(agent, pnid, to);
    struct mock_reply r = request(f, "POST", route, key, b);
    free(b);
    return r;
}

/* 200 expected; the conversation id (owned). */
static char *post_ok(struct fx *f, const char *route, const char *to)
{
    struct mock_reply r = post(f, route, KEY, AGENT, PNID, to);
    if (r.status != 200)
        fail_msg("%s: %d %s", route, r.status, r.raw);
    char *id = strdup(json_string_value(json_object_get(r.body, "conversation_id")));
    mock_reply_free(&r);
    return id;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *get_conv(struct fx *f, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/convai/conversations/%s", id);
    struct mock_reply r = request(f, "GET", path, KEY, NULL);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.body);
    mock_reply_free(&r);
    return j;
}

static void assert_status(struct fx *f, const char *id, const char *status)
{
    json_t *c = get_conv(f, id);
    const char *st = str(c, "status");
    if (!st || strcmp(st, status) != 0)
        fail_msg("conversation %s: status %s, want %s", id, st ? st : "(none)", status);
    json_decref(c);
}

static void run_until(struct fx *f, int64_t t)
{
    while (evq_run_next(f->q, t))
        ;
}

static void assert_nothing_placed(struct fx *f)
{
    run_until(f, INT64_MAX);
    assert_int_equal(pstn_call_count(f->w.pstn), 0);
    assert_int_equal(f->core.offers, 0);
    assert_int_equal(f->sink.n, 0);
}

static void assert_raw(struct mock_reply *r, int status, const char *raw)
{
    assert_int_equal(r->status, status);
    assert_string_equal(r->raw, raw);
    mock_reply_free(r);
}

static void assert_detail(struct mock_reply *r, int status, const char *code, const char *message)
{
    char want[500];
    snprintf(want, sizeof want, "{\"detail\":{\"status\":\"%s\",\"message\":\"%s\"}}", code,
             message);
    assert_raw(r, status, want);
}

/* ---- refusals (AO-4, §2.4) ---------------------------------------------- */

static void ao4_invalid_api_key_401(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    static const char *bad[] = {NULL, "", "xi_wrong", KEY "x", "Bearer " KEY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mock_reply r = post(f, TWILIO, bad[i], AGENT, PNID, EVAL);
        assert_int_equal(r.latency_ms, LATENCY_MS);
        assert_detail(&r, 401, "invalid_api_key", "Invalid API key");
    }
    struct mock_reply r = post(f, SIP, "xi_wrong", AGENT, PNID, EVAL);
    assert_detail(&r, 401, "invalid_api_key", "Invalid API key");
    r = request(f, "GET", "/v1/convai/conversations/c1", NULL, NULL);
    assert_detail(&r, 401, "invalid_api_key", "Invalid API key");
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4: a key without convai_write may not place calls; reading needs convai_read. */
static void ao4_missing_permissions_401(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = post(f, TWILIO, READ_KEY, AGENT, PNID, EVAL);
    assert_detail(&r, 401, "missing_permissions",
                  "The API key you used is missing the permission convai_write to execute this "
                  "operation.");
    r = post(f, SIP, READ_KEY, AGENT, PNID, EVAL);
    assert_int_equal(r.status, 401);
    assert_string_equal(str(json_object_get(r.body, "detail"), "status"), "missing_permissions");
    mock_reply_free(&r);
    assert_nothing_placed(f);

    /* the write key places the call; the read key may read it, the write key not */
    r = post(f, TWILIO, WRITE_KEY, AGENT, PNID, EVAL);
    assert_int_equal(r.status, 200);
    char path[128];
    snprintf(path, sizeof path, "/v1/convai/conversations/%s", str(r.body, "conversation_id"));
    mock_reply_free(&r);
    r = request(f, "GET", path, READ_KEY, NULL);
    assert_int_equal(r.status, 200);
    mock_reply_free(&r);
    r = request(f, "GET", path, WRITE_KEY, NULL);
    assert_detail(&r, 401, "missing_permissions",
                  "The API key you used is missing the permission convai_read to execute this "
                  "operation.");
    fx_free(f);
}

/* AO-4, H-3: out of credits: quota_exceeded (401). */
static void ao4_quota_exceeded_401(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.credits = 1});
    char *id = post_ok(f, TWILIO, EVAL);
    struct mock_reply r = post(f, TWILIO, KEY, AGENT, PNID, EVAL);
    assert_detail(&r, 401, "quota_exceeded",
                  "This request exceeds your quota of 10000. You have 0 credits remaining, while "
                  "1 credits are required for this request.");
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_int_equal(pstn_call_count(f->w.pstn), 1);
    free(id);
    fx_free(f);
}

static void ao4_agent_not_found_404(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = post(f, TWILIO, KEY, "agent_nope", PNID, EVAL);
    assert_detail(&r, 404, "agent_not_found", "Agent not found");
    assert_nothing_placed(f);
    fx_free(f);
}

/* §2.1, §2.4: FastAPI's 422 list, one entry per missing field. */
static void ao4_missing_field_422(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = post(f, TWILIO, KEY, AGENT, NULL, EVAL);
    assert_raw(&r, 422,
               "{\"detail\":[{\"loc\":[\"body\",\"agent_phone_number_id\"],\"msg\":\"Field "
               "required\",\"type\":\"missing\",\"input\":null}]}");
    r = post(f, TWILIO, KEY, AGENT, PNID, NULL);
    assert_raw(&r, 422,
               "{\"detail\":[{\"loc\":[\"body\",\"to_number\"],\"msg\":\"Field required\","
               "\"type\":\"missing\",\"input\":null}]}");
    /* every missing field is named, in order */
    r = request(f, "POST", SIP, KEY, "{}");
    assert_int_equal(r.status, 422);
    json_t *d = json_object_get(r.body, "detail");
    assert_int_equal(json_array_size(d), 3);
    static const char *fields[] = {"agent_id", "agent_phone_number_id", "to_number"};
    for (size_t i = 0; i < 3; i++) {
        json_t *loc = json_object_get(json_array_get(d, i), "loc");
        assert_string_equal(json_string_value(json_array_get(loc, 0)), "body");
        assert_string_equal(json_string_value(json_array_get(loc, 1)), fields[i]);
    }
    mock_reply_free(&r);
    /* a body that is not JSON misses every field too */
    r = request(f, "POST", TWILIO, KEY, "{\"agent_id\":");
    assert_int_equal(r.status, 422);
    assert_int_equal(json_array_size(json_object_get(r.body, "detail")), 3);
    mock_reply_free(&r);
    assert_nothing_placed(f);
    fx_free(f);
}

/* AO-4: the account's concurrent-call slots are full: 429. */
static void ao4_too_many_concurrent_requests_429(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.concurrency_limit = 1});
    f->core.answer = true;
    char *first = post_ok(f, TWILIO, EVAL);
    struct mock_reply r = post(f, TWILIO, KEY, AGENT, PNID, EVAL);
    assert_detail(&r, 429, "too_many_concurrent_requests",
                  "Too many concurrent requests. Your plan allows a limited number of concurrent "
                  "calls.");
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_status(f, first, "done");
    char *second = post_ok(f, TWILIO, EVAL); /* a slot is free again */
    assert_int_equal(pstn_call_count(f->w.pstn), 1);
    run_until(f, T0 + 2 * DIAL_DELAY_MS + DURATION_MS);
    assert_int_equal(pstn_call_count(f->w.pstn), 2);
    free(first);
    free(second);
    fx_free(f);
}

/* ---- accepted calls (AO-1, §1.4) ---------------------------------------- */

static void ao1_twilio_success_200(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = post(f, TWILIO, KEY, AGENT, PNID, EVAL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.latency_ms, LATENCY_MS);
    assert_int_equal(json_object_size(r.body), 4);
    assert_true(json_is_true(json_object_get(r.body, "success")));
    assert_string_equal(str(r.body, "message"), "Success");
    const char *id = str(r.body, "conversation_id");
    assert_non_null(id);
    assert_true(strlen(id) > 0);
    const char *sid = str(r.body, "callSid"); /* camelCase, as ElevenLabs spells it */
    assert_non_null(sid);
    assert_int_equal(strlen(sid), 34);
    assert_memory_equal(sid, "CA", 2);
    assert_null(json_object_get(r.body, "sip_call_id"));
    assert_int_equal(evq_pending(f->q), 1);
    assert_int_equal(evq_next_time(f->q), T0 + DIAL_DELAY_MS);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_string_equal(f->core.from, AGENT_NUM); /* AO-3: the number behind PNID */
    assert_string_equal(f->core.to, EVAL);
    mock_reply_free(&r);
    fx_free(f);
}

static void ao1_sip_trunk_success_200(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = post(f, SIP, KEY, AGENT, PNID, EVAL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_object_size(r.body), 4);
    assert_true(json_is_true(json_object_get(r.body, "success")));
    assert_string_equal(str(r.body, "message"), "Success");
    assert_non_null(str(r.body, "conversation_id"));
    assert_non_null(str(r.body, "sip_call_id"));
    assert_null(json_object_get(r.body, "callSid"));
    json_t *c = get_conv(f, str(r.body, "conversation_id"));
    json_t *pc = json_object_get(json_object_get(c, "metadata"), "phone_call");
    assert_string_equal(str(pc, "type"), "sip_trunking");
    /* the SDK requires call_sid of a SIP trunk's call: the SIP Call-ID */
    assert_string_equal(str(pc, "call_sid"), str(r.body, "sip_call_id"));
    assert_null(json_object_get(pc, "stream_sid"));
    json_decref(c);
    mock_reply_free(&r);
    fx_free(f);
}

/* §3.4: initiated → in-progress → done, with the transcript. */
static void ao1_answered_initiated_in_progress_done(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->core.answer = true;
    char *id = post_ok(f, TWILIO, EVAL);
    assert_status(f, id, "initiated");
    json_t *c = get_conv(f, id);
    assert_string_equal(str(c, "conversation_id"), id);
    assert_string_equal(str(c, "agent_id"), AGENT);
    json_t *pc = json_object_get(json_object_get(c, "metadata"), "phone_call");
    assert_string_equal(str(pc, "type"), "twilio");
    assert_string_equal(str(pc, "direction"), "outbound");
    assert_string_equal(str(pc, "phone_number_id"), PNID);
    assert_string_equal(str(pc, "agent_number"), AGENT_NUM);
    assert_string_equal(str(pc, "external_number"), EVAL);
    assert_non_null(str(pc, "call_sid"));
    assert_int_equal(json_array_size(json_object_get(c, "transcript")), 0);
    json_decref(c);
    run_until(f, T0 + DIAL_DELAY_MS);
    assert_status(f, id, "in-progress");
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS - 1);
    assert_status(f, id, "in-progress");
    run_until(f, T0 + DIAL_DELAY_MS + DURATION_MS);
    assert_status(f, id, "done");
    c = get_conv(f, id);
    assert_true(json_is_true(json_object_get(c, "has_audio")));
    assert_true(json_array_size(json_object_get(c, "transcript")) > 0);
    json_t *meta = json_object_get(c, "metadata");
    assert_int_equal(json_integer_value(json_object_get(meta, "call_duration_secs")),
                     DURATION_MS / 1000);
    assert_string_equal(str(meta, "termination_reason"), "Call ended by remote party");
    json_decref(c);
    free(id);
    fx_free(f);
}

/* AO-3: a silent line rings out, a busy one is busy: the conversation fails. */
static void ao3_unanswered_conversation_failed(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *id = post_ok(f, TWILIO, EVAL);
    run_until(f, T0 + DIAL_DELAY_MS + RING_MS - 1);
    assert_status(f, id, "initiated");
    run_until(f, T0 + DIAL_DELAY_MS + RING_MS);
    assert_status(f, id, "failed");
    json_t *c = get_conv(f, id);
    assert_true(json_is_false(json_object_get(c, "has_audio")));
    assert_int_equal(json_array_size(json_object_get(c, "transcript")), 0);
    json_decref(c);
    free(id);
    fx_free(f);
}

static void get_unknown_conversation_404(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = request(f, "GET", "/v1/convai/conversations/conv_nope", KEY, NULL);
    assert_detail(&r, 404, "conversation_not_found", "Conversation not found");
    fx_free(f);
}

/* The SDK (2.73.0) validates GET conversation: has_user_audio,
 * has_response_audio, has_auxiliary_audio and, on a Twilio call,
 * metadata.phone_call.stream_sid and call_sid, ringing or not. */
static void get_has_what_the_sdk_requires(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = post(f, TWILIO, KEY, AGENT, PNID, EVAL);
    assert_int_equal(r.status, 200);
    json_t *c = get_conv(f, str(r.body, "conversation_id"));
    assert_true(json_is_boolean(json_object_get(c, "has_user_audio")));
    assert_true(json_is_boolean(json_object_get(c, "has_response_audio")));
    assert_true(json_is_false(json_object_get(c, "has_auxiliary_audio")));
    json_t *pc = json_object_get(json_object_get(c, "metadata"), "phone_call");
    assert_string_equal(str(pc, "call_sid"), str(r.body, "callSid"));
    assert_string_equal(str(pc, "stream_sid") + 2, str(r.body, "callSid") + 2);
    assert_memory_equal(str(pc, "stream_sid"), "MZ", 2);
    json_decref(c);
    mock_reply_free(&r);
    fx_free(f);
}

/* A call that never connects is failed with its reason, not "". */
static void failed_call_says_why(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *id = post_ok(f, TWILIO, EVAL); /* rings out: the core does not answer */
    run_until(f, INT64_MAX);
    json_t *c = get_conv(f, id);
    const json_t *meta = json_object_get(c, "metadata");
    assert_string_equal(str(c, "status"), "failed");
    assert_string_equal(str(meta, "termination_reason"), "no-answer");
    assert_int_equal(json_integer_value(mock_json_path(meta, "error.code")), 480);
    assert_string_equal(json_string_value(mock_json_path(c, "analysis.call_successful")),
                        "failure");
    json_decref(c);
    free(id);
    fx_free(f);
}

/* FastAPI's own answers on /v1/convai/: routing before the key. */
static void unknown_route_404_405(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = request(f, "GET", "/v1/convai/nope", NULL, NULL);
    assert_raw(&r, 404, "{\"detail\":\"Not Found\"}");
    r = request(f, "GET", "/v1/convai/twilio/outbound-call", KEY, NULL);
    assert_raw(&r, 405, "{\"detail\":\"Method Not Allowed\"}");
    r = request(f, "PUT", "/v1/convai/conversations/x", NULL, NULL);
    assert_raw(&r, 405, "{\"detail\":\"Method Not Allowed\"}");
    r = request(f, "GET", "/v1/convai/conversations/x/nope", KEY, NULL);
    assert_raw(&r, 404, "{\"detail\":\"Not Found\"}");
    fx_free(f);
}

static void delete_conversation(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *id = post_ok(f, TWILIO, EVAL);
    char path[128];
    snprintf(path, sizeof path, "/v1/convai/conversations/%s", id);
    struct mock_reply r = request(f, "DELETE", path, READ_KEY, NULL);
    assert_int_equal(r.status, 401); /* deleting needs convai_write */
    mock_reply_free(&r);
    r = request(f, "DELETE", path, KEY, NULL);
    assert_raw(&r, 200, "{}");
    r = request(f, "GET", path, KEY, NULL);
    assert_detail(&r, 404, "conversation_not_found", "Conversation not found");
    r = request(f, "GET", "/v1/convai/conversations", KEY, NULL);
    assert_raw(&r, 200, "{\"conversations\":[],\"has_more\":false,\"next_cursor\":null}");
    free(id);
    fx_free(f);
}

/* Numbers from the config and POST, the agent through PATCH, DELETE; a
 * call from a created number dials from it. */
static void phone_numbers(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r = request(f, "GET", "/v1/convai/phone-numbers", KEY, NULL);
    assert_raw(&r, 200,
               "[{\"phone_number_id\":\"" PNID "\",\"phone_number\":\"" AGENT_NUM
               "\",\"label\":\"" AGENT_NUM "\",\"provider\":\"twilio\",\"supports_inbound\":true,"
               "\"supports_outbound\":true,\"assigned_agent\":null}]");
    r = request(f, "POST", "/v1/convai/phone-numbers", KEY,
                "{\"provider\":\"sip_trunk\",\"phone_number\":\"+15550001111\",\"label\":\"trunk\","
                "\"agent_id\":\"nope\"}");
    assert_detail(&r, 404, "agent_not_found", "Agent not found");
    r = request(f, "POST", "/v1/convai/phone-numbers", KEY, "{\"provider\":\"twilio\"}");
    assert_int_equal(r.status, 422);
    assert_int_equal(json_array_size(json_object_get(r.body, "detail")), 4);
    mock_reply_free(&r);
    r = request(
        f, "POST", "/v1/convai/phone-numbers", KEY,
        "{\"provider\":\"sip_trunk\",\"phone_number\":\"+15550001111\",\"label\":\"trunk\"}");
    assert_int_equal(r.status, 200);
    char path[128];
    snprintf(path, sizeof path, "/v1/convai/phone-numbers/%s", str(r.body, "phone_number_id"));
    assert_memory_equal(str(r.body, "phone_number_id"), "phnum_", 6);
    mock_reply_free(&r);
    r = request(f, "PATCH", path, KEY, "{\"agent_id\":\"" AGENT "\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(mock_json_path(r.body, "assigned_agent.agent_id")),
                        AGENT);
    assert_string_equal(str(r.body, "livekit_stack"), "standard");
    mock_reply_free(&r);
    r = request(f, "GET", path, READ_KEY, NULL);
    assert_string_equal(str(r.body, "provider"), "sip_trunk");
    assert_string_equal(str(r.body, "label"), "trunk");
    mock_reply_free(&r);
    char *b = call_body(AGENT, path + 25, EVAL);
    r = request(f, "POST", SIP, KEY, b);
    free(b);
    assert_int_equal(r.status, 200);
    json_t *c = get_conv(f, str(r.body, "conversation_id"));
    assert_string_equal(json_string_value(mock_json_path(c, "metadata.phone_call.agent_number")),
                        "+15550001111");
    json_decref(c);
    mock_reply_free(&r);
    r = request(f, "DELETE", path, KEY, NULL);
    assert_raw(&r, 200, "{}");
    r = request(f, "GET", path, KEY, NULL);
    assert_detail(&r, 404, "phone_number_not_found", "Phone number not found");
    fx_free(f);
}

/* Batch calling: each recipient a call, the batch rendered from its calls. */
static void batch_calls(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    struct mock_reply r =
        request(f, "POST", "/v1/convai/batch-calling/submit", KEY,
                "{\"call_name\":\"b\",\"agent_id\":\"" AGENT "\",\"agent_phone_number_id\":\"" PNID
                "\",\"recipients\":"
                "[{\"phone_number\":\"" FAILING "\"},{\"phone_number\":\"" EVAL "\"}]}");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.body, "total_calls_dispatched")), 2);
    char path[128];
    snprintf(path, sizeof path, "/v1/convai/batch-calling/%s", str(r.body, "id"));
    mock_reply_free(&r);
    run_until(f, INT64_MAX);
    r = request(f, "GET", path, READ_KEY, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.body, "status"), "completed");
    assert_string_equal(json_string_value(mock_json_path(r.body, "recipients.0.status")), "failed");
    assert_non_null(json_string_value(mock_json_path(r.body, "recipients.1.conversation_id")));
    assert_int_equal(pstn_call_count(f->w.pstn), 2);
    mock_reply_free(&r);
    fx_free(f);
}

/* A batch over a SIP trunk whose second recipient the account refuses at
 * once (concurrency): its call ends before it has its record, and its
 * call_initiation_failure still says SIP (the request's "_sip", which the
 * call keeps: mock_account_keep_request). */
static void batch_sip_refused_says_sip(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){.concurrency_limit = 1});
    struct mock_reply r = request(f, "POST", "/v1/convai/phone-numbers", KEY,
                                  "{\"provider\":\"sip_trunk\",\"phone_number\":\"+15550001111\","
                                  "\"label\":\"trunk\",\"agent_id\":\"" AGENT "\"}");
    assert_int_equal(r.status, 200);
    char body[512];
    snprintf(body, sizeof body,
             "{\"call_name\":\"b\",\"agent_id\":\"" AGENT "\",\"agent_phone_number_id\":\"%s\","
             "\"recipients\":[{\"phone_number\":\"" EVAL "\"},{\"phone_number\":\"" EVAL "\"}]}",
             str(r.body, "phone_number_id"));
    mock_reply_free(&r);
    r = request(f, "POST", "/v1/convai/batch-calling/submit", KEY, body);
    assert_int_equal(r.status, 200);
    mock_reply_free(&r);
    run_until(f, INT64_MAX);
    int failures = 0;
    for (int i = 0; i < f->sink.n; i++) {
        const json_t *j = f->sink.d[i].json;
        if (strcmp(str(j, "type"), "call_initiation_failure") != 0)
            continue;
        const json_t *meta = mock_json_path(j, "data.metadata");
        assert_string_equal(str(meta, "type"), "sip");
        assert_non_null(mock_json_path(meta, "body.sip_status_code"));
        failures++;
    }
    assert_int_equal(failures, 2); /* the refused call, and the placed one (no answer) */
    fx_free(f);
}

/* ---- webhooks (§4.3) ------------------------------------------------------ */

/* Delivery i is an ElevenLabs webhook of type for conversation id, signed
 * t=..,v0=.. so that the core's check accepts it with the secret, at the
 * instant it arrives, and refuses it with another. Returns its data. */
static const json_t *expect_webhook(struct fx *f, int i, const char *type, const char *id,
                                    int64_t at, int64_t event_at)
{
    if (i >= f->sink.n)
        fail_msg("webhook %d (%s) never came; %d came", i, type, f->sink.n);
    const struct fake_delivery *d = &f->sink.d[i];
    assert_string_equal(d->provider, "elevenlabs");
    assert_non_null(d->json);
    assert_string_equal(str(d->json, "type"), type);
    assert_int_equal(json_integer_value(json_object_get(d->json, "event_timestamp")),
                     event_at / 1000);
    const json_t *data = json_object_get(d->json, "data");
    assert_string_equal(str(data, "conversation_id"), id);
    assert_string_equal(str(data, "agent_id"), AGENT);
    assert_int_equal(d->at, at);
    assert_true(d->mutex_free);
    const char *sig = fake_sink_header(d, "ElevenLabs-Signature");
    assert_non_null(sig);
    char want[40];
    snprintf(want, sizeof want, "t=%lld,v0=", (long long)(at / 1000));
    assert_memory_equal(sig, want, strlen(want));
    char err[300];
    if (provider_elevenlabs.verify_webhook(d->headers, d->n_headers, d->body, strlen(d->body),
                                           SECRET, at, err, sizeof err) != 0)
        fail_msg("webhook %d (%s): %s", i, type, err);
    assert_int_equal(provider_elevenlabs.verify_webhook(d->headers, d->n_headers, d->body,
                                                        strlen(d->body), KEY, at, err, sizeof err),
                     -1);
    return data;
}

/* Answered: one post_call_transcription when the call is over, nothing before. */
static void h1_webhook_post_call_transcription(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    f->core.answer = true;
    char *id = post_ok(f, TWILIO, EVAL);
    int64_t end = T0 + DIAL_DELAY_MS + DURATION_MS;
    run_until(f, end + WH_DELAY_MS - 1);
    assert_int_equal(f->sink.n, 0);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 1);
    const json_t *data =
        expect_webhook(f, 0, "post_call_transcription", id, end + WH_DELAY_MS, end);
    assert_string_equal(str(data, "status"), "done");
    assert_true(json_array_size(json_object_get(data, "transcript")) > 0);
    assert_string_equal(
        str(json_object_get(json_object_get(data, "metadata"), "phone_call"), "type"), "twilio");
    free(id);
    fx_free(f);
}

/* §3.4: busy and no-answer are told only by call_initiation_failure. */
static void h1_webhook_call_initiation_failure(void **state)
{
    (void)state;
    /* no-answer: the core stays silent until the ring timeout */
    struct fx *f = fx_new((struct opts){0});
    char *id = post_ok(f, TWILIO, EVAL);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 1);
    int64_t end = T0 + DIAL_DELAY_MS + RING_MS;
    const json_t *data =
        expect_webhook(f, 0, "call_initiation_failure", id, end + WH_DELAY_MS, end);
    assert_string_equal(str(data, "failure_reason"), "no-answer");
    const json_t *meta = json_object_get(data, "metadata");
    assert_string_equal(str(meta, "type"), "twilio");
    assert_string_equal(str(json_object_get(meta, "body"), "CallStatus"), "no-answer");
    assert_non_null(str(json_object_get(meta, "body"), "CallSid"));
    free(id);
    fx_free(f);

    /* busy: the carrier shows silence as busy */
    f = fx_new((struct opts){.silence_as_busy = true});
    id = post_ok(f, TWILIO, EVAL);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 1);
    end = T0 + DIAL_DELAY_MS;
    data = expect_webhook(f, 0, "call_initiation_failure", id, end + WH_DELAY_MS, end);
    assert_string_equal(str(data, "failure_reason"), "busy");
    assert_string_equal(
        str(json_object_get(json_object_get(data, "metadata"), "body"), "CallStatus"), "busy");
    assert_status(f, id, "failed");
    free(id);
    fx_free(f);
}

/* A number that cannot be connected: failure_reason unknown, Twilio "failed" (§6.1). */
static void h1_webhook_failed_to_connect(void **state)
{
    (void)state;
    struct fx *f = fx_new((struct opts){0});
    char *id = post_ok(f, TWILIO, FAILING);
    run_until(f, INT64_MAX);
    assert_int_equal(f->sink.n, 1);
    int64_t end = T0 + DIAL_DELAY_MS;
    const json_t *data =
        expect_webhook(f, 0, "call_initiation_failure", id, end + WH_DELAY_MS, end);
    assert_string_equal(str(data, "failure_reason"), "unknown");
    assert_string_equal(
        str(json_object_get(json_object_get(data, "metadata"), "body"), "CallStatus"), "failed");
    free(id);
    fx_free(f);
}

/* SIP trunk: the provider payload is the SIP final response (§6.2). */
static void h1_webhook_sip_status_codes(void **state)
{
    (void)state;
    static const struct {
        bool busy;
        const char *to;
        const char *reason;
        int code;
    } cases[] = {{false, EVAL, "no-answer", 480},
                 {true, EVAL, "busy", 486},
                 {false, FAILING, "unknown", 503}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx *f = fx_new((struct opts){.silence_as_busy = cases[i].busy});
        char *id = post_ok(f, SIP, cases[i].to);
        run_until(f, INT64_MAX);
        assert_int_equal(f->sink.n, 1);
        const struct fake_delivery *d = &f->sink.d[0];
        const json_t *data = json_object_get(d->json, "data");
        assert_string_equal(str(data, "conversation_id"), id);
        assert_string_equal(str(data, "failure_reason"), cases[i].reason);
        const json_t *meta = json_object_get(data, "metadata");
        assert_string_equal(str(meta, "type"), "sip");
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(meta, "body"), "sip_status_code")),
            cases[i].code);
        free(id);
        fx_free(f);
    }
}

/* A declined call reaches ElevenLabs as Twilio's busy; a number not in
 * service as unknown; voicemail is a conversation that is done. */
static void vocabulary_declined_invalid_voicemail(void **state)
{
    (void)state;
    struct mock_call c = {.state = MC_ENDED};
    c.end = MC_END_DECLINED;
    assert_string_equal(mock_elevenlabs_failure_reason(&c), "busy");
    assert_string_equal(mock_elevenlabs_status(&c), "failed");
    c.end = MC_END_INVALID;
    assert_string_equal(mock_elevenlabs_failure_reason(&c), "unknown");
    c.end = MC_END_VOICEMAIL;
    assert_null(mock_elevenlabs_failure_reason(&c));
    assert_string_equal(mock_elevenlabs_status(&c), "done");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vocabulary_declined_invalid_voicemail),
        cmocka_unit_test(ao4_invalid_api_key_401),
        cmocka_unit_test(ao4_missing_permissions_401),
        cmocka_unit_test(ao4_quota_exceeded_401),
        cmocka_unit_test(ao4_agent_not_found_404),
        cmocka_unit_test(ao4_missing_field_422),
        cmocka_unit_test(ao4_too_many_concurrent_requests_429),
        cmocka_unit_test(ao1_twilio_success_200),
        cmocka_unit_test(ao1_sip_trunk_success_200),
        cmocka_unit_test(ao1_answered_initiated_in_progress_done),
        cmocka_unit_test(ao3_unanswered_conversation_failed),
        cmocka_unit_test(get_unknown_conversation_404),
        cmocka_unit_test(get_has_what_the_sdk_requires),
        cmocka_unit_test(failed_call_says_why),
        cmocka_unit_test(unknown_route_404_405),
        cmocka_unit_test(delete_conversation),
        cmocka_unit_test(phone_numbers),
        cmocka_unit_test(batch_calls),
        cmocka_unit_test(h1_webhook_post_call_transcription),
        cmocka_unit_test(h1_webhook_call_initiation_failure),
        cmocka_unit_test(h1_webhook_failed_to_connect),
        cmocka_unit_test(h1_webhook_sip_status_codes),
        cmocka_unit_test(batch_sip_refused_says_sip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
