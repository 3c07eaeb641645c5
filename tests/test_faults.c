/* Unit tests for mocks/faults: faults on any mock route, from a scenario's
 * mocks.faults (H-3: failure modes are first-class; H-1: the wire faults are
 * real ones — closed connections, invalid JSON, short bodies, slow chunks).
 * Rules match by method, path (exact or glob), headers (names in any case)
 * and JSON paths into the body; a rule's script advances by hit count; the
 * answer's spoilers are applied by mock_faults_apply. Latencies are drawn
 * from the scenario's seed, so a "random" run is reproducible (H-2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "journal.h"
#include "mock_server.h"
#include "sim/evq.h"
#include "trigger_endpoint.h"

static struct mock_faults *faults(const char *rules_json, uint64_t seed)
{
    json_error_t je;
    json_t *rules = json_loads(rules_json, 0, &je);
    if (!rules)
        fail_msg("rules: %s at %d:%d", je.text, je.line, je.column);
    struct mock_faults *f;
    assert_int_equal(mock_faults_create(&f, rules, seed), 0);
    json_decref(rules); /* copied */
    return f;
}

/* Decide for a request; headers as JSON text with lower-case names (as the
 * server gives them), or NULL. The action's body is freed here unless kept. */
static struct fault_action decide_h(struct mock_faults *f, const char *method, const char *path,
                                    const char *headers, const char *body)
{
    json_t *h = headers ? json_loads(headers, 0, NULL) : json_object();
    assert_non_null(h);
    size_t hl;
    char *packed = mock_headers_pack_json(h, &hl);
    struct mock_request rq = {
        .method = method,
        .path = path,
        .headers = packed,
        .headers_len = hl,
        .body = body ? body : "",
        .body_len = body ? strlen(body) : 0,
    };
    struct fault_action a;
    memset(&a, 0x5A, sizeof a);
    mock_faults_decide(f, &rq, &a);
    json_decref(h);
    free(packed);
    return a;
}

static struct fault_action decide(struct mock_faults *f, const char *method, const char *path)
{
    return decide_h(f, method, path, NULL, NULL);
}

/* Whether rule `rule` took the request (and the action is dropped). */
static bool took(struct fault_action a, int rule)
{
    json_decref(a.body);
    return a.rule == rule && a.kind != FAULT_NONE;
}

static const char *REPLY_ALWAYS = "\"then\":[{\"status\":503,\"repeat\":true}]";

/* ---- matching ----------------------------------------------------------- */

static void no_faults_nothing_happens(void **state)
{
    (void)state;
    struct fault_action a = decide(NULL, "POST", "/call");
    assert_int_equal(a.kind, FAULT_NONE);
    assert_int_equal(a.rule, -1);
    assert_int_equal(a.truncate_at, -1);
    assert_false(a.has_latency);
    assert_false(a.malformed);
    assert_null(a.body);
    struct mock_faults *f = faults("[]", 1);
    a = decide(f, "POST", "/call");
    assert_int_equal(a.kind, FAULT_NONE);
    assert_int_equal(a.rule, -1);
    mock_faults_destroy(f);
    mock_faults_destroy(NULL);
}

static void h3_match_by_method(void **state)
{
    (void)state;
    char rules[200];
    snprintf(rules, sizeof rules, "[{\"method\":\"POST\",%s}]", REPLY_ALWAYS);
    struct mock_faults *f = faults(rules, 1);
    assert_false(took(decide(f, "GET", "/call"), 0));
    assert_true(took(decide(f, "POST", "/call"), 0));
    assert_true(took(decide(f, "POST", "/v2/create-phone-call"), 0));
    assert_false(took(decide(f, "DELETE", "/call"), 0));
    mock_faults_destroy(f);
    snprintf(rules, sizeof rules, "[{\"method\":\"post\",%s}]", REPLY_ALWAYS);
    f = faults(rules, 1);
    assert_true(took(decide(f, "POST", "/call"), 0)); /* methods in any case */
    mock_faults_destroy(f);
}

