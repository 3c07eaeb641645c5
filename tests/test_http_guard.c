/* util/http_guard.c: the checks on a request's head that CivetWeb does not
 * make (docs/api.md#limits), on request_info records built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <civetweb.h>
#include <stdio.h>
#include <string.h>

#include "util/http_guard.h"

static struct mg_request_info head(const char *path, int nheaders)
{
    struct mg_request_info ri;
    memset(&ri, 0, sizeof ri);
    ri.request_method = "GET";
    ri.local_uri = path;
    ri.num_headers = nheaders;
    for (int i = 0; i < nheaders && i < MG_MAX_HEADERS; i++) {
        ri.http_headers[i].name = "X-H";
        ri.http_headers[i].value = "v";
    }
    return ri;
}

static void utf8(void **state)
{
    (void)state;
    assert_true(http_guard_utf8_ok("/call/abc", 9));
    assert_true(http_guard_utf8_ok("/n\xC3\xA9", 4));             /* é */
    assert_true(http_guard_utf8_ok("\xF0\x9F\x93\x9E", 4));       /* U+1F4DE */
    assert_false(http_guard_utf8_ok("/\xFF", 2));                 /* never UTF-8 */
    assert_false(http_guard_utf8_ok("\xC0\xAF", 2));              /* overlong '/' */
    assert_false(http_guard_utf8_ok("\xED\xA0\x80", 3));          /* a surrogate */
    assert_false(http_guard_utf8_ok("\xC3", 1));                  /* cut short */
    assert_false(http_guard_utf8_ok("\xF4\x90\x80\x80", 4));      /* past U+10FFFF */
}

static void escape(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(http_guard_escape("/a\nb\"c\\", out, sizeof out), "/a\\x0Ab\\x22c\\x5C");
    assert_string_equal(http_guard_escape("/n\xC3\xA9", out, sizeof out), "/n\xC3\xA9");
    assert_string_equal(http_guard_escape("/\xFF", out, sizeof out), "/\\xFF");
    /* never past the buffer, never half an escape */
    char small[6];
    assert_string_equal(http_guard_escape("ab\n\n", small, sizeof small), "ab");
    assert_string_equal(http_guard_escape(NULL, small, sizeof small), "");
}

static void headers(void **state)
{
    (void)state;
    char msg[300];
    bool close_after;
    struct mg_request_info ri = head("/health", HTTP_GUARD_MAX_HEADERS);
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 0);
    ri = head("/health", MG_MAX_HEADERS); /* CivetWeb's cap: some may be gone */
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 431);
    assert_true(close_after);
    assert_non_null(strstr(msg, "at least 64"));
}

static void content_length(void **state)
{
    (void)state;
    char msg[300];
    bool close_after;
    struct mg_request_info ri = head("/runs", 3);
    ri.http_headers[0].name = "Content-Length";
    ri.http_headers[0].value = "2";
    ri.http_headers[2].name = "content-length";
    ri.http_headers[2].value = "2";
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 0);
    assert_false(close_after);
    ri.http_headers[2].value = "40";
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 400);
    assert_true(close_after);
    assert_non_null(strstr(msg, "Content-Length"));
    assert_non_null(strstr(msg, "\"40\""));
}

static void paths(void **state)
{
    (void)state;
    char msg[300];
    bool close_after;
    struct mg_request_info ri = head("/call/\xFF", 0);
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 400);
    assert_non_null(strstr(msg, "UTF-8"));
    assert_non_null(strstr(msg, "\\xFF"));
    assert_false(close_after);
    ri = head("/a\rb", 0);
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 400);
    assert_non_null(strstr(msg, "control character"));
    assert_null(strchr(msg, '\r'));
    ri = head("/n\xC3\xA9", 0);
    assert_int_equal(http_guard_check(&ri, msg, sizeof msg, &close_after), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8),    cmocka_unit_test(escape),         cmocka_unit_test(headers),
        cmocka_unit_test(content_length), cmocka_unit_test(paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
