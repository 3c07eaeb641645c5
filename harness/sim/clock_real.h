/* clock_real: the wall clock of `dialsim serve`, with timers on one thread.
 *
 * now_ms is CLOCK_REALTIME in milliseconds. schedule/cancel keep a heap of
 * timers ordered by (due time, sequence number), like sim/evq.c, so two timers
 * due at the same instant run in the order they were scheduled; a timer due in
 * the past is clamped to "now" and queued behind what is already due. One timer
 * thread sleeps on a condition variable until the earliest timer is due.
 * It then runs the timers due, in that order, up to 64 under one taking of the
 * core lock (a burst of timers due at once costs one wake-up, not one each).
 *
 * The core lock. The core is single-threaded by contract (core/core.h): one
 * thread at a time, the one that runs the clock's timers. In serve mode the
 * core is reached from two places: this clock's timer thread (timers the core
 * set itself: dial windows, retries, polls, HTTP answers) and CivetWeb's worker
 * threads (HTTP requests). **decision**: both go through one mutex, the core
 * lock, owned by this clock. The timer thread holds it while a timer runs;
 * every HTTP handler holds it (clock_real_lock/unlock) around its core calls.
 * Whoever holds the lock *is* the core thread for that moment, and the mutex
 * orders their memory. A dedicated core thread fed by a work queue would
 * serialise exactly the same way, but each handler waits for its own answer
 * anyway, so the queue would add a hand-off and a copy per request and no
 * concurrency. Work that does not touch the core (parsing, the SQLite commit)
 * runs outside the lock.
 *
 * Contracts:
 * - schedule/cancel may be called from any thread, with or without the core
 *   lock (the core calls them with it held). They never take the core lock.
 * - A timer runs with the core lock held, on the timer thread. When schedule
 *   and cancel are called with the core lock held (the core's case), a timer
 *   never runs before schedule returned, nor after cancel returned: a timer is
 *   taken off the heap only while its runner holds the core lock. Scheduled
 *   from another thread without the lock (serve's HTTP workers delivering an
 *   answer), a timer may run as soon as it is queued.
 * - clock_real_stop and clock_real_destroy must be called without the core
 *   lock held.
 *
 * Time scale (`dialsim serve --time-scale F`, docs/mocks.md#time-scale): with
 * clock_real_create_scaled the clock's time (now_ms, and the instants timers
 * are due at) runs 1/F times as fast as the wall clock from the moment of
 * creation on; a timer due in 60 s of clock time fires after 60*F s of wall
 * time. Everything that takes its time from the port (the core's dial window,
 * the mocks' dial delays, rings and webhook delays, the timestamps of runs and
 * calls) is scaled alike, so the answers stay consistent with each other; the
 * wall clock (clock_real_now) is not.
 *
 * Ownership: a timer's arg is the caller's; a timer dropped by stop is not
 * run and its arg is not touched.
 */
#ifndef DIALSIM_CLOCK_REAL_H
#define DIALSIM_CLOCK_REAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/ports.h"

struct clock_real;

/* Create the clock and start its timer thread. *out is NULL on failure. */
int clock_real_create(struct clock_real **out);
/* The same with a time scale F > 0 (1: the wall clock); -1 for F <= 0. */
int clock_real_create_scaled(struct clock_real **out, double scale);
/* Stop the timer thread: timers already due run first, later ones are
 * dropped; after this schedule returns 0 (the timer will never run). Idempotent. */
void clock_real_stop(struct clock_real *c);
/* Stop (if not yet) and free. NULL is fine. */
void clock_real_destroy(struct clock_real *c);

/* The clock as a ds_clock; borrowed, valid while c lives. */
struct ds_clock clock_real_port(struct clock_real *c);

/* Become the core thread for a while (see "The core lock" above). */
void clock_real_lock(struct clock_real *c);
void clock_real_unlock(struct clock_real *c);

/* The wall clock (ms since the epoch), never scaled. */
int64_t clock_real_now(void);
/* The clock's own time (ms), scaled: what its port's now_ms says. */
int64_t clock_real_time(struct clock_real *c);
/* Timers waiting to run. */
size_t clock_real_pending(struct clock_real *c);
/* Timers run since creation. */
uint64_t clock_real_fired(struct clock_real *c);

#endif
