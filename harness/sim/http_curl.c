#include "sim/http_curl.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Wall-clock guard for simulated exchanges: loopback answers in microseconds,
 * so a mock that has not answered in this long is broken, not slow. */
#define SIM_WALL_LIMIT_MS 10000L

struct http_curl {
    struct ds_clock clock;
    bool simulated;
    CURL *easy;
    pthread_mutex_t easy_mu; /* the easy handle, cafile and sent: one request at a time */
    pthread_mutex_t mu;      /* the pending list only: never held for long */
    unsigned long sent;
    char *cafile;             /* NULL: the system's CA store */
    struct delivery *pending; /* answers scheduled but not yet delivered */
};

struct delivery {
    ds_http_done_fn done;
    void *arg;
    struct ds_http_response resp;
    struct http_curl *h;
    uint64_t timer;
    struct delivery *prev, *next;
};

static void unlink_delivery(struct delivery *d)
{
    struct http_curl *h = d->h;
    pthread_mutex_lock(&h->mu);
    if (d->prev)
        d->prev->next = d->next;
    else
        h->pending = d->next;
    if (d->next)
        d->next->prev = d->prev;
    pthread_mutex_unlock(&h->mu);
}

struct buf {
    char *p;
    size_t len, cap;
    size_t max; /* 0: no limit */
    bool over;
};

struct hdr_state {
    long latency_ms;
    bool has_latency;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int http_curl_create(struct http_curl **out, struct ds_clock clock, bool simulated)
{
    pthread_once(&curl_once, curl_init_once);
    struct http_curl *h = calloc(1, sizeof *h);
    *out = NULL;
    if (!h)
        return -1;
    h->clock = clock;
    h->simulated = simulated;
    h->easy = curl_easy_init();
    if (!h->easy || pthread_mutex_init(&h->mu, NULL) != 0 ||
        pthread_mutex_init(&h->easy_mu, NULL) != 0) {
        if (h->easy)
            curl_easy_cleanup(h->easy);
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

void http_curl_destroy(struct http_curl *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->easy);
    pthread_mutex_destroy(&h->mu);
    pthread_mutex_destroy(&h->easy_mu);
    free(h->cafile);
    free(h);
}

unsigned long http_curl_sent(const struct http_curl *h)
{
    return h->sent;
}

int http_curl_set_cafile(struct http_curl *h, const char *path)
{
    char *copy = path ? strdup(path) : NULL;
    if (path && !copy)
        return -1;
    pthread_mutex_lock(&h->easy_mu);
    free(h->cafile);
    h->cafile = copy;
    pthread_mutex_unlock(&h->easy_mu);
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    if (b->max && b->len + n > b->max) {
        b->over = true;
        return 0; /* libcurl stops the transfer */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return 0;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct hdr_state *hs = ud;
    size_t n = size * nmemb;
    size_t hl = strlen(DIALSIM_LATENCY_HEADER);
    if (n > hl + 1 && strncasecmp(data, DIALSIM_LATENCY_HEADER, hl) == 0 && data[hl] == ':') {
        char tmp[32];
        size_t vl = n - hl - 1 < sizeof tmp - 1 ? n - hl - 1 : sizeof tmp - 1;
        memcpy(tmp, data + hl + 1, vl);
        tmp[vl] = '\0';
        hs->latency_ms = strtol(tmp, NULL, 10);
        hs->has_latency = true;
    }
    return n;
}

static void deliver_event(void *arg)
{
    struct delivery *d = arg;
    unlink_delivery(d);
    d->done(d->arg, &d->resp);
    free(d->resp.body);
    free(d);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum ds_http_outcome http_curl_outcome(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_OK:
        return DS_HTTP_RESPONSE;
    case CURLE_OPERATION_TIMEDOUT:
        return DS_HTTP_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return DS_HTTP_CONNECT_FAILED;
    /* curl 7.88 with OpenSSL: an expired, wrong-host or unknown-CA certificate
     * is CURLE_PEER_FAILED_VERIFICATION (60), an unreadable CA file 77, a
     * server that does not speak TLS CURLE_SSL_CONNECT_ERROR (35). */
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return DS_HTTP_TLS_FAILED;
    default:
        return DS_HTTP_PROTOCOL_ERROR;
    }
}

const char *http_curl_system_cafile(void)
{
    const char *env = getenv(HTTP_CURL_CA_ENV);
    if (env && env[0])
        return env;
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v ? v->cainfo : NULL;
}

void http_curl_trust(void *curl_easy, const char *cafile)
{
    const char *env = getenv(HTTP_CURL_CA_ENV);
    if (cafile)
        curl_easy_setopt(curl_easy, CURLOPT_CAINFO, cafile);
    else if (env && env[0])
        curl_easy_setopt(curl_easy, CURLOPT_CAINFO, env);
}

bool http_curl_no_ca_store(int curl_code, bool system_store, const char *advice, char *out,
                           size_t n)
{
    /* With OpenSSL, libcurl says "error setting certificate file: PATH" (77)
     * both for a bundle that is not there and for one without a certificate
     * in it; either way nothing can be verified, and the fix is the same. */
    if (!system_store || (CURLcode)curl_code != CURLE_SSL_CACERT_BADFILE)
        return false;
    const char *env = getenv(HTTP_CURL_CA_ENV);
    const char *path = http_curl_system_cafile();
    snprintf(out, n, "no CA certificates found at %s: install ca-certificates, or %s%s",
             path ? path : "libcurl's default place", advice,
             env && env[0] ? " (" HTTP_CURL_CA_ENV " names that path)" : "");
    return true;
}

static int http_send(void *ctx, const struct ds_http_request *req, ds_http_done_fn done, void *arg)
{
    struct http_curl *h = ctx;
    struct delivery *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    d->done = done;
    d->arg = arg;
    /* The answer's place among events of its instant is taken now, before the
     * server sees the request: whatever the server schedules while answering
     * (a dial "on the answer", a webhook) is an effect of the request and runs
     * after the answer at the same instant (docs/architecture.md "Time"). */
    uint64_t place = ds_clock_place(&h->clock);

    struct curl_slist *hl = NULL;
    for (size_t i = 0; i < req->n_headers; i++) {
        char line[1024];
        snprintf(line, sizeof line, "%s: %s", req->headers[i].name, req->headers[i].value);
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    struct buf body = {.max = req->max_body};
    struct hdr_state hs = {0};

    /* easy_mu, not mu: delivering an answer (the clock's thread, holding the
     * core lock) takes mu, and must not wait for a request in progress */
    pthread_mutex_lock(&h->easy_mu);
    CURL *e = h->easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &hs);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* Verification is libcurl's default; said here so that no later edit can
     * lose it (2 is "verify the name"; 1 means the same since curl 7.66). */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    http_curl_trust(e, h->cafile);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    long wall_limit = h->simulated          ? SIM_WALL_LIMIT_MS
                      : req->timeout_ms > 0 ? (long)req->timeout_ms
                                            : 0L;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, wall_limit);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, wall_limit);
    int64_t t0 = wall_ms();
    CURLcode rc = curl_easy_perform(e);
    int64_t took = wall_ms() - t0;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL); /* errbuf goes out of scope */
    bool system_store = h->cafile == NULL;          /* read under easy_mu */
    h->sent++;
    pthread_mutex_unlock(&h->easy_mu);
    curl_slist_free_all(hl);

