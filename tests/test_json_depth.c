/* Unit tests for harness/core/json_depth: the nesting scan that runs before
 * jansson (issue 10) and the json_depth_loadb wrapper every parse of outside
 * text goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"

/* n times `open`, then `mid`, then n times `close`, in a new string. */
static char *nest(int n, const char *open, const char *mid, const char *close)
{
    size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
    char *s = malloc((size_t)n * (lo + lc) + lm + 1), *p = s;
    assert_non_null(s);
    for (int i = 0; i < n; i++, p += lo)
        memcpy(p, open, lo);
    memcpy(p, mid, lm);
    p += lm;
    for (int i = 0; i < n; i++, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    return s;
}

static int check(const char *s, int max, struct json_depth_where *w)
{
    return json_depth_check(s, strlen(s), max, w);
}

static void shallow_and_empty_pass(void **state)
{
    (void)state;
    assert_int_equal(check("", 1, NULL), 0);
    assert_int_equal(check("42", 0, NULL), 0);
    assert_int_equal(check("{\"a\": [1, {\"b\": []}]}", 4, NULL), 0);
    assert_int_equal(check("{\"a\": [1, {\"b\": []}]}", 3, NULL), -1);
    assert_int_equal(check("[][][][]", 1, NULL), 0); /* siblings do not add up */
}

static void exactly_at_limit_passes_one_more_fails(void **state)
{
    (void)state;
    char *at = nest(JSON_DEPTH_MAX, "[", "", "]");
    char *over = nest(JSON_DEPTH_MAX + 1, "[", "", "]");
    struct json_depth_where w = {0};
    assert_int_equal(check(at, JSON_DEPTH_MAX, &w), 0);
    assert_int_equal(check(over, JSON_DEPTH_MAX, &w), -1);
    assert_int_equal(w.line, 1);
    assert_int_equal(w.column, JSON_DEPTH_MAX + 1);
    assert_int_equal(w.offset, JSON_DEPTH_MAX);

    json_error_t je;
    json_t *j = json_depth_loadb(at, strlen(at), 0, &je);
    assert_non_null(j); /* at the limit jansson parses it as usual */
    json_decref(j);
    assert_null(json_depth_loadb(over, strlen(over), 0, &je));
    assert_true(json_depth_exceeded(&je));
    free(at);
    free(over);
}

static void objects_count_like_arrays(void **state)
{
    (void)state;
    char *s = nest(3, "{\"a\":", "1", "}");
    struct json_depth_where w = {0};
    assert_int_equal(check(s, 3, NULL), 0);
    assert_int_equal(check(s, 2, &w), -1);
    assert_int_equal(w.column, 11); /* the third "{" */
    assert_int_equal(w.offset, 10);
    free(s);
    /* mixed */
    assert_int_equal(check("[{\"a\":[{}]}]", 4, NULL), 0);
    assert_int_equal(check("[{\"a\":[{}]}]", 3, &w), -1);
    assert_int_equal(w.column, 8);
}

/* Brackets inside strings are text, whatever the escapes around them. */
static void strings_hold_brackets(void **state)
{
    (void)state;
    assert_int_equal(check("[\"[[[[{{{{\"]", 1, NULL), 0);
    assert_int_equal(check("{\"[[[[\": \"{{{{\"}", 1, NULL), 0);
    /* \" does not end the string, so the brackets after it are still text */
    assert_int_equal(check("[\"a\\\"[[[[\"]", 1, NULL), 0);
    /* \\ ends the escape: the quote after it does end the string */
    struct json_depth_where w = {0};
    assert_int_equal(check("[\"a\\\\\", [[]]]", 2, &w), -1);
    assert_int_equal(w.column, 10);
    /* \\\" : an escaped backslash, then an escaped quote: still inside */
    assert_int_equal(check("[\"\\\\\\\"[[[\"]", 1, NULL), 0);
    /* a \u escape of a bracket is text too */
    assert_int_equal(check("[\"\\u005b[[\"]", 1, NULL), 0);
}

/* Lines count newlines; columns count characters, as jansson does. */
static void position_is_line_and_column(void **state)
{
    (void)state;
    struct json_depth_where w = {0};
    assert_int_equal(check("[\n [\n  \"\xc3\xa9\xc3\xa9\", [", 2, &w), -1);
    assert_int_equal(w.line, 3);
    assert_int_equal(w.column, 9); /* two spaces, "éé" (4 bytes, 2 characters), comma, space */
    assert_int_equal(w.offset, 15);
}

/* Closers outside any array do not buy depth back. */
static void stray_closers_do_not_go_negative(void **state)
{
    (void)state;
    struct json_depth_where w = {0};
    assert_int_equal(check("]]]]}}[[", 1, &w), -1);
    assert_int_equal(w.column, 8);
}

/* The wrapper's error: text, code, position as jansson would report them. */
static void loadb_reports_where_and_what(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, '[', n);
    s[n] = '\0';
    json_error_t je;
    assert_null(json_depth_loadb(s, n, 0, &je));
    assert_true(json_depth_exceeded(&je));
    assert_int_equal(json_error_code(&je), json_error_stack_overflow);
    assert_int_equal(je.line, 1);
    assert_int_equal(je.column, 65);
    assert_int_equal(je.position, 65);
    assert_string_equal(je.text, "JSON nested deeper than 64 levels at line 1, column 65");
    assert_null(json_depth_loads(s, 0, &je));
    assert_true(json_depth_exceeded(&je));
    free(s);
}

/* Anything else is jansson's to judge, with jansson's message. */
static void loadb_passes_the_rest_to_jansson(void **state)
{
    (void)state;
    json_error_t je;
    json_t *j = json_depth_loadb("{\"a\": [1, 2]}", 13, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "a")), 2);
    json_decref(j);
    assert_null(json_depth_loadb("{\"a\": }", 7, 0, &je));
    assert_false(json_depth_exceeded(&je));
    assert_int_equal(je.column, 7);
    assert_null(json_depth_loadb("{\"a\":1,\"a\":2}", 13, JSON_REJECT_DUPLICATES, &je));
    assert_false(json_depth_exceeded(&je));
    assert_null(json_depth_loadb(NULL, 0, 0, &je)); /* empty: jansson's "end of file" */
    assert_false(json_depth_exceeded(&je));
    assert_null(json_depth_loads(NULL, 0, NULL));
    assert_null(json_depth_loadb("[[[", 3, 0, NULL)); /* err may be NULL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shallow_and_empty_pass),
        cmocka_unit_test(exactly_at_limit_passes_one_more_fails),
        cmocka_unit_test(objects_count_like_arrays),
        cmocka_unit_test(strings_hold_brackets),
        cmocka_unit_test(position_is_line_and_column),
        cmocka_unit_test(stray_closers_do_not_go_negative),
        cmocka_unit_test(loadb_reports_where_and_what),
        cmocka_unit_test(loadb_passes_the_rest_to_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
