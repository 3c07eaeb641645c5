/* The diagnosis: one or two sentences a support engineer can paste to a
 * customer. It names the provider-side symptom in the provider's own words
 * ("Vapi reports customer-did-not-answer") and the core-side cause, with the
 * numbers. Recomputed whenever the run learns something new. */
#include "core/core_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "core/timefmt.h"

struct sb {
    char buf[1024];
    size_t len;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->buf + b->len, sizeof b->buf - b->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        b->len += (size_t)w < sizeof b->buf - b->len ? (size_t)w : sizeof b->buf - b->len - 1;
}

static const struct core_dial *first_drop(const struct core_run *r, enum ds_reason why)
{
    for (size_t i = 0; i < r->n_dials; i++)
        if (!r->dials[i].answered && r->dials[i].drop == why)
            return &r->dials[i];
    return NULL;
}

/* "Vapi reports customer-did-not-answer." — what the customer sees in the provider's logs. */
static void provider_symptom(const struct core_run *r, struct sb *b)
{
    const char *p = provider_display(r->provider);
    if (r->provider_symptom)
        sb_add(b, "%s. ", r->provider_symptom);
    else if (r->provider_ended_reason)
        sb_add(b, "%s reports %s. ", p, r->provider_ended_reason);
    else if (r->provider_status && r->provider_call_id)
        sb_add(b, "%s shows call %s as %s. ", p, r->provider_call_id, r->provider_status);
}

static void window_numbers(const struct core_run *r, struct sb *b)
{
    char o[24], cl[24];
    sb_add(b, "opened %s, closed %s", ts_clock(r->opens_at, o, sizeof o),
           ts_clock(r->closes_at, cl, sizeof cl));
}

static void precondition_text(const struct core *c, const struct core_run *r, struct sb *b)
{
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    const char *an = a ? a->id : r->agent_id;
    const char *detail = r->detail ? r->detail : "";
    switch (r->reason) {
    case DS_REASON_AGENT_INBOUND_MODE:
        sb_add(b,
               "Agent '%s' is in inbound mode (inbound is true); auto outbound needs inbound "
               "false.",
               an);
        break;
    case DS_REASON_AUTO_OUTBOUND_DISABLED:
        sb_add(b, "Auto outbound is switched off for agent '%s'.", an);
        break;
    case DS_REASON_PROVIDER_CREDENTIALS_MISSING:
        sb_add(b, "Agent '%s' has incomplete %s credentials (%s).", an,
               provider_display(r->provider), detail);
        break;
    case DS_REASON_CONTACT_NUMBER_MISSING:
        sb_add(b, "Agent '%s' has no contact_number, so no caller ID could be accepted.", an);
        break;
    case DS_REASON_CONTACT_NUMBER_INVALID:
        sb_add(b, "Agent '%s': its %s; it must be E.164 like +15551234567.", an, detail);
        break;
    case DS_REASON_EVALUATOR_NUMBER_INVALID:
        sb_add(b, "The %s; it must be E.164 like +15551234567.", detail);
        break;
    default:
        break;
    }
    sb_add(b, " No call was placed.");
}

static void provider_refusal_text(const struct core_run *r, struct sb *b)
{
    const char *p = provider_display(r->provider);
    const char *detail = r->detail ? r->detail : "";
    switch (r->reason) {
    case DS_REASON_PROVIDER_UNREACHABLE:
        /* a cut-off answer may hide a placed call: do not claim otherwise */
        if (strstr(detail, "may or may not"))
            sb_add(b, "%s.", detail);
        else
            sb_add(b, "%s. No call was placed.", detail);
        return;
    case DS_REASON_PROVIDER_AUTH_FAILED:
        sb_add(b, "%s refused the API key (%s). Check the agent's provider_api_key.", p, detail);
        break;
    case DS_REASON_PROVIDER_INSUFFICIENT_CREDITS:
        sb_add(b, "%s refused the call for lack of credits (%s).", p, detail);
        break;
    case DS_REASON_PROVIDER_PERMISSION_DENIED:
        sb_add(b, "%s refused the call: the API key lacks a permission (%s).", p, detail);
        break;
    case DS_REASON_PROVIDER_ERROR:
        sb_add(b, "%s failed with a server error (%s).", p, detail);
        break;
    default:
        sb_add(b, "%s rejected the call request (%s).", p, detail);
        break;
    }
    sb_add(b, " No call was placed.");
}

