/* Unit tests for harness/sim/evq: the simulated clock behind H-2. Events run
 * in (virtual time, sequence) order; the past clamps to now, behind what is
 * already queued; nothing runs in the pass that scheduled it; time moves only
 * when an event is popped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sim/evq.h"

#define T0 INT64_C(1767269100000)

/* What ran, in order, and the clock each one saw. */
struct trace {
    struct evq *q;
    int order[256];
    int64_t at[256];
    size_t n;
    int depth;     /* > 0 while an event is running */
    int reentered; /* an event started while another was running */
};

struct tag {
    struct trace *tr;
    int id;
    /* optional: what this event schedules when it runs */
    int64_t child_at;
    struct tag *child;
};

static void record(void *arg)
{
    struct tag *t = arg;
    struct trace *tr = t->tr;
    if (tr->depth++ > 0)
        tr->reentered = 1;
    assert_true(tr->n < 256);
    tr->order[tr->n] = t->id;
    tr->at[tr->n] = evq_now(tr->q);
    tr->n++;
    if (t->child)
        evq_schedule(tr->q, t->child_at, record, t->child);
    tr->depth--;
}

static void drain(struct evq *q)
{
    while (evq_run_next(q, INT64_MAX))
        ;
}

static int setup(void **state)
{
    struct trace *tr = calloc(1, sizeof *tr);
    if (!tr || evq_create(&tr->q, T0) != 0) {
        free(tr);
        return -1;
    }
    *state = tr;
    return 0;
}

static int teardown(void **state)
{
    struct trace *tr = *state;
    evq_destroy(tr->q);
    free(tr);
    return 0;
}

static void starts_empty_at_start_time(void **state)
{
    struct trace *tr = *state;
    assert_int_equal(evq_now(tr->q), T0);
    assert_int_equal(evq_pending(tr->q), 0);
    assert_int_equal(evq_next_time(tr->q), INT64_MAX);
    assert_int_equal(evq_executed(tr->q), 0);
    assert_int_equal(evq_run_next(tr->q, INT64_MAX), 0);
    assert_int_equal(evq_now(tr->q), T0);
}

static void orders_by_time(void **state)
{
    struct trace *tr = *state;
    struct tag a = {tr, 1, 0, NULL}, b = {tr, 2, 0, NULL}, c = {tr, 3, 0, NULL};
    uint64_t ia = evq_schedule(tr->q, T0 + 300, record, &a);
    uint64_t ib = evq_schedule(tr->q, T0 + 100, record, &b);
    uint64_t ic = evq_schedule(tr->q, T0 + 200, record, &c);
    assert_true(ia > 0 && ib > 0 && ic > 0);
    assert_true(ia != ib && ib != ic && ia != ic);
    assert_int_equal(evq_pending(tr->q), 3);
    assert_int_equal(evq_next_time(tr->q), T0 + 100);
    assert_int_equal(evq_now(tr->q), T0); /* scheduling does not move time */
    drain(tr->q);
    assert_int_equal(tr->n, 3);
    assert_int_equal(tr->order[0], 2);
    assert_int_equal(tr->order[1], 3);
    assert_int_equal(tr->order[2], 1);
    assert_int_equal(tr->at[0], T0 + 100);
    assert_int_equal(tr->at[1], T0 + 200);
    assert_int_equal(tr->at[2], T0 + 300);
    assert_int_equal(evq_now(tr->q), T0 + 300);
    assert_int_equal(evq_executed(tr->q), 3);
    assert_int_equal(evq_pending(tr->q), 0);
}

