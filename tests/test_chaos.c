/* A failing allocator (jansson's test_chaos.c is the model): the scenario
 * loader, transcript ingest (validation and the SQLite store) and the
 * provider adapters run with the Nth allocation failing, N counting up from
 * 1 until a run completes without reaching N. Each run must not crash, must
 * say that it failed (an error message, a -1, a 500), must store nothing
 * half, and must free what it took: the sanitizer stage of .ci/run runs this
 * under LeakSanitizer.
 *
 * Every allocator dialsim's code reaches counts: its own malloc, calloc,
 * realloc and strdup (this test is linked with -Wl,--wrap for them, which
 * covers the static libraries' calls), jansson's (through
 * json_depth_use_alloc, as dialsim's main sets it: its malloc is ours, so
 * wrapped too) and SQLite's (SQLITE_CONFIG_MALLOC). Only the Nth call fails, as in jansson's
 * test: the code must survive one failure at any point, and the calls after
 * it succeed as they would once memory is back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "core/json_depth.h"
#include "core/provider.h"
#include "ingest/ingest.h"
#include "runner/scenario.h"
#include "store/store.h"

/* ---- the counting allocator ---------------------------------------------- */

static unsigned long chaos_calls; /* allocations since chaos_arm */
static unsigned long chaos_fail_at; /* 0: never fail */
static unsigned long chaos_failed;  /* how many were refused since chaos_arm */

static int chaos_refuse(void)
{
    if (chaos_fail_at == 0)
        return 0;
    if (++chaos_calls == chaos_fail_at) {
        chaos_failed++;
        return 1;
    }
    return 0;
}

static void chaos_arm(unsigned long n)
{
    chaos_calls = 0;
    chaos_failed = 0;
    chaos_fail_at = n;
}