static void caller_id_text(const struct core *c, const struct core_run *r, struct sb *b)
{
    const struct core_dial *d = first_drop(r, r->reason);
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    const char *an = a ? a->id : r->agent_id;
    if (!d)
        return;
    const char *want = d->expected && *d->expected ? d->expected : NULL;
    if (r->reason == DS_REASON_CALLER_ID_MISSING) {
        sb_add(b,
               "The call to %s arrived without a caller ID and was dropped: only calls whose "
               "caller ID equals an agent's contact_number are answered",
               d->to);
        if (want)
            sb_add(b, " (agent '%s' has %s).", an, want);
        else
            sb_add(b, ".");
        return;
    }
    char diff[128];
    sb_add(b, "The call from %s was dropped: no agent in this project has that contact_number",
           d->from);
    if (!want) {
        sb_add(b, " (agent '%s' has none).", an);
        return;
    }
    /* Said of the caller ID, measured against the agent's number: "lacks the
     * leading +", "has 12 digits instead of 11"; a digit slip reads better said
     * of the agent's number, as support would say it. */
    e164_difference(d->from, want, diff, sizeof diff);
    if (strncmp(diff, "differs", 7) == 0)
        sb_add(b, " (agent '%s' has %s, which %s).", an, want, diff);
    else
        sb_add(b, " (agent '%s' has %s; the caller ID %s).", an, want, diff);
}

/* Issue 12, AO-4: a run dialled from a provider batch that the account
 * refused (credits, concurrency) is one of several: say which, and how many
 * of the batch's calls met the same refusal, so that "half the batch failed
 * because the account ran out of credits" reads as such. */
static void batch_text(const struct core *c, const struct core_run *r, struct sb *b)
{
    if (!r->batch_id || (r->reason != DS_REASON_PROVIDER_INSUFFICIENT_CREDITS &&
                         r->reason != DS_REASON_PROVIDER_CONCURRENCY_LIMIT))
        return;
    int alike = 0;
    for (size_t i = 0; i < c->n_runs; i++) {
        const struct core_run *o = c->runs[i];
        if (!o->batch_id || strcmp(o->batch_id, r->batch_id))
            continue;
        if (o->status == DS_RUN_FAILED && o->reason == r->reason)
            alike++;
    }
    const char *p = provider_display(r->provider);
    /* Vapi calls its batches campaigns */
    sb_add(b,
           " This run's call was number %d of %d in %s %s %s; %d of the batch's calls were "
           "refused alike",
           r->batch_index, r->batch_size, p, r->provider == DS_PROVIDER_VAPI ? "campaign" : "batch",
           r->batch_id, alike);
    if (r->reason == DS_REASON_PROVIDER_INSUFFICIENT_CREDITS)
        sb_add(b, ": the account ran out of credits part-way through the batch. Add credits or "
                  "send a smaller batch.");
    else
        sb_add(b, ": the batch asked for more calls at once than the account's concurrency "
                  "limit allows. Raise the limit or send smaller batches.");
}