/* H-2 determinism: equal times run in the order they were scheduled. */
static void equal_times_run_in_scheduling_order(void **state)
{
    struct trace *tr = *state;
    struct tag tags[40];
    /* Interleave two instants so the heap really has to keep ties stable. */
    for (int i = 0; i < 40; i++) {
        tags[i] = (struct tag){tr, i, 0, NULL};
        evq_schedule(tr->q, T0 + (i % 2 ? 500 : 100), record, &tags[i]);
    }
    drain(tr->q);
    assert_int_equal(tr->n, 40);
    for (int k = 0; k < 20; k++) {
        assert_int_equal(tr->order[k], 2 * k);          /* the T0+100 ones, in order */
        assert_int_equal(tr->order[20 + k], 2 * k + 1); /* then the T0+500 ones */
        assert_int_equal(tr->at[k], T0 + 100);
        assert_int_equal(tr->at[20 + k], T0 + 500);
    }
}

/* Many events at pseudo-random times: the pops come out sorted by (time, seq). */
static void heap_keeps_order_under_load(void **state)
{
    struct trace *tr = *state;
    static struct tag tags[200];
    int64_t when[200];
    uint32_t x = 12345;
    for (int i = 0; i < 200; i++) {
        x = x * 1103515245u + 12345u;
        when[i] = T0 + (int64_t)((x >> 16) % 50); /* many ties */
        tags[i] = (struct tag){tr, i, 0, NULL};
        evq_schedule(tr->q, when[i], record, &tags[i]);
    }
    size_t runs = 0;
    int64_t last_t = INT64_MIN;
    int last_id = -1;
    /* record() keeps only 256 entries: check as we go, resetting the trace. */
    while (evq_run_next(tr->q, INT64_MAX)) {
        int id = tr->order[0];
        int64_t t = tr->at[0];
        tr->n = 0;
        assert_int_equal(t, when[id]);
        if (t == last_t)
            assert_true(id > last_id);
        else
            assert_true(t > last_t);
        last_t = t;
        last_id = id;
        runs++;
    }
    assert_int_equal(runs, 200);
}

/* Scheduling in the past clamps to now and runs after what is queued for now. */
static void past_clamps_to_now_after_queued(void **state)
{
    struct trace *tr = *state;
    struct tag first = {tr, 1, 0, NULL}, a = {tr, 2, 0, NULL}, b = {tr, 3, 0, NULL},
               late = {tr, 4, 0, NULL};
    evq_schedule(tr->q, T0 + 1000, record, &first);
    assert_int_equal(evq_run_next(tr->q, INT64_MAX), 1);
    assert_int_equal(evq_now(tr->q), T0 + 1000);
    evq_schedule(tr->q, T0 + 1000, record, &a);
    evq_schedule(tr->q, T0 + 1000, record, &b);
    evq_schedule(tr->q, T0, record, &late); /* 1 s in the past */
    assert_int_equal(evq_next_time(tr->q), T0 + 1000);
    drain(tr->q);
    assert_int_equal(tr->n, 4);
    assert_int_equal(tr->order[1], 2);
    assert_int_equal(tr->order[2], 3);
    assert_int_equal(tr->order[3], 4);
    assert_int_equal(tr->at[3], T0 + 1000); /* the clock never goes back */
    assert_int_equal(evq_now(tr->q), T0 + 1000);
}

/* An event scheduled by a running event for the same instant runs later, in
 * its own pass: after the events already queued for that instant, never
 * re-entrantly. */
static void same_instant_from_inside_runs_later(void **state)
{
    struct trace *tr = *state;
    struct tag child = {tr, 3, 0, NULL}, past_child = {tr, 4, 0, NULL};
    struct tag parent = {tr, 1, T0 + 100, &child};
    struct tag sibling = {tr, 2, 0, NULL};
    child.child = &past_child; /* the child schedules into the past */
    child.child_at = T0;
    evq_schedule(tr->q, T0 + 100, record, &parent);
    evq_schedule(tr->q, T0 + 100, record, &sibling);

    assert_int_equal(evq_run_next(tr->q, INT64_MAX), 1);
    assert_int_equal(tr->n, 1); /* the parent alone ran in this pass */
    assert_int_equal(evq_pending(tr->q), 2);
    drain(tr->q);
    assert_false(tr->reentered);
    assert_int_equal(tr->n, 4);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 2);
    assert_int_equal(tr->order[2], 3);
    assert_int_equal(tr->order[3], 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(tr->at[i], T0 + 100);
    assert_int_equal(evq_executed(tr->q), 4);
}

