/* Unit tests for harness/core/json_fast: held to jansson's json_loadb. It
 * must refuse (answer NULL) whatever jansson refuses, and build what jansson
 * builds: the same values of the same types (1 and 1.0 differ), keys in the
 * same order, a repeated key as jansson keeps it. Checked on every JSON file
 * of the project, on generated documents and on every one-byte mutation of
 * a set of bodies; the fast path must also take most of them (a parser that
 * always said NULL would pass the rest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/json_fast.h"
#include "project_json_files.h"

#define DUMP (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

static size_t taken, left;

/* text through both parsers: they agree, or json_fast left it to jansson */
static void agree(const char *text, size_t len, size_t flags)
{
    json_t *want = json_loadb(text, len, flags, NULL);
    json_t *got = json_fast_parse(text, len, flags);
    if (!got) {
        left++;
        json_decref(want);
        return;
    }
    if (!want)
        fail_msg("json_fast took what jansson refuses: %.*s", (int)(len > 200 ? 200 : len), text);
    char *a = json_dumps(want, DUMP), *b = json_dumps(got, DUMP);
    if (strcmp(a, b) != 0)
        fail_msg("json_fast built %s, jansson %s, from %.*s", b, a, (int)(len > 200 ? 200 : len),
                 text);
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
    taken++;
}

static void bodies_the_mocks_get(void **state)
{
    (void)state;
    static const char *docs[] = {
        "{\"assistantId\":\"asst\",\"phoneNumberId\":\"pn\",\"customer\":{\"number\":\"+"
        "15557650000\"}}",
        " {\"a\" : [1, -2, 0, -0, 3.25, -0.5e-3, 1E+2, 1e400, 2.5e-400, true, false, null] } ",
        "{\"k\":1,\"k\":2,\"j\":{},\"k\":[]}",
        "{\"esc\":\"q\\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f\",\"e\\\"k\":\"\"}",
        "[]",
        "[[],[[]],{}]",
        "{\"big\":123456789012345678,\"bigger\":1234567890123456789,\"neg\":-999999999999999999}",
        "{\"u\":\"caf\\u00e9\",\"raw\":\"caf\xc3\xa9\"}",
        "{\"from_number\":\"+15551234567\",\"to_number\":\"+15557650000\",\"metadata\":{\"n\":[1,2."
        "25]}}",
        "{\"x\":1}\n",
        "\t[\r\n1\r\n]\t",
        "",
        "   ",
        "{\"a\":1",
        "{\"a\":1}}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":-}",
        "{\"a\":1e}",
        "{\"a\":tru}",
        "{\"a\":truex}",
        "{\"a\":nul}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\x01\"}",
        "{\"a\":\"\\u0000\"}",
        "{a:1}",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "\"top\"",
        "42",
        "{\"a\":\"\xff\"}",
        "{\"a\":1}x",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        agree(docs[i], strlen(docs[i]), 0);
        agree(docs[i], strlen(docs[i]), JSON_DECODE_ANY);
    }
    /* the body of a create-call is the fast path's */
    size_t before = taken;
    agree(docs[0], strlen(docs[0]), 0);
    assert_int_equal(taken, before + 1);
    /* a NUL inside the buffer */
    agree("{\"a\":1}\0", 8, 0);
    agree("{\"a\":\"x\0y\"}", 11, 0);
}

/* Every one-byte change of a few bodies: deleted, doubled, or replaced by a
 * byte JSON gives a meaning to (or none). */
static void every_one_byte_mutation(void **state)
{
    (void)state;
    static const char *bases[] = {
        "{\"assistantId\":\"asst\",\"customer\":{\"number\":\"+1555\",\"n\":[1,-2.5e3,true,null]}}",
        "[{\"k\":\"v\\n\",\"k\":false},0,-0.0,12,\"\"]",
    };
    static const char subst[] = ",:[]{}\"\\0-+.eE tfn\x01\x7f\xc3\xff/u9";
    char buf[256];
    size_t before = taken;
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        const char *s = bases[b];
        size_t n = strlen(s);
        for (size_t i = 0; i < n; i++) {
            /* deleted */
            memcpy(buf, s, i);
            memcpy(buf + i, s + i + 1, n - i - 1);
            agree(buf, n - 1, 0);
            /* doubled */
            memcpy(buf, s, i + 1);
            memcpy(buf + i + 1, s + i, n - i);
            agree(buf, n + 1, 0);
            /* replaced, and inserted */
            for (size_t k = 0; k < sizeof subst - 1; k++) {
                memcpy(buf, s, n);
                buf[i] = subst[k];
                agree(buf, n, 0);
                memcpy(buf, s, i);
                buf[i] = subst[k];
                memcpy(buf + i + 1, s + i, n - i);
                agree(buf, n + 1, 0);
            }
        }
    }
    print_message("mutations: %zu taken by json_fast\n", taken - before);
    assert_true(taken - before > 500);
}

