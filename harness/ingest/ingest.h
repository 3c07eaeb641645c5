/* One POST to a project's transcript webhook, end to end (seed 001): validate
 * (CI-2..CI-5, CI-8: harness/core/transcript.h), store and commit before
 * answering (CI-9: harness/store/store.h), then match each call to its run
 * (CI-6, CI-7: core_transcript_attach). The simulated customer backend and
 * `dialsim serve` both answer through here.
 *
 * The 200 answer is the validator's {"accepted": N, "ids": [...]} plus
 * "calls": [{"id", "match": "matched" | "late" | "unmatched", "run_id", "message"}];
 * a re-sent request gets the same answer (CI-9). A store failure answers 500
 * and nothing is acknowledged. */
#ifndef DIALSIM_INGEST_H
#define DIALSIM_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/transcript.h"
#include "store/store.h"

struct ingest_answer {
    int status;
    char *body; /* JSON, owned: free() */
    size_t body_len;
    int key_header_misspelled; /* the sender spelled X-CEKURA-API-KEY otherwise */
};

/* rq->api_key must be the project's key. c may be NULL (store only, no
 * matching: the answer's "calls" then say "unmatched"). Returns 0, or -1 on
 * allocation failure (answer 500: out->body may hold its body, or be NULL).
 * Either way out is the caller's to ingest_answer_clear. Call on the core's
 * thread. */
int ingest_handle(struct core *c, struct store *s, const char *project, const struct tx_request *rq,
                  int64_t now_ms, struct ingest_answer *out);

/* A core shared by several threads behind a lock (dialsim serve: the core
 * lock of sim/clock_real.h). */
struct ingest_lock {
    void (*lock)(void *arg);
    void (*unlock)(void *arg);
    void *arg;
};

/* As ingest_handle, but called WITHOUT the core lock: validation and the
 * store's commit run unlocked, so that concurrent requests parse in parallel
 * and share commits (store.h: group commit); lk is taken only around the
 * matching. lk may be NULL (the caller holds the core, as for ingest_handle). */
int ingest_handle_locked(struct core *c, struct store *s, const char *project,
                         const struct tx_request *rq, int64_t now_ms, const struct ingest_lock *lk,
                         struct ingest_answer *out);

void ingest_answer_clear(struct ingest_answer *a);

#endif
