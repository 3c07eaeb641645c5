/* Unit tests for mocks/journal: the record of every request a mock received,
 * which scenario expectations check (H-1, habit 1: "what the mocks must have
 * received"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "journal_match.h"
#include "mock.h"

#define T0 INT64_C(1767269100000)

static int setup(void **state)
{
    struct journal *j = NULL;
    if (journal_create(&j) != 0)
        return -1;
    *state = j;
    return 0;
}

static int teardown(void **state)
{
    journal_destroy(*state);
    return 0;
}

static void starts_empty(void **state)
{
    struct journal *j = *state;
    assert_int_equal(journal_count(j), 0);
    assert_null(journal_at(j, 0));
    journal_destroy(NULL); /* NULL is accepted */
}

static void add_records_everything(void **state)
{
    struct journal *j = *state;
    json_t *h =
        json_pack("{s:s,s:s}", "authorization", "Bearer sk-1", "content-type", "application/json");
    const char *body = "{\"assistantId\":\"asst-1\",\"customer\":{\"number\":\"+15557770000\"}}";
    long i = journal_add(j, "vapi", "POST", "/call", h, body, strlen(body), T0 + 250);
    assert_int_equal(i, 0);
    assert_int_equal(journal_count(j), 1);
    const struct journal_entry *e = journal_at(j, 0);
    assert_non_null(e);
    assert_string_equal(e->mock, "vapi");
    assert_string_equal(e->method, "POST");
    assert_string_equal(e->path, "/call");
    assert_string_equal(e->body, body);
    assert_int_equal(e->at, T0 + 250);
    assert_int_equal(e->status, 0); /* not answered yet */
    json_t *hs = mock_headers_json(e->headers, e->headers_len);
    assert_true(json_equal(hs, h));
    json_decref(hs);
    assert_true(json_is_object(e->json));
    assert_string_equal(json_string_value(json_object_get(e->json, "assistantId")), "asst-1");
    json_decref(h);
}

/* The journal copies the caller's strings and headers, which can change or
 * go. */
static void add_copies(void **state)
{
    struct journal *j = *state;
    json_t *h = json_pack("{s:s}", "authorization", "Bearer sk-1");
    char method[] = "POST", path[] = "/call", mock[] = "vapi", body[] = "{\"a\":1}";
    journal_add(j, mock, method, path, h, body, strlen(body), T0);
    const struct journal_entry *e = journal_at(j, 0);
    json_object_set_new(h, "authorization", json_string("changed"));
    json_decref(h);
    memset(method, 'X', sizeof method - 1);
    memset(path, 'X', sizeof path - 1);
    memset(mock, 'X', sizeof mock - 1);
    memset(body, 'X', sizeof body - 1);
    assert_string_equal(e->method, "POST");
    assert_string_equal(e->path, "/call");
    assert_string_equal(e->mock, "vapi");
    assert_string_equal(e->body, "{\"a\":1}");
    assert_string_equal(mock_header_in(e->headers, e->headers_len, "Authorization"), "Bearer sk-1");
    json_t *hs = mock_headers_json(e->headers, e->headers_len);
    assert_int_equal(json_object_size(hs), 1);
    json_decref(hs);
}

/* Packed headers (mock_headers.c) read as the JSON object they replaced:
 * names lower-cased, any case found, the last of a name wins and keeps the
 * first's place, a value that is not UTF-8 left out of the object only. */
