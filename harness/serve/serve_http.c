/* The core's HTTP client in serve mode: sim/http_curl.c (real mode), but on
 * worker threads. http_curl performs a request in the caller's thread; in
 * serve the caller is the core, holding the core lock, so a provider that
 * takes 30 s to answer would stop every other request for 30 s. Here send()
 * copies the request and returns at once; a worker performs it with its own
 * libcurl handle and http_curl delivers the answer through the real clock,
 * i.e. on the timer thread with the core lock held, as the ds_http contract
 * wants ("done follows, never before send returns").
 *
 * On stop the workers finish what is queued (each request within its own
 * timeout), so that every request accepted gets its answer delivered; the
 * answers go through the clock, which therefore stops after srv_http_stop
 * and before srv_http_destroy frees the handles they point at. */
#include "serve/serve_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/http_curl.h"

#define SRV_HTTP_MAX_WORKERS 16

struct job {
    struct job *next;
    char *method, *url, *body;
    size_t body_len;
    struct ds_header *headers; /* names and values owned */
    size_t n_headers;
    int64_t timeout_ms;
    size_t max_body;
    ds_http_done_fn done;
    void *arg;
};

struct srv_http {
    struct ds_clock clock;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    bool stop;
    int n;
    pthread_t th[SRV_HTTP_MAX_WORKERS];
    struct http_curl *curl[SRV_HTTP_MAX_WORKERS];
};

struct worker_arg {
    struct srv_http *h;
    int i;
};

static void job_free(struct job *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n_headers; i++) {
        free((char *)j->headers[i].name);
        free((char *)j->headers[i].value);
    }
    free(j->headers);
    free(j->method);
    free(j->url);
    free(j->body);
    free(j);
}

static struct job *job_copy(const struct ds_http_request *req)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->method = strdup(req->method ? req->method : "GET");
    j->url = strdup(req->url ? req->url : "");
    j->timeout_ms = req->timeout_ms;
    j->max_body = req->max_body;
    bool ok = j->method && j->url;
    if (req->body) {
        j->body = malloc(req->body_len + 1);
        ok = ok && j->body;
        if (j->body) {
            memcpy(j->body, req->body, req->body_len);
            j->body[req->body_len] = '\0';
            j->body_len = req->body_len;
        }
    }
    if (req->n_headers) {
        j->headers = calloc(req->n_headers, sizeof *j->headers);
        ok = ok && j->headers;
        for (size_t i = 0; j->headers && i < req->n_headers; i++) {
            j->headers[i].name = strdup(req->headers[i].name);
            j->headers[i].value = strdup(req->headers[i].value);
            j->n_headers++;
            ok = ok && j->headers[i].name && j->headers[i].value;
        }
    }
    if (!ok) {
        job_free(j);
        return NULL;
    }
    return j;
}

static void *worker(void *arg)
{
    struct srv_http *h = ((struct worker_arg *)arg)->h;
    int i = ((struct worker_arg *)arg)->i;
    free(arg);
    struct ds_http port = http_curl_port(h->curl[i]);
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->head && !h->stop)
            pthread_cond_wait(&h->cv, &h->mu);
        struct job *j = h->head;
        if (!j)
            break; /* stop, and nothing left */
        h->head = j->next;
        if (!h->head)
            h->tail = NULL;
        pthread_mutex_unlock(&h->mu);
        struct ds_http_request req = {
            .method = j->method,
            .url = j->url,
            .headers = j->headers,
            .n_headers = j->n_headers,
            .body = j->body,
            .body_len = j->body_len,
            .timeout_ms = j->timeout_ms,
            .max_body = j->max_body,
        };
        /* -1 only when the clock refused the delivery (stopped) or memory ran
         * out: the answer is then lost, as a crash would lose it. */
        (void)port.ops->send(port.ctx, &req, j->done, j->arg);
        job_free(j);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static int op_send(void *ctx, const struct ds_http_request *req, ds_http_done_fn done, void *arg)
{
    struct srv_http *h = ctx;
    struct job *j = job_copy(req);
    if (!j)
        return -1;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&h->mu);
    if (h->stop) {
        pthread_mutex_unlock(&h->mu);
        job_free(j);
        return -1;
    }
    if (h->tail)
        h->tail->next = j;
    else
        h->head = j;
    h->tail = j;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static const struct ds_http_ops srv_http_ops = {op_send};

struct ds_http srv_http_port(struct srv_http *h)
{
    return (struct ds_http){&srv_http_ops, h};
}

int srv_http_create(struct srv_http **out, struct ds_clock clock, int workers)
{
    *out = NULL;
    struct srv_http *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->clock = clock;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (workers < 1)
        workers = 1;
    if (workers > SRV_HTTP_MAX_WORKERS)
        workers = SRV_HTTP_MAX_WORKERS;
    for (int i = 0; i < workers; i++) {
        struct worker_arg *wa = malloc(sizeof *wa);
        if (!wa || http_curl_create(&h->curl[i], clock, false) != 0) {
            free(wa);
            goto fail;
        }
        *wa = (struct worker_arg){h, i};
        if (pthread_create(&h->th[i], NULL, worker, wa) != 0) {
            free(wa);
            http_curl_destroy(h->curl[i]);
            h->curl[i] = NULL;
            goto fail;
        }
        h->n++;
    }
    *out = h;
    return 0;
fail:
    srv_http_destroy(h);
    return -1;
}

void srv_http_stop(struct srv_http *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    bool join = !h->stop;
    h->stop = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (join)
        for (int i = 0; i < h->n; i++)
            pthread_join(h->th[i], NULL);
}

void srv_http_destroy(struct srv_http *h)
{
    if (!h)
        return;
    srv_http_stop(h);
    /* An answer still waiting on the clock points at its handle: it is
     * delivered (as "abandoned") before the handle goes. With the clock
     * stopped first, as serve_destroy does, there is none left. */
    for (int i = 0; i < SRV_HTTP_MAX_WORKERS; i++) {
        if (h->curl[i])
            http_curl_abandon(h->curl[i]);
        http_curl_destroy(h->curl[i]);
    }
    while (h->head) {
        struct job *j = h->head;
        h->head = j->next;
        job_free(j);
    }
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
