/* What the far side of a number does with the next call, or with every call
 * (mocks.pstn.outcomes of a scenario; PUT/POST /_dialsim/outcomes of serve):
 *
 *   {"to": "+15550001111", "outcome": "busy"}                    every call
 *   {"to": "+15550001111", "outcome": "answer", "ring": 3, "times": 1}
 *
 * outcome: answer (after `ring` seconds, default at once), busy, no-answer
 * (rings until the caller's ring timeout), fail, voicemail (after `ring`
 * seconds), decline. times: the next N calls; absent, every call. The most
 * recently set outcome for a number that has calls left wins (a "next call"
 * set over an "every call" one applies first). An outcome replaces the line's
 * own behaviour, but an "answer" for one of the core's lines is still an offer
 * the core may refuse (AO-3: the caller-ID gate is the core's, never the
 * mock's); refused, the call rings out. Outcomes come after mocks.pstn.faults'
 * caller-ID and routing rewrites, and before their verdicts.
 *
 * Thread-safe: a mutex of its own, as the PSTN runs under the core lock and
 * the admin API under the world's mutex. JSON in and out is borrowed/new. */
#ifndef DIALSIM_PSTN_OUTCOMES_H
#define DIALSIM_PSTN_OUTCOMES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum pstn_outcome_kind {
    PO_NONE = 0, /* no outcome set: the line does what it does */
    PO_ANSWER,
    PO_BUSY,
    PO_NO_ANSWER,
    PO_FAIL,
    PO_VOICEMAIL,
    PO_DECLINE,
};

struct pstn_outcomes;

int pstn_outcomes_create(struct pstn_outcomes **out);
void pstn_outcomes_destroy(struct pstn_outcomes *o); /* NULL ok */
/* Add one (checked by the caller: scenario_check_mocks); 0 or -1 (memory). */
int pstn_outcomes_add(struct pstn_outcomes *o, const json_t *outcome);
/* Replace them all by the array's (NULL or []: none). */
int pstn_outcomes_set(struct pstn_outcomes *o, const json_t *outcomes);
/* Forget them all; how many went. */
size_t pstn_outcomes_clear(struct pstn_outcomes *o);
/* The outcomes in force, latest first: [{"to", "outcome", "ring"?, "times"?
 * (calls left)}]; a new array. */
json_t *pstn_outcomes_json(struct pstn_outcomes *o);
/* A call to `to` is placed: the outcome that applies (one of its calls is
 * spent), with *ring_ms (-1: none given). PO_NONE when none. NULL o ok. */
enum pstn_outcome_kind pstn_outcomes_take(struct pstn_outcomes *o, const char *to,
                                          int64_t *ring_ms);

#endif
