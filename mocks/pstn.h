/* The simulated telephone network. A provider mock places a call from its
 * phone number (the ANI) to a number; the PSTN rings the line that owns it.
 * The core's inbound lines (the evaluators' numbers) are offered the call and
 * answer or stay silent (AO-3); a silent line rings until the caller's ring
 * timeout (no-answer), or shows busy when the scenario says the carrier
 * presents silence as busy. An answered call lasts call_duration, then the far
 * side hangs up. Faults rewrite the caller ID, withhold it, misroute the call,
 * make a line busy, decline the call, make the number invalid or send the
 * call to voicemail; a silent line can also end in voicemail. A voicemail box
 * answers the call (the provider sees it connected) for call_duration. Everything happens on the
 * clock: nothing sleeps. */
#ifndef DIALSIM_PSTN_H
#define DIALSIM_PSTN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ports.h"

struct json_t;
struct pstn_outcomes;

/* The core's side of its lines. */
struct pstn_line_ops {
    /* A call from `from` ("" when withheld) reaches line `to` now; true answers. */
    bool (*offer)(void *ctx, const char *from, const char *to, uint64_t *token);
    /* The far side hung up the answered call `token`. */
    void (*hangup)(void *ctx, uint64_t token);
};

enum pstn_end {
    PSTN_END_COMPLETED, /* answered, then hung up normally */
    PSTN_END_NO_ANSWER, /* rang until the ring timeout */
    PSTN_END_BUSY,
    PSTN_END_FAILED,    /* could not be placed */
    PSTN_END_DECLINED,  /* the far side rejected it (SIP 603) */
    PSTN_END_INVALID,   /* no such number (SIP 404, Twilio "failed") */
    PSTN_END_VOICEMAIL, /* a voicemail box took it, not the line */
};
/* "completed", "no-answer", "busy", "failed", "declined", "invalid", "voicemail" */
const char *pstn_end_name(enum pstn_end e);

/* How the provider learns what became of its call; each runs on the clock's
 * thread. ringing and answered may not come; ended comes exactly once. */
struct pstn_observer {
    void (*ringing)(void *arg);
    void (*answered)(void *arg);
    void (*ended)(void *arg, enum pstn_end how);
    void *arg;
};

struct pstn_fault {
    char *to;       /* calls to this number ... */
    char *ani;      /* ... arrive with this caller ID ("" withholds it), or NULL */
    char *misdial;  /* ... are routed to this number instead, or NULL */
    bool busy;      /* ... find the line busy */
    bool fail;      /* ... cannot be connected at all (Twilio "failed") */
    bool declined;  /* ... are rejected by the far side at once (SIP 603) */
    bool invalid;   /* ... reach no subscriber: the number is not in service (SIP 404) */
    bool voicemail; /* ... go straight to a voicemail box, never to the line */
};

struct pstn_config {
    int64_t call_duration_ms; /* answered calls last this long */
    bool silence_as_busy;     /* a silent line shows busy instead of ringing out */
    /* a silent line's call goes to voicemail after voicemail_after_ms of
     * ringing (unless the caller gives up first: no-answer) */
    bool silence_to_voicemail;
    int64_t voicemail_after_ms;
    struct pstn_fault *faults; /* borrowed during pstn_create, copied */
    size_t n_faults;
    /* ended calls kept (the oldest let go of first); 0: all. A live call is
     * always kept: its events and its observer's arg point at it. */
    size_t max_ended_calls;
    /* mocks.pstn.outcomes (pstn_outcomes.h), borrowed during pstn_create */
    const struct json_t *outcomes;
};

struct pstn_call {
    char *from, *to;                     /* as the provider placed it */
    char *delivered_from, *delivered_to; /* after faults */
    int64_t placed_at, answered_at, ended_at;
    bool answered;
    bool ended;
    enum pstn_end how;
};

/* Told of every call's end (answered or not), after the provider's observer. */
struct pstn_listener {
    void (*call_ended)(void *ctx, const struct pstn_call *c);
    void *ctx;
};

struct pstn;

int pstn_create(struct pstn **out, struct ds_clock clock, const struct pstn_config *cfg);
void pstn_destroy(struct pstn *p);
/* The core's lines: ops/ctx borrowed. */
void pstn_set_core(struct pstn *p, const struct pstn_line_ops *ops, void *ctx);
int pstn_add_line(struct pstn *p, const char *number);
void pstn_set_listener(struct pstn *p, struct pstn_listener l);
/* Place a call now. The observer is copied; its arg is borrowed until ended. */
int pstn_place_call(struct pstn *p, const char *from, const char *to, int64_t ring_timeout_ms,
                    struct pstn_observer obs);
/* The calls kept (all of them without max_ended_calls), oldest first; i-th
 * of them (a walk: for tests and small worlds). */
size_t pstn_call_count(const struct pstn *p);
const struct pstn_call *pstn_call_at(const struct pstn *p, size_t i);
/* The outcomes set per number (pstn_outcomes.h): borrowed, valid while p
 * lives; thread-safe on its own. */
struct pstn_outcomes *pstn_outcomes_of(struct pstn *p);
/* Ended calls let go of so far. */
size_t pstn_calls_evicted(const struct pstn *p);

#endif
