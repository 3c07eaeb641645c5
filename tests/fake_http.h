/* A fake HTTP port (struct ds_http_ops) for tests of the core on a real evq:
 * no network. fake_http_schedule delivers an answer at a virtual time, for
 * tests that write their own send(); struct fake_http is the scripted port
 * of test_core.c, test_transcript_match.c and test_ingest.c. */
#ifndef DIALSIM_TEST_FAKE_HTTP_H
#define DIALSIM_TEST_FAKE_HTTP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sim/evq.h"

struct fake_http_delivery {
    ds_http_done_fn done;
    void *arg;
    struct ds_http_response resp; /* body owned */
};

static inline void fake_http_deliver(void *arg)
{
    struct fake_http_delivery *d = arg;
    d->done(d->arg, &d->resp);
    free(d->resp.body);
    free(d);
}

/* Call done(arg, resp') at virtual time at on q, resp' a copy of *resp whose
 * body (body_len bytes) is copied and NUL-terminated; a copy is freed once
 * delivered, so drain q before destroying it. */
static inline void fake_http_schedule(struct evq *q, int64_t at, ds_http_done_fn done, void *arg,
                                      const struct ds_http_response *resp)
{
    struct fake_http_delivery *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->done = done;
    d->arg = arg;
    d->resp = *resp;
    d->resp.body = malloc(resp->body_len + 1);
    assert_non_null(d->resp.body);
    memcpy(d->resp.body, resp->body, resp->body_len);
    d->resp.body[resp->body_len] = '\0';
    evq_schedule(q, at, fake_http_deliver, d);
}

#define FAKE_HTTP_MAX 16 /* requests recorded */

struct fake_answer {
    long status;
    const char *body;
    int64_t latency_ms;
};

/* The scripted port: records the first FAKE_HTTP_MAX requests; answers GETs
 * 200 get_body, and the n-th POST script[n] if there is one, else 201
 * {"id":"call-<i>","status":"queued"} (i counts all requests from 1); 100 ms
 * unless the script says otherwise. */
struct fake_http {
    struct evq *q;
    struct core *core; /* if set, its run count is taken at the first send */
    int sent;          /* requests, all methods */
    int posts;         /* POSTs among them */
    char methods[FAKE_HTTP_MAX][8];
    char urls[FAKE_HTTP_MAX][256];
    char bodies[FAKE_HTTP_MAX][1024];
    size_t runs_at_first_send;
    struct fake_answer script[8]; /* answers for POSTs, in order */
    int n_script;
    const char *get_body; /* NULL: ended, customer-did-not-answer */
};

static inline int fake_http_send(void *ctx, const struct ds_http_request *req, ds_http_done_fn done,
                                 void *arg)
{
    struct fake_http *f = ctx;
    if (f->sent == 0 && f->core)
        f->runs_at_first_send = core_run_count(f->core);
    int i = f->sent++;
    if (i < FAKE_HTTP_MAX) {
        snprintf(f->methods[i], sizeof f->methods[i], "%s", req->method);
        snprintf(f->urls[i], sizeof f->urls[i], "%s", req->url);
        snprintf(f->bodies[i], sizeof f->bodies[i], "%s", req->body ? req->body : "");
    }
    struct ds_http_response resp = {.outcome = DS_HTTP_RESPONSE};
    char idbody[128];
    int64_t latency = 100;
    if (strcmp(req->method, "GET") == 0) {
        resp.status = 200;
        resp.body = (char *)(f->get_body ? f->get_body
                                         : "{\"status\":\"ended\",\"endedReason\":\"customer-did-"
                                           "not-answer\"}");
    } else {
        struct fake_answer a = {201, NULL, 100};
        int pi = strcmp(req->method, "POST") == 0 ? f->posts++ : f->posts;
        if (pi < f->n_script)
            a = f->script[pi];
        snprintf(idbody, sizeof idbody, "{\"id\":\"call-%d\",\"status\":\"queued\"}", i + 1);
        resp.status = a.status;
        resp.body = (char *)(a.body ? a.body : idbody);
        latency = a.latency_ms;
    }
    resp.body_len = strlen(resp.body);
    resp.elapsed_ms = latency;
    fake_http_schedule(f->q, evq_now(f->q) + latency, done, arg, &resp);
    return 0;
}

static const struct ds_http_ops fake_http_ops = {fake_http_send};

#endif
