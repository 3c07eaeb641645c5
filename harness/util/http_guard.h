/* Checks on a request's head that CivetWeb 1.15 does not make, shared by the
 * mocks' server and `dialsim serve` (docs/api.md#limits):
 *
 *  - CivetWeb keeps MG_MAX_HEADERS (64) headers and silently drops the rest,
 *    so a request that reaches that count may have lost some: 431.
 *  - Two Content-Length headers that disagree leave the body's end unknown
 *    (request smuggling): 400, and the connection is closed.
 *  - A path that is not valid UTF-8 once percent-decoded, or that decodes to
 *    a control character, cannot be routed or logged faithfully: 400.
 *
 * http_guard_check returns 0 when the request may go on, else the status to
 * answer with, and writes the message (what was wrong, which header) to msg.
 * *close_after is set when the connection must not be reused after the
 * answer. Nothing is allocated. */
#ifndef DIALSIM_HTTP_GUARD_H
#define DIALSIM_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct mg_context;
struct mg_request_info;

/* The most headers a request may carry: one fewer than CivetWeb keeps, so
 * that a request at the limit is known to be whole. */
#define HTTP_GUARD_MAX_HEADERS 63

/* What both servers of `dialsim serve` promise a client (docs/api.md#limits):
 * an idle keep-alive connection is kept this long, and every answer says so
 * (seconds in the header) so that a pooling client lets go of it first; a
 * request's head must arrive within HTTP_HEAD_TIMEOUT_MS. CivetWeb takes its
 * options as strings. */
#define HTTP_KEEP_ALIVE_MS "5000"
#define HTTP_KEEP_ALIVE_HDR "Keep-Alive: timeout=5\r\n"
#define HTTP_HEAD_TIMEOUT_MS "5000"

int http_guard_check(const struct mg_request_info *ri, char *msg, size_t n, bool *close_after);

/* CivetWeb 1.15 looks for a password file before every request a handler
 * takes (with no document root, "/.htpasswd": one stat a request) and, should
 * one exist, asks for Digest credentials. Our servers serve no files and do
 * their own access checks (mock_access.h, serve.c): an authorisation handler
 * that lets every request on ends both. Call after mg_start. */
void http_guard_no_password_files(struct mg_context *ctx);

/* Is s (len bytes) valid UTF-8 (no overlong forms, no surrogates)? */
bool http_guard_utf8_ok(const char *s, size_t len);

/* Copy s into out (n bytes, always terminated) with control characters,
 * DEL, '"' and '\\' escaped as \xHH (and bytes >= 0x80 too unless s is valid
 * UTF-8), so a logged path or header is one line of text that cannot forge
 * another. Returns out. */
char *http_guard_escape(const char *s, char *out, size_t n);

#endif
