/* Unit tests for harness/sim/clock_real: the wall clock of `dialsim serve`.
 * Timers run in (due time, sequence) order on one thread, with the core lock
 * held; cancel wins over a timer that is already due but waits for the lock;
 * stop runs what is due and drops the rest; a helper (ports.h help_begin/
 * help_end) runs the timers it set for "now". Waits are milliseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sim/clock_real.h"

struct trace {
    struct clock_real *c;
    int order[64];
    int64_t at[64];
    atomic_int n;
    pthread_t thread[64];
};

struct tag {
    struct trace *tr;
    int id;
    int64_t child_at; /* when child is set: schedule it from inside */
    struct tag *child;
};

static void record(void *arg)
{
    struct tag *t = arg;
    struct trace *tr = t->tr;
    int i = atomic_load(&tr->n);
    tr->order[i] = t->id;
    tr->at[i] = clock_real_now();
    tr->thread[i] = pthread_self();
    if (t->child)
        clock_real_port(tr->c).ops->schedule(tr->c, t->child_at, record, t->child);
    atomic_store(&tr->n, i + 1);
}

/* Poll (1 ms steps, at most 2 s) until n timers ran. */
static void wait_for(struct trace *tr, int n)
{
    for (int i = 0; i < 2000 && atomic_load(&tr->n) < n; i++)
        usleep(1000);
    assert_int_equal(atomic_load(&tr->n), n);
}

static uint64_t sched(struct trace *tr, int64_t at, struct tag *t)
{
    struct ds_clock k = clock_real_port(tr->c);
    return k.ops->schedule(k.ctx, at, record, t);
}

static int setup(void **state)
{
    struct trace *tr = calloc(1, sizeof *tr);
    if (!tr || clock_real_create(&tr->c))
        return -1;
    *state = tr;
    return 0;
}

static int teardown(void **state)
{
    struct trace *tr = *state;
    clock_real_destroy(tr->c);
    free(tr);
    return 0;
}

static void now_is_wall_time(void **state)
{
    (void)state;
    struct ds_clock k;
    struct trace *tr = *state;
    k = clock_real_port(tr->c);
    int64_t a = (int64_t)time(NULL) * 1000;
    int64_t b = ds_now(&k);
    assert_true(b >= a - 1000 && b <= a + 2000);
}

/* Later first, then two at the same instant, then one in the past: the past
 * one runs first (clamped to now), the tie in scheduling order, then later. */
static void fire_in_order(void **state)
{
    struct trace *tr = *state;
    struct tag t[4] = {{tr, 1, 0, NULL}, {tr, 2, 0, NULL}, {tr, 3, 0, NULL}, {tr, 4, 0, NULL}};
    int64_t now = clock_real_now();
    clock_real_lock(tr->c); /* nothing runs until all four are queued */
    assert_true(sched(tr, now + 30, &t[0]) > 0);
    assert_true(sched(tr, now + 10, &t[1]) > 0);
    assert_true(sched(tr, now + 10, &t[2]) > 0);
    assert_true(sched(tr, now - 100, &t[3]) > 0);
    assert_int_equal(clock_real_pending(tr->c), 4);
    clock_real_unlock(tr->c);
    wait_for(tr, 4);
    assert_int_equal(tr->order[0], 4);
    assert_int_equal(tr->order[1], 2);
    assert_int_equal(tr->order[2], 3);
    assert_int_equal(tr->order[3], 1);
    assert_true(tr->at[1] >= now + 10);
    assert_true(tr->at[3] >= now + 30);
    /* one thread, and not ours */
    for (int i = 1; i < 4; i++)
        assert_true(pthread_equal(tr->thread[i], tr->thread[0]));
    assert_false(pthread_equal(tr->thread[0], pthread_self()));
    assert_int_equal(clock_real_fired(tr->c), 4);
    assert_int_equal(clock_real_pending(tr->c), 0);
}

/* Issue 14: a timer at a place taken earlier runs, among timers of its
 * millisecond, before those scheduled after the place was taken (an answer
 * before what its server did meanwhile), as in the simulated queue. */
static void place_orders_ties(void **state)
{
    struct trace *tr = *state;
    struct tag t[3] = {{tr, 1, 0, NULL}, {tr, 2, 0, NULL}, {tr, 3, 0, NULL}};
    struct ds_clock k = clock_real_port(tr->c);
    int64_t at = clock_real_now() + 20;
    clock_real_lock(tr->c);
    assert_true(sched(tr, at, &t[0]) > 0);
    uint64_t place = ds_clock_place(&k);
    assert_true(place > 0);
    assert_true(sched(tr, at, &t[1]) > 0); /* the server's effect */
    assert_true(ds_schedule_at_place(&k, at, place, record, &t[2]) > 0);
    clock_real_unlock(tr->c);
    wait_for(tr, 3);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 3);
    assert_int_equal(tr->order[2], 2);
}