/* ds_run_now in the simulated queue keeps the instant's order: the event
 * runs after those already due then (a sibling), never inside its cause. */
struct run_now_cause {
    struct tag self, *inner;
};

static void run_now_keeps_the_queue_order(void *arg)
{
    struct run_now_cause *c = arg;
    struct ds_clock k = evq_clock(c->self.tr->q);
    ds_run_now(&k, record, c->inner);
    record(&c->self);
}

static void run_now_is_queued(void **state)
{
    struct trace *tr = *state;
    struct tag inner = {tr, 3, 0, NULL}, sibling = {tr, 2, 0, NULL};
    struct run_now_cause cause = {{tr, 1, 0, NULL}, &inner};
    evq_schedule(tr->q, T0 + 5, run_now_keeps_the_queue_order, &cause);
    evq_schedule(tr->q, T0 + 5, record, &sibling);
    drain(tr->q);
    assert_false(tr->reentered);
    assert_int_equal(tr->n, 3);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 2);
    assert_int_equal(tr->order[2], 3);
    assert_int_equal(tr->at[2], T0 + 5);
}

static void cancel_removes_only_that_event(void **state)
{
    struct trace *tr = *state;
    struct tag a = {tr, 1, 0, NULL}, b = {tr, 2, 0, NULL}, c = {tr, 3, 0, NULL};
    evq_schedule(tr->q, T0 + 10, record, &a);
    uint64_t ib = evq_schedule(tr->q, T0 + 20, record, &b);
    evq_schedule(tr->q, T0 + 30, record, &c);
    evq_cancel(tr->q, ib);
    assert_int_equal(evq_pending(tr->q), 2);
    evq_cancel(tr->q, ib);     /* spent id: ignored */
    evq_cancel(tr->q, 999999); /* unknown id: ignored */
    evq_cancel(tr->q, 0);
    assert_int_equal(evq_pending(tr->q), 2);
    drain(tr->q);
    assert_int_equal(tr->n, 2);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 3);
    assert_int_equal(evq_now(tr->q), T0 + 30);
}

/* Cancelling from the middle of a large heap keeps the rest in order. */
static void cancel_many_keeps_heap_order(void **state)
{
    struct trace *tr = *state;
    static struct tag tags[90];
    uint64_t ids[90];
    for (int i = 0; i < 90; i++) {
        tags[i] = (struct tag){tr, i, 0, NULL};
        ids[i] = evq_schedule(tr->q, T0 + (int64_t)((i * 37) % 90), record, &tags[i]);
    }
    for (int i = 0; i < 90; i += 3)
        evq_cancel(tr->q, ids[i]);
    assert_int_equal(evq_pending(tr->q), 60);
    drain(tr->q);
    assert_int_equal(tr->n, 60);
    for (size_t k = 0; k < tr->n; k++) {
        assert_true(tr->order[k] % 3 != 0);
        if (k > 0)
            assert_true(tr->at[k] > tr->at[k - 1]); /* (i*37)%90 is a permutation */
    }
}

/* Random schedules and random cancels, many rounds: whatever is cut out of the
 * heap, what is left pops in (time, seq) order. A cancel that moves the last
 * entry into the hole must sift it up as well as down. */
