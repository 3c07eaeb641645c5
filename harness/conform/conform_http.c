/* Real HTTP exchanges for `dialsim conform`, with libcurl directly: a fresh
 * connection per request (each trigger a customer's endpoint gets is a first
 * contact, TLS handshake included), certificate and host name verification
 * always on, no redirects followed (the core does not follow them either, so
 * a 301 is an answer that is not 200/201). */
#define _XOPEN_SOURCE 700 /* strptime */
#include "conform/conform.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sim/http_curl.h"

/* The first bytes of an answer, kept printable for reports and XML. */
struct sink {
    char head[96];
    size_t len;
};

struct exchange {
    CURL *easy;
    struct sink sink;
    char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    for (size_t i = 0; i < n && s->len + 1 < sizeof s->head; i++) {
        unsigned char c = (unsigned char)data[i];
        s->head[s->len++] = c == '\n' || c == '\r' || c == '\t' ? ' '
                            : c < 0x20 || c > 0x7e              ? '.'
                                                                : (char)c;
    }
    s->head[s->len] = '\0';
    return n; /* the rest is read and dropped: the answer's size is not checked */
}

static bool has_header(const char *const *headers, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (!strncasecmp(headers[i], name, nl) && headers[i][nl] == ':')
            return true;
    return false;
}

/* The caller's headers, then the defaults it did not set. NULL when out of
 * memory. */
static struct curl_slist *make_headers(const struct conform_target *t)
{
    struct curl_slist *hl = NULL, *n;
    for (size_t i = 0; t->headers && t->headers[i]; i++) {
        if (!(n = curl_slist_append(hl, t->headers[i])))
            goto oom;
        hl = n;
    }
    if (!has_header(t->headers, "Content-Type")) {
        if (!(n = curl_slist_append(hl, "Content-Type: application/json")))
            goto oom;
        hl = n;
    }
    if (!has_header(t->headers, "User-Agent")) {
        if (!(n = curl_slist_append(hl, "User-Agent: dialsim-conform")))
            goto oom;
        hl = n;
    }
    /* no 100-continue round trip for the large payload: the core sends none */
    if (!(n = curl_slist_append(hl, "Expect:")))
        goto oom;
    return n;
oom:
    curl_slist_free_all(hl);
    return NULL;
}

static int setup(struct exchange *x, const struct conform_target *t, struct curl_slist *hl,
                 const char *body, size_t len)
{
    CURL *e = x->easy = curl_easy_init();
    if (!e)
        return -1;
    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->sink);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->timeout_ms);
    /* Nothing turns these off: --cacert only says which CAs to trust. */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    http_curl_trust(e, t->cacert); /* --cacert, else $CURL_CA_BUNDLE, else libcurl's */
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_CERTINFO, 1L); /* the certificate's expiry, for a warning */
    return 0;
}

/* "Expire date:" of the server's own certificate (the first of the chain),
 * as libcurl's OpenSSL backend writes it: "Jan  1 00:00:00 2027 GMT" (older
 * versions) or "2027-01-01 00:00:00 GMT". 0 when absent or unreadable. */
static int64_t cert_expiry(CURL *e)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return 0;
    for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
        if (strncmp(l->data, "Expire date:", 12) != 0)
            continue;
        const char *v = l->data + 12;
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(v, "%Y-%m-%d %H:%M:%S", &tm);
        if (!end) {
            memset(&tm, 0, sizeof tm);
            end = strptime(v, "%b %d %H:%M:%S %Y", &tm);
        }
        return end ? (int64_t)timegm(&tm) : 0;
    }
    return 0;
}

/* The core's classification (sim/http_curl.c), in conform's words: a
 * failure is named as the run would fail. */
static enum conform_outcome classify(CURLcode rc)
{
    switch (http_curl_outcome(rc)) {
    case DS_HTTP_RESPONSE:
        return CONFORM_ANSWERED;
    case DS_HTTP_TIMEOUT:
        return CONFORM_TIMEOUT;
    case DS_HTTP_CONNECT_FAILED:
        return CONFORM_CONNECT;
    case DS_HTTP_TLS_FAILED:
        return CONFORM_TLS;
    default:
        return CONFORM_TRANSPORT;
    }
}