static void h3_match_by_exact_path(void **state)
{
    (void)state;
    char rules[200];
    snprintf(rules, sizeof rules, "[{\"path\":\"/v2/create-phone-call\",%s}]", REPLY_ALWAYS);
    struct mock_faults *f = faults(rules, 1);
    assert_true(took(decide(f, "POST", "/v2/create-phone-call"), 0));
    assert_true(took(decide(f, "GET", "/v2/create-phone-call"), 0)); /* no method: any */
    assert_false(took(decide(f, "POST", "/v2/create-phone-cal"), 0));
    assert_false(took(decide(f, "POST", "/v2/create-phone-call/x"), 0));
    assert_false(took(decide(f, "POST", "/v2/create-phone-call2"), 0));
    assert_false(took(decide(f, "POST", "/V2/create-phone-call"), 0));
    assert_false(took(decide(f, "POST", "/call"), 0));
    mock_faults_destroy(f);
}

static void h3_match_by_path_prefix(void **state)
{
    (void)state;
    char rules[200];
    snprintf(rules, sizeof rules, "[{\"path\":\"/v2/*\",%s}]", REPLY_ALWAYS);
    struct mock_faults *f = faults(rules, 1);
    assert_true(took(decide(f, "POST", "/v2/create-phone-call"), 0));
    assert_true(took(decide(f, "GET", "/v2/get-call/call_5a1"), 0));
    assert_true(took(decide(f, "GET", "/v2/"), 0));
    assert_false(took(decide(f, "GET", "/v2"), 0));
    assert_false(took(decide(f, "GET", "/v1/convai/conversations/c"), 0));
    assert_false(took(decide(f, "GET", "/x/v2/get-call"), 0));
    mock_faults_destroy(f);
}

static void h3_match_by_header_any_case(void **state)
{
    (void)state;
    char rules[300];
    snprintf(rules, sizeof rules,
             "[{\"header\":{\"Authorization\":\"Bearer k1\",\"X-Trace\":\"t\"},%s}]", REPLY_ALWAYS);
    struct mock_faults *f = faults(rules, 1);
    assert_true(
        took(decide_h(f, "POST", "/call",
                      "{\"authorization\":\"Bearer k1\",\"x-trace\":\"t\",\"a\":\"b\"}", NULL),
             0));
    /* every header must match, value exactly */
    assert_false(took(decide_h(f, "POST", "/call", "{\"authorization\":\"Bearer k1\"}", NULL), 0));
    assert_false(took(
        decide_h(f, "POST", "/call", "{\"authorization\":\"Bearer k2\",\"x-trace\":\"t\"}", NULL),
        0));
    assert_false(took(
        decide_h(f, "POST", "/call", "{\"authorization\":\"bearer k1\",\"x-trace\":\"t\"}", NULL),
        0));
    assert_false(took(decide(f, "POST", "/call"), 0));
    mock_faults_destroy(f);
}

