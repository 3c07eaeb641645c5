#include "serve/serve_webhook_out.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* decision: a user's server that does not answer in 10 s has not answered
 * (providers give theirs about that long; Retell then retries); at most 32
 * POSTs at once, more wait their turn: a test's receiver, not a fleet. */
#define WEBHOOK_OUT_TIMEOUT_MS 10000L
#define WEBHOOK_OUT_MAX 32
#define WEBHOOK_OUT_MAX_ANSWER 65536

struct webhook_out {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running; /* POST threads alive */
    bool stopping;
};

struct job {
    struct webhook_out *o;
    char *url;
    struct curl_slist *headers;
    char *body;
    size_t len;
    void (*done)(void *arg, int status, const char *answer);
    void *arg;
};

struct answer {
    char buf[WEBHOOK_OUT_MAX_ANSWER + 1];
    size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    size_t k = size * n, room = WEBHOOK_OUT_MAX_ANSWER - a->len;
    memcpy(a->buf + a->len, p, k < room ? k : room);
    a->len += k < room ? k : room;
    return k; /* the rest is read and let go: the status is what counts */
}

/* the stop cuts a POST short instead of waiting out its timeout */
static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    struct webhook_out *o = ud;
    pthread_mutex_lock(&o->mu);
    bool stop = o->stopping;
    pthread_mutex_unlock(&o->mu);
    return stop;
}

static void job_free(struct job *j)
{
    free(j->url);
    free(j->body);
    curl_slist_free_all(j->headers);
    free(j);
}

static void *post_thread(void *arg)
{
    struct job *j = arg;
    struct webhook_out *o = j->o;
    struct answer *a = calloc(1, sizeof *a);
    int status = 0;
    char why[CURL_ERROR_SIZE + 64] = "out of memory";
    CURL *e = a ? curl_easy_init() : NULL;
    if (e) {
        char err[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(e, CURLOPT_URL, j->url);
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->len);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, WEBHOOK_OUT_TIMEOUT_MS);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, o);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
        CURLcode rc = curl_easy_perform(e);
        if (rc == CURLE_OK) {
            long st = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &st);
            status = (int)st;
            a->buf[a->len] = '\0';
        } else {
            snprintf(why, sizeof why, "no answer from %s: %s", j->url,
                     err[0] ? err : curl_easy_strerror(rc));
        }
        curl_easy_cleanup(e);
    }
    j->done(j->arg, status, status ? a->buf : why);
    free(a);
    job_free(j);
    pthread_mutex_lock(&o->mu);
    o->running--;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

int webhook_out_create(struct webhook_out **out)
{
    struct webhook_out *o = calloc(1, sizeof *o);
    *out = o;
    if (!o)
        return -1;
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    return 0;
}

void webhook_out_post(void *ctx, const char *url, const struct ds_header *headers, size_t nh,
                      const char *body, size_t len,
                      void (*done)(void *arg, int status, const char *answer), void *arg)
{
    struct webhook_out *o = ctx;
    struct job *j = calloc(1, sizeof *j);
    bool ok = j && (j->url = strdup(url)) && (j->body = malloc(len + 1));
    for (size_t i = 0; ok && i < nh; i++) {
        char line[1024];
        snprintf(line, sizeof line, "%s: %s", headers[i].name, headers[i].value);
        struct curl_slist *l = curl_slist_append(j->headers, line);
        ok = l != NULL;
        if (l)
            j->headers = l;
    }
    if (!ok) {
        if (j)
            job_free(j);
        done(arg, 0, "out of memory");
        return;
    }
    memcpy(j->body, body, len);
    j->body[len] = '\0';
    j->len = len;
    j->o = o;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&o->mu);
    while (!o->stopping && o->running >= WEBHOOK_OUT_MAX)
        pthread_cond_wait(&o->cv, &o->mu);
    bool stopping = o->stopping;
    if (!stopping)
        o->running++;
    pthread_mutex_unlock(&o->mu);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (stopping || pthread_create(&th, &at, post_thread, j) != 0) {
        pthread_attr_destroy(&at);
        if (!stopping) {
            pthread_mutex_lock(&o->mu);
            o->running--;
            pthread_cond_broadcast(&o->cv);
            pthread_mutex_unlock(&o->mu);
        }
        job_free(j);
        done(arg, 0, stopping ? "the server is stopping" : "cannot start a thread");
        return;
    }
    pthread_attr_destroy(&at);
}

void webhook_out_stop(struct webhook_out *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    o->stopping = true;
    pthread_cond_broadcast(&o->cv);
    while (o->running > 0)
        pthread_cond_wait(&o->cv, &o->mu);
    pthread_mutex_unlock(&o->mu);
}

void webhook_out_destroy(struct webhook_out *o)
{
    if (!o)
        return;
    webhook_out_stop(o);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    free(o);
}