static void headers_packed(void **state)
{
    (void)state;
    const char *names[] = {"Host", "X-A", "Authorization", "x-a", "X-Bin"};
    const char *values[] = {"h", "1", "Bearer k", "2", "\xff\xfe"};
    size_t len;
    char *p = mock_headers_pack(names, values, 5, &len);
    assert_non_null(p);
    assert_string_equal(mock_header_in(p, len, "x-A"), "2");
    assert_string_equal(mock_header_in(p, len, "AUTHORIZATION"), "Bearer k");
    assert_string_equal(mock_header_in(p, len, "x-bin"), "\xff\xfe");
    assert_null(mock_header_in(p, len, "x"));
    assert_null(mock_header_in(NULL, 0, "host"));
    json_t *o = mock_headers_json(p, len);
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(t, "{\"host\":\"h\",\"x-a\":\"2\",\"authorization\":\"Bearer k\"}");
    free(t);
    json_decref(o);
    free(p);
    /* more than a request keeps (64): the lengths of the rest measured as
     * they are packed, the same block */
    const char *many_n[70], *many_v[70];
    char nb[70][8], vb[70][8];
    for (int i = 0; i < 70; i++) {
        snprintf(nb[i], sizeof nb[i], "X-%d", i);
        snprintf(vb[i], sizeof vb[i], "v%d", i);
        many_n[i] = nb[i];
        many_v[i] = vb[i];
    }
    p = mock_headers_pack(many_n, many_v, 70, &len);
    assert_non_null(p);
    size_t want = 0;
    for (int i = 0; i < 70; i++)
        want += strlen(nb[i]) + 1 + strlen(vb[i]) + 1;
    assert_int_equal(len, want);
    assert_string_equal(mock_header_in(p, len, "x-0"), "v0");
    assert_string_equal(mock_header_in(p, len, "x-63"), "v63");
    assert_string_equal(mock_header_in(p, len, "x-64"), "v64");
    assert_string_equal(mock_header_in(p, len, "X-69"), "v69");
    free(p);
}

static void body_that_is_not_json(void **state)
{
    struct journal *j = *state;
    const char *body = "name=Ann&age=42";
    journal_add(j, "none", "POST", "/form", NULL, body, strlen(body), T0);
    const struct journal_entry *e = journal_at(j, 0);
    assert_string_equal(e->body, body);
    assert_null(e->json);
    assert_int_equal(e->headers_len, 0); /* NULL headers: none */
    assert_null(mock_header_in(e->headers, e->headers_len, "authorization"));

    journal_add(j, "none", "POST", "/trunc", NULL, "{\"a\":1", 6, T0);
    assert_null(journal_at(j, 1)->json);
}

static void empty_body(void **state)
{
    struct journal *j = *state;
    journal_add(j, "vapi", "GET", "/call/abc", NULL, NULL, 0, T0);
    const struct journal_entry *e = journal_at(j, 0);
    assert_non_null(e->body);
    assert_string_equal(e->body, "");
    assert_null(e->json);
}

/* body_len, not the NUL, bounds the body; arrays are JSON too. */
static void body_length_counts(void **state)
{
    struct journal *j = *state;
    const char *raw = "[1,2,3]trailing";
    journal_add(j, "none", "POST", "/x", NULL, raw, 7, T0);
    const struct journal_entry *e = journal_at(j, 0);
    assert_string_equal(e->body, "[1,2,3]");
    assert_true(json_is_array(e->json));
    assert_int_equal(json_array_size(e->json), 3);
}

static void set_status(void **state)
{
    struct journal *j = *state;
    long a = journal_add(j, "vapi", "POST", "/call", NULL, "", 0, T0);
    long b = journal_add(j, "vapi", "GET", "/call/x", NULL, "", 0, T0 + 1);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    journal_set_status(j, b, 404);
    journal_set_status(j, a, 201);
    assert_int_equal(journal_at(j, 0)->status, 201);
    assert_int_equal(journal_at(j, 1)->status, 404);
    /* Out-of-range indexes (a failed add returns -1) are ignored. */
    journal_set_status(j, -1, 500);
    journal_set_status(j, 2, 500);
    assert_int_equal(journal_count(j), 2);
    assert_int_equal(journal_at(j, 0)->status, 201);
    assert_int_equal(journal_at(j, 1)->status, 404);
}