static void diagnosis_compute(struct core *c, struct core_run *r)
{
    free(r->diagnosis);
    r->diagnosis = NULL;
    if (r->status != DS_RUN_FAILED && r->status != DS_RUN_TIMEOUT)
        return;
    struct sb b = {.len = 0};
    b.buf[0] = '\0';
    char t1[24], t2[24];
    switch (r->reason) {
    case DS_REASON_AGENT_INBOUND_MODE:
    case DS_REASON_AUTO_OUTBOUND_DISABLED:
    case DS_REASON_PROVIDER_CREDENTIALS_MISSING:
    case DS_REASON_CONTACT_NUMBER_MISSING:
    case DS_REASON_CONTACT_NUMBER_INVALID:
    case DS_REASON_EVALUATOR_NUMBER_INVALID:
        precondition_text(c, r, &b);
        break;
    case DS_REASON_PROVIDER_AUTH_FAILED:
    case DS_REASON_PROVIDER_INSUFFICIENT_CREDITS:
    case DS_REASON_PROVIDER_PERMISSION_DENIED:
    case DS_REASON_PROVIDER_REJECTED_REQUEST:
    case DS_REASON_PROVIDER_UNREACHABLE:
    case DS_REASON_PROVIDER_ERROR:
        provider_refusal_text(r, &b);
        break;
    case DS_REASON_CALLER_ID_MISMATCH:
    case DS_REASON_CALLER_ID_MISSING:
        provider_symptom(r, &b);
        caller_id_text(c, r, &b);
        break;
    case DS_REASON_DIAL_LATE: {
        const struct core_dial *d = first_drop(r, DS_REASON_DIAL_LATE);
        provider_symptom(r, &b);
        if (d) {
            if (d->late_by_ms == 0)
                sb_add(&b, "The dial came at the instant the dial window closed (");
            else
                sb_add(&b, "The dial came %s after the dial window closed (",
                       ts_secs(d->late_by_ms, t1, sizeof t1));
            window_numbers(r, &b);
            sb_add(&b, ", dial %s).", ts_clock(d->at, t2, sizeof t2));
        }
        break;
    }
    case DS_REASON_NO_DIAL:
        provider_symptom(r, &b);
        sb_add(&b, "No call reached %s within the %d s dial window (", r->to_number,
               r->window_seconds);
        window_numbers(r, &b);
        sb_add(&b, ").");
        if (r->provider_call_id && r->provider_network_ended)
            sb_add(&b,
                   " %s placed the call (call %s) and the telephone network ended it before it "
                   "reached the line: a wrong or dead number, the carrier or the far side, not the "
                   "core.",
                   provider_display(r->provider), r->provider_call_id);
        else if (r->provider_call_id)
            sb_add(&b,
                   " %s accepted the call request (call %s), so the call went to another "
                   "number or was never placed.",
                   provider_display(r->provider), r->provider_call_id);
        break;
    case DS_REASON_TRANSCRIPT_MISSING:
        sb_add(&b,
               "The call was answered and ended at %s, but no transcript for %s reached the "
               "webhook within 5 minutes (CI-6): check the sender's X-CEKURA-API-KEY, its "
               "to_phone_number and that it posts after every call.",
               ts_clock(r->ended_at, t1, sizeof t1), r->to_number);
        break;
    case DS_REASON_TRANSCRIPT_LATE:
        sb_add(&b,
               "The call ended at %s and its transcript came after the 5-minute listening "
               "window (CI-6), so it was not matched.",
               ts_clock(r->ended_at, t1, sizeof t1));
        break;
    case DS_REASON_TRIGGER_TLS_FAILED:
        /* The detail names which: the endpoint's certificate, or this host
         * with no CA certificates to check any (a minimal Debian without
         * ca-certificates), which no fix on the endpoint would cure. */
        if (r->detail && r->detail[0])
            sb_add(&b, "%s. The trigger never reached the endpoint.", r->detail);
        else
            sb_add(&b, "%s.", reason_sentence(r->reason));
        break;
    default:
        sb_add(&b, "%s.", reason_sentence(r->reason));
        break;
    }
    batch_text(c, r, &b);
    /* trim the trailing space a symptom-only text would leave */
    while (b.len > 0 && b.buf[b.len - 1] == ' ')
        b.buf[--b.len] = '\0';
    r->diagnosis = strdup(b.buf);
}

void diagnosis_update(struct core *c, struct core_run *r)
{
    diagnosis_compute(c, r);
    core_run_changed(r);
}