static void finish(struct exchange *x, CURLcode rc, const struct conform_target *t,
                   struct conform_answer *a)
{
    memset(a, 0, sizeof *a);
    a->outcome = classify(rc);
    curl_off_t us = 0;
    curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us);
    a->ms = (int64_t)(us / 1000);
    curl_off_t tls_us = 0;
    curl_easy_getinfo(x->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us);
    a->tls_done = tls_us > 0;
    if (a->tls_done)
        a->cert_expires = cert_expiry(x->easy);
    if (a->outcome == CONFORM_ANSWERED)
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &a->status);
    else if (http_curl_no_ca_store(rc, !t->cacert, "pass --cacert FILE", a->error, sizeof a->error))
        a->no_ca_store = true;
    else
        snprintf(a->error, sizeof a->error, "%s",
                 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    memcpy(a->body_head, x->sink.head, sizeof a->body_head);
}

int conform_post(const struct conform_target *t, const char *body, size_t len,
                 struct conform_answer *a)
{
    return conform_post_many(t, body, len, 1, a);
}

int conform_post_many(const struct conform_target *t, const char *body, size_t len, int n,
                      struct conform_answer *out)
{
    /* Until an exchange finishes, its answer says it never happened, so a
     * caller that ignores -1 still reads a defined failure. */
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].outcome = CONFORM_TRANSPORT;
        snprintf(out[i].error, sizeof out[i].error, "the request could not be set up");
    }
    struct curl_slist *hl = make_headers(t);
    struct exchange *xs = calloc((size_t)n, sizeof *xs);
    CURLM *m = curl_multi_init();
    int rc = -1;
    if (!hl || !xs || !m)
        goto out;
    for (int i = 0; i < n; i++) {
        if (setup(&xs[i], t, hl, body, len))
            goto out;
        curl_easy_setopt(xs[i].easy, CURLOPT_PRIVATE, (void *)&xs[i]);
        if (curl_multi_add_handle(m, xs[i].easy) != CURLM_OK)
            goto out;
    }
    int running = n;
    while (running > 0) {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            goto out;
        if (running > 0 && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
            goto out;
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct exchange *x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        finish(x, msg->data.result, t, &out[x - xs]);
    }
    rc = 0;
out:
    for (int i = 0; xs && i < n; i++) {
        if (!xs[i].easy)
            continue;
        if (m)
            curl_multi_remove_handle(m, xs[i].easy);
        curl_easy_cleanup(xs[i].easy);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(hl);
    free(xs);
    return rc;
}

bool conform_answer_ok(const struct conform_answer *a)
{
    return a->outcome == CONFORM_ANSWERED && (a->status == 200 || a->status == 201);
}

static const char *reason_phrase(long status)
{
    static const struct {
        long status;
        const char *text;
    } t[] = {
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {413, "Content Too Large"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].status == status)
            return t[i].text;
    return "";
}

const char *conform_answer_describe(const struct conform_answer *a, char *buf, size_t n)
{
    switch (a->outcome) {
    case CONFORM_ANSWERED: {
        const char *p = reason_phrase(a->status);
        snprintf(buf, n, "%ld%s%s in %lld ms", a->status, *p ? " " : "", p, (long long)a->ms);
        break;
    }
    case CONFORM_TIMEOUT:
        snprintf(buf, n, "no answer within %lld ms", (long long)a->ms);
        break;
    case CONFORM_CONNECT:
        snprintf(buf, n, "connection failed: %s", a->error);
        break;
    case CONFORM_TLS:
        snprintf(buf, n, "TLS failed: %s", a->error);
        break;
    case CONFORM_TRANSPORT:
        snprintf(buf, n, "no valid answer: %s", a->error);
        break;
    }
    return buf;
}

int conform_url_usable(const char *url, bool *https)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = -1;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        (!strcmp(scheme, "https") || !strcmp(scheme, "http")) && *host) {
        rc = 0;
        if (https)
            *https = !strcmp(scheme, "https");
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}
