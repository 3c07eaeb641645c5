/* The seams between the orchestration core and the world.
 *
 * The core reaches time, HTTP and ids only through these small ops tables,
 * so that the same code runs on the simulated clock (dialsim run) and in
 * real time (dialsim serve). An instance is { ops, ctx }; each callback has a
 * one-line contract. The core never sees a mock.
 */
#ifndef DIALSIM_PORTS_H
#define DIALSIM_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- clock ------------------------------------------------------------ */

typedef void (*ds_timer_fn)(void *arg);

struct ds_clock_ops {
    /* Current time in milliseconds since the Unix epoch (virtual or wall). */
    int64_t (*now_ms)(void *ctx);
    /* Run fn(arg) at at_ms (at once, in a later pass, if at_ms is in the past).
     * Never runs fn before schedule returns. Returns a timer id > 0, or 0 when
     * the timer could not be created (fn will then never run). */
    uint64_t (*schedule)(void *ctx, int64_t at_ms, ds_timer_fn fn, void *arg);
    /* Forget a timer that has not run yet; unknown or spent ids are ignored. */
    void (*cancel)(void *ctx, uint64_t id);
    /* Optional (NULL: schedule order only). Take, now, a place in the order of
     * events that share an instant, for one event scheduled later with
     * schedule_at_place; 0 when none could be taken. */
    uint64_t (*place)(void *ctx);
    /* As schedule, but among events due at the same instant fn runs where
     * `place` put it, before everything scheduled after the place was taken
     * (docs/architecture.md "Time": an effect never before its cause). */
    uint64_t (*schedule_at_place)(void *ctx, int64_t at_ms, uint64_t place, ds_timer_fn fn,
                                  void *arg);
    /* Optional (NULL: nothing to do; a simulated clock runs everything on
     * its own loop). Between help_begin and help_end the calling thread
     * promises to run, itself, at help_end, the timers then due: timers it
     * schedules for "now" meanwhile do not wake the clock's own thread
     * (sim/clock_real.c: serve's mock workers, one wake-up less per call).
     * help_end is called without any lock the timers take. */
    void (*help_begin)(void *ctx);
    void (*help_end)(void *ctx);
    /* Optional (NULL: no). May an event for "now" that a running timer
     * would schedule run at once instead, inside that timer (ds_run_now)?
     * A real-time clock says yes on the thread running a timer: events of
     * one instant race there as they do on a real network, and the second
     * timer cost serve's workers ~9 % of their rate (docs/benchmarks.md
     * run 9). A simulated queue keeps its order: same scenario, same bytes. */
    bool (*inline_now)(void *ctx);
};

struct ds_clock {
    const struct ds_clock_ops *ops;
    void *ctx;
};

static inline int64_t ds_now(const struct ds_clock *c)
{
    return c->ops->now_ms(c->ctx);
}

/* A place in the order of the current instant (0 when the clock keeps none). */
static inline uint64_t ds_clock_place(const struct ds_clock *c)
{
    return c->ops->place ? c->ops->place(c->ctx) : 0;
}

/* schedule at a place taken earlier; a clock without places, or place 0,
 * falls back to plain scheduling order. */
static inline uint64_t ds_schedule_at_place(const struct ds_clock *c, int64_t at_ms,
                                            uint64_t place, ds_timer_fn fn, void *arg)
{
    if (place && c->ops->schedule_at_place)
        return c->ops->schedule_at_place(c->ctx, at_ms, place, fn, arg);
    return c->ops->schedule(c->ctx, at_ms, fn, arg);
}

/* fn(arg) for now, from inside a running timer: at once where the clock
 * allows it (inline_now), else as a timer of this instant. */
static inline void ds_run_now(const struct ds_clock *c, ds_timer_fn fn, void *arg)
{
    if (c->ops->inline_now && c->ops->inline_now(c->ctx))
        fn(arg);
    else
        c->ops->schedule(c->ctx, ds_now(c), fn, arg);
}

/* ---- HTTP client -------------------------------------------------------- */

struct ds_header {
    const char *name;
    const char *value;
};

struct ds_http_request {
    const char *method;              /* "GET", "POST" */
    const char *url;                 /* absolute URL */
    const struct ds_header *headers; /* borrowed, n_headers entries */
    size_t n_headers;
    const char *body; /* borrowed; NULL for none */
    size_t body_len;
    int64_t timeout_ms; /* total time allowed for the exchange */
    size_t max_body;    /* answers with a longer body fail (DS_HTTP_PROTOCOL_ERROR); 0: no limit */
};

enum ds_http_outcome {
    DS_HTTP_RESPONSE = 0,   /* a status line and body arrived */
    DS_HTTP_TIMEOUT,        /* no complete answer within timeout_ms */
    DS_HTTP_CONNECT_FAILED, /* refused, unreachable, DNS */
    DS_HTTP_TLS_FAILED,     /* handshake or certificate verification */
    DS_HTTP_PROTOCOL_ERROR, /* closed early, malformed answer */
};

struct ds_http_response {
    enum ds_http_outcome outcome;
    long status; /* HTTP status when outcome == DS_HTTP_RESPONSE */
    char *body;  /* NUL-terminated; owned by the transport */
    size_t body_len;
    int64_t elapsed_ms; /* virtual (simulated) or wall (real) duration */
    char error[256];    /* transport's words when outcome != RESPONSE */
};

/* Called exactly once per accepted request, at the instant (virtual or real)
 * the answer arrives. resp is borrowed for the duration of the call. */
typedef void (*ds_http_done_fn)(void *arg, const struct ds_http_response *resp);

struct ds_http_ops {
    /* Send req; done(arg, resp) follows, never before send returns. Returns 0,
     * or -1 when the request could not be started (done is then not called). */
    int (*send)(void *ctx, const struct ds_http_request *req, ds_http_done_fn done, void *arg);
};

struct ds_http {
    const struct ds_http_ops *ops;
    void *ctx;
};

/* ---- ids -------------------------------------------------------------- */

struct ds_ids_ops {
    /* Write a new id for an entity of `kind` ("run") into buf (size n). Ids are
     * unique per source; a simulated source yields the same sequence every time. */
    void (*next)(void *ctx, const char *kind, char *buf, size_t n);
};

struct ds_ids {
    const struct ds_ids_ops *ops;
    void *ctx;
};

#endif
