/* Unit tests of harness/ingest: one POST to the transcript webhook end to end
 * — validate (CI-2, CI-8), store before answering (CI-9, durability), match
 * (CI-6, CI-7) and answer. A real :memory: store and a real core on an event
 * queue with a fake HTTP port (test_core.c's fixture); a custom-transcript run
 * whose call to E1 was answered and has ended waits for its transcript. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "ingest/ingest.h"
#include "sim/evq.h"
#include "core_fixture.h"
#include "fake_http.h"
#include "store/store.h"

#define T0 1767268800000LL /* 2026-01-01T12:00:00Z */
#define ANSWER_MS 2000
#define END_MS 62000 /* 12:01:02Z */
#define KEY "ck_live_acme"
#define CONTACT "+15551234567"
#define E1 "+15557654321"

/* One call of seed 001's shape, for agent 42, to E1. */
#define CALL(id)                                                                                   \
    "{\"id\":\"" id                                                                                \
    "\",\"startedAt\":\"2026-01-01T12:00:02Z\",\"endedAt\":\"2026-01-01T12:01:02Z\","              \
    "\"to_phone_number\":\"" E1 "\",\"from_phone_number\":\"" CONTACT "\","                        \
    "\"messages\":[{\"role\":\"bot\",\"content\":\"Hello, this is the assistant calling.\"},"      \
    "{\"role\":\"user\",\"content\":\"Hi, I can talk "                                             \
    "now.\"}],\"endedReason\":\"customer-ended-call\"}"
#define BODY1 "{\"agent_id\":42,\"calls\":[" CALL("c1") "]}"

/* ---- fixture --------------------------------------------------------------- */

