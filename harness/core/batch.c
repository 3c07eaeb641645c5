/* Runs dialled from a provider batch (issue 12): an agent with
 * "dispatch": "batch" has the runs of one start (a scenario's start_runs, a
 * POST /runs) placed as one batch of its provider — Retell
 * create-batch-call, a Vapi campaign, ElevenLabs batch-calling/submit —
 * instead of one start-call request each (AO-1: still one call per run).
 *
 * The batch request is retried as a start-call request is (docs/retries.md);
 * a refusal of the whole batch fails every run with the provider's reason
 * (AO-4). Accepted, the core learns which call is whose from the provider's
 * listing of the batch (Retell: list-calls by batch_call_id; ElevenLabs: the
 * batch's recipients; Vapi: the Campaign's calls), each call tagged with its
 * run's id, and then follows each call as a single one (window polls,
 * webhooks). A call the account refused at start (credits, concurrency)
 * fails its run with that reason at once, and the diagnosis says the run was
 * one of a batch and how many of the batch's calls were refused alike
 * (diagnosis.c). */
#include "core/core_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/timefmt.h"

struct batch {
    struct core *c;
    enum ds_provider provider;
    struct core_run **runs; /* the pending runs of the batch, in start order */
    size_t n;
    char *base_url, *api_key; /* copied: the agent may change meanwhile */
    struct provider_call_spec *specs;
    struct provider_req req;
    int attempts;
    char id[128];
};

/* The batch goes, and with it its hold on each of its runs. */
static void batch_free(struct batch *b)
{
    provider_req_clear(&b->req);
    for (size_t i = 0; i < b->n; i++)
        core_run_release(b->runs[i]);
    free(b->runs);
    free(b->specs);
    free(b->base_url);
    free(b->api_key);
    free(b);
}

static int batch_send(struct batch *b, ds_http_done_fn done);

static struct core_run *batch_run(const struct batch *b, const char *run_id)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->runs[i]->id, run_id))
            return b->runs[i];
    return NULL;
}

/* One call of the listing: it is the run's call from now on. */
static void on_batch_call(void *ctx, const char *run_id, const char *call_id,
                          const struct provider_call_state *st)
{
    struct batch *b = ctx;
    struct core_run *r = batch_run(b, run_id);
    if (!r || (r->provider_call_id && !strcmp(r->provider_call_id, call_id)))
        return;
    const struct provider_ops *ops = core_provider_ops(b->provider);
    core_set_str(&r->provider_call_id, call_id);
    core_log(r, "%s batch %s: call %s is this run's", ops->display, b->id, call_id);
    if (st->known)
        core_apply_provider_state(r, st, "batch");
    /* a listing that does not say how the call stands (ElevenLabs'
     * recipients): read the call at once, as a refused one has ended */
    if (r->status == DS_RUN_PENDING)
        core_window_poll_start_in(r, st->known ? CORE_WINDOW_POLL_FIRST_MS : 0);
}

static void on_batch_calls(void *arg, const struct ds_http_response *resp)
{
    struct batch *b = arg;
    const struct provider_ops *ops = core_provider_ops(b->provider);
    int n = -1;
    if (resp->outcome == DS_HTTP_RESPONSE && resp->status >= 200 && resp->status < 300)
        n = ops->parse_batch_calls(resp->body ? resp->body : "", on_batch_call, b);
    for (size_t i = 0; i < b->n; i++) {
        struct core_run *r = b->runs[i];
        if (n < 0)
            core_log(r, "%s batch %s: its calls could not be listed (%ld)", ops->display, b->id,
                     resp->outcome == DS_HTTP_RESPONSE ? resp->status : 0L);
        else if (!r->provider_call_id)
            core_log(r, "%s batch %s lists no call for this run", ops->display, b->id);
    }
    batch_free(b);
}

static void retry_now(void *arg)
{
    struct batch *b = arg;
    b->attempts++;
    for (size_t i = 0; i < b->n; i++)
        b->runs[i]->attempts = b->attempts;
    batch_send(b, NULL);
}

