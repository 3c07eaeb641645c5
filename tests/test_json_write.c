/* Unit tests for harness/util/json_write: the same bytes as jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY), on every
 * JSON file of the project (fixtures, scenarios, docs, the providers'
 * catalogues) and on the edge cases jansson's encoder has rules for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_json_files.h"
#include "util/json_write.h"

#define FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

/* j written again through json_out's calls, node by node; every third
 * container (and all below JSON_OUT_MAX_DEPTH - 2) handed over whole with
 * jo_json, so that the two are checked mixed as well. */
static void replay(struct json_out *o, const json_t *j, unsigned *count)
{
    bool whole = ++*count % 3 == 0 || o->depth >= JSON_OUT_MAX_DEPTH - 2;
    if (json_is_object(j) && !whole) {
        jo_object(o);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            /* strings without a NUL: every other one through the one-call form */
            if (json_is_string(v) && ++*count % 2 &&
                strlen(json_string_value(v)) == json_string_length(v)) {
                jo_kv_string(o, k, json_string_value(v));
                continue;
            }
            jo_key(o, k);
            replay(o, v, count);
        }
        jo_object_end(o);
    } else if (json_is_array(j) && !whole) {
        jo_array(o);
        for (size_t i = 0; i < json_array_size(j); i++)
            replay(o, json_array_get(j, i), count);
        jo_array_end(o);
    } else if (json_is_string(j)) {
        jo_stringn(o, json_string_value(j), json_string_length(j));
    } else if (json_is_integer(j)) {
        jo_integer(o, json_integer_value(j));
    } else if (json_is_real(j)) {
        jo_real(o, json_real_value(j));
    } else if (json_is_boolean(j) && *count % 2) {
        jo_bool(o, json_is_true(j));
    } else {
        jo_json(o, j);
    }
}

static void same(const json_t *j)
{
    char *want = json_dumps(j, FLAGS);
    size_t n = 0;
    char *got = json_write(j, &n);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
    struct json_out o = {0};
    unsigned count = 0;
    replay(&o, j, &count);
    char *again = jo_finish(&o, &n);
    assert_non_null(again);
    assert_string_equal(again, want);
    assert_int_equal(n, strlen(want));
    free(again);
    free(want);
    free(got);
}

static void scalars_and_strings(void **state)
{
    (void)state;
    const json_int_t ints[] = {0, 1, -1, 42, 1000000007, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        json_t *j = json_integer(ints[i]);
        same(j);
        json_decref(j);
    }
    const double reals[] = {0.0,
                            -0.0,
                            0.1,
                            5.0,
                            -2.5,
                            1e20,
                            1e21,
                            1e-7,
                            1.5e-300,
                            1e300,
                            123456789012345678.0,
                            0.30000000000000004,
                            3.14159,
                            -7.0,
                            999999999999999.0,
                            1e15,
                            1e16,
                            1e17,
                            -1e17,
                            4503599627370497.0};
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        json_t *j = json_real(reals[i]);
        same(j);
        json_decref(j);
    }
    const char *strs[] = {"",
                          "plain",
                          "quote \" and \\ back",
                          "\b\f\n\r\t",
                          "\x01\x1f\x7f",
                          "slash / stays",
                          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e",
                          "\xe2\x80\xa8 line sep"};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        json_t *j = json_string(strs[i]);
        assert_non_null(j);
        same(j);
        json_decref(j);
    }
    json_t *nul = json_stringn("a\0b", 3); /* an embedded NUL: \u0000 */
    same(nul);
    json_decref(nul);
    json_t *lits = json_pack("[b,b,n,{},[],{s:[]}]", 1, 0, "k\n\"ey");
    same(lits);
    json_decref(lits);
}

/* Reals by the thousand: whole numbers around the fast path's bound and
 * arbitrary finite bit patterns, each as jansson prints it. */
static void reals_agree(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        if (i % 2) {
            v = (double)((int64_t)(x % 4000000000000000ULL) - 2000000000000000LL);
        } else {
            memcpy(&v, &x, sizeof v);
            if (!isfinite(v))
                continue;
        }
        json_t *j = json_real(v);
        assert_non_null(j);
        same(j);
        json_decref(j);
    }
}

static void keys_keep_their_order(void **state)
{
    (void)state;
    json_t *o = json_object();
    const char *keys[] = {"zeta", "alpha", "mid", "a", "zz", "b"};
    for (size_t i = 0; i < 6; i++)
        json_object_set_new(o, keys[i], json_integer((json_int_t)i));
    json_object_del(o, "mid");
    json_object_set_new(o, "mid", json_true());    /* re-added: last */
    json_object_set_new(o, "alpha", json_false()); /* replaced: stays where it was */
    same(o);
    char *got = json_write(o, NULL);
    assert_string_equal(got, "{\"zeta\":0,\"alpha\":false,\"a\":3,\"zz\":4,\"b\":5,\"mid\":true}");
    free(got);
    json_decref(o);
}

static void small_buffer_says_what_it_needs(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:s,s:i}", "name", "a fairly long value", "n", 7);
    char buf[8];
    size_t need = json_write_into(j, buf, sizeof buf);
    assert_int_equal(need, strlen("{\"name\":\"a fairly long value\",\"n\":7}"));
    char *big = malloc(need + 1);
    assert_int_equal(json_write_into(j, big, need + 1), need);
    assert_string_equal(big, "{\"name\":\"a fairly long value\",\"n\":7}");
    free(big);
    json_decref(j);
}