static void chaos_disarm(void)
{
    chaos_fail_at = 0;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

void *__wrap_malloc(size_t n)
{
    return chaos_refuse() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    return chaos_refuse() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return chaos_refuse() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return chaos_refuse() ? NULL : __real_strdup(s);
}

/* SQLite: the hook it offers, a size-aware allocator; a header keeps the size */
static void *sq_malloc(int n)
{
    if (chaos_refuse())
        return NULL;
    int64_t *p = __real_malloc((size_t)n + 8);
    if (!p)
        return NULL;
    p[0] = n;
    return p + 1;
}

static void sq_free(void *p)
{
    if (p)
        free((int64_t *)p - 1);
}

static void *sq_realloc(void *p, int n)
{
    if (chaos_refuse())
        return NULL;
    int64_t *q = __real_realloc(p ? (int64_t *)p - 1 : NULL, (size_t)n + 8);
    if (!q)
        return NULL;
    q[0] = n;
    return q + 1;
}

static int sq_size(void *p)
{
    return p ? (int)((int64_t *)p)[-1] : 0;
}

static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_init(void *unused)
{
    (void)unused;
    return SQLITE_OK;
}

static void sq_shutdown(void *unused)
{
    (void)unused;
}

static const sqlite3_mem_methods sq_methods = {sq_malloc, sq_free,  sq_realloc, sq_size,
                                               sq_roundup, sq_init, sq_shutdown, NULL};

/* ---- helpers ------------------------------------------------------------- */

static char *read_source(const char *rel, size_t *len)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", DIALSIM_SOURCE_DIR, rel);
    char *text = scenario_read_file(path, len, err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    return text;
}

/* N grows until a run reaches no failure; a cap keeps a runaway loop short */
#define CHAOS_MAX_N 200000

/* ---- the scenario loader ------------------------------------------------- */

static void scenario_under_chaos(void **state)
{
    (void)state;
    size_t len;
    char *text = read_source("fixtures/scenario-example.json", &len);
    unsigned long n, failed_runs = 0;
    for (n = 1; n < CHAOS_MAX_N; n++) {
        struct scenario *s = NULL;
        char err[512] = "";
        chaos_arm(n);
        int rc = scenario_parse("example.json", text, len, &s, err, sizeof err);
        unsigned long refused = chaos_failed;
        chaos_disarm();
        if (!refused) {
            assert_int_equal(rc, 0); /* nothing failed: the file loads */
            scenario_free(s);
            break;
        }
        if (rc == 0) {
            /* a failure the loader absorbed must not change what it loaded */
            assert_non_null(s);
            scenario_free(s);
        } else {
            assert_null(s);
            assert_true(err[0] != '\0'); /* it says why */
            failed_runs++;
        }
    }
    assert_true(n < CHAOS_MAX_N);
    printf("scenario loader: %lu allocations, %lu failed runs, every one with its error\n", n - 1,
           failed_runs);
    free(text);
}

/* ---- transcript ingest: validation and the store ------------------------- */

static void ingest_under_chaos(void **state)
{
    (void)state;
    size_t len;
    char *fx = read_source("fixtures/transcripts/valid/agent-id-two-calls/request.json", &len);
    json_t *rq_json = json_loads(fx, 0, NULL);
    assert_non_null(rq_json);
    char *body = json_dumps(json_object_get(rq_json, "body"), JSON_INDENT(2));
    const char *key = json_string_value(json_object_get(rq_json, "api_key"));
    if (!key)
        key = "sk-project-7f3a9c2e";
    size_t n_calls = json_array_size(json_object_get(json_object_get(rq_json, "body"), "calls"));
    assert_true(n_calls >= 2); /* "nothing half-stored" needs two */
    struct tx_header h[] = {{"X-CEKURA-API-KEY", key}, {"Content-Type", "application/json"}};
    struct tx_request rq = {.headers = h,
                            .n_headers = 2,
                            .content_type = "application/json",
                            .body = body,
                            .body_len = strlen(body),
                            .api_key = key};
    unsigned long n, failed_runs = 0, stored_unanswered = 0;
    for (n = 1; n < CHAOS_MAX_N; n++) {
        struct store *st;
        char err[256];
        assert_int_equal(store_open(&st, ":memory:", NULL, err, sizeof err), STORE_OK);
        struct ingest_answer a = {0};
        chaos_arm(n);
        int rc = ingest_handle(NULL, st, "acme", &rq, 1767268800000, &a);
        unsigned long refused = chaos_failed;
        chaos_disarm();
        int64_t count = -1;
        assert_int_equal(store_count(st, "acme", &count), STORE_OK);
        if (rc == 0 && a.status == 200) {
            assert_int_equal(count, (int64_t)n_calls); /* all of them */
        } else {
            assert_false(!refused && rc == 0); /* only a refused allocation may fail it */
            /* nothing half-stored: none, or all when the failure came after
             * the commit (the answer was being built); the sender then sends
             * again and gets the 200 of a duplicate (CI-9) */
            assert_true(count == 0 || count == (int64_t)n_calls);
            if (count)
                stored_unanswered++;
            if (rc == 0) {
                /* never 400: jansson alone would hide some failures as a
                 * syntax error or a string cut short (json_depth.h) */
                assert_int_equal(a.status, 500);
                assert_non_null(a.body);
            }
            failed_runs++;
        }
        ingest_answer_clear(&a); /* a -1 may carry a 500 body too (serve sends it) */
        store_close(st);
        if (!refused)
            break;
    }
    assert_true(n < CHAOS_MAX_N);
    printf("transcript ingest: %lu allocations, %lu failed runs, each 500 or -1, none "
           "half-stored (%lu stored all before failing)\n",
           n - 1, failed_runs, stored_unanswered);
    free(body);
    json_decref(rq_json);
    free(fx);
}

/* ---- the provider adapters ----------------------------------------------- */

struct adapter_case {
    const struct provider_ops *ops;
    long start_status;
    const char *start_answer; /* the provider's success to the start-call request */
    const char *get_answer;   /* 200 to the read of the call */
    const char *webhook;      /* a webhook body */
    const char *sig_header;   /* the header verify_webhook reads, with a wrong value */
    const char *sig_value;
};

static const struct adapter_case adapters[] = {
    {&provider_vapi, 201, "{\"id\":\"c1\",\"status\":\"queued\"}",
     "{\"id\":\"c1\",\"status\":\"ended\",\"endedReason\":\"customer-busy\"}",
     "{\"message\":{\"type\":\"status-update\",\"status\":\"ended\",\"endedReason\":"
     "\"customer-busy\",\"call\":{\"id\":\"c1\"}}}",
     "X-Vapi-Secret", "wrong"},
    {&provider_retell, 201, "{\"call_id\":\"c1\",\"call_status\":\"registered\"}",
     "{\"call_id\":\"c1\",\"call_status\":\"ended\",\"disconnection_reason\":\"dial_busy\"}",
     "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"c1\",\"call_status\":\"ended\","
     "\"disconnection_reason\":\"dial_busy\"}}",
     "x-retell-signature", "v=1767268800000,d=00"},
    {&provider_elevenlabs, 200,
     "{\"success\":true,\"message\":\"ok\",\"conversation_id\":\"c1\",\"callSid\":\"CA1\"}",
     "{\"conversation_id\":\"c1\",\"status\":\"done\",\"metadata\":{\"termination_reason\":"
     "\"busy\"}}",
     "{\"type\":\"call_initiation_failure\",\"data\":{\"conversation_id\":\"c1\","
     "\"failure_reason\":\"busy\"}}",
     "elevenlabs-signature", "t=1767268800,v0=00"},
};

/* One adapter, everything it does once; returns how the run went, so that an
 * unarmed run gives the reference. */
struct adapter_run {
    int build_start, build_get, build_recording, parse_webhook, verify;
    struct provider_start_result start;
    struct provider_call_state get;
};

static void adapter_once(const struct adapter_case *c, struct adapter_run *r)
{
    memset(r, 0, sizeof *r);
    json_t *vars = json_pack("{s:s}", "customer_name", "Ada");
    struct provider_call_spec spec = {.base_url = "http://127.0.0.1:9",
                                      .api_key = "key",
                                      .assistant_id = "asst",
                                      .phone_number_id = "pn",
                                      .from_number = "+15551234567",
                                      .to_number = "+15557654321",
                                      .dynamic_variables = vars,
                                      .run_id = "run_1"};
    struct provider_req req = {0};
    r->build_start = c->ops->build_start(&spec, &req);
    provider_req_clear(&req);
    r->build_get = c->ops->build_get("http://127.0.0.1:9", "key", "c1", &req);
    provider_req_clear(&req);
    r->build_recording = c->ops->build_recording("http://127.0.0.1:9", "key", "c1",
                                                 "http://127.0.0.1:9/r.wav", &req);
    provider_req_clear(&req);
    json_decref(vars);

    char body[1024];
    snprintf(body, sizeof body, "%s", c->start_answer);
    struct ds_http_response resp = {.status = c->start_status, .body = body, .body_len = strlen(body)};
    c->ops->parse_start(&resp, &r->start);
    snprintf(body, sizeof body, "%s", c->get_answer);
    resp.status = 200;
    resp.body_len = strlen(body);
    c->ops->parse_get(&resp, &r->get);

    struct provider_webhook wh;
    char err[256];
    r->parse_webhook = c->ops->parse_webhook(c->webhook, strlen(c->webhook), &wh, err, sizeof err);
    struct ds_header h = {c->sig_header, c->sig_value};
    r->verify = c->ops->verify_webhook(&h, 1, c->webhook, strlen(c->webhook), "whsec",
                                       1767268800000, err, sizeof err);
}

static void adapters_under_chaos(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++) {
        struct adapter_run ref, r;
        adapter_once(&adapters[i], &ref);
        assert_int_equal(ref.build_start, 0);
        assert_true(ref.start.ok);
        assert_true(ref.get.known);
        assert_int_equal(ref.verify, -1); /* the signature is wrong on purpose */
        unsigned long n, differed = 0;
        for (n = 1; n < CHAOS_MAX_N; n++) {
            chaos_arm(n);
            adapter_once(&adapters[i], &r);
            unsigned long refused = chaos_failed;
            chaos_disarm();
            if (!refused)
                break;
            /* a build that ran out says -1; an answer it could not read is
             * not taken for a success */
            assert_true(r.build_start == 0 || r.build_start == -1);
            assert_true(r.build_get == 0 || r.build_get == -1);
            if (r.start.ok)
                assert_string_equal(r.start.call_id, ref.start.call_id);
            else
                assert_true(r.start.detail[0] != '\0');
            assert_int_equal(r.verify, -1); /* never verified by accident */
            if (memcmp(&r.start, &ref.start, sizeof r.start) != 0 || r.build_start != 0 ||
                r.build_get != 0 || r.build_recording != 0 || r.parse_webhook != ref.parse_webhook)
                differed++;
        }
        assert_true(n < CHAOS_MAX_N);
        printf("%s adapter: %lu allocations, %lu runs that reported the failure\n",
               adapters[i].ops->name, n - 1, differed);
    }
}

int main(void)
{
    /* before anything touches SQLite or jansson */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &sq_methods) != SQLITE_OK)
        return 1;
    /* as dialsim's main: jansson through core/json_depth.c's counting malloc,
     * whose calls to malloc are wrapped like the rest of ours */
    json_depth_use_alloc();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario_under_chaos),
        cmocka_unit_test(ingest_under_chaos),
        cmocka_unit_test(adapters_under_chaos),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
