#include "sim/evq.h"

#include <pthread.h>
#include <stdlib.h>

struct ev {
    int64_t at;
    uint64_t seq; /* also the timer id */
    ds_timer_fn fn;
    void *arg;
};

struct evq {
    pthread_mutex_t mu;
    struct ev *heap;
    size_t n, cap;
    int64_t now;
    uint64_t seq;
    uint64_t executed;
};

#define TIME_LIMIT (INT64_MAX / 4)

int64_t ds_time_add(int64_t a, int64_t b)
{
    if (b > 0 && a > TIME_LIMIT - b)
        return TIME_LIMIT;
    if (b < 0 && a < -TIME_LIMIT - b)
        return -TIME_LIMIT;
    int64_t r = a + b;
    if (r > TIME_LIMIT)
        return TIME_LIMIT;
    if (r < -TIME_LIMIT)
        return -TIME_LIMIT;
    return r;
}

static int ev_before(const struct ev *a, const struct ev *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    return a->seq < b->seq;
}

static void sift_up(struct ev *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_before(&h[i], &h[p]))
            break;
        struct ev t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void sift_down(struct ev *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && ev_before(&h[l], &h[m]))
            m = l;
        if (r < n && ev_before(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        struct ev t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

int evq_create(struct evq **out, int64_t start_ms)
{
    struct evq *q = calloc(1, sizeof *q);
    *out = NULL;
    if (!q)
        return -1;
    if (pthread_mutex_init(&q->mu, NULL) != 0) {
        free(q);
        return -1;
    }
    q->now = start_ms;
    *out = q;
    return 0;
}

void evq_destroy(struct evq *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    free(q->heap);
    free(q);
}

void evq_reset(struct evq *q, int64_t start_ms)
{
    pthread_mutex_lock(&q->mu);
    q->n = 0;
    q->now = start_ms;
    q->seq = 0;
    q->executed = 0;
    pthread_mutex_unlock(&q->mu);
}

int64_t evq_now(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    int64_t t = q->now;
    pthread_mutex_unlock(&q->mu);
    return t;
}

uint64_t evq_schedule(struct evq *q, int64_t at_ms, ds_timer_fn fn, void *arg)
{
    return evq_schedule_at_place(q, at_ms, 0, fn, arg);
}

uint64_t evq_place(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    uint64_t p = ++q->seq;
    pthread_mutex_unlock(&q->mu);
    return p;
}

/* A place is a sequence number taken earlier: the event sorts among those due
 * at its instant as if it had been scheduled when the place was taken. Places
 * and ordinary sequence numbers come from one counter, so ids stay unique. */
uint64_t evq_schedule_at_place(struct evq *q, int64_t at_ms, uint64_t place, ds_timer_fn fn,
                               void *arg)
{
    uint64_t id = 0;
    pthread_mutex_lock(&q->mu);
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct ev *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            goto out;
        q->heap = h;
        q->cap = cap;
    }
    if (at_ms < q->now)
        at_ms = q->now;
    id = place && place <= q->seq ? place : ++q->seq;
    q->heap[q->n] = (struct ev){.at = at_ms, .seq = id, .fn = fn, .arg = arg};
    sift_up(q->heap, q->n);
    q->n++;
out:
    pthread_mutex_unlock(&q->mu);
    return id;
}

void evq_cancel(struct evq *q, uint64_t id)
{
    pthread_mutex_lock(&q->mu);
    for (size_t i = 0; i < q->n; i++) {
        if (q->heap[i].seq == id) {
            q->heap[i] = q->heap[--q->n];
            if (i < q->n) {
                sift_down(q->heap, q->n, i);
                sift_up(q->heap, i);
            }
            break;
        }
    }
    pthread_mutex_unlock(&q->mu);
}

int evq_run_next(struct evq *q, int64_t until_ms)
{
    pthread_mutex_lock(&q->mu);
    if (q->n == 0 || q->heap[0].at > until_ms) {
        pthread_mutex_unlock(&q->mu);
        return 0;
    }
    struct ev e = q->heap[0];
    q->heap[0] = q->heap[--q->n];
    sift_down(q->heap, q->n, 0);
    if (e.at > q->now)
        q->now = e.at;
    q->executed++;
    pthread_mutex_unlock(&q->mu);
    e.fn(e.arg);
    return 1;
}

uint64_t evq_run_until(struct evq *q, int64_t t_ms)
{
    uint64_t n = 0;
    while (evq_run_next(q, t_ms))
        n++;
    pthread_mutex_lock(&q->mu);
    if (q->now < t_ms)
        q->now = t_ms;
    pthread_mutex_unlock(&q->mu);
    return n;
}

int64_t evq_next_time(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    int64_t t = q->n ? q->heap[0].at : INT64_MAX;
    pthread_mutex_unlock(&q->mu);
    return t;
}

size_t evq_pending(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}

uint64_t evq_executed(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    uint64_t n = q->executed;
    pthread_mutex_unlock(&q->mu);
    return n;
}

static int64_t clk_now(void *ctx)
{
    return evq_now(ctx);
}
static uint64_t clk_schedule(void *ctx, int64_t at, ds_timer_fn fn, void *arg)
{
    return evq_schedule(ctx, at, fn, arg);
}
static void clk_cancel(void *ctx, uint64_t id)
{
    evq_cancel(ctx, id);
}

static uint64_t clk_place(void *ctx)
{
    return evq_place(ctx);
}
static uint64_t clk_schedule_at_place(void *ctx, int64_t at, uint64_t place, ds_timer_fn fn,
                                      void *arg)
{
    return evq_schedule_at_place(ctx, at, place, fn, arg);
}

/* no help_begin/help_end: everything runs on the simulation's own loop; no
 * inline_now: an event of this instant keeps its place in the queue */
static const struct ds_clock_ops evq_clock_ops = {
    clk_now, clk_schedule, clk_cancel, clk_place, clk_schedule_at_place, NULL, NULL, NULL};

struct ds_clock evq_clock(struct evq *q)
{
    return (struct ds_clock){&evq_clock_ops, q};
}