static void h3_match_by_json_path(void **state)
{
    (void)state;
    char rules[400];
    snprintf(rules, sizeof rules,
             "[{\"json\":{\"to_number\":\"+15557654321\","
             "\"metadata.dialsim_run_id\":\"run_2\",\"customers.1.n\":7},%s}]",
             REPLY_ALWAYS);
    struct mock_faults *f = faults(rules, 1);
    const char *yes = "{\"to_number\":\"+15557654321\",\"metadata\":{\"dialsim_run_id\":\"run_2\","
                      "\"x\":1},\"customers\":[{\"n\":1},{\"n\":7}]}";
    assert_true(took(decide_h(f, "POST", "/v2/create-phone-call", NULL, yes), 0));
    static const char *no[] = {
        "{\"to_number\":\"+15557654322\",\"metadata\":{\"dialsim_run_id\":\"run_2\"},"
        "\"customers\":[{\"n\":1},{\"n\":7}]}",
        "{\"to_number\":\"+15557654321\",\"metadata\":{\"dialsim_run_id\":\"run_1\"},"
        "\"customers\":[{\"n\":1},{\"n\":7}]}",
        "{\"to_number\":\"+15557654321\",\"metadata\":{\"dialsim_run_id\":\"run_2\"},"
        "\"customers\":[{\"n\":7}]}",
        "{\"to_number\":\"+15557654321\",\"metadata\":{\"dialsim_run_id\":\"run_2\"},"
        "\"customers\":[{\"n\":1},{\"n\":\"7\"}]}",
        "{\"to_number\":\"+15557654321\"}",
        "not json",
        "",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (took(decide_h(f, "POST", "/v2/create-phone-call", NULL, no[i]), 0))
            fail_msg("matched: %s", no[i]);
    mock_faults_destroy(f);
}

/* The first rule that matches takes the request; later rules do not see it. */
static void h3_first_matching_rule_wins(void **state)
{
    (void)state;
    struct mock_faults *f =
        faults("[{\"path\":\"/call\",\"then\":[{\"status\":500,\"repeat\":true}]},"
               "{\"method\":\"POST\",\"then\":[{\"status\":429,\"repeat\":true}]}]",
               1);
    struct fault_action a = decide(f, "POST", "/call");
    assert_int_equal(a.rule, 0);
    assert_int_equal(a.status, 500);
    json_decref(a.body);
    a = decide(f, "POST", "/v2/create-phone-call");
    assert_int_equal(a.rule, 1);
    assert_int_equal(a.status, 429);
    json_decref(a.body);
    mock_faults_destroy(f);
}

/* ---- scripts ---------------------------------------------------------------- */

/* H-3: "the first two answer 500, then pass"; a spent script passes untouched. */
static void h3_script_by_hit_count(void **state)
{
    (void)state;
    struct mock_faults *f =
        faults("[{\"path\":\"/v2/create-phone-call\",\"then\":["
               "{\"times\":2,\"status\":500,\"body\":{\"status\":\"error\",\"message\":\"boom\"}},"
               "{\"pass\":true,\"latency\":0.75}]}]",
               1);
    for (int i = 0; i < 2; i++) {
        struct fault_action a = decide(f, "POST", "/v2/create-phone-call");
        assert_int_equal(a.kind, FAULT_REPLY);
        assert_int_equal(a.status, 500);
        assert_int_equal(a.rule, 0);
        assert_string_equal(json_string_value(json_object_get(a.body, "message")), "boom");
        json_decref(a.body);
    }
    /* other routes do not count */
    assert_int_equal(decide(f, "GET", "/v2/get-call/x").kind, FAULT_NONE);
    struct fault_action a = decide(f, "POST", "/v2/create-phone-call");
    assert_int_equal(a.kind, FAULT_PASS);
    assert_true(a.has_latency);
    assert_int_equal(a.latency_ms, 750);
    assert_null(a.body);
    for (int i = 0; i < 3; i++) { /* spent */
        a = decide(f, "POST", "/v2/create-phone-call");
        assert_int_equal(a.kind, FAULT_NONE);
        assert_false(a.has_latency);
        assert_false(a.malformed);
        assert_int_equal(a.truncate_at, -1);
        assert_int_equal(a.chunks, 0);
        assert_null(a.body);
    }
    /* a fresh world starts counting from zero */
    mock_faults_destroy(f);
    f = faults("[{\"then\":[{\"times\":2,\"status\":500}]}]", 1);
    a = decide(f, "POST", "/x");
    assert_int_equal(a.status, 500);
    json_decref(a.body);
    mock_faults_destroy(f);
}

/* A step without "times" lasts one hit; "repeat" lasts for ever. */
static void h3_script_steps_and_repeat(void **state)
{
    (void)state;
    struct mock_faults *f = faults("[{\"then\":[{\"status\":429},{\"close\":true},"
                                   "{\"status\":502,\"repeat\":true}]}]",
                                   1);
    struct fault_action a = decide(f, "POST", "/call");
    assert_int_equal(a.kind, FAULT_REPLY);
    assert_int_equal(a.status, 429);
    assert_true(json_is_object(a.body)); /* no body given: {} */
    json_decref(a.body);
    a = decide(f, "POST", "/call");
    assert_int_equal(a.kind, FAULT_CLOSE);
    json_decref(a.body);
    for (int i = 0; i < 50; i++) {
        a = decide(f, "POST", "/call");
        assert_int_equal(a.kind, FAULT_REPLY);
        assert_int_equal(a.status, 502);
        json_decref(a.body);
    }
    mock_faults_destroy(f);
}

/* ---- applying an action ------------------------------------------------------ */

static struct mock_response mock_answer(const char *body, int64_t latency)
{
    struct mock_response rs = {0};
    rs.status = 201;
    rs.body = strdup(body);
    rs.content_type = "application/json; charset=utf-8";
    rs.latency_ms = latency;
    return rs;
}

static void h1_reply_with_json_or_raw_body(void **state)
{
    (void)state;
    struct mock_faults *f = faults(
        "[{\"path\":\"/a\",\"then\":[{\"status\":503,\"body\":{\"message\":\"Service "
        "Unavailable\",\"statusCode\":503},\"repeat\":true}]},"
        "{\"path\":\"/b\",\"then\":[{\"status\":502,\"body\":\"<html>Bad Gateway</html>\"}]}]",
        1);
    struct fault_action a = decide(f, "POST", "/a");
    struct mock_response rs = mock_answer("{\"id\":\"x\"}", 120);
    mock_faults_apply(&a, &rs);
    json_decref(a.body);
    assert_int_equal(rs.status, 503);
    assert_string_equal(rs.body, "{\"message\":\"Service Unavailable\",\"statusCode\":503}");
    assert_non_null(strstr(rs.content_type, "application/json"));
    assert_int_equal(rs.latency_ms, 120); /* no latency given: the mock's stays */
    assert_false(rs.close);
    assert_false(rs.truncate);
    free(rs.body);

    a = decide(f, "POST", "/b");
    rs = (struct mock_response){0}; /* the mock did not answer at all */
    mock_faults_apply(&a, &rs);
    json_decref(a.body);
    assert_int_equal(rs.status, 502);
    assert_string_equal(rs.body, "<html>Bad Gateway</html>");
    assert_non_null(strstr(rs.content_type, "text/plain"));
    free(rs.body);
    mock_faults_destroy(f);
}

static void h1_close(void **state)
{
    (void)state;
    struct mock_faults *f = faults("[{\"then\":[{\"close\":true}]}]", 1);
    struct fault_action a = decide(f, "POST", "/call");
    assert_int_equal(a.kind, FAULT_CLOSE);
    struct mock_response rs = {0};
    mock_faults_apply(&a, &rs);
    json_decref(a.body);
    assert_true(rs.close);
    free(rs.body);
    /* the next request is not closed */
    a = decide(f, "POST", "/call");
    rs = mock_answer("{}", 0);
    mock_faults_apply(&a, &rs);
    assert_false(rs.close);
    free(rs.body);
    mock_faults_destroy(f);
}

/* H-1: malformed = valid HTTP, invalid JSON: the mock's own answer, cut. */
static void h1_malformed_cuts_into_invalid_json(void **state)
{
    (void)state;
    static const char *answers[] = {
        "{\"call_id\":\"call_5a1\",\"call_status\":\"registered\",\"agent_id\":\"agent_7f3c\"}",
        "{\"status\":\"error\",\"message\":\"API key is missing or invalid.\"}",
        "{}",
        "[1,2,3]",
        "\"x\"",
        "1",
    };
    struct mock_faults *f = faults("[{\"then\":[{\"pass\":true,\"malformed\":true,"
                                   "\"repeat\":true}]}]",
                                   1);
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        struct fault_action a = decide(f, "POST", "/v2/create-phone-call");
        assert_int_equal(a.kind, FAULT_PASS);
        assert_true(a.malformed);
        struct mock_response rs = mock_answer(answers[i], 100);
        mock_faults_apply(&a, &rs);
        json_decref(a.body);
        assert_int_equal(rs.status, 201); /* the status stands */
        assert_false(rs.close);
        json_error_t je;
        json_t *j = json_loads(rs.body, JSON_DECODE_ANY, &je);
        if (j)
            fail_msg("\"%s\" became \"%s\", still JSON", answers[i], rs.body);
        /* a prefix of the real answer */
        size_t n = strlen(rs.body);
        assert_true(n >= 1 && n <= strlen(answers[i]));
        assert_memory_equal(rs.body, answers[i], n - 1);
        free(rs.body);
    }
    mock_faults_destroy(f);
}