/* Past the first allocation, entries keep their order, times and contents. */
static void many_entries(void **state)
{
    struct journal *j = *state;
    for (int i = 0; i < 100; i++) {
        char path[32], body[32];
        snprintf(path, sizeof path, "/call/%d", i);
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        assert_int_equal(journal_add(j, "vapi", "GET", path, NULL, body, strlen(body), T0 + i), i);
        journal_set_status(j, i, 200 + i);
    }
    assert_int_equal(journal_count(j), 100);
    for (size_t i = 0; i < 100; i++) {
        const struct journal_entry *e = journal_at(j, i);
        char path[32];
        snprintf(path, sizeof path, "/call/%zu", i);
        assert_string_equal(e->path, path);
        assert_int_equal(e->at, T0 + (int64_t)i);
        assert_int_equal(e->status, 200 + (int)i);
        assert_int_equal(json_integer_value(json_object_get(e->json, "n")), (json_int_t)i);
    }
    assert_null(journal_at(j, 100));
}

/* ---- the ring (issue 10: bounded memory) ---------------------------------- */

static void add_n(struct journal *j, int from, int to)
{
    for (int i = from; i < to; i++) {
        char path[32], body[32];
        snprintf(path, sizeof path, "/call/%d", i);
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        assert_int_equal(journal_add(j, "vapi", "POST", path, NULL, body, strlen(body), T0 + i), i);
    }
}

static void assert_entry(const struct journal *j, size_t i)
{
    const struct journal_entry *e = journal_at(j, i);
    assert_non_null(e);
    char path[32];
    snprintf(path, sizeof path, "/call/%zu", i);
    assert_string_equal(e->path, path);
    assert_int_equal(e->at, T0 + (int64_t)i);
    assert_int_equal(json_integer_value(json_object_get(e->json, "n")), (json_int_t)i);
}

/* Bounded at 5: the last 5 are kept under their absolute indices, the
 * dropped ones are counted (first == dropped) and read as NULL; reading from
 * an index on works across the wrap (the slot of index i is reused by i+5). */
static void ring_drops_oldest(void **state)
{
    (void)state;
    struct journal *j;
    assert_int_equal(journal_create_sized(&j, 5), 0);
    assert_int_equal(journal_max(j), 5);
    add_n(j, 0, 5);
    assert_int_equal(journal_first(j), 0);
    add_n(j, 5, 12);
    assert_int_equal(journal_count(j), 12);
    assert_int_equal(journal_first(j), 7);
    for (size_t i = 0; i < 7; i++)
        assert_null(journal_at(j, i));
    for (size_t i = 7; i < 12; i++)
        assert_entry(j, i);
    assert_null(journal_at(j, 12));
    /* since = 9, after the wrap: 9, 10, 11 in order */
    size_t seen = 0;
    for (size_t i = 9; i < journal_count(j); i++, seen++)
        assert_entry(j, i);
    assert_int_equal(seen, 3);
    /* a status for a dropped entry is ignored; a kept one is set */
    journal_set_status(j, 3, 500);
    journal_set_answer(j, 3, "x");
    journal_set_status(j, 11, 201);
    assert_int_equal(journal_at(j, 11)->status, 201);
    journal_destroy(j);
}

/* N = 1: only the last entry, every earlier one dropped. */
static void ring_of_one(void **state)
{
    (void)state;
    struct journal *j;
    assert_int_equal(journal_create_sized(&j, 1), 0);
    add_n(j, 0, 4);
    assert_int_equal(journal_count(j), 4);
    assert_int_equal(journal_first(j), 3);
    assert_null(journal_at(j, 2));
    assert_entry(j, 3);
    journal_destroy(j);
}

/* Unbounded (dialsim run: `expect` reads every entry): nothing is dropped. */
static void unbounded_keeps_everything(void **state)
{
    struct journal *j = *state;
    add_n(j, 0, 1000);
    assert_int_equal(journal_first(j), 0);
    assert_int_equal(journal_max(j), 0);
    for (size_t i = 0; i < 1000; i++)
        assert_entry(j, i);
}

