/* util/http_guard.c: the checks on a request's head that CivetWeb does not
 * make (docs/api.md#limits), on request_info records built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
    assert_true(http_guard_utf8_ok("/n\xC3\xA9", 4));        /* é */
    assert_true(http_guard_utf8_ok("\xF0\x9F\x93\x9E", 4));  /* U+1F4DE */
    assert_false(http_guard_utf8_ok("/\xFF", 2));            /* never UTF-8 */
    assert_false(http_guard_utf8_ok("\xC0\xAF", 2));         /* overlong '/' */
    assert_false(http_guard_utf8_ok("\xED\xA0\x80", 3));     /* a surrogate */
    assert_false(http_guard_utf8_ok("\xC3", 1));             /* cut short */
    assert_false(http_guard_utf8_ok("\xF4\x90\x80\x80", 4)); /* past U+10FFFF */
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

static int fixed_200(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    return 200;
}

/* The status CivetWeb answers a GET of / with, on 127.0.0.1:port. */
static int status_of_get(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    static const char rq[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    assert_int_equal(write(fd, rq, sizeof rq - 1), (ssize_t)(sizeof rq - 1));
    char buf[64] = {0};
    size_t got = 0;
    ssize_t r;
    while (got < 12 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)r;
    close(fd);
    int status = 0;
    assert_int_equal(sscanf(buf, "HTTP/1.1 %d", &status), 1);
    return status;
}

/* A password file where CivetWeb looks for one makes it ask for Digest
 * credentials before a handler runs; with the guard's authorisation handler
 * the request reaches the handler (and nothing is looked up). CivetWeb looks
 * at /.htpasswd for a handler's path, which a test does not write: the
 * global_auth_file option names another file for the same check. */
static void password_files_ignored(void **state)
{
    (void)state;
    char dir[] = "/tmp/dialsim-htpasswd-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[64];
    snprintf(file, sizeof file, "%s/.htpasswd", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("user:mydomain.com:0123456789abcdef0123456789abcdef\n", f);
    fclose(f);
    const char *opts[] = {
        "listening_ports", "127.0.0.1:0", "global_auth_file", file, "num_threads", "1", NULL};
    struct mg_context *ctx = mg_start(NULL, NULL, opts);
    assert_non_null(ctx);
    struct mg_server_port port;
    assert_int_equal(mg_get_server_ports(ctx, 1, &port), 1);
    mg_set_request_handler(ctx, "/", fixed_200, NULL);
    assert_int_equal(status_of_get(port.port), 401); /* CivetWeb's own check */
    http_guard_no_password_files(ctx);
    assert_int_equal(status_of_get(port.port), 200);
    mg_stop(ctx);
    unlink(file);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8),    cmocka_unit_test(escape),
        cmocka_unit_test(headers), cmocka_unit_test(content_length),
        cmocka_unit_test(paths),   cmocka_unit_test(password_files_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
