/* The inbound gate: AO-3 (caller-ID check) and DW-2 (late dials).
 *
 * A call reaches one of the core's lines (an evaluator's number). It belongs
 * to the pending run for that number or, when none is pending, to the most
 * recent run for it (so that a late dial can be named on the run it missed).
 * The core answers only when the caller ID equals, exactly as a string, the
 * contact_number of some agent of the run's project (AO-3) and the run's dial
 * window is still open (DW-2: open means now < closes_at — decision: a dial at
 * exactly closes_at is late, as "placed before closes_at" says). Every other
 * call is dropped silently; the drop, its cause and the numbers are recorded on
 * the run.
 */
#include "core/core_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

static bool agent_calls_from(const struct core *c, const struct core_run *r, const char *from)
{
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    return a && a->contact_number && *from && strcmp(a->contact_number, from) == 0;
}

/* Which run a call to `to` belongs to: a pending run of that line — the one
 * whose agent calls from `from` when several are pending (one evaluator run
 * twice at once, two evaluators sharing a number: issue 14), else the most
 * recent — or, with none pending, the line's most recent run. */
static struct core_run *run_for_line(struct core *c, const char *to, const char *from)
{
    struct core_run *latest = NULL, *pending = NULL;
    for (size_t i = c->n_runs; i-- > 0;) {
        struct core_run *r = c->runs[i];
        if (!r->window_set || strcmp(r->to_number, to) != 0)
            continue;
        if (r->status == DS_RUN_PENDING) {
            if (agent_calls_from(c, r, from))
                return r;
            if (!pending)
                pending = r;
        }
        if (!latest)
            latest = r;
    }
    return pending ? pending : latest;
}

/* AO-3: exact string equality with some agent of the same project. */
static bool caller_id_known(const struct core *c, const char *project, const char *from)
{
    for (size_t i = 0; i < c->n_agents; i++) {
        const struct core_agent *a = c->agents[i];
        if (strcmp(a->project, project) == 0 && a->contact_number && *a->contact_number &&
            strcmp(a->contact_number, from) == 0)
            return true;
    }
    return false;
}

static void record_dial(struct core_run *r, const char *from, const char *to, bool answered,
                        enum ds_reason drop, int64_t late_by)
{
    const struct core_agent *a = core_agent_get(r->core, r->agent_id);
    struct core_dial *nd = realloc(r->dials, (r->n_dials + 1) * sizeof *nd);
    if (!nd)
        return;
    r->dials = nd;
    nd[r->n_dials++] = (struct core_dial){
        .at = core_now(r->core),
        .from = core_strdup(from),
        .to = core_strdup(to),
        .answered = answered,
        .drop = drop,
        .late_by_ms = late_by,
        .expected = core_strdup(a && a->contact_number ? a->contact_number : ""),
    };
}

bool core_inbound_offer(struct core *c, const char *from, const char *to, uint64_t *token)
{
    if (!from)
        from = "";
    struct core_run *r = run_for_line(c, to, from);
    if (!r)
        return false; /* a line with no run: nothing to record it on */
    int64_t now = core_now(c);
    char tb[40];
    enum ds_reason drop = DS_REASON_NONE;
    if (!*from)
        drop = DS_REASON_CALLER_ID_MISSING;
    else if (!caller_id_known(c, r->project, from))
        drop = DS_REASON_CALLER_ID_MISMATCH;
    /* DW-2 (decision: a caller-ID problem outranks lateness as the reason, since
     * it would drop the call at any time; the lateness is still recorded). */
    bool late = now >= r->closes_at;
    int64_t late_by = late ? now - r->closes_at : 0;
    if (drop == DS_REASON_NONE && late)
        drop = DS_REASON_DIAL_LATE;
    if (drop == DS_REASON_NONE && r->status != DS_RUN_PENDING) {
        /* A second call while the first is answered, or after the run ended. */
        core_log(r, "inbound call from %s to %s ignored: run is %s", from, to,
                 run_status_name(r->status));
        return false;
    }
    if (drop != DS_REASON_NONE) {
        record_dial(r, from, to, false, drop, late_by);
        if (late)
            core_log(r,
                     "inbound call from %s to %s dropped silently: %s (%s after the window "
                     "closed)",
                     *from ? from : "(no caller ID)", to, reason_name(drop),
                     ts_secs(late_by, tb, sizeof tb));
        else
            core_log(r, "inbound call from %s to %s dropped silently: %s",
                     *from ? from : "(no caller ID)", to, reason_name(drop));
        /* A run that already timed out with no dial learns why: the dial came late.
         * Its status stays final (DW-4); only the explanation is refined. */
        if (r->status == DS_RUN_TIMEOUT && r->reason == DS_REASON_NO_DIAL &&
            drop == DS_REASON_DIAL_LATE) {
            r->reason = DS_REASON_DIAL_LATE;
            core_log(r, "reason refined: no_dial -> dial_late");
            core_follow_provider_call(r);
        }
        diagnosis_update(c, r);
        return false;
    }
    record_dial(r, from, to, true, DS_REASON_NONE, 0);
    r->status = DS_RUN_IN_PROGRESS;
    r->answered_at = now;
    r->updated_at = now;
    if (r->window_timer) {
        c->env.clock.ops->cancel(c->env.clock.ctx, r->window_timer);
        r->window_timer = 0;
    }
    core_log(r, "inbound call from %s to %s answered; run in_progress", from, to);
    *token = r->seq;
    return true;
}

void core_inbound_hangup(struct core *c, uint64_t token)
{
    struct core_run *r = NULL;
    for (size_t i = c->n_runs; token && i-- > 0;) /* newest first: the call is recent */
        if (c->runs[i]->seq == token) {
            r = c->runs[i];
            break;
        }
    if (!r || r->status != DS_RUN_IN_PROGRESS)
        return;
    r->ended_at = core_now(c);
    core_log(r, "call ended by the far side");
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    if (a && a->custom_transcripts && !r->transcript_call_id) {
        /* CI-6: the transcript comes from the customer's backend; wait 5 min.
         * A transcript at exactly end + 5 min is still in time (only later is
         * late, transcript_match.c), so the run is given up 1 ms after that:
         * a timer at end + 5 min itself could fail the run just before an
         * in-time transcript due at the same instant is matched. */
        core_log(r, "waiting up to 5 min for the transcript from the customer's backend");
        r->transcript_timer = c->env.clock.ops->schedule(
            c->env.clock.ctx, r->ended_at + CORE_TRANSCRIPT_WINDOW_MS + 1, core_transcript_timeout,
            r);
    } else {
        core_finish(r, DS_RUN_COMPLETED, DS_REASON_NONE, NULL);
    }
    /* the provider's view of the call (and its recording) follows; webhooks
     * usually bring it, so the first poll waits a little */
    core_follow_provider_call_at(r, core_now(c) + CORE_FOLLOW_GRACE_MS);
}
