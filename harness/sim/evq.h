/* evq: the simulated clock, a deterministic discrete-event queue.
 *
 * Events are ordered by (virtual time, sequence number), and the sequence
 * number is taken when the event's cause happens: two events due at the same
 * instant run in the order of their causes, whatever the machine's speed.
 * For most events the cause is the scheduling itself; an HTTP answer's cause
 * is its request, so the transport takes its place (evq_place) before sending,
 * and what the server scheduled while answering runs after the answer. An
 * event scheduled for the past runs at the current instant, after every event
 * already queued for it, so an event never runs in the pass that created it.
 * Time advances only when the next event is popped: nothing sleeps.
 *
 * Thread safety: schedule/cancel/now may be called from any thread (the mock
 * server's handlers schedule work while the runner thread waits for their
 * answer); evq_run_next is called by one thread only.
 */
#ifndef DIALSIM_EVQ_H
#define DIALSIM_EVQ_H

#include <stdint.h>
#include <stddef.h>
#include "core/ports.h"

struct evq;

/* Create a queue whose clock starts at start_ms (ms since the Unix epoch).
 * *out is NULL on failure. */
int evq_create(struct evq **out, int64_t start_ms);
/* Free the queue and its pending events (their args are not touched). NULL ok. */
void evq_destroy(struct evq *q);
/* Drop every pending event and set the clock to start_ms (reuse across scenarios). */
void evq_reset(struct evq *q, int64_t start_ms);

/* The queue as a ds_clock; borrowed, valid while q lives. */
struct ds_clock evq_clock(struct evq *q);

int64_t evq_now(struct evq *q);
/* Schedule fn(arg) at at_ms; see ds_clock_ops.schedule. */
uint64_t evq_schedule(struct evq *q, int64_t at_ms, ds_timer_fn fn, void *arg);
void evq_cancel(struct evq *q, uint64_t id);
/* Take a sequence number now for one event scheduled later with
 * evq_schedule_at_place: at its instant it runs before every event scheduled
 * after the place was taken. An HTTP answer takes its place when the request
 * is sent, so what the server does "on the request" comes after the answer. */
uint64_t evq_place(struct evq *q);
/* evq_schedule at a place from evq_place (0: a new one). Use a place once. */
uint64_t evq_schedule_at_place(struct evq *q, int64_t at_ms, uint64_t place, ds_timer_fn fn,
                               void *arg);

/* Pop the next event due at or before until_ms, advance the clock to its time
 * and run it. Returns 1 when an event ran, 0 when none is due by until_ms. */
int evq_run_next(struct evq *q, int64_t until_ms);
/* Run every event due at or before t_ms, then set the clock to t_ms (if it is
 * not past it already). Returns how many events ran. */
uint64_t evq_run_until(struct evq *q, int64_t t_ms);
/* Time of the next pending event, or INT64_MAX when the queue is empty. */
int64_t evq_next_time(struct evq *q);
size_t evq_pending(struct evq *q);
/* Events run since creation or the last reset. */
uint64_t evq_executed(struct evq *q);

/* a + b, clamped to [INT64_MIN/4, INT64_MAX/4] so that deadlines never wrap. */
int64_t ds_time_add(int64_t a, int64_t b);

#endif