/* The body is parsed once: an entry added with a parsed body keeps that very
 * object (a reference), and holds it after the caller lets go. */
static void parsed_body_is_shared(void **state)
{
    struct journal *j = *state;
    const char *body = "{\"a\":[1,2]}";
    json_error_t je;
    json_t *parsed = journal_parse(body, strlen(body), &je);
    assert_non_null(parsed);
    assert_null(journal_parse("{\"a\"", 4, &je));
    assert_int_equal(je.position, 4);
    assert_null(journal_parse("", 0, NULL));
    journal_add_parsed(j, "vapi", "POST", "/call", NULL, body, strlen(body), parsed, T0);
    assert_ptr_equal(journal_at(j, 0)->json, parsed);
    json_decref(parsed);
    assert_int_equal(json_array_size(json_object_get(journal_at(j, 0)->json, "a")), 2);
}

/* An entry made with its text only (the mocks' server): the first reader
 * parses it and the entry keeps the tree; a body that is not JSON is
 * parsed once too, and stays NULL. */
static void text_only_entry_parsed_once(void **state)
{
    struct journal *j = *state;
    struct journal_entry *dropped;
    const char *body = "{\"a\":{\"b\":7}}";
    journal_push(j, journal_entry_new("vapi", "POST", "/call", NULL, 0, body, strlen(body), NULL),
                 T0, &dropped);
    journal_push(j, journal_entry_new("vapi", "POST", "/call", NULL, 0, "a=1", 3, NULL), T0,
                 &dropped);
    const struct journal_entry *e = journal_at(j, 0), *f = journal_at(j, 1);
    assert_null(e->json);
    assert_false(e->json_read);
    json_t *t1 = journal_entry_body(e), *t2 = journal_entry_body(e);
    assert_non_null(t1);
    assert_ptr_equal(t1, t2);
    assert_ptr_equal(e->json, t1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t1, "a"), "b")), 7);
    json_decref(t1);
    json_decref(t2);
    assert_null(journal_entry_body(f));
    assert_true(f->json_read);
    json_t *sel = json_pack("{s:{s:i}}", "body", "a.b", 7);
    assert_true(journal_match(sel, e));
    assert_false(journal_match(sel, f));
    json_decref(sel);
}

/* issue 13: DELETE of the journal frees the entries and indices go on */
static void clear_keeps_indices(void **state)
{
    struct journal *j = *state;
    journal_add(j, "vapi", "POST", "/call", NULL, "{}", 2, T0);
    journal_add(j, "vapi", "GET", "/call/1", NULL, "", 0, T0);
    assert_int_equal(journal_clear(j), 2);
    assert_int_equal(journal_first(j), 2);
    assert_int_equal(journal_cleared(j), 2);
    assert_null(journal_at(j, 1));
    assert_int_equal(journal_add(j, "vapi", "GET", "/x", NULL, "", 0, T0), 2);
    assert_non_null(journal_at(j, 2));
    assert_int_equal(journal_clear(j), 1);
    assert_int_equal(journal_clear(j), 0);
}

static json_t *pattern(const char *text)
{
    json_t *p = json_loads(text, 0, NULL);
    assert_non_null(p);
    return p;
}

/* The selectors of expect.journal, one by one, and the fields a near miss
 * names with what was expected and what came. */
