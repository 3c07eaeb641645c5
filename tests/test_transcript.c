/* Unit tests for harness/core/transcript: the transcript webhook's validation
 * (CI-2, CI-3, CI-4, CI-5, CI-8).
 *
 * Group 1 runs every folder of fixtures/transcripts/{invalid,valid}/ as its
 * own test: request.json through tx_validate, then status, body (byte for
 * byte, compact), warnings and — for valid requests — the parsed calls are
 * compared with expected.json. fixtures/transcripts/README.md has the format.
 * The folder is argv[1], else $DIALSIM_TX_FIXTURES, else found from this
 * file's path.
 *
 * Group 2 holds the rules fixtures cannot show: limits, ownership, and a
 * failing allocator that makes the Nth allocation fail (jansson's
 * test_chaos habit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/transcript.h"

#define FIXTURE_API_KEY "sk-project-7f3a9c2e" /* the project's key unless request.json says */

static char fixtures_root[1024];

/* ---- fixtures ----------------------------------------------------------- */

struct fixture {
    json_t *req;
    struct tx_header *headers;
    size_t n_headers;
    char *body; /* owned when dumped from "body" */
    struct tx_request r;
};

static void fixture_free(struct fixture *f)
{
    free(f->headers);
    free(f->body);
    json_decref(f->req);
}

/* request.json → tx_request; headers are an object, or [[name, value], ...]
 * when a name repeats. */
static void fixture_load(const char *dir, struct fixture *f)
{
    char path[1200];
    json_error_t e;
    memset(f, 0, sizeof *f);
    snprintf(path, sizeof path, "%s/request.json", dir);
    f->req = json_load_file(path, 0, &e);
    if (!f->req)
        fail_msg("%s:%d:%d: %s", path, e.line, e.column, e.text);
    json_t *h = json_object_get(f->req, "headers");
    size_t n = json_is_object(h) ? json_object_size(h) : json_array_size(h);
    f->headers = calloc(n ? n : 1, sizeof *f->headers);
    assert_non_null(f->headers);
    if (json_is_object(h)) {
        const char *k;
        json_t *v;
        json_object_foreach(h, k, v)
        {
            f->headers[f->n_headers].name = k;
            f->headers[f->n_headers++].value = json_string_value(v);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            json_t *pair = json_array_get(h, i);
            f->headers[f->n_headers].name = json_string_value(json_array_get(pair, 0));
            f->headers[f->n_headers++].value = json_string_value(json_array_get(pair, 1));
        }
    }
    f->r.headers = f->headers;
    f->r.n_headers = f->n_headers;
    f->r.content_type = json_string_value(json_object_get(f->req, "content_type"));
    json_t *raw = json_object_get(f->req, "raw");
    if (raw) {
        f->r.body = json_string_value(raw);
        f->r.body_len = json_string_length(raw);
    } else {
        f->body = json_dumps(json_object_get(f->req, "body"), JSON_INDENT(2) | JSON_ENCODE_ANY);
        assert_non_null(f->body);
        f->r.body = f->body;
        f->r.body_len = strlen(f->body);
    }
    json_t *key = json_object_get(f->req, "api_key");
    f->r.api_key = key ? json_string_value(key) : FIXTURE_API_KEY;
    f->r.max_body = (size_t)json_integer_value(json_object_get(f->req, "max_body"));
}

/* The result in expected.json's shape. */
static json_t *actual_json(const struct tx_result *r)
{
    json_t *a = json_object();
    json_object_set_new(a, "status", json_integer(r->status));
    json_object_set_new(a, "body", json_loads(r->body, 0, NULL));
    if (r->n_warnings) {
        json_t *w = json_array();
        for (size_t i = 0; i < r->n_warnings; i++)
            json_array_append_new(
                w, json_pack("{s:s, s:s?, s:s}", "code", tx_warning_name(r->warnings[i].code),
                             "path", r->warnings[i].path, "message", r->warnings[i].message));
        json_object_set_new(a, "warnings", w);
    }
    if (r->status == 200) {
        json_t *calls = json_array();
        for (size_t i = 0; i < r->n_calls; i++) {
            const struct tx_call *c = &r->calls[i];
            json_array_append_new(
                calls,
                json_pack("{s:s, s:s?, s:o, s:s?, s:s?, s:s, s:I, s:I, s:I}", "id", c->id, "run_id",
                          c->run_id, "agent_id",
                          c->has_agent_id ? json_integer(c->agent_id) : json_null(),
                          "to_phone_number", c->to_phone_number, "from_phone_number",
                          c->from_phone_number, "ended_reason", c->ended_reason, "started_at_ms",
                          (json_int_t)c->started_at_ms, "ended_at_ms", (json_int_t)c->ended_at_ms,
                          "n_messages", (json_int_t)c->n_messages));
        }
        json_object_set_new(a, "calls", calls);
    }
    return a;
}

