#include "sim/clock_real.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct timer {
    int64_t at;
    uint64_t seq; /* ties at the same instant: scheduling order */
    uint64_t id;
    ds_timer_fn fn;
    void *arg;
};

struct clock_real {
    pthread_mutex_t core; /* the core lock (clock_real.h) */
    pthread_mutex_t mu;   /* the heap, the counters and the flags below */
    pthread_cond_t cv;    /* the earliest timer changed, or stop */
    struct timer *heap;
    size_t n, cap;
    uint64_t next_id, next_seq, fired;
    bool stopping, started, joined;
    pthread_t th;
    /* --time-scale: the clock's time runs 1/scale times as fast as the wall
     * clock from origin on (scale 0.01: a minute in 0.6 s). 1: the wall clock. */
    double scale;
    int64_t origin_us;
};

int64_t clock_real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The clock's time (ms): the wall clock, scaled from origin on. */
static int64_t scaled_now(const struct clock_real *c)
{
    if (c->scale == 1.0)
        return clock_real_now();
    int64_t us = c->origin_us + (int64_t)((double)(wall_us() - c->origin_us) / c->scale);
    return us / 1000;
}

/* The wall instant (µs) at which the clock reads at_ms. */
static int64_t wall_of(const struct clock_real *c, int64_t at_ms)
{
    if (c->scale == 1.0)
        return at_ms * 1000;
    return c->origin_us + (int64_t)((double)(at_ms * 1000 - c->origin_us) * c->scale);
}

/* ---- the heap: (at, seq) ascending --------------------------------------- */