static void match_and_near_misses(void **state)
{
    struct journal *j = *state;
    json_t *h = json_pack("{s:s}", "authorization", "Bearer k");
    const char *b1 = "{\"customer\": {\"number\": \"+1555\"}, \"n\": 1}";
    journal_add(j, "vapi", "POST", "/call", h, b1, strlen(b1), T0);
    journal_add(j, "vapi", "GET", "/call/abc", h, "", 0, T0);
    journal_set_status(j, 0, 201);
    json_decref(h);
    json_t *p = pattern("{\"method\": \"post\", \"path\": \"/ca*\", \"status\": 201, "
                        "\"headers\": {\"Authorization\": \"Bearer k\"}, "
                        "\"body\": {\"customer.number\": \"+1555\"}, \"body_absent\": [\"x\"]}");
    assert_true(journal_match(p, journal_at(j, 0)));
    assert_false(journal_match(p, journal_at(j, 1)));
    json_decref(p);
    p = pattern("{\"method\": \"POST\", \"path\": \"/call\", \"body\": {\"customer.number\": "
                "\"+1556\"}, \"body_absent\": [\"n\"]}");
    json_t *nm = journal_near_misses(j, p, 3);
    assert_int_equal(json_array_size(nm), 2);
    const json_t *first = json_array_get(nm, 0); /* fewest differences first */
    assert_int_equal(json_integer_value(json_object_get(first, "index")), 0);
    json_t *d = json_object_get(first, "differences");
    assert_int_equal(json_array_size(d), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "field")),
                        "body.customer.number");
    assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "actual")),
                        "+1555");
    char *text = journal_near_miss_text(nm);
    assert_non_null(strstr(text, "#0 POST /call (vapi, 201): body.customer.number: expected "
                                 "\"+1556\", got \"+1555\"; n: expected absent, got 1\n"));
    assert_non_null(strstr(text, "#1 GET /call/abc (vapi, 0): method: expected \"POST\", got "
                                 "\"GET\""));
    free(text);
    json_decref(nm);
    nm = journal_near_misses(j, p, 1);
    assert_int_equal(json_array_size(nm), 1);
    json_decref(nm);
    json_decref(p);
}

/* The journal's query filters: every parameter as a selector; an unknown one
 * or a bad value refused with its name. */
static void query_filters(void **state)
{
    (void)state;
    json_t *sel;
    long since;
    char err[300];
    assert_int_equal(journal_query_pattern("provider=vapi&method=POST&path=%2Fcall%2F*&status=201"
                                           "&header.X-Test=a%20b&body.customer.number=+1555"
                                           "&body.n=42&body.s=%2242%22&since=7",
                                           &sel, &since, err, sizeof err),
                     0);
    json_t *want =
        json_loads("{\"mock\": \"vapi\", \"method\": \"POST\", \"path\": "
                   "\"/call/*\", \"status\": 201, \"headers\": {\"X-Test\": \"a b\"}, "
                   "\"body\": {\"customer.number\": \"+1555\", \"n\": 42, \"s\": \"42\"}}",
                   0, NULL);
    assert_true(json_equal(sel, want));
    assert_int_equal(since, 7);
    json_decref(want);
    json_decref(sel);
    assert_int_equal(journal_query_pattern(NULL, &sel, &since, err, sizeof err), 0);
    assert_int_equal(json_object_size(sel), 0);
    json_decref(sel);
    static const char *const bad[][2] = {
        {"metod=POST", "unknown query parameter \"metod\""},
        {"since=-1", "since: expected an entry index"},
        {"status=abc", "status: expected an HTTP status"},
        {"path=", "path: expected a value"},
        {"method", "method: expected method=<value>"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(journal_query_pattern(bad[i][0], &sel, &since, err, sizeof err), -1);
        assert_null(sel);
        assert_non_null(strstr(err, bad[i][1]));
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(starts_empty),
        T(add_records_everything),
        T(add_copies),
        T(body_that_is_not_json),
        T(empty_body),
        T(body_length_counts),
        T(set_status),
        T(many_entries),
        cmocka_unit_test(ring_drops_oldest),
        cmocka_unit_test(ring_of_one),
        T(unbounded_keeps_everything),
        T(parsed_body_is_shared),
        T(text_only_entry_parsed_once),
        T(clear_keeps_indices),
        T(match_and_near_misses),
        cmocka_unit_test(query_filters),
        cmocka_unit_test(headers_packed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