/* Many timers at pseudo-random instants within 20 ms come out sorted. */
static void many_sorted(void **state)
{
    struct trace *tr = *state;
    struct tag t[60];
    int64_t due[60];
    uint32_t x = 99;
    int64_t now = clock_real_now();
    clock_real_lock(tr->c);
    for (int i = 0; i < 60; i++) {
        x = x * 1103515245u + 12345u;
        due[i] = now + 5 + (x >> 16) % 20;
        t[i] = (struct tag){tr, i, 0, NULL};
        sched(tr, due[i], &t[i]);
    }
    clock_real_unlock(tr->c);
    wait_for(tr, 60);
    for (int k = 1; k < 60; k++) {
        int a = tr->order[k - 1], b = tr->order[k];
        assert_true(due[a] < due[b] || (due[a] == due[b] && a < b));
    }
}

/* A timer that schedules another: the child runs later, on the same thread. */
static void schedule_from_inside(void **state)
{
    struct trace *tr = *state;
    int64_t now = clock_real_now();
    struct tag child = {tr, 2, 0, NULL};
    struct tag parent = {tr, 1, now + 3, &child};
    sched(tr, now + 2, &parent);
    wait_for(tr, 2);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(tr->order[1], 2);
}

static void cancel_works(void **state)
{
    struct trace *tr = *state;
    struct ds_clock k = clock_real_port(tr->c);
    struct tag x = {tr, 1, 0, NULL}, y = {tr, 2, 0, NULL}, z = {tr, 3, 0, NULL};
    int64_t now = clock_real_now();
    uint64_t ix = sched(tr, now + 15, &x);
    sched(tr, now + 5, &y);
    uint64_t iz = sched(tr, now + 10, &z);
    assert_int_not_equal(ix, iz);
    k.ops->cancel(k.ctx, ix);
    k.ops->cancel(k.ctx, iz);
    k.ops->cancel(k.ctx, iz);    /* twice: ignored */
    k.ops->cancel(k.ctx, 12345); /* unknown: ignored */
    wait_for(tr, 1);
    usleep(25000); /* past x's and z's instants */
    assert_int_equal(atomic_load(&tr->n), 1);
    assert_int_equal(tr->order[0], 2);
    assert_int_equal(clock_real_pending(tr->c), 0);
}

/* The core cancels a timer that is due and whose runner is already waiting
 * for the core lock: it must not run (core/core.h relies on this). */
static void cancel_due_timer_under_lock(void **state)
{
    struct trace *tr = *state;
    struct ds_clock k = clock_real_port(tr->c);
    struct tag x = {tr, 1, 0, NULL}, y = {tr, 2, 0, NULL};
    clock_real_lock(tr->c);
    uint64_t ix = sched(tr, clock_real_now(), &x);
    usleep(5000); /* the timer thread is now blocked on the core lock */
    k.ops->cancel(k.ctx, ix);
    sched(tr, clock_real_now(), &y);
    clock_real_unlock(tr->c);
    wait_for(tr, 1);
    usleep(5000);
    assert_int_equal(atomic_load(&tr->n), 1);
    assert_int_equal(tr->order[0], 2);
}

/* Handlers hold the core lock: a due timer waits for it. */
static void timers_wait_for_the_core_lock(void **state)
{
    struct trace *tr = *state;
    struct tag x = {tr, 1, 0, NULL};
    clock_real_lock(tr->c);
    sched(tr, clock_real_now(), &x);
    usleep(5000);
    assert_int_equal(atomic_load(&tr->n), 0);
    clock_real_unlock(tr->c);
    wait_for(tr, 1);
}

/* An earlier timer scheduled while the thread sleeps for a later one wakes it. */
static void earlier_timer_wakes_the_thread(void **state)
{
    struct trace *tr = *state;
    struct tag late = {tr, 1, 0, NULL}, early = {tr, 2, 0, NULL};
    int64_t now = clock_real_now();
    sched(tr, now + 60000, &late);
    usleep(2000); /* the thread sleeps until now + 60 s */
    sched(tr, now + 3, &early);
    wait_for(tr, 1);
    assert_int_equal(tr->order[0], 2);
    assert_true(tr->at[0] < now + 1000);
    assert_int_equal(clock_real_pending(tr->c), 1);
}