static void run_fixture(void **state)
{
    const char *dir = *state;
    struct fixture f;
    fixture_load(dir, &f);
    struct tx_result *r = NULL;
    assert_int_equal(tx_validate(&r, &f.r), 0);
    assert_non_null(r);

    char path[1200];
    snprintf(path, sizeof path, "%s/expected.json", dir);
    json_error_t e;
    json_t *want = json_load_file(path, 0, &e);
    json_t *got = actual_json(r);
    char *want_body = want ? json_dumps(json_object_get(want, "body"), JSON_COMPACT) : NULL;
    bool same = want && json_equal(got, want) && want_body && strcmp(want_body, r->body) == 0;
    if (!same) {
        char *dump = json_dumps(got, JSON_INDENT(2));
        fprintf(stderr, "=== actual %s\n%s\n=== end\n", dir, dump);
        free(dump);
    }
    free(want_body);
    json_decref(want);
    json_decref(got);
    assert_int_equal(r->body_len, strlen(r->body));
    assert_true(same);
    if (strstr(dir, "/invalid/"))
        assert_int_not_equal(r->status, 200);
    tx_result_destroy(r);
    fixture_free(&f);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every sub-folder of root/kind, sorted, as full paths (caller frees). */
static size_t list_fixtures(const char *kind, char ***out)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/%s", fixtures_root, kind);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        exit(2);
    }
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        v[n] = malloc(len);
        snprintf(v[n++], len, "%s/%s", dir, de->d_name);
    }
    closedir(d);
    qsort(v, n, sizeof *v, by_name);
    *out = v;
    return n;
}

/* ---- helpers for the hand-written tests --------------------------------- */

static const struct tx_header good_key[] = {{"X-CEKURA-API-KEY", FIXTURE_API_KEY}};

static struct tx_result *check_body(const char *body)
{
    struct tx_request req = {.headers = good_key,
                             .n_headers = 1,
                             .content_type = "application/json",
                             .body = body,
                             .body_len = strlen(body),
                             .api_key = FIXTURE_API_KEY};
    struct tx_result *r = NULL;
    assert_int_equal(tx_validate(&r, &req), 0);
    return r;
}

#define CALL_TIMES "\"startedAt\":\"2026-01-01T12:00:00Z\",\"endedAt\":\"2026-01-01T12:03:30Z\""

/* ---- group 2 ------------------------------------------------------------ */

/* CI-2: only the exact key passes; a prefix, an extension and a key differing
 * in the last byte are refused alike (the compare hides where they differ). */
static void ci2_only_the_exact_key_passes(void **state)
{
    (void)state;
    static const char *const wrong[] = {"sk-project-7f3a9c2", "sk-project-7f3a9c2e0",
                                        "sk-project-7f3a9c2f", "SK-PROJECT-7F3A9C2E", "x"};
    const char *body = "{\"agent_id\":1,\"calls\":[{\"id\":\"a\"," CALL_TIMES "}]}";
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        struct tx_header h = {"X-CEKURA-API-KEY", wrong[i]};
        struct tx_request req = {&h, 1, "application/json", body, strlen(body), FIXTURE_API_KEY, 0};
        struct tx_result *r;
        assert_int_equal(tx_validate(&r, &req), 0);
        assert_int_equal(r->status, 401);
        assert_null(r->calls);
        tx_result_destroy(r);
    }
}