static void h1_truncate(void **state)
{
    (void)state;
    struct mock_faults *f =
        faults("[{\"then\":[{\"pass\":true,\"truncate\":10},{\"pass\":true,\"truncate\":0}]}]", 1);
    struct fault_action a = decide(f, "POST", "/call");
    assert_int_equal(a.kind, FAULT_PASS);
    assert_int_equal(a.truncate_at, 10);
    struct mock_response rs = mock_answer("{\"id\":\"0123456789abcdef\"}", 100);
    mock_faults_apply(&a, &rs);
    assert_true(rs.truncate);
    assert_int_equal(rs.truncate_at, 10);
    assert_int_equal(rs.status, 201);
    assert_string_equal(rs.body, "{\"id\":\"0123456789abcdef\"}"); /* the server cuts it */
    free(rs.body);
    a = decide(f, "POST", "/call");
    rs = mock_answer("{}", 100);
    mock_faults_apply(&a, &rs);
    assert_true(rs.truncate);
    assert_int_equal(rs.truncate_at, 0);
    free(rs.body);
    mock_faults_destroy(f);
}

/* Dribble: chunked in k pieces `interval` apart; the answer ends (k-1) x
 * interval later than it would have. */
static void h1_dribble(void **state)
{
    (void)state;
    struct mock_faults *f =
        faults("[{\"then\":[{\"pass\":true,\"dribble\":{\"chunks\":4,\"interval\":0.25}},"
               "{\"pass\":true,\"latency\":2,\"dribble\":{\"chunks\":3,\"interval\":1.5}}]}]",
               1);
    struct fault_action a = decide(f, "GET", "/call/x");
    assert_int_equal(a.chunks, 4);
    assert_int_equal(a.chunk_interval_ms, 250);
    struct mock_response rs = mock_answer("{\"id\":\"x\",\"status\":\"queued\"}", 100);
    mock_faults_apply(&a, &rs);
    assert_int_equal(rs.chunks, 4);
    assert_int_equal(rs.latency_ms, 100 + 3 * 250);
    assert_string_equal(rs.body, "{\"id\":\"x\",\"status\":\"queued\"}");
    free(rs.body);
    a = decide(f, "GET", "/call/x");
    rs = mock_answer("{}", 100);
    mock_faults_apply(&a, &rs);
    assert_int_equal(rs.chunks, 3);
    assert_int_equal(rs.latency_ms, 2000 + 2 * 1500); /* latency replaced, then the dribble */
    free(rs.body);
    mock_faults_destroy(f);
}