/* stop: what is due runs, what is not is dropped, and nothing runs after. */
static void stop_runs_due_and_drops_later(void **state)
{
    struct trace *tr = *state;
    struct tag due = {tr, 1, 0, NULL}, later = {tr, 2, 0, NULL}, after = {tr, 3, 0, NULL};
    clock_real_lock(tr->c);
    sched(tr, clock_real_now(), &due);
    sched(tr, clock_real_now() + 60000, &later);
    clock_real_unlock(tr->c);
    clock_real_stop(tr->c);
    clock_real_stop(tr->c); /* idempotent */
    assert_int_equal(atomic_load(&tr->n), 1);
    assert_int_equal(tr->order[0], 1);
    assert_int_equal(sched(tr, clock_real_now(), &after), 0);
    usleep(2000);
    assert_int_equal(atomic_load(&tr->n), 1);
}

/* A thread between help_begin and help_end (serve's mock workers) runs the
 * timers it set for "now" itself at help_end, those they set for "now" too,
 * before help_end returns; a later timer is left to the clock's thread. The
 * clock's thread may take a due timer first when it happens to be awake, so
 * the helper's turn is tried a few times; every timer runs once in any case. */
static void helper_runs_what_it_set(void **state)
{
    struct trace *tr = *state;
    struct ds_clock k = clock_real_port(tr->c);
    bool helped = false;
    int ran = 0;
    for (int attempt = 0; attempt < 20 && !helped; attempt++) {
        struct tag t[3] = {{tr, 1, 0, NULL}, {tr, 2, 0, NULL}, {tr, 3, 0, NULL}};
        int64_t now = clock_real_now();
        t[0].child = &t[2];
        t[0].child_at = now;
        k.ops->help_begin(k.ctx);
        assert_true(sched(tr, now, &t[0]) > 0);
        assert_true(sched(tr, now, &t[1]) > 0);
        k.ops->help_end(k.ctx);
        if (atomic_load(&tr->n) == ran + 3) {
            helped = pthread_equal(tr->thread[ran], pthread_self()) &&
                     pthread_equal(tr->thread[ran + 1], pthread_self()) &&
                     pthread_equal(tr->thread[ran + 2], pthread_self());
        }
        wait_for(tr, ran + 3); /* none lost either way */
        assert_int_equal(tr->order[ran], 1);
        ran += 3;
    }
    assert_true(helped);
    /* a timer due later is the clock thread's, not the helper's */
    struct tag later = {tr, 9, 0, NULL};
    k.ops->help_begin(k.ctx);
    assert_true(sched(tr, clock_real_now() + 20, &later) > 0);
    k.ops->help_end(k.ctx);
    assert_int_equal(atomic_load(&tr->n), ran);
    wait_for(tr, ran + 1);
    assert_false(pthread_equal(tr->thread[ran], pthread_self()));
}

/* ds_run_now from inside a timer runs the event at once, in that timer
 * (before it goes on); from outside any timer it is a timer of this instant,
 * run later on the clock's thread. */
struct run_now {
    struct trace *tr;
    struct tag inner;
    int seen_before_return; /* events counted when ds_run_now returned */
};

static void runs_now_inside(void *arg)
{
    struct run_now *r = arg;
    struct ds_clock k = clock_real_port(r->tr->c);
    ds_run_now(&k, record, &r->inner);
    r->seen_before_return = atomic_load(&r->tr->n);
    struct tag outer = {r->tr, 1, 0, NULL};
    record(&outer);
}

static void run_now_inside_a_timer(void **state)
{
    struct trace *tr = *state;
    struct run_now r = {tr, {tr, 2, 0, NULL}, -1};
    struct ds_clock k = clock_real_port(tr->c);
    k.ops->schedule(k.ctx, clock_real_now(), runs_now_inside, &r);
    wait_for(tr, 2);
    assert_int_equal(r.seen_before_return, 1); /* the inner event ran inside */
    assert_int_equal(tr->order[0], 2);
    assert_int_equal(tr->order[1], 1);
    assert_true(pthread_equal(tr->thread[0], tr->thread[1]));
    /* outside a timer: scheduled, run by the clock's thread */
    struct tag later = {tr, 3, 0, NULL};
    ds_run_now(&k, record, &later);
    wait_for(tr, 3);
    assert_false(pthread_equal(tr->thread[2], pthread_self()));
}

static void destroy_null(void **state)
{
    (void)state;
    clock_real_destroy(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(now_is_wall_time),
        T(fire_in_order),
        T(place_orders_ties),
        T(many_sorted),
        T(schedule_from_inside),
        T(cancel_works),
        T(cancel_due_timer_under_lock),
        T(timers_wait_for_the_core_lock),
        T(earlier_timer_wakes_the_thread),
        T(stop_runs_due_and_drops_later),
        T(helper_runs_what_it_set),
        T(run_now_inside_a_timer),
        cmocka_unit_test(destroy_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