/* CI-2: a project without a key accepts nothing. */
static void ci2_project_without_key_accepts_nothing(void **state)
{
    (void)state;
    struct tx_header h = {"X-CEKURA-API-KEY", ""};
    const char *body = "{}";
    struct tx_request req = {&h, 1, "application/json", body, 2, NULL, 0};
    struct tx_result *r;
    for (int i = 0; i < 2; i++) {
        h.value = i ? "anything" : "";
        assert_int_equal(tx_validate(&r, &req), 0);
        assert_int_equal(r->status, 401);
        tx_result_destroy(r);
    }
}

/* CI-2: the order of the stages — a bad key hides every other problem. */
static void ci2_key_checked_before_everything(void **state)
{
    (void)state;
    struct tx_header h = {"X-Cekura-Api-Key", "nope"};
    struct tx_request req = {&h, 1, "text/plain", "not json", 8, FIXTURE_API_KEY, 4};
    struct tx_result *r;
    assert_int_equal(tx_validate(&r, &req), 0);
    assert_int_equal(r->status, 401);
    assert_true(r->key_header_misspelled); /* the warning comes with any verdict */
    assert_int_equal(r->n_warnings, 1);
    assert_int_equal(r->warnings[0].code, TX_WARN_KEY_HEADER_SPELLING);
    assert_null(r->warnings[0].path);
    tx_result_destroy(r);
    h.value = FIXTURE_API_KEY; /* then 415 before 413 */
    assert_int_equal(tx_validate(&r, &req), 0);
    assert_int_equal(r->status, 415);
    tx_result_destroy(r);
}

/* CI-2: Content-Type parameters; only a charset other than utf-8 is refused. */
static void ci2_content_type_forms(void **state)
{
    (void)state;
    static const struct {
        const char *ct;
        int status;
    } cases[] = {{"application/json", 200},
                 {"Application/JSON", 200},
                 {"application/json;charset=UTF-8", 200},
                 {"application/json ; charset=\"utf-8\"", 200},
                 {"application/json; boundary=x", 200},
                 {"  application/json", 200},
                 {"application/json-patch+json", 415},
                 {"application/jsonx", 415},
                 {"application/json; charset=utf-16", 415},
                 {"", 415},
                 {"json", 415}};
    const char *body = "{\"agent_id\":1,\"calls\":[{\"id\":\"a\"," CALL_TIMES "}]}";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tx_request req = {good_key, 1, cases[i].ct, body, strlen(body), FIXTURE_API_KEY, 0};
        struct tx_result *r;
        assert_int_equal(tx_validate(&r, &req), 0);
        if (r->status != cases[i].status)
            fail_msg("%s: %d %s", cases[i].ct, r->status, r->body);
        tx_result_destroy(r);
    }
}

/* CI-2: the default limit is 1 MiB: exactly 1 MiB is read, one byte more is 413. */
static void ci2_body_limit_default_one_mib(void **state)
{
    (void)state;
    size_t n = TX_MAX_BODY_DEFAULT + 1;
    char *body = malloc(n);
    assert_non_null(body);
    memset(body, ' ', n);
    body[0] = '[';
    body[TX_MAX_BODY_DEFAULT - 1] = ']';
    struct tx_request req = {good_key,        1, "application/json", body, TX_MAX_BODY_DEFAULT,
                             FIXTURE_API_KEY, 0};
    struct tx_result *r;
    assert_int_equal(tx_validate(&r, &req), 0);
    assert_int_equal(r->status, 400); /* parsed: an array is not the expected object */
    tx_result_destroy(r);
    req.body_len = n;
    assert_int_equal(tx_validate(&r, &req), 0);
    assert_int_equal(r->status, 413);
    assert_string_equal(r->body, "{\"errors\":[{\"message\":\"the body is 1048577 bytes; the "
                                 "limit is 1048576 bytes\"}]}");
    tx_result_destroy(r);
    free(body);
}

/* CI-2: the body need not be NUL-terminated; a NUL inside is not JSON. */
static void ci2_body_is_bytes_not_a_c_string(void **state)
{
    (void)state;
    const char text[] = "{\"agent_id\":1,\"calls\":[{\"id\":\"a\"," CALL_TIMES "}]}garbage";
    struct tx_request req = {good_key,        1, "application/json", text, sizeof text - 1 - 7,
                             FIXTURE_API_KEY, 0};
    struct tx_result *r;
    assert_int_equal(tx_validate(&r, &req), 0);
    assert_int_equal(r->status, 200);
    tx_result_destroy(r);
    const char nul[] = "{\"agent_id\":1,\0\"calls\":[]}";
    struct tx_request req2 = {good_key,        1, "application/json", nul, sizeof nul - 1,
                              FIXTURE_API_KEY, 0};
    assert_int_equal(tx_validate(&r, &req2), 0);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "\"line\":1"));
    tx_result_destroy(r);
}