/* ---- latency ------------------------------------------------------------------- */

static void h3_latency_number_replaces_the_mocks(void **state)
{
    (void)state;
    struct mock_faults *f = faults("[{\"then\":[{\"pass\":true,\"latency\":1.5},"
                                   "{\"pass\":true,\"latency\":0}]}]",
                                   1);
    struct fault_action a = decide(f, "POST", "/call");
    assert_true(a.has_latency);
    assert_int_equal(a.latency_ms, 1500);
    struct mock_response rs = mock_answer("{}", 250);
    mock_faults_apply(&a, &rs);
    assert_int_equal(rs.latency_ms, 1500);
    free(rs.body);
    a = decide(f, "POST", "/call");
    assert_true(a.has_latency);
    rs = mock_answer("{}", 250);
    mock_faults_apply(&a, &rs);
    assert_int_equal(rs.latency_ms, 0); /* a latency of 0 is a latency */
    free(rs.body);
    mock_faults_destroy(f);
}

#define DRAWS 2001

static void draws(const char *latency, uint64_t seed, int64_t out[DRAWS])
{
    char rules[200];
    snprintf(rules, sizeof rules, "[{\"then\":[{\"pass\":true,\"repeat\":true,\"latency\":%s}]}]",
             latency);
    struct mock_faults *f = faults(rules, seed);
    for (int i = 0; i < DRAWS; i++) {
        struct fault_action a = decide(f, "GET", "/v2/get-call/x");
        assert_true(a.has_latency);
        out[i] = a.latency_ms;
    }
    mock_faults_destroy(f);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* H-2: the same seed draws the same latencies; another seed others. */
static void assert_reproducible(const char *latency)
{
    static int64_t a[DRAWS], b[DRAWS], c[DRAWS];
    draws(latency, 42, a);
    draws(latency, 42, b);
    draws(latency, 43, c);
    assert_memory_equal(a, b, sizeof a);
    int same = 0;
    for (int i = 0; i < DRAWS; i++)
        same += a[i] == c[i];
    if (same > DRAWS / 10)
        fail_msg("%s: seeds 42 and 43 agree on %d of %d draws", latency, same, DRAWS);
}

static void h2_uniform_latency(void **state)
{
    (void)state;
    static int64_t d[DRAWS];
    draws("{\"uniform\":[0.1,0.9]}", 7, d);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    double sum = 0;
    for (int i = 0; i < DRAWS; i++) {
        if (d[i] < 100 || d[i] > 900)
            fail_msg("draw %d: %lld ms outside [100, 900]", i, (long long)d[i]);
        lo = d[i] < lo ? d[i] : lo;
        hi = d[i] > hi ? d[i] : hi;
        sum += (double)d[i];
    }
    assert_true(lo < 150 && hi > 850); /* it spreads over the range */
    double mean = sum / DRAWS;
    assert_true(mean > 450 && mean < 550);
    assert_reproducible("{\"uniform\":[0.1,0.9]}");
}

static void h2_lognormal_latency(void **state)
{
    (void)state;
    static int64_t d[DRAWS];
    draws("{\"lognormal\":{\"median\":2,\"sigma\":0.8}}", 7, d);
    qsort(d, DRAWS, sizeof d[0], cmp64);
    for (int i = 0; i < DRAWS; i++)
        assert_true(d[i] >= 0);
    int64_t median = d[DRAWS / 2];
    if (median < 1800 || median > 2200)
        fail_msg("lognormal median 2 s: sample median %lld ms", (long long)median);
    /* sigma 0.8: the quartiles sit at median x exp(+-0.8 x 0.674) = 1.17 s, 3.43 s */
    int64_t q1 = d[DRAWS / 4], q3 = d[3 * DRAWS / 4];
    if (q1 < 1000 || q1 > 1350 || q3 < 3000 || q3 > 3900)
        fail_msg("lognormal quartiles %lld, %lld ms", (long long)q1, (long long)q3);
    assert_true(d[DRAWS - 1] > 6000); /* a long right tail */
    assert_reproducible("{\"lognormal\":{\"median\":2,\"sigma\":0.8}}");
    /* sigma 0: every draw is the median */
    draws("{\"lognormal\":{\"median\":0.3,\"sigma\":0}}", 7, d);
    for (int i = 0; i < DRAWS; i++)
        assert_int_equal(d[i], 300);
}

/* ---- through the mock server's dispatch ------------------------------------ */

/* A fault answers instead of the mock (here: no provider mock at all), is
 * journalled with its status, and a spent script falls back to the route's
 * own answer. A closed connection is journalled with status 0. */
static void h1_dispatch_applies_faults(void **state)
{
    (void)state;
    struct mock_world w;
    memset(&w, 0, sizeof w);
    struct evq *q;
    assert_int_equal(evq_create(&q, INT64_C(1767268800000)), 0);
    w.clock = evq_clock(q);
    assert_int_equal(pthread_mutex_init(&w.mu, NULL), 0);
    assert_int_equal(journal_create(&w.journal), 0);
    w.faults = faults("[{\"path\":\"/call\",\"then\":[{\"status\":503,\"body\":{\"message\":"
                      "\"down\"},\"latency\":3},{\"close\":true}]}]",
                      1);
    struct mock_request rq = {.method = "POST", .path = "/call", .body = "{}", .body_len = 2};
    int want[] = {503, 0, 404};
    for (int i = 0; i < 3; i++) {
        struct mock_response rs = {0};
        pthread_mutex_lock(&w.mu);
        mock_world_dispatch(&w, &rq, &rs);
        pthread_mutex_unlock(&w.mu);
        if (i == 0) {
            assert_int_equal(rs.status, 503);
            assert_string_equal(rs.body, "{\"message\":\"down\"}");
            assert_int_equal(rs.latency_ms, 3000);
        }
        assert_int_equal(rs.close, i == 1);
        if (i == 2)
            assert_int_equal(rs.status, 404);
        assert_int_equal(journal_at(w.journal, (size_t)i)->status, want[i]);
        free(rs.body);
    }
    mock_faults_destroy(w.faults);
    journal_destroy(w.journal);
    pthread_mutex_destroy(&w.mu);
    evq_destroy(q);
}

/* Issue 10: a body nested 100,000 levels deep crashed jansson on CivetWeb's
 * 100 KB worker stack. A fault rule matching on JSON does not take it, a
 * trigger endpoint refuses it with 400 in its own shape, and the journal keeps
 * the text (json NULL). */
static void deep_bodies_are_refused_not_parsed(void **state)
{
    (void)state;
    size_t n = 100000;
    char *deep = malloc(n + 1);
    assert_non_null(deep);
    memset(deep, '[', n);
    deep[n] = '\0';
    struct mock_world w;
    memset(&w, 0, sizeof w);
    struct evq *q;
    assert_int_equal(evq_create(&q, INT64_C(1767268800000)), 0);
    w.clock = evq_clock(q);
    assert_int_equal(pthread_mutex_init(&w.mu, NULL), 0);
    assert_int_equal(journal_create(&w.journal), 0);
    w.faults = faults("[{\"json\":{\"a\":1},\"then\":[{\"status\":503}]}]", 1);
    json_t *cfg = json_loads("{\"customer\":{\"status\":200}}", 0, NULL);
    assert_int_equal(mock_triggers_create(&w.triggers, &w, cfg), 0);
    struct mock_request rq = {
        .method = "POST", .path = "/trigger/customer", .body = deep, .body_len = n};
    struct mock_response rs = {0};
    pthread_mutex_lock(&w.mu);
    mock_world_dispatch(&w, &rq, &rs);
    pthread_mutex_unlock(&w.mu);
    assert_int_equal(rs.status, 400);
    assert_string_equal(rs.body, "{\"error\":\"body: JSON nested deeper than 64 levels at "
                                 "line 1, column 65\"}");
    const struct journal_entry *e = journal_at(w.journal, 0);
    assert_int_equal(e->status, 400);
    assert_null(e->json);
    assert_int_equal(strlen(e->body), n);
    free(rs.body);
    json_decref(cfg);
    mock_triggers_destroy(w.triggers);
    mock_faults_destroy(w.faults);
    journal_destroy(w.journal);
    pthread_mutex_destroy(&w.mu);
    evq_destroy(q);
    free(deep);
}

/* issue 13: rules at run time keep ids (never reused) and hit counts; a
 * removed rule takes no request, an added one takes them after the others. */
static void h3_rules_with_ids_added_and_removed(void **state)
{
    (void)state;
    struct mock_faults *f = faults("[{\"path\": \"/a\", \"then\": [{\"status\": 500, "
                                   "\"repeat\": true}]}]", 1);
    json_t *rule = json_loads("{\"path\": \"/b\", \"then\": [{\"status\": 503}]}", 0, NULL);
    char id[24];
    assert_int_equal(mock_faults_add(f, rule, id, sizeof id), 0);
    assert_string_equal(id, "f2");
    assert_true(took(decide(f, "GET", "/a"), 0));
    assert_true(took(decide(f, "GET", "/b"), 1));
    json_t *list = mock_faults_list(f);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), "f1");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "hits")), 1);
    assert_true(json_equal(json_object_get(json_array_get(list, 1), "rule"), rule));
    json_decref(list);
    assert_int_equal(mock_faults_remove(f, "f1"), 0);
    assert_int_equal(mock_faults_remove(f, "f1"), -1); /* gone */
    assert_int_equal(mock_faults_remove(f, "x1"), -1);
    assert_int_equal(decide(f, "GET", "/a").kind, FAULT_NONE);
    struct fault_action a = decide(f, "GET", "/b"); /* its script is spent: passes */
    assert_int_equal(a.rule, 0);
    assert_int_equal(mock_faults_add(f, rule, id, sizeof id), 0);
    assert_string_equal(id, "f3"); /* never reused */
    assert_int_equal(mock_faults_clear(f), 2);
    list = mock_faults_list(f);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    json_decref(rule);
    mock_faults_destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(h3_rules_with_ids_added_and_removed),
        cmocka_unit_test(no_faults_nothing_happens),
        cmocka_unit_test(h3_match_by_method),
        cmocka_unit_test(h3_match_by_exact_path),
        cmocka_unit_test(h3_match_by_path_prefix),
        cmocka_unit_test(h3_match_by_header_any_case),
        cmocka_unit_test(h3_match_by_json_path),
        cmocka_unit_test(h3_first_matching_rule_wins),
        cmocka_unit_test(h3_script_by_hit_count),
        cmocka_unit_test(h3_script_steps_and_repeat),
        cmocka_unit_test(h1_reply_with_json_or_raw_body),
        cmocka_unit_test(h1_close),
        cmocka_unit_test(h1_malformed_cuts_into_invalid_json),
        cmocka_unit_test(h1_truncate),
        cmocka_unit_test(h1_dribble),
        cmocka_unit_test(h3_latency_number_replaces_the_mocks),
        cmocka_unit_test(h2_uniform_latency),
        cmocka_unit_test(h2_lognormal_latency),
        cmocka_unit_test(h1_dispatch_applies_faults),
        cmocka_unit_test(deep_bodies_are_refused_not_parsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