struct fx {
    struct evq *q;
    struct fake_http http;
    struct core *core;
    struct store *store;
    const struct core_run *run; /* agent 42 → E1, answered and ended */
    int idc;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(evq_create(&f->q, T0), 0);
    /* the fake HTTP port: 201 to POSTs, "ended" to GETs */
    f->http.q = f->q;
    f->http.get_body = "{\"status\":\"ended\",\"endedReason\":\"customer-ended-call\"}";
    struct core_env env = core_fixture_env(f->q, &fake_http_ops, &f->http, &f->idc);
    env.provider_base_url[DS_PROVIDER_VAPI] = "https://api.vapi.example";
    assert_int_equal(core_create(&f->core, &env), 0);
    char err[256];
    assert_int_equal(core_project_put(f->core, "acme", KEY), 0);
    struct core_agent a = {
        .id = "42",
        .name = "Support line",
        .project = "acme",
        .auto_outbound = true,
        .contact_number = CONTACT,
        .provider = DS_PROVIDER_VAPI,
        .provider_api_key = "key",
        .assistant_id = "asst",
        .phone_number_id = "pn",
        .custom_transcripts = true,
    };
    assert_int_equal(core_agent_put(f->core, &a, err, sizeof err), 0);
    assert_int_equal(core_evaluator_put(f->core, "e1", "acme", E1, NULL, err, sizeof err), 0);
    const char *ids[] = {"e1"};
    assert_int_equal(core_start_runs(f->core, "42", ids, 1, &f->run, err, sizeof err), 0);
    uint64_t tok = 0;
    evq_run_until(f->q, T0 + ANSWER_MS);
    assert_true(core_inbound_offer(f->core, CONTACT, E1, &tok));
    evq_run_until(f->q, T0 + END_MS);
    core_inbound_hangup(f->core, tok);
    assert_int_equal(f->run->status, DS_RUN_IN_PROGRESS);
    assert_int_equal(store_open(&f->store, ":memory:", NULL, err, sizeof err), STORE_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    core_fixture_close(f->q, f->core); /* deliveries free themselves */
    store_close(f->store);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static int64_t at(struct fx *f, int64_t rel_ms)
{
    evq_run_until(f->q, T0 + rel_ms);
    return evq_now(f->q);
}

/* POST body with the key header `hname: key` to project "acme". */
static struct ingest_answer post_as(struct fx *f, struct core *c, const char *hname,
                                    const char *key, const char *body)
{
    struct tx_header h[] = {{"Content-Type", "application/json"}, {hname, key}};
    struct tx_request rq = {
        .headers = h,
        .n_headers = 2,
        .content_type = "application/json",
        .body = body,
        .body_len = strlen(body),
        .api_key = KEY,
    };
    struct ingest_answer a;
    memset(&a, 0x5a, sizeof a);
    assert_int_equal(ingest_handle(c, f->store, "acme", &rq, evq_now(f->q), &a), 0);
    assert_non_null(a.body);
    assert_int_equal(a.body_len, strlen(a.body));
    return a;
}

static struct ingest_answer post(struct fx *f, const char *body)
{
    return post_as(f, f->core, "X-CEKURA-API-KEY", KEY, body);
}

static int64_t stored(struct fx *f)
{
    int64_t n = -1;
    assert_int_equal(store_count(f->store, NULL, &n), STORE_OK);
    return n;
}

static json_t *parse(const struct ingest_answer *a)
{
    json_error_t e;
    json_t *j = json_loads(a->body, 0, &e);
    if (!j)
        fail_msg("answer is not JSON (%s): %s", e.text, a->body);
    return j;
}

/* calls[i] of a 200 answer: exactly id, match, run_id, message. */
static void assert_call(const json_t *ans, size_t i, const char *id, const char *match,
                        const char *run_id, const char *message_part)
{
    const json_t *c = json_array_get(json_object_get(ans, "calls"), i);
    assert_non_null(c);
    assert_int_equal(json_object_size(c), 4);
    assert_string_equal(json_string_value(json_object_get(c, "id")), id);
    assert_string_equal(json_string_value(json_object_get(c, "match")), match);
    assert_string_equal(json_string_value(json_object_get(c, "run_id")), run_id);
    const char *msg = json_string_value(json_object_get(c, "message"));
    assert_non_null(msg);
    if (!strstr(msg, message_part))
        fail_msg("message \"%s\" lacks \"%s\"", msg, message_part);
}

static void assert_run_waiting(const struct core_run *r)
{
    assert_int_equal(r->status, DS_RUN_IN_PROGRESS);
    assert_null(r->transcript_call_id);
}

/* ---- CI-2: the key --------------------------------------------------------- */

static void test_ci2_wrong_key_401_nothing_stored(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    struct ingest_answer a = post_as(f, f->core, "X-CEKURA-API-KEY", "wrong-" KEY, BODY1);
    assert_int_equal(a.status, 401);
    assert_non_null(strstr(a.body, "\"errors\""));
    assert_non_null(strstr(a.body, "X-CEKURA-API-KEY"));
    assert_null(strstr(a.body, "\"calls\"")); /* nothing acknowledged */
    ingest_answer_clear(&a);
    assert_null(a.body);
    /* no key header at all */
    a = post_as(f, f->core, "Authorization", "Bearer " KEY, BODY1);
    assert_int_equal(a.status, 401);
    ingest_answer_clear(&a);
    assert_int_equal(stored(f), 0);
    assert_run_waiting(f->run);
}

static void test_ci2_lower_case_header_accepted_and_flagged(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    struct ingest_answer a = post_as(f, f->core, "x-cekura-api-key", KEY, BODY1);
    assert_int_equal(a.status, 200);
    assert_true(a.key_header_misspelled);
    ingest_answer_clear(&a);
    a = post(f, BODY1);
    assert_false(a.key_header_misspelled);
    ingest_answer_clear(&a);
    assert_int_equal(stored(f), 1);
}

/* ---- CI-8: invalid payloads -------------------------------------------------- */

static void test_ci8_missing_field_400_names_path(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    /* calls[0] is valid, calls[1] lacks endedAt: all or nothing */
    const char *body = "{\"agent_id\":42,\"calls\":[" CALL(
        "c1") ",{\"id\":\"c2\",\"startedAt\":"
              "\"2026-01-01T12:00:02Z\",\"messages\":[{\"role\":\"assistant\","
              "\"content\":\"hi\"}]}]}";
    struct ingest_answer a = post(f, body);
    assert_int_equal(a.status, 400);
    json_t *j = parse(&a);
    const json_t *errs = json_object_get(j, "errors");
    assert_true(json_array_size(errs) >= 2); /* every offending field at once */
    assert_non_null(strstr(a.body, "\"path\":\"calls[1].endedAt\""));
    assert_non_null(strstr(a.body, "\"path\":\"calls[1].messages[0].role\""));
    assert_non_null(strstr(a.body, "is required"));
    assert_null(json_object_get(j, "calls"));
    json_decref(j);
    ingest_answer_clear(&a);
    assert_int_equal(stored(f), 0);
    assert_run_waiting(f->run); /* the valid call was not matched either */
}

/* ---- the 200 answer ------------------------------------------------------ */

static void test_200_answer_shape_and_match(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    struct ingest_answer a = post(f, BODY1);
    assert_int_equal(a.status, 200);
    json_t *j = parse(&a);
    assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 1);
    const json_t *ids = json_object_get(j, "ids");
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), "c1");
    assert_int_equal(json_array_size(json_object_get(j, "calls")), 1);
    assert_call(j, 0, "c1", "matched", f->run->id, "attached");
    json_decref(j);
    /* compact, in this order: the validator's answer, then "calls" */
    char want[256];
    snprintf(want, sizeof want,
             "{\"accepted\":1,\"ids\":[\"c1\"],\"calls\":[{\"id\":\"c1\",\"match\":"
             "\"matched\",\"run_id\":\"%s\",\"message\":\"attached\"}]}",
             f->run->id);
    assert_string_equal(a.body, want);
    ingest_answer_clear(&a);
    /* stored (CI-9) and matched (CI-7): the run has its transcript */
    assert_int_equal(stored(f), 1);
    struct store_call *sc = NULL;
    assert_int_equal(store_get_call(f->store, "acme", "c1", &sc), STORE_OK);
    assert_non_null(sc);
    assert_string_equal(sc->to_phone_number, E1);
    assert_int_equal(sc->agent_id, 42);
    assert_int_equal(sc->ended_at_ms, T0 + END_MS);
    assert_int_equal(sc->received_at_ms, T0 + END_MS + 5000);
    store_call_free(sc);
    assert_int_equal(f->run->status, DS_RUN_COMPLETED);
    assert_string_equal(f->run->transcript_call_id, "c1");
    assert_string_equal(f->run->transcript,
                        "bot: Hello, this is the assistant calling.\nuser: Hi, I can talk now.\n");
}