/* CI-2: header bytes that are not UTF-8 are quoted as "?" — the answer is
 * still an answer, never an allocation failure. */
static void ci2_odd_bytes_in_headers_still_answer(void **state)
{
    (void)state;
    struct tx_header h[] = {{"X-Api-Key-\xff\xfe", "k"}};
    struct tx_request req = {h, 1, "application/json", "{}", 2, FIXTURE_API_KEY, 0};
    struct tx_result *r;
    assert_int_equal(tx_validate(&r, &req), 0);
    assert_int_equal(r->status, 401);
    assert_string_equal(r->body, "{\"errors\":[{\"header\":\"X-CEKURA-API-KEY\",\"message\":\"is "
                                 "missing (the request has a header \\\"X-Api-Key-??\\\"; the key "
                                 "goes in X-CEKURA-API-KEY)\"}]}");
    tx_result_destroy(r);
    struct tx_request req2 = {good_key, 1, "text/\xc3\x28plain", "{}", 2, FIXTURE_API_KEY, 0};
    assert_int_equal(tx_validate(&r, &req2), 0);
    assert_int_equal(r->status, 415);
    assert_non_null(strstr(r->body, "got \\\"text/?(plain\\\""));
    tx_result_destroy(r);
}

/* CI-3 decision: agent_id and run_id together are accepted; both are kept on
 * the call (the run_id is what matching uses). */
static void ci3_agent_id_and_run_id_both_kept(void **state)
{
    (void)state;
    struct tx_result *r =
        check_body("{\"agent_id\":7,\"calls\":[{\"id\":\"a\",\"run_id\":\"run_1\"," CALL_TIMES
                   "},{\"id\":\"b\"," CALL_TIMES "}]}");
    assert_int_equal(r->status, 200);
    assert_int_equal(r->n_calls, 2);
    assert_true(r->calls[0].has_agent_id);
    assert_int_equal(r->calls[0].agent_id, 7);
    assert_string_equal(r->calls[0].run_id, "run_1");
    assert_null(r->calls[1].run_id);
    tx_result_destroy(r);
}

/* CI-4: 255 characters (not bytes) pass, 256 do not; run_id has the same limit. */
static void ci4_id_limit_counts_characters(void **state)
{
    (void)state;
    char id[4 * 256 + 1];
    for (int chars = 255; chars <= 256; chars++) {
        size_t o = 0;
        for (int i = 0; i < chars; i++)
            o += (size_t)snprintf(id + o, sizeof id - o, "%s", "\xe2\x82\xac"); /* euro sign */
        char body[4096];
        snprintf(body, sizeof body,
                 "{\"calls\":[{\"id\":\"%s\",\"run_id\":\"%s\"," CALL_TIMES "}]}", id, id);
        struct tx_result *r = check_body(body);
        assert_int_equal(r->status, chars == 255 ? 200 : 400);
        if (chars == 256)
            assert_string_equal(
                r->body, "{\"errors\":[{\"path\":\"calls[0].id\",\"message\":\"must be 1 to 255 "
                         "characters long, got 256\"},{\"path\":\"calls[0].run_id\",\"message\":"
                         "\"must be 1 to 255 characters long, got 256\"}]}");
        tx_result_destroy(r);
    }
}

/* CI-4: endedReason defaults to "unknown"; the parsed instants are UTC ms. */
static void ci4_defaults_and_instants(void **state)
{
    (void)state;
    struct tx_result *r = check_body(
        "{\"agent_id\":1,\"calls\":[{\"id\":\"a\",\"startedAt\":\"2026-01-01T13:00:00+01:00\","
        "\"endedAt\":\"2026-01-01T12:00:01.5Z\"}]}");
    assert_int_equal(r->status, 200);
    assert_string_equal(r->calls[0].ended_reason, "unknown");
    assert_int_equal(r->calls[0].started_at_ms, INT64_C(1767268800000));
    assert_int_equal(r->calls[0].ended_at_ms, INT64_C(1767268801500));
    assert_int_equal(r->calls[0].n_messages, 0);
    assert_null(r->calls[0].to_phone_number);
    /* the call's JSON is the object as received, owned by the result */
    assert_ptr_equal(r->calls[0].json, json_array_get(json_object_get(r->root, "calls"), 0));
    tx_result_destroy(r);
}