static void cancel_random_keeps_heap_order(void **state)
{
    struct trace *tr = *state;
    static struct tag tags[64];
    uint32_t x = 99;
    for (int round = 0; round < 200; round++) {
        uint64_t ids[64];
        int64_t when[64];
        bool cancelled[64] = {false};
        for (int i = 0; i < 64; i++) {
            x = x * 1103515245u + 12345u;
            when[i] = evq_now(tr->q) + (int64_t)((x >> 16) % 1000);
            tags[i] = (struct tag){tr, i, 0, NULL};
            ids[i] = evq_schedule(tr->q, when[i], record, &tags[i]);
        }
        for (int k = 0; k < 24; k++) {
            x = x * 1103515245u + 12345u;
            int i = (int)((x >> 16) % 64);
            evq_cancel(tr->q, ids[i]);
            cancelled[i] = true;
        }
        int64_t last_t = INT64_MIN;
        int last_id = -1;
        while (evq_run_next(tr->q, INT64_MAX)) {
            int id = tr->order[0];
            tr->n = 0;
            assert_false(cancelled[id]);
            if (when[id] < last_t || (when[id] == last_t && id < last_id))
                fail_msg("round %d: event %d (t=%lld) popped after t=%lld", round, id,
                         (long long)when[id], (long long)last_t);
            last_t = when[id];
            last_id = id;
        }
    }
}

/* An event can cancel one due at the same instant that has not run yet. */
struct canceller {
    struct tag self;
    uint64_t victim;
};

static void cancel_victim(void *arg)
{
    struct canceller *c = arg;
    record(&c->self);
    evq_cancel(c->self.tr->q, c->victim);
}

static void cancel_from_inside_an_event(void **state)
{
    struct trace *tr = *state;
    struct canceller a = {{tr, 1, 0, NULL}, 0};
    struct tag b = {tr, 2, 0, NULL}, c = {tr, 3, 0, NULL};
    evq_schedule(tr->q, T0 + 5, cancel_victim, &a);
    a.victim = evq_schedule(tr->q, T0 + 5, record, &b);
    evq_schedule(tr->q, T0 + 5, record, &c);
    drain(tr->q);
    assert_int_equal(tr->n, 2);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 3);
}

/* evq_run_next runs nothing due after until_ms, and does not move time to it. */
static void run_next_respects_until(void **state)
{
    struct trace *tr = *state;
    struct tag a = {tr, 1, 0, NULL}, b = {tr, 2, 0, NULL};
    evq_schedule(tr->q, T0 + 100, record, &a);
    evq_schedule(tr->q, T0 + 200, record, &b);
    assert_int_equal(evq_run_next(tr->q, T0 + 99), 0);
    assert_int_equal(tr->n, 0);
    assert_int_equal(evq_now(tr->q), T0);
    assert_int_equal(evq_run_next(tr->q, T0 + 150), 1);
    assert_int_equal(evq_now(tr->q), T0 + 100);
    assert_int_equal(evq_run_next(tr->q, T0 + 150), 0);
    assert_int_equal(evq_now(tr->q), T0 + 100);         /* nothing sleeps, nothing jumps */
    assert_int_equal(evq_run_next(tr->q, T0 + 200), 1); /* until is inclusive */
    assert_int_equal(tr->n, 2);
    assert_int_equal(evq_now(tr->q), T0 + 200);
}

/* evq_run_until runs everything due by t, including what those events
 * schedule for t or earlier, then leaves the clock at t even when idle. */
static void run_until_runs_due_and_sets_clock(void **state)
{
    struct trace *tr = *state;
    struct tag child = {tr, 3, 0, NULL};
    struct tag a = {tr, 1, T0 + 150, &child}, b = {tr, 2, 0, NULL}, late = {tr, 4, 0, NULL};
    evq_schedule(tr->q, T0 + 100, record, &a);
    evq_schedule(tr->q, T0 + 200, record, &b);
    evq_schedule(tr->q, T0 + 201, record, &late);
    assert_int_equal(evq_run_until(tr->q, T0 + 200), 3);
    assert_int_equal(tr->n, 3);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 3);
    assert_int_equal(tr->order[2], 2);
    assert_int_equal(tr->at[1], T0 + 150);
    assert_int_equal(evq_now(tr->q), T0 + 200);
    assert_int_equal(evq_pending(tr->q), 1);

    /* The late one runs at its own time, then the clock goes on to t. */
    assert_int_equal(evq_run_until(tr->q, T0 + 5000), 1);
    assert_int_equal(tr->at[3], T0 + 201);
    assert_int_equal(evq_now(tr->q), T0 + 5000);
    /* Idle: the clock still reaches t. */
    assert_int_equal(evq_run_until(tr->q, T0 + 6000), 0);
    assert_int_equal(evq_now(tr->q), T0 + 6000);
    /* Never backwards. */
    assert_int_equal(evq_run_until(tr->q, T0), 0);
    assert_int_equal(evq_now(tr->q), T0 + 6000);
}