    struct ds_http_response *r = &d->resp;
    r->body = body.p ? body.p : strdup("");
    r->body_len = body.len;
    if (rc == CURLE_OK) {
        r->outcome = DS_HTTP_RESPONSE;
        r->status = status;
    } else if (body.over) {
        r->outcome = DS_HTTP_PROTOCOL_ERROR;
        snprintf(r->error, sizeof r->error, "the body is larger than the %zu-byte limit",
                 req->max_body);
    } else {
        r->outcome = http_curl_outcome(rc);
        /* For TLS the error buffer says which certificate problem it was;
         * curl_easy_strerror only names the class. Other errors keep the
         * class: their buffer holds the port, which differs run to run. */
        bool tls = r->outcome == DS_HTTP_TLS_FAILED && errbuf[0];
        /* serve and run have no --cacert: the environment is their way */
        if (!http_curl_no_ca_store(rc, system_store,
                                   "set " HTTP_CURL_CA_ENV " to a PEM file of CA certificates",
                                   r->error, sizeof r->error))
            snprintf(r->error, sizeof r->error, "%s", tls ? errbuf : curl_easy_strerror(rc));
    }
    int64_t elapsed = h->simulated ? (hs.has_latency ? hs.latency_ms : 0) : took;
    if (h->simulated && r->outcome == DS_HTTP_RESPONSE && req->timeout_ms > 0 &&
        elapsed >= req->timeout_ms) {
        /* The mock was told to be slower than the caller waits. */
        r->outcome = DS_HTTP_TIMEOUT;
        r->status = 0;
        elapsed = req->timeout_ms;
        snprintf(r->error, sizeof r->error, "no answer within %lld ms", (long long)req->timeout_ms);
    }
    r->elapsed_ms = elapsed;
    int64_t at = ds_now(&h->clock) + (h->simulated ? elapsed : 0);
    d->h = h;
    /* Scheduled with the handle's mutex held: with a real clock the timer
     * thread may deliver (and free d) the moment schedule returns, and
     * deliver_event takes this mutex first, so it waits until d->timer is
     * written; after the unlock d is not touched again. (Lock order:
     * h->mu, then the clock's own; nothing takes them the other way round.) */
    pthread_mutex_lock(&h->mu);
    d->next = h->pending;
    if (h->pending)
        h->pending->prev = d;
    h->pending = d;
    uint64_t timer = ds_schedule_at_place(&h->clock, at, place, deliver_event, d);
    d->timer = timer;
    pthread_mutex_unlock(&h->mu);
    if (timer == 0) { /* never scheduled: d is still ours */
        unlink_delivery(d);
        free(r->body);
        free(d);
        return -1;
    }
    return 0;
}

void http_curl_abandon(struct http_curl *h)
{
    for (;;) {
        pthread_mutex_lock(&h->mu);
        struct delivery *d = h->pending;
        pthread_mutex_unlock(&h->mu);
        if (!d)
            return;
        unlink_delivery(d);
        h->clock.ops->cancel(h->clock.ctx, d->timer);
        /* the caller still hears back, once, so that what it holds is freed */
        free(d->resp.body);
        d->resp = (struct ds_http_response){.outcome = DS_HTTP_PROTOCOL_ERROR, .body = (char *)""};
        snprintf(d->resp.error, sizeof d->resp.error, "abandoned: the clock was stopped first");
        d->done(d->arg, &d->resp);
        free(d);
    }
}

static const struct ds_http_ops http_curl_ops = {http_send};

struct ds_http http_curl_port(struct http_curl *h)
{
    return (struct ds_http){&http_curl_ops, h};
}