/* Generated documents: nesting, whitespace, escapes, numbers of every shape. */
static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void gen(char *out, size_t *len, size_t cap, int depth)
{
#define PUT(str)                                                                                   \
    do {                                                                                           \
        const char *s_ = (str);                                                                    \
        size_t l_ = strlen(s_);                                                                    \
        if (*len + l_ < cap) {                                                                     \
            memcpy(out + *len, s_, l_);                                                            \
            *len += l_;                                                                            \
        }                                                                                          \
    } while (0)
    static const char *spaces[] = {"", "", " ", "\n", "\t ", "\r\n"};
    static const char *strings[] = {"\"\"",
                                    "\"a\"",
                                    "\"+15557650000\"",
                                    "\"q\\\"\"",
                                    "\"\\\\\\/\"",
                                    "\"\\b\\f\\n\\r\\t\"",
                                    "\"\\u0041\"",
                                    "\"\xc3\xa9\"",
                                    "\"key\"",
                                    "\"\\ud83d\\ude00\""};
    static const char *numbers[] = {"0",
                                    "-0",
                                    "1",
                                    "-1",
                                    "42",
                                    "0.5",
                                    "-0.0",
                                    "1e3",
                                    "1E-3",
                                    "2.5e+10",
                                    "1e309",
                                    "-1e309",
                                    "4.9e-325",
                                    "123456789012345678",
                                    "1234567890123456789",
                                    "-9223372036854775808",
                                    "9223372036854775808",
                                    "3.141592653589793238462643"};
    PUT(spaces[rnd(6)]);
    unsigned kind = depth > 5 ? 2 + rnd(4) : rnd(6);
    switch (kind) {
    case 0: {
        PUT("{");
        unsigned n = rnd(5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                PUT(",");
            PUT(spaces[rnd(6)]);
            PUT(strings[rnd(10)]);
            PUT(spaces[rnd(6)]);
            PUT(":");
            gen(out, len, cap, depth + 1);
        }
        PUT(spaces[rnd(6)]);
        PUT("}");
        break;
    }
    case 1: {
        PUT("[");
        unsigned n = rnd(5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                PUT(",");
            gen(out, len, cap, depth + 1);
        }
        PUT(spaces[rnd(6)]);
        PUT("]");
        break;
    }
    case 2:
        PUT(strings[rnd(10)]);
        break;
    case 3:
        PUT(numbers[rnd(18)]);
        break;
    case 4:
        PUT(rnd(2) ? "true" : "false");
        break;
    default:
        PUT("null");
    }
    PUT(spaces[rnd(6)]);
#undef PUT
}

static void generated_documents(void **state)
{
    (void)state;
    char buf[8192];
    size_t before = taken;
    for (int i = 0; i < 20000; i++) {
        size_t len = 0;
        gen(buf, &len, sizeof buf, 0);
        agree(buf, len, 0);
        agree(buf, len, JSON_DECODE_ANY);
    }
    print_message("generated: %zu taken by json_fast\n", taken - before);
    assert_true(taken - before > 5000);
}

static void one_file(const char *path, const char *text, size_t len)
{
    (void)path;
    if (json_depth_check(text, len, JSON_DEPTH_MAX, NULL) == 0) /* the callers' order */
        agree(text, len, 0);
}

static void every_json_file_of_the_project(void **state)
{
    (void)state;
    size_t before = taken;
    size_t files = project_json_files(DIALSIM_SOURCE_DIR, one_file);
    print_message("files: %zu, %zu taken by json_fast\n", files, taken - before);
    assert_true(files >= 300);
    assert_true(taken - before >= 100);
}

/* Through json_depth_loadb, as the server parses: the fast tree, or jansson's
 * error with its position. */
static void through_the_depth_check(void **state)
{
    (void)state;
    json_error_t je;
    json_t *j = json_depth_loadb("{\"a\":[1,2]}", 11, 0, &je);
    assert_non_null(j);
    assert_int_equal(je.line, -1);
    assert_string_equal(je.source, "<buffer>");
    json_decref(j);
    assert_null(json_depth_loadb("{\"a\":[1,2}", 10, 0, &je));
    assert_int_equal(je.line, 1);
    assert_true(je.position > 0);
}

/* n arrays inside each other around a 1 */
static char *nested(int n)
{
    char *s = malloc((size_t)n * 2 + 2);
    memset(s, '[', (size_t)n);
    s[n] = '1';
    memset(s + n + 1, ']', (size_t)n);
    s[2 * n + 1] = '\0';
    return s;
}

/* json_fast takes 32 levels and leaves 33 to the caller, who then checks the
 * depth (json_depth_loadb runs json_fast first): 64 levels parse, 65 are
 * refused with the depth's message, and 100,000 do not reach any recursion. */
static void depth_left_to_the_check(void **state)
{
    (void)state;
    char *s = nested(32);
    json_t *j = json_fast_parse(s, strlen(s), 0);
    assert_non_null(j);
    json_decref(j);
    free(s);
    s = nested(33);
    assert_null(json_fast_parse(s, strlen(s), 0));
    free(s);
    json_error_t je;
    s = nested(JSON_DEPTH_MAX);
    j = json_depth_loadb(s, strlen(s), 0, &je);
    assert_non_null(j);
    json_decref(j);
    free(s);
    s = nested(JSON_DEPTH_MAX + 1);
    assert_null(json_depth_loadb(s, strlen(s), 0, &je));
    assert_true(json_depth_exceeded(&je));
    free(s);
    s = nested(100000);
    assert_null(json_depth_loadb(s, strlen(s), 0, &je));
    assert_true(json_depth_exceeded(&je));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_the_mocks_get),    cmocka_unit_test(every_one_byte_mutation),
        cmocka_unit_test(generated_documents),     cmocka_unit_test(every_json_file_of_the_project),
        cmocka_unit_test(through_the_depth_check), cmocka_unit_test(depth_left_to_the_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