static void on_batch_answer(void *arg, const struct ds_http_response *resp)
{
    struct batch *b = arg;
    struct core *c = b->c;
    const struct provider_ops *ops = core_provider_ops(b->provider);
    bool ok2xx = resp->outcome == DS_HTTP_RESPONSE && resp->status >= 200 && resp->status < 300;
    json_t *j = ok2xx ? json_depth_loads(resp->body ? resp->body : "", 0, NULL) : NULL;
    const char *id = json_string_value(json_object_get(j, ops->batch_id_field));
    for (size_t i = 0; i < b->n; i++)
        if (resp->outcome == DS_HTTP_RESPONSE)
            b->runs[i]->provider_http_status = (int)resp->status;
    if (ok2xx && id && *id) {
        snprintf(b->id, sizeof b->id, "%s", id);
        for (size_t i = 0; i < b->n; i++) {
            struct core_run *r = b->runs[i];
            core_set_str(&r->batch_id, b->id);
            r->batch_index = (int)i + 1;
            r->batch_size = (int)b->n;
            core_log(r, "%s answered %ld: batch %s of %zu calls (this run's is number %zu)",
                     ops->display, resp->status, b->id, b->n, i + 1);
        }
        provider_req_clear(&b->req);
        if (!ops->build_batch_calls) { /* the answer lists the calls */
            struct ds_http_response same = *resp;
            on_batch_calls(b, &same);
        } else if (ops->build_batch_calls(b->base_url, b->api_key, b->id, &b->req) != 0 ||
                   batch_send(b, on_batch_calls) != 0) {
            for (size_t i = 0; i < b->n; i++)
                core_log(b->runs[i], "the batch's calls could not be asked for");
        }
        json_decref(j);
        return;
    }
    json_decref(j);
    /* refused (or no id): as a start-call answer (docs/retries.md) */
    struct provider_start_result res;
    if (ok2xx) {
        memset(&res, 0, sizeof res);
        res.reason = DS_REASON_PROVIDER_ERROR;
        snprintf(res.detail, sizeof res.detail, "%s answered %ld without a batch %s", ops->display,
                 resp->status, ops->batch_id_field);
    } else {
        ops->parse_start(resp, &res);
    }
    bool pending = false;
    for (size_t i = 0; i < b->n; i++)
        pending |= b->runs[i]->status == DS_RUN_PENDING;
    if (res.retryable && b->attempts < CORE_START_ATTEMPTS && pending) {
        int64_t wait = (int64_t)CORE_RETRY_BASE_MS << (b->attempts - 1);
        char tb[24];
        for (size_t i = 0; i < b->n; i++)
            core_log(b->runs[i], "%s failed the batch: %s; retrying in %s (attempt %d of %d)",
                     ops->display, res.detail, ts_secs(wait, tb, sizeof tb), b->attempts + 1,
                     CORE_START_ATTEMPTS);
        struct ds_clock *ck = &c->env.clock;
        if (ck->ops->schedule(ck->ctx, core_now(c) + wait, retry_now, b))
            return;
    }
    char detail[600];
    snprintf(detail, sizeof detail, "%s (the whole batch of %zu calls)", res.detail, b->n);
    for (size_t i = 0; i < b->n; i++) {
        struct core_run *r = b->runs[i];
        core_log(r, "%s refused the batch: %s", ops->display, res.detail);
        if (r->status == DS_RUN_PENDING) /* AO-4 */
            core_finish(r, DS_RUN_FAILED, res.reason, detail);
    }
    batch_free(b);
}

/* Send b->req (a retry sends the same bytes); done NULL: the batch answer's
 * handler. 0, or -1 (b freed). */
static int batch_send(struct batch *b, ds_http_done_fn done)
{
    if (!done)
        done = on_batch_answer;
    struct ds_http_request hr = {
        .method = b->req.method,
        .url = b->req.url,
        .headers = b->req.headers,
        .n_headers = b->req.n_headers,
        .body = b->req.body,
        .body_len = b->req.body ? strlen(b->req.body) : 0,
        .timeout_ms = CORE_PROVIDER_TIMEOUT_MS,
    };
    struct ds_http *h = &b->c->env.http;
    if (h->ops->send(h->ctx, &hr, done, b) != 0) {
        for (size_t i = 0; i < b->n; i++)
            core_log(b->runs[i], "could not send %s %s", b->req.method, b->req.url);
        batch_free(b);
        return -1;
    }
    return 0;
}

void core_dispatch_batch(struct core *c, const struct core_agent *a, struct core_run **runs,
                         size_t n)
{
    const struct provider_ops *ops = core_provider_ops(a->provider);
    struct batch *b = calloc(1, sizeof *b);
    if (!b || !ops || !ops->build_batch || !(b->runs = calloc(n, sizeof *b->runs)) ||
        !(b->specs = calloc(n, sizeof *b->specs))) {
        if (b)
            batch_free(b);
        for (size_t i = 0; i < n; i++)
            core_finish(runs[i], DS_RUN_FAILED, DS_REASON_PROVIDER_ERROR,
                        ops ? "out of memory" : "no adapter for this provider yet");
        return;
    }
    b->c = c;
    b->provider = a->provider;
    b->base_url = core_strdup(
        c->env.provider_base_url[a->provider] ? c->env.provider_base_url[a->provider] : "");
    b->api_key = core_strdup(a->provider_api_key);
    b->attempts = 1;
    for (size_t i = 0; i < n; i++) {
        const struct core_evaluator *e = core_evaluator_get(c, runs[i]->evaluator_id);
        b->runs[b->n] = runs[i];
        core_run_hold(runs[i]); /* the request and its retries point at it */
        b->specs[b->n++] = (struct provider_call_spec){
            .base_url = b->base_url,
            .api_key = b->api_key,
            .assistant_id = a->assistant_id,
            .phone_number_id = a->phone_number_id,
            .phone_number_type = a->phone_number_type,
            .from_number = a->contact_number,
            .to_number = e ? e->phone_number : runs[i]->to_number,
            .dynamic_variables = e ? e->dynamic_variables : NULL,
            .run_id = runs[i]->id,
        };
        runs[i]->attempts = 1;
    }
    if (ops->build_batch(b->specs, b->n, &b->req) != 0) {
        provider_req_clear(&b->req);
        for (size_t i = 0; i < n; i++)
            core_finish(runs[i], DS_RUN_FAILED, DS_REASON_PROVIDER_ERROR, "out of memory");
        batch_free(b);
        return;
    }
    const char *path = strstr(b->req.url, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    for (size_t i = 0; i < n; i++)
        core_log(runs[i], "%s %s %s: one batch of %zu calls (from %s to %s)", b->req.method,
                 ops->display, path ? path : b->req.url, n, a->contact_number,
                 b->specs[i].to_number);
    /* the specs borrow the agent's strings, which an update_agent may
     * replace before a retry: a retry sends the request built now */
    free(b->specs);
    b->specs = NULL;
    batch_send(b, on_batch_answer);
}
