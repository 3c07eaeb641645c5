/* Unit tests for harness/util/json_write: the same bytes as jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY), on every
 * JSON file of the project (fixtures, scenarios, docs, the providers'
 * catalogues) and on the edge cases jansson's encoder has rules for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/json_write.h"

#define FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

static void same(const json_t *j)
{
    char *want = json_dumps(j, FLAGS);
    size_t n = 0;
    char *got = json_write(j, &n);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
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

static size_t compared;

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules") ||
            !strncmp(e->d_name, "build", 5))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path);
            continue;
        }
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        json_t *j = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (!j)
            continue; /* the deliberately broken fixtures */
        same(j);
        json_decref(j);
        compared++;
    }
    closedir(d);
}

static void every_json_file_of_the_project(void **state)
{
    (void)state;
    const char *dirs[] = {"fixtures", "scenarios", "docs", "mocks/data", "tests", "dist"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", DIALSIM_SOURCE_DIR, dirs[i]);
        walk(p);
    }
    print_message("compared %zu files\n", compared);
    assert_true(compared >= 300); /* the walk found the files it is meant to */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_and_strings),   cmocka_unit_test(reals_agree),
        cmocka_unit_test(keys_keep_their_order), cmocka_unit_test(small_buffer_says_what_it_needs),
        cmocka_unit_test(too_deep_is_refused),   cmocka_unit_test(every_json_file_of_the_project),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