static bool before(const struct timer *a, const struct timer *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void swap(struct timer *h, size_t i, size_t j)
{
    struct timer t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static void sift_up(struct timer *h, size_t i)
{
    while (i > 0 && before(&h[i], &h[(i - 1) / 2])) {
        swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[l], &h[m]))
            m = l;
        if (r < n && before(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        swap(h, i, m);
        i = m;
    }
}

static void heap_remove(struct clock_real *c, size_t i)
{
    c->heap[i] = c->heap[--c->n];
    if (i < c->n) {
        sift_down(c->heap, c->n, i);
        sift_up(c->heap, i);
    }
}

/* ---- running what is due ------------------------------------------------- */

/* The clock the calling thread runs due timers of, now or at its help_end
 * (op_help_begin): timers it schedules for "now" need no wake-up. */
static _Thread_local struct clock_real *tl_runner;
/* The clock whose timer this thread is running now (run_batch). */
static _Thread_local struct clock_real *tl_in_timer;

#define BATCH 64

static bool due_locked(const struct clock_real *c)
{
    return c->n > 0 && c->heap[0].at <= scaled_now(c);
}

/* With c->core and c->mu held: the timers due now, in their order (up to
 * BATCH: the core's other users wait no longer than that). Returns with
 * both still held. */
static void run_batch(struct clock_real *c)
{
    struct clock_real *was = tl_runner;
    tl_runner = c;
    for (int k = 0; k < BATCH && due_locked(c); k++) {
        struct timer t = c->heap[0];
        heap_remove(c, 0);
        c->fired++;
        pthread_mutex_unlock(&c->mu);
        struct clock_real *outer = tl_in_timer;
        tl_in_timer = c;
        t.fn(t.arg);
        tl_in_timer = outer;
        pthread_mutex_lock(&c->mu);
    }
    tl_runner = was;
}

/* ---- the timer thread ----------------------------------------------------- */

static void wait_until(struct clock_real *c, int64_t at_ms)
{
    int64_t us = wall_of(c, at_ms);
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
    pthread_cond_timedwait(&c->cv, &c->mu, &ts);
}

/* Sleep until the earliest timer is due; then take the core lock and run it.
 * The head is looked at again after the core lock is taken: while we waited
 * for it, the core may have cancelled that very timer (cancel is called with
 * the core lock held, so it cannot slip in between the check and the run).
 * The timers due then run under that one taking of the core lock
 * (run_batch): one taking each costs the thread a wake-up per timer and lets
 * it fall behind when every request schedules one. On stop, what is already
 * due still runs (an HTTP answer waiting to be delivered owns memory), then
 * the thread ends. */
static void *timer_thread(void *arg)
{
    struct clock_real *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        if (!due_locked(c)) {
            if (c->stopping)
                break;
            if (c->n == 0)
                pthread_cond_wait(&c->cv, &c->mu);
            else
                wait_until(c, c->heap[0].at);
            continue;
        }
        pthread_mutex_unlock(&c->mu);
        pthread_mutex_lock(&c->core);
        pthread_mutex_lock(&c->mu);
        run_batch(c);
        pthread_mutex_unlock(&c->mu);
        pthread_mutex_unlock(&c->core);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ---- ds_clock ------------------------------------------------------------ */

static int64_t op_now(void *ctx)
{
    return scaled_now(ctx);
}

static uint64_t op_place(void *ctx)
{
    struct clock_real *c = ctx;
    pthread_mutex_lock(&c->mu);
    uint64_t p = ++c->next_seq;
    pthread_mutex_unlock(&c->mu);
    return p;
}

/* Places order timers that share a millisecond as in the simulated queue; in
 * real time the answer and what its sender did meanwhile race as they do on a
 * real network, and only ties are ordered by cause. */
static uint64_t op_schedule_at_place(void *ctx, int64_t at_ms, uint64_t place, ds_timer_fn fn,
                                     void *arg)
{
    struct clock_real *c = ctx;
    uint64_t id = 0;
    int64_t now = scaled_now(c);
    pthread_mutex_lock(&c->mu);
    if (c->stopping)
        goto out;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct timer *nh = realloc(c->heap, cap * sizeof *nh);
        if (!nh)
            goto out;
        c->heap = nh;
        c->cap = cap;
    }
    id = ++c->next_id;
    uint64_t seq = place && place <= c->next_seq ? place : ++c->next_seq;
    c->heap[c->n] = (struct timer){at_ms < now ? now : at_ms, seq, id, fn, arg};
    sift_up(c->heap, c->n++);
    /* a new earliest timer: sleep less; unless it is due now and this
     * thread runs due timers itself before it is done (help_begin, or a
     * timer's run: run_batch looks at the head again after each) */
    if (c->heap[0].id == id && !(tl_runner == c && c->heap[0].at <= now))
        pthread_cond_signal(&c->cv);
out:
    pthread_mutex_unlock(&c->mu);
    return id;
}

static uint64_t op_schedule(void *ctx, int64_t at_ms, ds_timer_fn fn, void *arg)
{
    return op_schedule_at_place(ctx, at_ms, 0, fn, arg);
}

static void op_cancel(void *ctx, uint64_t id)
{
    struct clock_real *c = ctx;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        if (c->heap[i].id == id) {
            heap_remove(c, i);
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

static void op_help_begin(void *ctx)
{
    tl_runner = ctx;
}

/* Timers more than this late (ms of the clock) make helpers wait for the
 * core lock instead of trying it: back-pressure, so that under a load the
 * timers cannot keep up with, requests slow down instead of live calls
 * piling up in memory (docs/benchmarks.md run 7: 9,000 calls waiting for
 * their dial at 45,000 requests a second without it). */
#define LATE_MS 20

/* The helper's turn: the timers due now, on this thread, when the core lock
 * is free (or, when they are late, once it is); when it is not (its holder
 * may be past its last look at the heap), or more are due than one batch,
 * the clock's thread is woken. */
static void op_help_end(void *ctx)
{
    struct clock_real *c = ctx;
    pthread_mutex_lock(&c->mu);
    bool due = due_locked(c) && !c->stopping;
    bool late = due && scaled_now(c) - c->heap[0].at > LATE_MS;
    pthread_mutex_unlock(&c->mu);
    bool mine =
        due && (late ? pthread_mutex_lock(&c->core) == 0 : pthread_mutex_trylock(&c->core) == 0);
    if (mine) {
        pthread_mutex_lock(&c->mu);
        run_batch(c);
        due = due_locked(c);
        pthread_mutex_unlock(&c->mu);
        pthread_mutex_unlock(&c->core);
    }
    tl_runner = NULL;
    if (due) {
        pthread_mutex_lock(&c->mu);
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
}

/* Inside one of this clock's timers, with the core lock held: an event of
 * this instant runs at once (ports.h, ds_run_now). */
static bool op_inline_now(void *ctx)
{
    return tl_in_timer == ctx;
}

static const struct ds_clock_ops clock_real_ops = {op_now,      op_schedule,          op_cancel,
                                                   op_place,    op_schedule_at_place, op_help_begin,
                                                   op_help_end, op_inline_now};

struct ds_clock clock_real_port(struct clock_real *c)
{
    return (struct ds_clock){&clock_real_ops, c};
}

/* ---- life ----------------------------------------------------------------- */

int clock_real_create(struct clock_real **out)
{
    return clock_real_create_scaled(out, 1.0);
}

int clock_real_create_scaled(struct clock_real **out, double scale)
{
    *out = NULL;
    if (!(scale > 0))
        return -1;
    struct clock_real *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->scale = scale; /* fixed before the thread starts: read without a lock */
    c->origin_us = wall_us();
    pthread_mutex_init(&c->core, NULL);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL); /* CLOCK_REALTIME, the timers' own base */
    if (pthread_create(&c->th, NULL, timer_thread, c) != 0) {
        clock_real_destroy(c);
        return -1;
    }
    c->started = true;
    *out = c;
    return 0;
}

void clock_real_stop(struct clock_real *c)
{
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    bool join = c->started && !c->joined;
    c->joined = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (join)
        pthread_join(c->th, NULL);
}

void clock_real_destroy(struct clock_real *c)
{
    if (!c)
        return;
    clock_real_stop(c);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->core);
    free(c->heap);
    free(c);
}

void clock_real_lock(struct clock_real *c)
{
    pthread_mutex_lock(&c->core);
}

void clock_real_unlock(struct clock_real *c)
{
    pthread_mutex_unlock(&c->core);
}

size_t clock_real_pending(struct clock_real *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->n;
    pthread_mutex_unlock(&c->mu);
    return n;
}

int64_t clock_real_time(struct clock_real *c)
{
    return scaled_now(c);
}

uint64_t clock_real_fired(struct clock_real *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t n = c->fired;
    pthread_mutex_unlock(&c->mu);
    return n;
}