static void test_200_each_call_answered_in_order(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    /* c1 matches by number; c2's number has no run; c3 names no number */
    const char *body = "{\"agent_id\":42,\"calls\":[" CALL(
        "c1") ",{\"id\":\"c2\",\"startedAt\":"
              "\"2026-01-01T12:00:02Z\",\"endedAt\":\"2026-01-01T12:01:02Z\",\"to_phone_number\":"
              "\"+15550000000\"},{\"id\":\"c3\",\"startedAt\":\"2026-01-01T12:00:02Z\",\"endedAt\":"
              "\"2026-01-01T12:01:02Z\"}]}";
    struct ingest_answer a = post(f, body);
    assert_int_equal(a.status, 200);
    json_t *j = parse(&a);
    assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 3);
    assert_call(j, 0, "c1", "matched", f->run->id, "attached");
    assert_call(j, 1, "c2", "unmatched", "", "+15550000000");
    assert_call(j, 2, "c3", "unmatched", "", "neither run_id nor to_phone_number");
    json_decref(j);
    ingest_answer_clear(&a);
    assert_int_equal(stored(f), 3); /* unmatched is reported, and kept */
}

static void test_ci3_run_id_matches_directly(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    char body[512];
    snprintf(body, sizeof body,
             "{\"calls\":[{\"id\":\"sip-1\",\"run_id\":\"%s\",\"startedAt\":"
             "\"2026-01-01T12:00:02Z\",\"endedAt\":\"2026-01-01T12:01:02Z\"}]}",
             f->run->id);
    struct ingest_answer a = post(f, body);
    assert_int_equal(a.status, 200);
    json_t *j = parse(&a);
    assert_call(j, 0, "sip-1", "matched", f->run->id, "attached");
    json_decref(j);
    ingest_answer_clear(&a);
    assert_int_equal(f->run->status, DS_RUN_COMPLETED);
}

static void test_ci6_late_post_stored_answered_late(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 6 * 60 * 1000);
    assert_int_equal(f->run->reason, DS_REASON_TRANSCRIPT_MISSING);
    struct ingest_answer a = post(f, BODY1);
    assert_int_equal(a.status, 200); /* valid and stored; only not matched */
    json_t *j = parse(&a);
    assert_call(j, 0, "c1", "late", f->run->id, "CI-6");
    json_decref(j);
    ingest_answer_clear(&a);
    assert_int_equal(stored(f), 1);
    assert_int_equal(f->run->status, DS_RUN_FAILED);
    assert_int_equal(f->run->reason, DS_REASON_TRANSCRIPT_LATE);
}

/* ---- CI-9: idempotent re-sends -------------------------------------------- */

