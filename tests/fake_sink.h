/* A fake core for provider webhooks (struct mock_webhook_sink), shared by the
 * mock tests: it records every delivery — provider, headers, body, virtual
 * time — checks that it came without the world's mutex (mock.h: the sink is
 * called without it), and answers 200 — or 404 to the first `refuse`
 * deliveries, as a core that does not know the call yet. */
#ifndef DIALSIM_TEST_FAKE_SINK_H
#define DIALSIM_TEST_FAKE_SINK_H

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mock.h"
#include "sim/evq.h"

#define FAKE_SINK_MAX 16

struct fake_delivery {
    char provider[16];
    size_t n_headers;
    char names[4][64];
    char values[4][400];
    struct ds_header headers[4]; /* point into names/values */
    char *body;                  /* owned */
    json_t *json;                /* body parsed; owned */
    int64_t at;
    bool mutex_free; /* the world's mutex was not held */
};

struct fake_sink {
    struct evq *q;
    pthread_mutex_t *mu;
    int n;
    int refuse; /* answer 404 to this many more deliveries */
    struct fake_delivery d[FAKE_SINK_MAX];
};

static inline int fake_sink_deliver(void *ctx, const char *provider,
                                    const struct ds_header *headers, size_t n_headers,
                                    const char *body, size_t body_len)
{
    struct fake_sink *s = ctx;
    if (s->n >= FAKE_SINK_MAX)
        return 500;
    struct fake_delivery *d = &s->d[s->n++];
    snprintf(d->provider, sizeof d->provider, "%s", provider);
    for (size_t i = 0; i < n_headers && i < 4; i++) {
        snprintf(d->names[i], sizeof d->names[i], "%s", headers[i].name);
        snprintf(d->values[i], sizeof d->values[i], "%s", headers[i].value);
        d->headers[i] = (struct ds_header){d->names[i], d->values[i]};
        d->n_headers = i + 1;
    }
    d->body = malloc(body_len + 1);
    if (d->body) {
        memcpy(d->body, body, body_len);
        d->body[body_len] = '\0';
    }
    d->json = json_loadb(body, body_len, 0, NULL);
    d->at = evq_now(s->q);
    int rc = pthread_mutex_trylock(s->mu);
    if (rc == 0)
        pthread_mutex_unlock(s->mu);
    d->mutex_free = rc == 0;
    if (s->refuse > 0) {
        s->refuse--;
        return 404;
    }
    return 200;
}

/* A header of a delivery, name in any case; NULL when absent. */
static inline const char *fake_sink_header(const struct fake_delivery *d, const char *name)
{
    for (size_t i = 0; i < d->n_headers; i++)
        if (strcasecmp(d->names[i], name) == 0)
            return d->values[i];
    return NULL;
}

static inline void fake_sink_clear(struct fake_sink *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->d[i].body);
        json_decref(s->d[i].json);
    }
    s->n = 0;
}

#endif