static void time_add_clamps(void **state)
{
    (void)state;
    const int64_t lim = INT64_MAX / 4;
    assert_int_equal(ds_time_add(T0, 300000), T0 + 300000);
    assert_int_equal(ds_time_add(T0, -T0), 0);
    assert_int_equal(ds_time_add(-5, 3), -2);
    assert_int_equal(ds_time_add(T0, INT64_MAX), lim);
    assert_int_equal(ds_time_add(INT64_MAX, INT64_MAX), lim);
    assert_int_equal(ds_time_add(lim, 1), lim);
    assert_int_equal(ds_time_add(lim - 1, 1), lim);
    assert_int_equal(ds_time_add(lim - 2, 1), lim - 1);
    assert_int_equal(ds_time_add(INT64_MAX, 0), lim);
    assert_int_equal(ds_time_add(INT64_MIN, 0), -lim);
    assert_int_equal(ds_time_add(-T0, INT64_MIN), -lim);
    assert_int_equal(ds_time_add(INT64_MIN, INT64_MIN), -lim);
    assert_int_equal(ds_time_add(INT64_MAX, INT64_MIN), -1);
    assert_int_equal(ds_time_add(INT64_MIN, INT64_MAX), -1);
}

/* A deadline far in the future is still ordered after nearer ones. */
static void far_deadline_sorts_last(void **state)
{
    struct trace *tr = *state;
    struct tag far = {tr, 1, 0, NULL}, near = {tr, 2, 0, NULL};
    evq_schedule(tr->q, ds_time_add(T0, INT64_MAX), record, &far);
    evq_schedule(tr->q, T0 + 1, record, &near);
    assert_int_equal(evq_run_next(tr->q, INT64_MAX), 1);
    assert_int_equal(tr->order[0], 2);
    assert_int_equal(evq_next_time(tr->q), INT64_MAX / 4);
}

static void reset_drops_events(void **state)
{
    struct trace *tr = *state;
    struct tag a = {tr, 1, 0, NULL}, b = {tr, 2, 0, NULL};
    evq_schedule(tr->q, T0 + 10, record, &a);
    evq_schedule(tr->q, T0 + 20, record, &b);
    assert_int_equal(evq_run_next(tr->q, INT64_MAX), 1);
    evq_reset(tr->q, T0 + 5000);
    assert_int_equal(evq_now(tr->q), T0 + 5000);
    assert_int_equal(evq_pending(tr->q), 0);
    assert_int_equal(evq_executed(tr->q), 0);
    assert_int_equal(evq_next_time(tr->q), INT64_MAX);
    drain(tr->q);
    assert_int_equal(tr->n, 1); /* b never ran */
    /* The queue is usable after a reset. */
    evq_schedule(tr->q, T0 + 6000, record, &b);
    drain(tr->q);
    assert_int_equal(tr->n, 2);
    assert_int_equal(tr->order[1], 2);
    assert_int_equal(tr->at[1], T0 + 6000);
}

/* The ds_clock view goes to the same queue. */
static void clock_port(void **state)
{
    struct trace *tr = *state;
    struct ds_clock c = evq_clock(tr->q);
    struct tag a = {tr, 1, 0, NULL}, b = {tr, 2, 0, NULL};
    assert_int_equal(ds_now(&c), T0);
    uint64_t ia = c.ops->schedule(c.ctx, T0 + 50, record, &a);
    c.ops->schedule(c.ctx, T0 + 60, record, &b);
    assert_true(ia > 0);
    assert_int_equal(evq_pending(tr->q), 2);
    c.ops->cancel(c.ctx, ia);
    drain(tr->q);
    assert_int_equal(tr->n, 1);
    assert_int_equal(tr->order[0], 2);
    assert_int_equal(ds_now(&c), T0 + 60);
}

