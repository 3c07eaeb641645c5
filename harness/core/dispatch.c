/* Asking the provider for a run's call and following that call (AO-1, AO-4):
 * the start-call request and its retries (docs/retries.md), redial (DW-4),
 * and the polls of the provider's call — during the dial window, so that a
 * call accepted and then ended at start fails the run within seconds even
 * without webhooks, and after the run, so that the diagnosis can quote the
 * provider's own end reason. Split from core.c (issue 14). */
#include "core/core_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

struct dispatch_ctx {
    struct core_run *run;
    struct provider_req req;
    bool is_poll;
};

static int send_req(struct core_run *r, struct dispatch_ctx *d, ds_http_done_fn done);

/* The request's context goes, and with it its hold on the run. */
static void dispatch_ctx_free(struct dispatch_ctx *d)
{
    provider_req_clear(&d->req);
    if (d->run)
        core_run_release(d->run);
    free(d);
}
static void retry_now(void *arg);

static void on_start_answer(void *arg, const struct ds_http_response *resp)
{
    struct dispatch_ctx *d = arg;
    struct core_run *r = d->run;
    const struct provider_ops *ops = core_provider_ops(r->provider);
    struct provider_start_result res;
    ops->parse_start(resp, &res);
    if (resp->outcome == DS_HTTP_RESPONSE)
        r->provider_http_status = (int)resp->status;
    if (res.ok) {
        if (!r->provider_call_id || strcmp(r->provider_call_id, res.call_id) != 0)
            r->provider_ended = false; /* a new call (redial): nothing known of it yet */
        core_set_str(&r->provider_call_id, res.call_id);
        core_set_str(&r->provider_status, res.status);
        core_log(r, "%s answered %ld: call %s %s", ops->display, resp->status, res.call_id,
                 res.status);
        if (res.start_error != DS_REASON_NONE && r->status == DS_RUN_PENDING)
            core_finish(r, DS_RUN_FAILED, res.start_error, res.detail); /* AO-4 */
        else
            core_window_poll_start(r);
    } else if (res.retryable && r->attempts < CORE_START_ATTEMPTS && r->status == DS_RUN_PENDING) {
        /* docs/retries.md: 429, 5xx and connect failures, twice, 0.5 s then 1 s */
        int64_t wait = (int64_t)CORE_RETRY_BASE_MS << (r->attempts - 1);
        char tb[24];
        core_log(r, "%s failed: %s; retrying in %s (attempt %d of %d)", ops->display, res.detail,
                 ts_secs(wait, tb, sizeof tb), r->attempts + 1, CORE_START_ATTEMPTS);
        struct ds_clock *ck = &r->core->env.clock;
        if (ck->ops->schedule(ck->ctx, core_now(r->core) + wait, retry_now, d))
            return; /* d travels on to the retry */
    } else {
        core_log(r, "%s refused the call: %s", ops->display, res.detail);
        /* AO-4: a refusal fails the run with the provider's reason, not a timeout.
         * A run already answered or final is not touched. */
        if (r->status == DS_RUN_PENDING)
            core_finish(r, DS_RUN_FAILED, res.reason, res.detail);
    }
    dispatch_ctx_free(d);
}

static void retry_now(void *arg)
{
    struct dispatch_ctx *d = arg;
    if (d->run->status != DS_RUN_PENDING) {
        dispatch_ctx_free(d);
        return;
    }
    d->run->attempts++;
    send_req(d->run, d, on_start_answer);
}

/* 0 when sent; -1 (d freed) when not. */
static int send_req(struct core_run *r, struct dispatch_ctx *d, ds_http_done_fn done)
{
    struct ds_http_request hr = {
        .method = d->req.method,
        .url = d->req.url,
        .headers = d->req.headers,
        .n_headers = d->req.n_headers,
        .body = d->req.body,
        .body_len = d->req.body ? strlen(d->req.body) : 0,
        .timeout_ms = CORE_PROVIDER_TIMEOUT_MS,
    };
    struct ds_http *h = &r->core->env.http;
    if (h->ops->send(h->ctx, &hr, done, d) != 0) {
        core_log(r, "could not send %s %s", d->req.method, d->req.url);
        dispatch_ctx_free(d);
        return -1;
    }
    return 0;
}

/* The path of a URL ("/call"): logs must not show the mock's ephemeral port,
 * or the same scenario would print differently from run to run. */
static const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    return p ? p : url;
}