/* CI-8: every error is counted; at most TX_MAX_ERRORS are listed, then one
 * line says how many more there were. */
static void ci8_error_list_is_capped(void **state)
{
    (void)state;
    size_t n = 1500, len = 256 + n * 3;
    char *body = malloc(len);
    size_t o = (size_t)snprintf(
        body, len, "{\"agent_id\":1,\"calls\":[{\"id\":\"a\"," CALL_TIMES ",\"messages\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(body + o, len - o, "%s{}", i ? "," : "");
    snprintf(body + o, len - o, "]}]}");
    struct tx_result *r = check_body(body);
    assert_int_equal(r->status, 400);
    json_t *b = json_loads(r->body, 0, NULL);
    json_t *errors = json_object_get(b, "errors");
    assert_int_equal(json_array_size(errors), TX_MAX_ERRORS + 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "path")),
                        "calls[0].messages[0].role");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(errors, TX_MAX_ERRORS), "message")),
        "2000 more errors are not listed");
    json_decref(b);
    tx_result_destroy(r);
    free(body);
}

/* CI-8: errors come in a fixed order (call by call, fields in the documented
 * order), whatever order the sender wrote the keys in. */
static void ci8_error_order_is_fixed(void **state)
{
    (void)state;
    struct tx_result *a =
        check_body("{\"calls\":[{\"endedAt\":1,\"startedAt\":2,\"id\":3}],\"agent_id\":\"x\"}");
    struct tx_result *b =
        check_body("{\"agent_id\":\"x\",\"calls\":[{\"id\":3,\"startedAt\":2,\"endedAt\":1}]}");
    assert_int_equal(a->status, 400);
    assert_string_equal(a->body, b->body);
    tx_result_destroy(a);
    tx_result_destroy(b);
}

static void tx_error_body_shape(void **state)
{
    (void)state;
    char *s = tx_error_body("no project \"p\"");
    assert_string_equal(s, "{\"errors\":[{\"message\":\"no project \\\"p\\\"\"}]}");
    free(s);
    tx_result_destroy(NULL);
    assert_string_equal(tx_warning_name(TX_WARN_UNKNOWN_FIELD), "unknown_field");
    assert_string_equal(tx_warning_name(TX_WARN__COUNT), "");
}

/* ---- failing allocator -------------------------------------------------- */

static long alloc_fail_at, alloc_count, alloc_live;