static void noop(void *arg)
{
    (*(int *)arg)++;
}

struct sched_arg {
    struct evq *q;
    int *counter;
};

static void *schedule_many(void *arg)
{
    struct sched_arg *sa = arg;
    for (int i = 0; i < 500; i++)
        evq_schedule(sa->q, T0 + i, noop, sa->counter);
    return NULL;
}

/* Mock handler threads schedule while the runner thread owns the queue. */
static void schedule_from_other_threads(void **state)
{
    struct trace *tr = *state;
    int count = 0;
    struct sched_arg sa = {tr->q, &count};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, schedule_many, &sa), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(evq_pending(tr->q), 1000);
    drain(tr->q);
    assert_int_equal(count, 1000);
    assert_int_equal(evq_now(tr->q), T0 + 499);
}

/* Issue 14, causality at one instant: an HTTP answer takes its place when the
 * request is sent; what the server schedules while answering (a dial at the
 * answer's instant) runs after the answer, though it was scheduled first. */
static void place_orders_an_answer_before_its_effects(void **state)
{
    struct trace *tr = *state;
    struct tag before = {tr, 1, 0, NULL}, effect = {tr, 2, 0, NULL}, answer = {tr, 3, 0, NULL};
    evq_schedule(tr->q, T0 + 200, record, &before); /* queued before the request */
    uint64_t place = evq_place(tr->q);              /* the request is sent */
    assert_true(place > 0);
    evq_schedule(tr->q, T0 + 200, record, &effect); /* the server, while answering */
    uint64_t id = evq_schedule_at_place(tr->q, T0 + 200, place, record, &answer);
    assert_int_equal(id, place);
    struct ds_clock ck = evq_clock(tr->q);
    assert_int_not_equal(ds_clock_place(&ck), 0);
    drain(tr->q);
    assert_int_equal(tr->n, 3);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 3);
    assert_int_equal(tr->order[2], 2);
}

/* A place from before a reset is not reused: the event gets a fresh number. */
static void stale_place_after_reset_is_fresh(void **state)
{
    struct trace *tr = *state;
    uint64_t place = 0;
    for (int i = 0; i < 5; i++)
        place = evq_place(tr->q);
    evq_reset(tr->q, T0);
    struct tag a = {tr, 1, 0, NULL}, b = {tr, 2, 0, NULL};
    evq_schedule(tr->q, T0, record, &a);
    assert_int_not_equal(evq_schedule_at_place(tr->q, T0, place, record, &b), place);
    drain(tr->q);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 2);
}

static void destroy_null_and_pending(void **state)
{
    (void)state;
    struct evq *q = NULL;
    evq_destroy(NULL);
    assert_int_equal(evq_create(&q, 0), 0);
    assert_non_null(q);
    int count = 0;
    evq_schedule(q, 10, noop, &count);
    evq_destroy(q); /* frees pending events without running them */
    assert_int_equal(count, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(starts_empty_at_start_time),
        T(orders_by_time),
        T(equal_times_run_in_scheduling_order),
        T(heap_keeps_order_under_load),
        T(past_clamps_to_now_after_queued),
        T(same_instant_from_inside_runs_later),
        T(run_now_is_queued),
        T(cancel_removes_only_that_event),
        T(cancel_many_keeps_heap_order),
        T(cancel_random_keeps_heap_order),
        T(cancel_from_inside_an_event),
        T(run_next_respects_until),
        T(run_until_runs_due_and_sets_clock),
        cmocka_unit_test(time_add_clamps),
        T(far_deadline_sorts_last),
        T(reset_drops_events),
        T(clock_port),
        T(schedule_from_other_threads),
        T(place_orders_an_answer_before_its_effects),
        T(stale_place_after_reset_is_fresh),
        cmocka_unit_test(destroy_null_and_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
