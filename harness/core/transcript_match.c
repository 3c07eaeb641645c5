/* The custom integration's matching (seed 001): CI-7 attaches a transcript to
 * its run, CI-6 bounds the wait to 5 minutes after the call ended. */
#include "core/core_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

const char *core_tx_outcome_name(enum core_tx_outcome o)
{
    static const char *names[] = {"matched", "late", "unmatched"};
    return (unsigned)o <= CORE_TX_UNMATCHED ? names[o] : "?";
}

void core_transcript_timeout(void *arg)
{
    struct core_run *r = arg;
    r->transcript_timer = 0;
    if (r->status != DS_RUN_IN_PROGRESS || r->transcript_call_id)
        return;
    core_log(r, "no transcript within 5 min of the call's end");
    core_finish(r, DS_RUN_FAILED, DS_REASON_TRANSCRIPT_MISSING, NULL);
}

/* How well a run's call fits a transcript's call: rank first (lower is
 * better), then distance between the two calls' times. */
struct fit {
    int rank;
    int64_t distance;
};

static int64_t abs_diff(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

/* Rank 0: the call has ended and the run has no transcript yet: the run that
 * waits for exactly this. Rank 1: the call is still in progress. Rank 2: the
 * run already has a transcript. Distance: how far the run's call (answered,
 * ended; now when still in progress) lies from startedAt/endedAt, so that of
 * two ended calls to one number the transcript goes to the call it describes,
 * not to the most recent one (issue 14). */
static struct fit run_fit(const struct core *c, const struct core_run *r,
                          const struct core_transcript *t)
{
    struct fit f = {r->transcript_call_id ? 2 : r->ended_at ? 0 : 1, 0};
    int64_t end = r->ended_at ? r->ended_at : core_now(c);
    if (t->started_at_ms)
        f.distance += abs_diff(r->answered_at, t->started_at_ms);
    if (t->ended_at_ms)
        f.distance += abs_diff(end, t->ended_at_ms); /* ISO instants: no overflow */
    return f;
}

static bool fit_better(struct fit a, struct fit b)
{
    return a.rank != b.rank ? a.rank < b.rank : a.distance < b.distance;
}

/* CI-7: the project's answered runs (of the agent, when the request named
 * one) whose evaluator number is `to`: the run that already holds this call
 * (CI-9), else the best fit. *tie is the run that fits exactly as well as the
 * result, when there is one: then nobody can tell which call it was. */
static struct core_run *run_for_number(struct core *c, const char *project,
                                       const struct core_transcript *t, struct core_run **tie)
{
    struct core_run *best = NULL;
    struct fit bf = {0, 0};
    *tie = NULL;
    for (size_t i = 0; i < c->n_runs; i++) {
        struct core_run *r = c->runs[i];
        if (strcmp(r->project, project) != 0 || strcmp(r->to_number, t->to_phone_number) != 0 ||
            !r->answered_at)
            continue;
        if (t->agent_id && strcmp(r->agent_id, t->agent_id) != 0)
            continue;
        if (r->transcript_call_id && strcmp(r->transcript_call_id, t->call_id) == 0) {
            *tie = NULL;
            return r;
        }
        struct fit f = run_fit(c, r, t);
        if (!best || fit_better(f, bf)) {
            best = r;
            bf = f;
            *tie = NULL;
        } else if (!fit_better(bf, f) && !*tie) {
            *tie = r;
        }
    }
    return best;
}

static void set_out(struct core_tx_match *out, enum core_tx_outcome o, const struct core_run *r,
                    const char *msg)
{
    out->outcome = o;
    snprintf(out->run_id, sizeof out->run_id, "%s", r ? r->id : "");
    snprintf(out->message, sizeof out->message, "%s", msg);
}

void core_transcript_attach(struct core *c, const char *project, const struct core_transcript *t,
                            struct core_tx_match *out)
{
    struct core_run *r = NULL;
    char msg[300];
    if (t->run_id) {
        r = (struct core_run *)core_run_get(c, t->run_id);
        if (!r || strcmp(r->project, project) != 0) {
            snprintf(msg, sizeof msg, "no run %s in this project", t->run_id);
            set_out(out, CORE_TX_UNMATCHED, NULL, msg);
            return;
        }
    } else if (t->to_phone_number) {
        const struct core_agent *ag = t->agent_id ? core_agent_get(c, t->agent_id) : NULL;
        if (t->agent_id && (!ag || strcmp(ag->project, project) != 0)) {
            snprintf(msg, sizeof msg, "no agent %s in this project", t->agent_id);
            set_out(out, CORE_TX_UNMATCHED, NULL, msg);
            return;
        }
        struct core_run *tie;
        r = run_for_number(c, project, t, &tie);
        if (r && tie) {
            /* issue 14: two runs fit equally; a guess could fail the other run */
            snprintf(msg, sizeof msg,
                     "ambiguous: runs %s and %s both called %s and fit this call equally; send "
                     "run_id to say which",
                     r->id, tie->id, t->to_phone_number);
            core_log(r, "transcript %s not attached: it fits %s as well", t->call_id, tie->id);
            core_log(tie, "transcript %s not attached: it fits %s as well", t->call_id, r->id);
            set_out(out, CORE_TX_UNMATCHED, NULL, msg);
            return;
        }
        if (!r) {
            snprintf(msg, sizeof msg,
                     "no answered run called %s: to_phone_number must be the evaluator's number",
                     t->to_phone_number);
            set_out(out, CORE_TX_UNMATCHED, NULL, msg);
            return;
        }
    } else {
        set_out(out, CORE_TX_UNMATCHED, NULL,
                "the call has neither run_id nor to_phone_number: nothing to match it by");
        return;
    }
    /* CI-9: the same call again is the same answer */
    if (r->transcript_call_id && strcmp(r->transcript_call_id, t->call_id) == 0) {
        set_out(out, CORE_TX_MATCHED, r, "attached"); /* the same words as the first time */
        return;
    }
    /* CI-6: 5 minutes after the call ended, on the core's clock; the run's own
     * end when the core saw it, else the sender's endedAt */
    int64_t ended = r->ended_at ? r->ended_at : t->ended_at_ms;
    int64_t now = core_now(c);
    char tb[24], eb[40], cb[40];
    if (now > ended + CORE_TRANSCRIPT_WINDOW_MS) {
        /* CI-9: the words depend on the call, not on when it arrived, so a
         * re-sent late call gets the same answer; the delay goes to the log */
        snprintf(msg, sizeof msg,
                 "the call ended at %s and the core listens for 5 min (CI-6): the window closed "
                 "at %s — not matched",
                 ts_iso(ended, eb, sizeof eb),
                 ts_iso(ended + CORE_TRANSCRIPT_WINDOW_MS, cb, sizeof cb));
        core_log(r, "transcript %s arrived late (%s after the call ended): not attached",
                 t->call_id, ts_secs(now - ended, tb, sizeof tb));
        if (r->status == DS_RUN_FAILED && r->reason == DS_REASON_TRANSCRIPT_MISSING) {
            r->reason = DS_REASON_TRANSCRIPT_LATE;
            core_log(r, "reason refined: transcript_missing -> transcript_late");
            diagnosis_update(c, r);
        }
        set_out(out, CORE_TX_LATE, r, msg);
        return;
    }
    if (r->transcript_call_id) {
        snprintf(msg, sizeof msg, "run %s already has transcript %s", r->id, r->transcript_call_id);
        set_out(out, CORE_TX_UNMATCHED, r, msg);
        return;
    }
    free(r->transcript_call_id);
    r->transcript_call_id = strdup(t->call_id);
    if (t->text) {
        free(r->transcript);
        r->transcript = strdup(t->text);
    }
    core_log(r, "transcript %s attached", t->call_id);
    if (r->transcript_timer) {
        c->env.clock.ops->cancel(c->env.clock.ctx, r->transcript_timer);
        r->transcript_timer = 0;
    }
    if (r->status == DS_RUN_IN_PROGRESS && r->ended_at)
        core_finish(r, DS_RUN_COMPLETED, DS_REASON_NONE, NULL);
    set_out(out, CORE_TX_MATCHED, r, "attached");
}