static void *failing_malloc(size_t n)
{
    if (alloc_fail_at && ++alloc_count >= alloc_fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        alloc_live++;
    return p;
}

static void counting_free(void *p)
{
    if (p)
        alloc_live--;
    free(p);
}

/* Fail the Nth allocation for N = 1, 2, ... until tx_validate succeeds: each
 * failure returns -1 and NULL and leaves nothing allocated. */
static void chaos(const struct tx_request *req, int want_status)
{
    json_set_alloc_funcs(failing_malloc, counting_free);
    long n;
    for (n = 1;; n++) {
        alloc_fail_at = n;
        alloc_count = 0;
        alloc_live = 0;
        struct tx_result *r = (struct tx_result *)1;
        int rc = tx_validate(&r, req);
        alloc_fail_at = 0;
        if (rc == 0) {
            assert_int_equal(r->status, want_status);
            tx_result_destroy(r);
            assert_int_equal(alloc_live, 0);
            break;
        }
        assert_int_equal(rc, -1);
        assert_null(r);
        if (alloc_live != 0)
            fail_msg("allocation %ld failed: %ld blocks leaked", n, alloc_live);
    }
    json_set_alloc_funcs(malloc, free);
    assert_true(n > 5);
}

static void chaos_valid_request(void **state)
{
    (void)state;
    const char *body = "{\"agent_id\":1,\"extra\":true,\"calls\":[{\"id\":\"a\",\"run_id\":\"r\","
                       "\"to_phone_number\":\"+14155551234\",\"metadata\":{\"k\":[1,2]}," CALL_TIMES
                       ",\"messages\":[{\"role\":\"bot\",\"content\":\"hi\",\"start_time\":"
                       "1767268801}]},{\"id\":\"b\"," CALL_TIMES "}]}";
    struct tx_header h = {"x-cekura-api-key", FIXTURE_API_KEY};
    struct tx_request req = {&h, 1, "application/json", body, strlen(body), FIXTURE_API_KEY, 0};
    chaos(&req, 200);
}

static void chaos_invalid_request(void **state)
{
    (void)state;
    const char *body = "{\"agent_id\":\"1\",\"calls\":[{\"id\":\"a\",\"ended_reason\":1,"
                       "\"messages\":[{\"role\":\"x\"}]},{\"id\":\"a\"," CALL_TIMES "},7]}";
    struct tx_request req = {good_key,        1, "application/json", body, strlen(body),
                             FIXTURE_API_KEY, 0};
    chaos(&req, 400);
    struct tx_request bad = {good_key, 1, "application/json", "{\"a\":", 5, FIXTURE_API_KEY, 0};
    chaos(&bad, 400);
}

/* ---- main --------------------------------------------------------------- */

static void find_fixtures(int argc, char **argv)
{
    const char *env = getenv("DIALSIM_TX_FIXTURES");
    if (argc > 1) {
        snprintf(fixtures_root, sizeof fixtures_root, "%s", argv[1]);
    } else if (env && *env) {
        snprintf(fixtures_root, sizeof fixtures_root, "%s", env);
    } else {
        /* __FILE__ is this file's absolute path in a CMake build. */
        snprintf(fixtures_root, sizeof fixtures_root, "%s", __FILE__);
        char *slash = strrchr(fixtures_root, '/');
        if (slash)
            *slash = '\0';
        strncat(fixtures_root, "/../fixtures/transcripts",
                sizeof fixtures_root - strlen(fixtures_root) - 1);
    }
}

int main(int argc, char **argv)
{
    find_fixtures(argc, argv);
    char **invalid, **valid;
    size_t ni = list_fixtures("invalid", &invalid), nv = list_fixtures("valid", &valid);
    if (ni < 40 || nv < 4) {
        fprintf(stderr, "%s: %zu invalid and %zu valid fixtures; want >= 40 and >= 4\n",
                fixtures_root, ni, nv);
        return 1;
    }
    struct CMUnitTest *ft = calloc(ni + nv, sizeof *ft);
    for (size_t i = 0; i < ni + nv; i++) {
        char *dir = i < ni ? invalid[i] : valid[i - ni];
        ft[i].name = strrchr(dir, '/') + 1; /* "ci4-id-too-long" */
        ft[i].test_func = run_fixture;
        ft[i].initial_state = dir;
    }
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(ci2_only_the_exact_key_passes),
        cmocka_unit_test(ci2_project_without_key_accepts_nothing),
        cmocka_unit_test(ci2_key_checked_before_everything),
        cmocka_unit_test(ci2_content_type_forms),
        cmocka_unit_test(ci2_body_limit_default_one_mib),
        cmocka_unit_test(ci2_body_is_bytes_not_a_c_string),
        cmocka_unit_test(ci2_odd_bytes_in_headers_still_answer),
        cmocka_unit_test(ci3_agent_id_and_run_id_both_kept),
        cmocka_unit_test(ci4_id_limit_counts_characters),
        cmocka_unit_test(ci4_defaults_and_instants),
        cmocka_unit_test(ci8_error_list_is_capped),
        cmocka_unit_test(ci8_error_order_is_fixed),
        cmocka_unit_test(tx_error_body_shape),
        cmocka_unit_test(chaos_valid_request),
        cmocka_unit_test(chaos_invalid_request),
    };
    int failed = _cmocka_run_group_tests("fixtures", ft, ni + nv, NULL, NULL);
    failed += cmocka_run_group_tests_name("transcript", unit, NULL, NULL);
    for (size_t i = 0; i < ni; i++)
        free(invalid[i]);
    for (size_t i = 0; i < nv; i++)
        free(valid[i]);
    free(invalid);
    free(valid);
    free(ft);
    return failed ? 1 : 0;
}
