#include "util/http_guard.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool http_guard_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t need;
        unsigned min;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            need = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= need)
            return false;
        for (size_t i = 1; i <= need; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        p += need + 1;
    }
    return true;
}

char *http_guard_escape(const char *s, char *out, size_t n)
{
    size_t k = 0;
    if (!n)
        return out;
    /* bytes >= 0x80 stay as they are only when they spell UTF-8 */
    bool utf8 = s && http_guard_utf8_ok(s, strlen(s));
    for (; s && *s && k + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || (c >= 0x80 && !utf8)) {
            if (k + 5 > n)
                break;
            k += (size_t)snprintf(out + k, n - k, "\\x%02X", c);
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = '\0';
    return out;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

static int let_on(struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
    return 1;
}

void http_guard_no_password_files(struct mg_context *ctx)
{
    mg_set_auth_handler(ctx, "/", let_on, NULL);
}

int http_guard_check(const struct mg_request_info *ri, char *msg, size_t n, bool *close_after)
{
    *close_after = false;
    if (ri->num_headers > HTTP_GUARD_MAX_HEADERS) {
        snprintf(msg, n, "too many headers: at most %d are read, this request has %s%d",
                 HTTP_GUARD_MAX_HEADERS, ri->num_headers >= MG_MAX_HEADERS ? "at least " : "",
                 ri->num_headers);
        *close_after = true; /* what CivetWeb dropped may have framed the body */
        return 431;
    }
    const char *cl = NULL;
    for (int i = 0; i < ri->num_headers; i++) {
        if (strcasecmp(ri->http_headers[i].name, "Content-Length") != 0)
            continue;
        if (cl && strcmp(cl, ri->http_headers[i].value) != 0) {
            snprintf(msg, n,
                     "header Content-Length: sent twice with different values (\"%.20s\" and "
                     "\"%.20s\"); send it once",
                     cl, ri->http_headers[i].value);
            *close_after = true; /* where the body ends is unknown */
            return 400;
        }
        cl = ri->http_headers[i].value;
    }
    const char *path = ri->local_uri ? ri->local_uri : "";
    if (!http_guard_utf8_ok(path, strlen(path))) {
        char raw[160];
        snprintf(msg, n, "path: not valid UTF-8 once percent-decoded: \"%s\"",
                 http_guard_escape(path, raw, sizeof raw));
        return 400;
    }
    if (has_control(path)) {
        char raw[160];
        snprintf(msg, n, "path: decodes to a control character: \"%s\"",
                 http_guard_escape(path, raw, sizeof raw));
        return 400;
    }
    return 0;
}