/* AO-1: ask the agent's provider to place the run's call. */
void core_dispatch(struct core_run *r)
{
    struct core *c = r->core;
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    const struct core_evaluator *e = core_evaluator_get(c, r->evaluator_id);
    if (core_agent_has_trigger(a)) {
        trigger_dispatch(r);
        return;
    }
    const struct provider_ops *ops = core_provider_ops(r->provider);
    if (!ops) {
        core_finish(r, DS_RUN_FAILED, DS_REASON_PROVIDER_REJECTED_REQUEST,
                    "no adapter for this provider yet");
        return;
    }
    struct provider_call_spec spec = {
        .base_url =
            c->env.provider_base_url[r->provider] ? c->env.provider_base_url[r->provider] : "",
        .api_key = a->provider_api_key,
        .assistant_id = a->assistant_id,
        .phone_number_id = a->phone_number_id,
        .phone_number_type = a->phone_number_type,
        .from_number = a->contact_number,
        .to_number = e->phone_number,
        .dynamic_variables = e->dynamic_variables,
        .run_id = r->id,
    };
    struct dispatch_ctx *d = calloc(1, sizeof *d);
    if (!d || ops->build_start(&spec, &d->req) != 0) {
        free(d);
        core_finish(r, DS_RUN_FAILED, DS_REASON_PROVIDER_ERROR, "out of memory");
        return;
    }
    d->run = r;
    core_run_hold(r);
    r->attempts = 1;
    core_log(r, "%s %s %s (from %s to %s)", d->req.method, ops->display, url_path(d->req.url),
             a->contact_number, e->phone_number);
    send_req(r, d, on_start_answer);
}

int core_run_redial(struct core *c, const char *run_id, char *err, size_t n)
{
    struct core_run *r = (struct core_run *)core_run_get(c, run_id);
    if (!r) {
        snprintf(err, n, "no run '%s'", run_id);
        return -1;
    }
    switch (r->status) {
    case DS_RUN_PENDING:
        core_log(r, "redial requested");
        core_dispatch(r);
        return 0;
    case DS_RUN_IN_PROGRESS:
        snprintf(err, n, "run '%s' has a call in progress", run_id);
        return -1;
    default:
        /* DW-4 */
        snprintf(err, n,
                 "run '%s' is final (%s%s%s) and cannot be resumed or re-dialled (DW-4); fix "
                 "the cause and start a fresh run",
                 run_id, run_status_name(r->status), r->reason ? ", " : "", reason_name(r->reason));
        return -1;
    }
}

/* ---- what the provider says of the call (polls, webhooks) --------------- */

static void poll_now(void *arg);

void core_apply_provider_state(struct core_run *r, const struct provider_call_state *st,
                               const char *source)
{
    const struct provider_ops *ops = core_provider_ops(r->provider);
    bool changed = !r->provider_status || strcmp(r->provider_status, st->status) != 0 ||
                   (st->ended_reason[0] && (!r->provider_ended_reason ||
                                            strcmp(r->provider_ended_reason, st->ended_reason)));
    core_set_str(&r->provider_status, st->status);
    if (st->ended_reason[0])
        core_set_str(&r->provider_ended_reason, st->ended_reason);
    if (st->symptom[0])
        core_set_str(&r->provider_symptom, st->symptom);
    if (st->ended)
        r->provider_network_ended = st->network_ended;
    /* a transcript the customer's backend attached (seed 001) is the one kept */
    if (st->transcript[0] && !r->transcript_call_id)
        core_set_str(&r->transcript, st->transcript);
    if (st->recording_url[0])
        core_set_str(&r->recording_url, st->recording_url);
    if (changed)
        core_log(r, "%s (%s): call %s %s%s%s", ops->display, source, r->provider_call_id,
                 st->status, st->ended_reason[0] ? ", " : "", st->ended_reason);
    /* AO-4: accepted, then refused at start (credits, concurrency): the run
     * fails with the provider's reason at once, not with a timeout. */
    if (st->start_error != DS_REASON_NONE && r->status == DS_RUN_PENDING) {
        char detail[300];
        snprintf(detail, sizeof detail, "%s ended the call before placing it: %s", ops->display,
                 st->ended_reason);
        core_finish(r, DS_RUN_FAILED, st->start_error, detail);
    }
    if (st->ended) {
        r->polling = false;
        r->provider_ended = true;
        /* H-4: an answered call that has ended has a recording to fetch; Vapi
         * and Retell give its URL, ElevenLabs serves it by conversation id */
        bool needs_url = r->provider != DS_PROVIDER_ELEVENLABS;
        const struct core_project *pj = core_project_find(r->core, r->project);
        if (pj && pj->fetch_recordings && (st->answered || r->answered_at) &&
            !r->recording_requested && (!needs_url || r->recording_url))
            core_fetch_recording(r, r->recording_url);
    }
    diagnosis_update(r->core, r);
}