static void assert_resend_identical(struct fx *f, const char *body, int64_t first_ms,
                                    int64_t again_ms)
{
    at(f, first_ms);
    struct ingest_answer a1 = post(f, body);
    at(f, again_ms);
    struct ingest_answer a2 = post(f, body);
    assert_int_equal(a1.status, 200);
    assert_int_equal(a2.status, a1.status);
    assert_int_equal(a2.body_len, a1.body_len);
    assert_string_equal(a2.body, a1.body); /* byte for byte */
    ingest_answer_clear(&a1);
    ingest_answer_clear(&a2);
    assert_int_equal(stored(f), 1); /* no duplicate row */
}

static void test_ci9_same_request_twice_identical(void **state)
{
    struct fx *f = *state;
    assert_resend_identical(f, BODY1, END_MS + 5000, END_MS + 6000);
    assert_int_equal(f->run->status, DS_RUN_COMPLETED);
    struct store_call *sc = NULL;
    assert_int_equal(store_get_call(f->store, "acme", "c1", &sc), STORE_OK);
    assert_int_equal(sc->received_at_ms, T0 + END_MS + 5000); /* the first write stays */
    store_call_free(sc);
}

/* The customer backend's "late" + "duplicate": the same late post 1 s apart. */
static void test_ci9_same_late_request_twice_identical(void **state)
{
    struct fx *f = *state;
    assert_resend_identical(f, BODY1, END_MS + 6 * 60 * 1000, END_MS + 6 * 60 * 1000 + 1000);
    assert_int_equal(f->run->reason, DS_REASON_TRANSCRIPT_LATE);
}

static void test_ci9_same_unmatched_request_twice_identical(void **state)
{
    struct fx *f = *state;
    const char *body = "{\"agent_id\":7,\"calls\":[" CALL("c1") "]}"; /* no agent 7 */
    assert_resend_identical(f, body, END_MS + 5000, END_MS + 6000);
    assert_run_waiting(f->run);
}

/* ---- no core: store only ----------------------------------------------------- */

static void test_no_core_every_call_unmatched(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    const char *body = "{\"agent_id\":42,\"calls\":[" CALL("c1") "," CALL("c2") "]}";
    struct ingest_answer a = post_as(f, NULL, "X-CEKURA-API-KEY", KEY, body);
    assert_int_equal(a.status, 200);
    json_t *j = parse(&a);
    assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 2);
    assert_call(j, 0, "c1", "unmatched", "", "no core");
    assert_call(j, 1, "c2", "unmatched", "", "no core");
    json_decref(j);
    ingest_answer_clear(&a);
    assert_int_equal(stored(f), 2);
    assert_run_waiting(f->run);
}

/* ---- durability: a failing store ------------------------------------------ */

/* Fail the Nth statement of the put, N upward: each failure answers 500,
 * acknowledges nothing, stores nothing and matches nothing; the first N that
 * lets the put through answers 200 as if nothing had failed. */
static void test_store_failure_500_nothing_acknowledged(void **state)
{
    struct fx *f = *state;
    at(f, END_MS + 5000);
    unsigned long n;
    for (n = 1; n < 100; n++) {
        store_fail_after(f->store, n);
        struct ingest_answer a = post(f, BODY1);
        store_fail_after(f->store, 0);
        if (a.status == 200) {
            json_t *j = parse(&a);
            assert_call(j, 0, "c1", "matched", f->run->id, "attached");
            json_decref(j);
            ingest_answer_clear(&a);
            break;
        }
        assert_int_equal(a.status, 500);
        assert_non_null(strstr(a.body, "\"errors\""));
        assert_non_null(strstr(a.body, "could not be stored"));
        assert_null(strstr(a.body, "\"accepted\""));
        assert_null(strstr(a.body, "\"ids\""));
        ingest_answer_clear(&a);
        assert_int_equal(stored(f), 0);
        assert_run_waiting(f->run); /* not acknowledged: not matched */
    }
    assert_true(n > 1 && n < 100);
    assert_int_equal(stored(f), 1);
    assert_int_equal(f->run->status, DS_RUN_COMPLETED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_ci2_wrong_key_401_nothing_stored),
        T(test_ci2_lower_case_header_accepted_and_flagged),
        T(test_ci8_missing_field_400_names_path),
        T(test_200_answer_shape_and_match),
        T(test_200_each_call_answered_in_order),
        T(test_ci3_run_id_matches_directly),
        T(test_ci6_late_post_stored_answered_late),
        T(test_ci9_same_request_twice_identical),
        T(test_ci9_same_late_request_twice_identical),
        T(test_ci9_same_unmatched_request_twice_identical),
        T(test_no_core_every_call_unmatched),
        T(test_store_failure_500_nothing_acknowledged),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