static void too_deep_is_refused(void **state)
{
    (void)state;
    json_t *root = json_array(), *at = root;
    for (int i = 0; i < JSON_WRITE_MAX_DEPTH + 5; i++) {
        json_t *next = json_array();
        json_array_append_new(at, next);
        at = next;
    }
    assert_null(json_write(root, NULL));
    json_decref(root);
    assert_null(json_write(NULL, NULL));
}

/* Every byte that needs an escape (and some that do not) at every place of
 * strings 0..24 bytes long: the encoder looks at eight bytes at a time. */
static void escapes_anywhere_in_a_word(void **state)
{
    (void)state;
    const char *specials[] = {"\"", "\\",   "\n", "\x01",     "\x1f",
                              " ",  "\x7f", "/",  "\xc3\xa9", "\xe2\x82\xac"};
    for (size_t len = 0; len <= 24; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
                char b[40];
                size_t sl = strlen(specials[k]), n = len + sl;
                memset(b, 'a', n); /* len bytes of 'a' around the special one */
                memcpy(b + at, specials[k], sl);
                json_t *j = json_stringn(b, n);
                assert_non_null(j);
                same(j);
                json_decref(j);
            }
}

static void json_out_misuse_is_an_error(void **state)
{
    (void)state;
    struct json_out o = {0};
    jo_key(&o, "k"); /* a key outside an object */
    assert_null(jo_finish(&o, NULL));
    jo_object(&o);
    jo_key(&o, "k");
    jo_object_end(&o); /* a key without its value */
    assert_null(jo_finish(&o, NULL));
    jo_array_end(&o); /* a close without an open */
    assert_null(jo_finish(&o, NULL));
    jo_object(&o); /* left open */
    assert_null(jo_finish(&o, NULL));
    for (int i = 0; i < JSON_OUT_MAX_DEPTH + 1; i++)
        jo_array(&o);
    assert_true(o.err);
    jo_free(&o);
    jo_array(&o);
    jo_real(&o, NAN);
    jo_array_end(&o);
    assert_null(jo_finish(&o, NULL));
    /* nothing written: nothing to give */
    assert_null(jo_finish(&o, NULL));
    /* NULL values of the kv forms write nothing, not even the key */
    jo_object(&o);
    jo_kv_string(&o, "a", NULL);
    jo_kv_json(&o, "b", NULL);
    jo_kv_string(&o, "c", "d");
    /* a literal key: the same bytes, the value escaped as ever */
    jo_kv_lit(&o, "e", NULL);
    jo_kv_lit(&o, "createdAt", "x\"y\n");
    jo_object_end(&o);
    char *t = jo_finish(&o, NULL);
    assert_string_equal(t, "{\"c\":\"d\",\"createdAt\":\"x\\\"y\\n\"}");
    free(t);
    /* a member in an array, or the other bracket, is a misuse */
    jo_array(&o);
    jo_kv_lit(&o, "k", "v");
    assert_true(o.err);
    jo_free(&o);
    jo_array(&o);
    jo_key(&o, "k");
    assert_true(o.err);
    jo_free(&o);
    jo_array(&o);
    jo_members(&o, "\"k\":1");
    assert_true(o.err);
    jo_free(&o);
    jo_object(&o);
    jo_array(&o); /* (a value without its key is let through, as before) */
    jo_object_end(&o);
    assert_true(o.err);
    jo_free(&o);
    jo_array(&o);
    jo_object(&o);
    jo_kv_lit(&o, "k", "v");
    jo_object_end(&o);
    jo_array_end(&o);
    t = jo_finish(&o, NULL);
    assert_string_equal(t, "[{\"k\":\"v\"}]");
    free(t);
}

static void json_out_grows_past_its_first_block(void **state)
{
    (void)state;
    struct json_out o = {0};
    json_t *want = json_array();
    jo_array(&o);
    for (int i = 0; i < 5000; i++) {
        jo_integer(&o, i * 7919LL);
        json_array_append_new(want, json_integer(i * 7919LL));
    }
    jo_array_end(&o);
    size_t n;
    char *got = jo_finish(&o, &n);
    char *w = json_dumps(want, FLAGS);
    assert_string_equal(got, w);
    assert_int_equal(n, strlen(w));
    free(got);
    free(w);
    json_decref(want);
}

static size_t compared;

static void one_file(const char *path, const char *text, size_t len)
{
    (void)path;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!j)
        return; /* the deliberately broken fixtures */
    same(j);
    json_decref(j);
    compared++;
}

static void every_json_file_of_the_project(void **state)
{
    (void)state;
    project_json_files(DIALSIM_SOURCE_DIR, one_file);
    print_message("compared %zu files\n", compared);
    assert_true(compared >= 300); /* the walk found the files it is meant to */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_and_strings),
        cmocka_unit_test(reals_agree),
        cmocka_unit_test(keys_keep_their_order),
        cmocka_unit_test(small_buffer_says_what_it_needs),
        cmocka_unit_test(too_deep_is_refused),
        cmocka_unit_test(json_out_misuse_is_an_error),
        cmocka_unit_test(json_out_grows_past_its_first_block),
        cmocka_unit_test(escapes_anywhere_in_a_word),
        cmocka_unit_test(every_json_file_of_the_project),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