static void on_poll_answer(void *arg, const struct ds_http_response *resp)
{
    struct dispatch_ctx *d = arg;
    struct core_run *r = d->run;
    const struct provider_ops *ops = core_provider_ops(r->provider);
    struct provider_call_state st;
    ops->parse_get(resp, &st);
    dispatch_ctx_free(d);
    if (st.known)
        core_apply_provider_state(r, &st, "poll");
    if (st.ended || r->polls >= CORE_POLL_MAX || !r->polling) {
        r->polling = false;
        return;
    }
    struct ds_clock *ck = &r->core->env.clock;
    if (ck->ops->schedule(ck->ctx, core_now(r->core) + CORE_POLL_INTERVAL_MS, poll_now, r))
        core_run_hold(r);
    else
        r->polling = false;
}

static void poll_now(void *arg)
{
    struct core_run *r = arg;
    core_run_release(r);
    if (r->provider_ended) { /* a webhook told us meanwhile */
        r->polling = false;
        return;
    }
    const struct provider_ops *ops = core_provider_ops(r->provider);
    const struct core_agent *a = core_agent_get(r->core, r->agent_id);
    struct dispatch_ctx *d = calloc(1, sizeof *d);
    if (!d || !a ||
        ops->build_get(r->core->env.provider_base_url[r->provider], a->provider_api_key,
                       r->provider_call_id, &d->req) != 0) {
        free(d);
        r->polling = false;
        return;
    }
    d->run = r;
    core_run_hold(r);
    d->is_poll = true;
    r->polls++;
    send_req(r, d, on_poll_answer);
}

/* ---- polling the call during the dial window (AO-4) --------------------- */

/* A provider that accepts a call (201) and ends it at once — no credits, no
 * free call slot — says so in a webhook; a project without webhooks would
 * otherwise learn it only after the window, and the run would end timeout
 * instead of failing with the provider's reason (AO-4). So while the run is
 * pending the core reads the call: CORE_WINDOW_POLL_FIRST_MS after the
 * accepting answer, then every CORE_POLL_INTERVAL_MS, until the call has
 * ended (a webhook saying so stops it too) or the run is no longer pending
 * (answered, failed, timed out: the follow-up after the run takes over). */
static void window_poll_now(void *arg);

static void on_window_poll_answer(void *arg, const struct ds_http_response *resp)
{
    struct dispatch_ctx *d = arg;
    struct core_run *r = d->run;
    struct provider_call_state st;
    core_provider_ops(r->provider)->parse_get(resp, &st);
    dispatch_ctx_free(d);
    if (st.known)
        core_apply_provider_state(r, &st, "poll");
    if (st.ended || r->status != DS_RUN_PENDING || r->provider_ended) {
        r->window_polling = false;
        return;
    }
    struct ds_clock *ck = &r->core->env.clock;
    if (ck->ops->schedule(ck->ctx, core_now(r->core) + CORE_POLL_INTERVAL_MS, window_poll_now, r))
        core_run_hold(r);
    else
        r->window_polling = false;
}

static void window_poll_now(void *arg)
{
    struct core_run *r = arg;
    core_run_release(r);
    const struct core_agent *a = core_agent_get(r->core, r->agent_id);
    const struct provider_ops *ops = core_provider_ops(r->provider);
    struct dispatch_ctx *d = NULL;
    if (r->status == DS_RUN_PENDING && !r->provider_ended && r->provider_call_id && a)
        d = calloc(1, sizeof *d);
    if (!d || ops->build_get(r->core->env.provider_base_url[r->provider], a->provider_api_key,
                             r->provider_call_id, &d->req) != 0) {
        free(d);
        r->window_polling = false;
        return;
    }
    d->run = r;
    core_run_hold(r);
    d->is_poll = true;
    if (send_req(r, d, on_window_poll_answer) != 0)
        r->window_polling = false;
}

void core_window_poll_start_in(struct core_run *r, int64_t first_ms)
{
    if (r->window_polling || r->status != DS_RUN_PENDING || !r->provider_call_id)
        return;
    struct ds_clock *ck = &r->core->env.clock;
    r->window_polling =
        ck->ops->schedule(ck->ctx, core_now(r->core) + first_ms, window_poll_now, r) != 0;
    if (r->window_polling)
        core_run_hold(r);
}

void core_window_poll_start(struct core_run *r)
{
    core_window_poll_start_in(r, CORE_WINDOW_POLL_FIRST_MS);
}

/* ---- following the provider call after the run ended -------------------- */

void core_follow_provider_call_at(struct core_run *r, int64_t at_ms)
{
    if (!r->provider_call_id || r->polling || !core_provider_ops(r->provider))
        return;
    if (r->provider_ended)
        return;
    r->polling = true;
    struct ds_clock *ck = &r->core->env.clock;
    if (ck->ops->schedule(ck->ctx, at_ms, poll_now, r))
        core_run_hold(r);
    else
        r->polling = false;
}

void core_follow_provider_call(struct core_run *r)
{
    core_follow_provider_call_at(r, core_now(r->core));
}
