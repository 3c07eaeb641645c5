/* What every provider adapter shares: request plumbing, the mapping of HTTP
 * statuses to reasons (AO-4), the retry classification (docs/retries.md). */
#include "core/provider.h"
#include "core/json_depth.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void provider_req_clear(struct provider_req *r)
{
    free(r->method);
    free(r->url);
    free(r->body);
    for (size_t i = 0; i < r->n_headers; i++)
        free(r->header_values[i]);
    memset(r, 0, sizeof *r);
}

int provider_req_header(struct provider_req *r, const char *name, const char *value)
{
    if (r->n_headers == PROVIDER_MAX_HEADERS)
        return -1;
    char *v = strdup(value);
    if (!v)
        return -1;
    r->header_values[r->n_headers] = v;
    r->headers[r->n_headers] = (struct ds_header){name, v};
    r->n_headers++;
    return 0;
}

const char *provider_header(const struct ds_header *h, size_t nh, const char *name)
{
    for (size_t i = 0; i < nh; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

char *provider_join_url(const char *base, const char *path)
{
    size_t bl = strlen(base ? base : "");
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    size_t n = bl + strlen(path) + 1;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "%.*s%s", (int)bl, base ? base : "", path);
    return u;
}

/* Retried: nothing was sent (connect failure). Not retried: a timeout or a
 * connection cut after the request went out — the provider may have placed
 * the call, and a second request could place it twice. */
void provider_transport_failure(const struct ds_http_response *resp, const char *display,
                                struct provider_start_result *out)
{
    out->ok = false;
    out->reason = DS_REASON_PROVIDER_UNREACHABLE;
    out->retryable = resp->outcome == DS_HTTP_CONNECT_FAILED;
    switch (resp->outcome) {
    case DS_HTTP_TIMEOUT:
        snprintf(out->detail, sizeof out->detail, "%s did not answer within %lld ms", display,
                 (long long)resp->elapsed_ms);
        break;
    case DS_HTTP_CONNECT_FAILED:
        snprintf(out->detail, sizeof out->detail, "%s could not be reached: %s", display,
                 resp->error[0] ? resp->error : "connection failed");
        break;
    case DS_HTTP_TLS_FAILED:
        snprintf(out->detail, sizeof out->detail, "%s could not be reached: TLS failed (%s)",
                 display, resp->error[0] ? resp->error : "handshake or certificate");
        break;
    default:
        snprintf(out->detail, sizeof out->detail,
                 "%s's answer was cut off (%s); the call may or may not have been placed", display,
                 resp->error[0] ? resp->error : "protocol error");
        break;
    }
}

/* AO-4: the provider's refusal becomes the run's reason, its words the detail. */
void provider_classify_status(long status, const char *message, struct provider_start_result *out)
{
    out->ok = false;
    snprintf(out->detail, sizeof out->detail, "%ld: %s", status, message ? message : "");
    out->retryable = status == 429 || status >= 500;
    if (status == 401)
        out->reason = DS_REASON_PROVIDER_AUTH_FAILED;
    else if (status == 402)
        out->reason = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
    else if (status == 403)
        out->reason = DS_REASON_PROVIDER_PERMISSION_DENIED;
    else if (status == 429)
        out->reason = DS_REASON_PROVIDER_RATE_LIMITED;
    else if (status >= 500)
        out->reason = DS_REASON_PROVIDER_ERROR;
    else
        out->reason = DS_REASON_PROVIDER_REJECTED_REQUEST;
}

int provider_get_url(const char *url, struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    out->method = strdup("GET");
    out->url = strdup(url ? url : "");
    if (!out->method || !out->url || !url || !*url) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

bool provider_word_in(const char *word, const char *const *list)
{
    for (; word && *list; list++)
        if (strcmp(word, *list) == 0)
            return true;
    return false;
}

int provider_webhook_json(const char *body, size_t len, json_t **out, char *err, size_t n)
{
    json_error_t je;
    *out = json_depth_loadb(body, len, 0, &je);
    if (!*out && json_depth_exceeded(&je)) {
        snprintf(err, n, "body: %s", je.text);
        return -1;
    }
    return 0;
}

int64_t provider_age(int64_t now, int64_t then)
{
    if (then < 0 && now > INT64_MAX + then)
        return INT64_MAX; /* far in the past: as old as can be */
    if (then > 0 && now < INT64_MIN + then)
        return INT64_MIN;
    return now - then;
}

int provider_parse_i64(const char *s, const char **end, int64_t *out)
{
    bool neg = *s == '-';
    const char *p = s + neg;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (lim - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    *end = p;
    return 0;
}

int provider_req_json(struct provider_req *out, const char *method, const char *base,
                      const char *path, json_t *body)
{
    memset(out, 0, sizeof *out);
    if (body) {
        out->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(body);
    }
    out->method = strdup(method);
    out->url = provider_join_url(base, path);
    if ((body && !out->body) || !out->method || !out->url ||
        (body && provider_req_header(out, "Content-Type", "application/json"))) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

json_t *provider_start_body(const struct provider_ops *ops, const struct provider_call_spec *spec)
{
    struct provider_req r;
    if (ops->build_start(spec, &r) != 0)
        return NULL;
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    provider_req_clear(&r);
    return j;
}
