#include "core/core_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "core/timefmt.h"

static const char *provider_names[] = {"", "vapi", "retell", "elevenlabs"};
static const char *provider_displays[] = {"", "Vapi", "Retell", "ElevenLabs"};

const char *provider_name(enum ds_provider p)
{
    return (unsigned)p < DS_PROVIDER__COUNT ? provider_names[p] : "?";
}
const char *provider_display(enum ds_provider p)
{
    return (unsigned)p < DS_PROVIDER__COUNT ? provider_displays[p] : "?";
}
int provider_from_name(const char *name)
{
    for (int i = 1; i < DS_PROVIDER__COUNT; i++)
        if (strcmp(provider_names[i], name) == 0)
            return i;
    return -1;
}

const struct provider_ops *core_provider_ops(enum ds_provider p)
{
    switch (p) {
    case DS_PROVIDER_VAPI:
        return &provider_vapi;
    case DS_PROVIDER_RETELL:
        return &provider_retell;
    case DS_PROVIDER_ELEVENLABS:
        return &provider_elevenlabs;
    default:
        return NULL;
    }
}

char *core_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

int64_t core_now(const struct core *c)
{
    return ds_now(&c->env.clock);
}

int core_create(struct core **out, const struct core_env *env)
{
    struct core *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return -1;
    c->env = *env;
    *out = c;
    return 0;
}

void core_agent_free(struct core_agent *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->name);
    free(a->project);
    free(a->contact_number);
    free(a->provider_api_key);
    free(a->assistant_id);
    free(a->phone_number_id);
    free(a->phone_number_type);
    free(a->webhook_secret);
    free(a->trigger_url);
    free(a->trigger_call_endpoint);
    free(a->trigger_call_headers);
    free(a->phone_number_key);
    free(a->trigger_call_payload);
    free(a);
}

static void evaluator_free(struct core_evaluator *e)
{
    if (!e)
        return;
    free(e->id);
    free(e->project);
    free(e->phone_number);
    json_decref(e->dynamic_variables);
    free(e);
}

static void run_free(struct core_run *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->agent_id);
    free(r->evaluator_id);
    free(r->project);
    free(r->to_number);
    free(r->detail);
    free(r->diagnosis);
    free(r->provider_call_id);
    free(r->batch_id);
    free(r->provider_status);
    free(r->provider_ended_reason);
    free(r->provider_symptom);
    free(r->transcript);
    free(r->recording_url);
    free(r->recording);
    free(r->recording_error);
    free(r->transcript_call_id);
    for (size_t i = 0; i < r->n_dials; i++) {
        free(r->dials[i].from);
        free(r->dials[i].to);
        free(r->dials[i].expected);
    }
    free(r->dials);
    for (size_t i = 0; i < r->n_events; i++)
        free(r->events[i].text);
    free(r->events);
    free(r);
}

void core_destroy(struct core *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_runs; i++) {
        if (c->runs[i]->window_timer)
            c->env.clock.ops->cancel(c->env.clock.ctx, c->runs[i]->window_timer);
        if (c->runs[i]->transcript_timer)
            c->env.clock.ops->cancel(c->env.clock.ctx, c->runs[i]->transcript_timer);
        run_free(c->runs[i]);
    }
    for (size_t i = 0; i < c->n_agents; i++)
        core_agent_free(c->agents[i]);
    for (size_t i = 0; i < c->n_evaluators; i++)
        evaluator_free(c->evaluators[i]);
    for (size_t i = 0; i < c->n_projects; i++) {
        free(c->projects[i].id);
        free(c->projects[i].api_key);
    }
    free(c->runs);
    free(c->agents);
    free(c->evaluators);
    free(c->projects);
    free(c);
}

struct core_project *core_project_find(const struct core *c, const char *id)
{
    for (size_t i = 0; i < c->n_projects; i++)
        if (strcmp(c->projects[i].id, id) == 0)
            return &c->projects[i];
    return NULL;
}

int core_project_put(struct core *c, const char *id, const char *api_key)
{
    struct core_project *p = core_project_find(c, id);
    if (!p) {
        struct core_project *np = realloc(c->projects, (c->n_projects + 1) * sizeof *np);
        if (!np)
            return -1;
        c->projects = np;
        p = &np[c->n_projects++];
        p->id = strdup(id);
        p->api_key = NULL;
        p->fetch_recordings = false; /* realloc'd memory: off until asked for */
    }
    free(p->api_key);
    p->api_key = core_strdup(api_key);
    return 0;
}

int core_project_fetch_recordings(struct core *c, const char *id, bool on)
{
    struct core_project *p = core_project_find(c, id);
    if (!p)
        return -1;
    p->fetch_recordings = on;
    return 0;
}

static size_t agent_index(const struct core *c, const char *id)
{
    for (size_t i = 0; i < c->n_agents; i++)
        if (strcmp(c->agents[i]->id, id) == 0)
            return i;
    return (size_t)-1;
}

const struct core_agent *core_agent_get(const struct core *c, const char *id)
{
    size_t i = agent_index(c, id);
    return i == (size_t)-1 ? NULL : c->agents[i];
}

int core_agent_put(struct core *c, const struct core_agent *a, char *err, size_t n)
{
    if (!a->id || !*a->id) {
        snprintf(err, n, "agent id is empty");
        return -1;
    }
    if (!a->project || !core_project_find(c, a->project)) {
        snprintf(err, n, "agent '%s': project '%s' does not exist", a->id,
                 a->project ? a->project : "");
        return -1;
    }
    if (trigger_config_check(c, a, err, n) != 0)
        return -1;
    struct core_agent *na = core_agent_copy(a);
    if (!na)
        return -1;
    size_t i = agent_index(c, a->id);
    if (i != (size_t)-1) {
        core_agent_free(c->agents[i]);
        c->agents[i] = na;
        return 0;
    }
    struct core_agent **nv = realloc(c->agents, (c->n_agents + 1) * sizeof *nv);
    if (!nv) {
        core_agent_free(na);
        return -1;
    }
    c->agents = nv;
    c->agents[c->n_agents++] = na;
    return 0;
}

struct core_agent *core_agent_copy(const struct core_agent *a)
{
    struct core_agent *na = calloc(1, sizeof *na);
    if (!na)
        return NULL;
    *na = *a;
    na->id = core_strdup(a->id);
    na->name = core_strdup(a->name ? a->name : a->id);
    na->project = core_strdup(a->project);
    na->contact_number = core_strdup(a->contact_number);
    na->provider_api_key = core_strdup(a->provider_api_key);
    na->assistant_id = core_strdup(a->assistant_id);
    na->phone_number_id = core_strdup(a->phone_number_id);
    na->phone_number_type = core_strdup(a->phone_number_type);
    na->webhook_secret = core_strdup(a->webhook_secret);
    na->trigger_url = core_strdup(a->trigger_url);
    na->trigger_call_endpoint = core_strdup(a->trigger_call_endpoint);
    na->trigger_call_headers = core_strdup(a->trigger_call_headers);
    na->phone_number_key = core_strdup(a->phone_number_key);
    na->trigger_call_payload = core_strdup(a->trigger_call_payload);
    return na;
}

/* Undoing a create that could not be stored (dialsim serve): no run can name
 * the object yet, so it simply goes; the others keep their order. */
void core_agent_remove(struct core *c, const char *id)
{
    size_t i = agent_index(c, id);
    if (i == (size_t)-1)
        return;
    core_agent_free(c->agents[i]);
    memmove(&c->agents[i], &c->agents[i + 1], (c->n_agents - i - 1) * sizeof *c->agents);
    c->n_agents--;
}

void core_evaluator_remove(struct core *c, const char *id)
{
    for (size_t i = 0; i < c->n_evaluators; i++) {
        if (strcmp(c->evaluators[i]->id, id) != 0)
            continue;
        evaluator_free(c->evaluators[i]);
        memmove(&c->evaluators[i], &c->evaluators[i + 1],
                (c->n_evaluators - i - 1) * sizeof *c->evaluators);
        c->n_evaluators--;
        return;
    }
}

void core_project_remove(struct core *c, const char *id)
{
    struct core_project *p = core_project_find(c, id);
    if (!p)
        return;
    size_t i = (size_t)(p - c->projects);
    free(p->id);
    free(p->api_key);
    memmove(&c->projects[i], &c->projects[i + 1], (c->n_projects - i - 1) * sizeof *c->projects);
    c->n_projects--;
}

const struct core_evaluator *core_evaluator_get(const struct core *c, const char *id)
{
    for (size_t i = 0; i < c->n_evaluators; i++)
        if (strcmp(c->evaluators[i]->id, id) == 0)
            return c->evaluators[i];
    return NULL;
}

int core_evaluator_put(struct core *c, const char *id, const char *project,
                       const char *phone_number, const json_t *dynamic_variables, char *err,
                       size_t n)
{
    if (!core_project_find(c, project)) {
        snprintf(err, n, "evaluator '%s': project '%s' does not exist", id, project);
        return -1;
    }
    if (dynamic_variables && !json_is_object(dynamic_variables)) {
        snprintf(err, n, "evaluator '%s': dynamic_variables must be an object", id);
        return -1;
    }
    struct core_evaluator *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->id = strdup(id);
    e->project = strdup(project);
    e->phone_number = core_strdup(phone_number);
    e->dynamic_variables = dynamic_variables ? json_deep_copy(dynamic_variables) : json_object();
    for (size_t i = 0; i < c->n_evaluators; i++) {
        if (strcmp(c->evaluators[i]->id, id) == 0) {
            evaluator_free(c->evaluators[i]);
            c->evaluators[i] = e;
            return 0;
        }
    }
    struct core_evaluator **nv = realloc(c->evaluators, (c->n_evaluators + 1) * sizeof *nv);
    if (!nv) {
        evaluator_free(e);
        return -1;
    }
    c->evaluators = nv;
    c->evaluators[c->n_evaluators++] = e;
    return 0;
}

void core_log(struct core_run *r, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (r->n_events == r->cap_events) {
        size_t cap = r->cap_events ? r->cap_events * 2 : 8;
        struct core_event *ne = realloc(r->events, cap * sizeof *ne);
        if (!ne)
            return;
        r->events = ne;
        r->cap_events = cap;
    }
    r->events[r->n_events++] = (struct core_event){core_now(r->core), strdup(buf)};
    core_run_changed(r);
}

void core_run_changed(struct core_run *r)
{
    const struct ds_run_observer *o = &r->core->env.on_run;
    if (o->changed)
        o->changed(o->ctx, r);
}

void core_set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = core_strdup(s);
}

/* DW-4: completed, failed and timeout are final. */
static bool status_final(enum ds_run_status st)
{
    return st == DS_RUN_COMPLETED || st == DS_RUN_FAILED || st == DS_RUN_TIMEOUT;
}

void core_finish(struct core_run *r, enum ds_run_status st, enum ds_reason reason,
                 const char *detail)
{
    r->status = st;
    r->reason = reason;
    r->updated_at = core_now(r->core);
    if (detail)
        core_set_str(&r->detail, detail);
    if (status_final(st)) {
        if (r->window_timer) {
            r->core->env.clock.ops->cancel(r->core->env.clock.ctx, r->window_timer);
            r->window_timer = 0;
        }
    }
    if (reason != DS_REASON_NONE)
        core_log(r, "run %s: %s (%s)", run_status_name(st), reason_name(reason),
                 reason_sentence(reason));
    else
        core_log(r, "run %s", run_status_name(st));
    diagnosis_update(r->core, r);
}

/* AO-2, AO-5: the first failed precondition of a run, or NONE. */
static enum ds_reason precondition(const struct core_agent *a, const struct core_evaluator *e,
                                   char *detail, size_t n)
{
    detail[0] = '\0';
    if (a->inbound)
        return DS_REASON_AGENT_INBOUND_MODE;
    if (!a->auto_outbound)
        return DS_REASON_AUTO_OUTBOUND_DISABLED;
    /* with a trigger, the customer's system places the call: no provider
     * credentials are needed (TU-1, OV-5) */
    if (!core_agent_has_trigger(a) && (!a->provider_api_key || !*a->provider_api_key)) {
        snprintf(detail, n, "provider_api_key is empty");
        return DS_REASON_PROVIDER_CREDENTIALS_MISSING;
    }
    if (!core_agent_has_trigger(a) && (!a->assistant_id || !*a->assistant_id)) {
        snprintf(detail, n, "assistant_id is empty");
        return DS_REASON_PROVIDER_CREDENTIALS_MISSING;
    }
    if (!a->contact_number || !*a->contact_number)
        return DS_REASON_CONTACT_NUMBER_MISSING;
    char pb[96];
    const char *p = e164_problem(a->contact_number, pb, sizeof pb);
    if (p) {
        snprintf(detail, n, "contact_number \"%s\" %s", a->contact_number, p);
        return DS_REASON_CONTACT_NUMBER_INVALID;
    }
    p = e164_problem(e->phone_number, pb, sizeof pb);
    if (p) {
        snprintf(detail, n, "evaluator '%s' phone_number \"%s\" %s", e->id,
                 e->phone_number ? e->phone_number : "", p);
        return DS_REASON_EVALUATOR_NUMBER_INVALID;
    }
    return DS_REASON_NONE;
}

static struct core_run *run_new(struct core *c, const struct core_agent *a,
                                const struct core_evaluator *e)
{
    struct core_run **nv = realloc(c->runs, (c->n_runs + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    c->runs = nv;
    struct core_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    char id[64];
    c->env.ids.ops->next(c->env.ids.ctx, "run", id, sizeof id);
    r->core = c;
    r->id = strdup(id);
    r->agent_id = strdup(a->id);
    r->evaluator_id = strdup(e->id);
    r->project = strdup(a->project);
    r->to_number = core_strdup(e->phone_number ? e->phone_number : "");
    r->provider = a->provider;
    r->created_at = r->updated_at = core_now(c);
    r->seq = ++c->next_seq;
    c->runs[c->n_runs++] = r;
    return r;
}

static void on_window_close(void *arg);

/* Take back runs that were made but never dispatched (core_start_runs_committed):
 * no call was asked for, so only their window timers point at them. */
static void runs_discard(struct core *c, struct core_run **made, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct core_run *r = made[i];
        if (r->window_timer)
            c->env.clock.ops->cancel(c->env.clock.ctx, r->window_timer);
        for (size_t k = c->n_runs; k-- > 0;) {
            if (c->runs[k] != r)
                continue;
            memmove(&c->runs[k], &c->runs[k + 1], (c->n_runs - k - 1) * sizeof *c->runs);
            c->n_runs--;
            break;
        }
        run_free(r);
    }
}

int core_start_runs(struct core *c, const char *agent_id, const char *const *evaluator_ids,
                    size_t n, const struct core_run **run_out, char *err, size_t errn)
{
    return core_start_runs_committed(c, agent_id, evaluator_ids, n, run_out, NULL, NULL, err, errn);
}

int core_start_runs_committed(struct core *c, const char *agent_id,
                              const char *const *evaluator_ids, size_t n,
                              const struct core_run **run_out, int (*commit)(void *ctx), void *ctx,
                              char *err, size_t errn)
{
    const struct core_agent *a = core_agent_get(c, agent_id);
    if (!a) {
        snprintf(err, errn, "no agent '%s'", agent_id);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct core_evaluator *e = core_evaluator_get(c, evaluator_ids[i]);
        if (!e) {
            snprintf(err, errn, "no evaluator '%s'", evaluator_ids[i]);
            return -1;
        }
        if (strcmp(e->project, a->project) != 0) {
            snprintf(err, errn, "evaluator '%s' belongs to project '%s', agent '%s' to '%s'", e->id,
                     e->project, a->id, a->project);
            return -1;
        }
    }
    /* AO-2: every precondition of the batch is checked before any call is asked for. */
    struct core_run **made = calloc(n ? n : 1, sizeof *made);
    if (!made)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct core_evaluator *e = core_evaluator_get(c, evaluator_ids[i]);
        struct core_run *r = run_new(c, a, e);
        if (!r) {
            free(made);
            snprintf(err, errn, "out of memory");
            return -1;
        }
        made[i] = r;
        char detail[256];
        enum ds_reason why = precondition(a, e, detail, sizeof detail);
        core_log(r, "run created for agent '%s', evaluator '%s' (%s)", a->id, e->id,
                 e->phone_number ? e->phone_number : "");
        if (why != DS_REASON_NONE) {
            core_finish(r, DS_RUN_FAILED, why, detail[0] ? detail : NULL);
            continue;
        }
        /* DW-1: the window opens when the run reaches pending. */
        r->status = DS_RUN_PENDING;
        r->window_set = true;
        r->window_seconds =
            a->dial_window_seconds > 0 ? a->dial_window_seconds : CORE_DEFAULT_DIAL_WINDOW_S;
        r->opens_at = core_now(c);
        r->closes_at = r->opens_at + (int64_t)r->window_seconds * 1000;
        char cb[40];
        core_log(r, "run pending; dial window opens for %d s (closes %s)", r->window_seconds,
                 ts_iso(r->closes_at, cb, sizeof cb));
        r->window_timer =
            c->env.clock.ops->schedule(c->env.clock.ctx, r->closes_at, on_window_close, r);
    }
    /* the caller's last word before anything leaves the core (serve: the
     * runs are stored first, or they never were) */
    if (commit && commit(ctx) != 0) {
        runs_discard(c, made, n);
        free(made);
        snprintf(err, errn, "the runs could not be committed; none was started");
        return -2;
    }
    size_t batch = 0;
    for (size_t i = 0; i < n; i++) {
        if (run_out)
            run_out[i] = made[i];
        if (made[i]->status != DS_RUN_PENDING)
            continue;
        if (a->dispatch_batch && !core_agent_has_trigger(a))
            made[batch++] = made[i]; /* issue 12: one provider batch for them all */
        else
            core_dispatch(made[i]);
    }
    if (batch > 0)
        core_dispatch_batch(c, a, made, batch);
    free(made);
    return 0;
}

/* DW-2: the window closed with no accepted dial. */
static void on_window_close(void *arg)
{
    struct core_run *r = arg;
    r->window_timer = 0;
    if (r->status != DS_RUN_PENDING)
        return;
    /* The first caller-ID drop names the cause; else a dial that came at the
     * closing instant; else nothing was dialled at all. */
    enum ds_reason why = DS_REASON_NO_DIAL;
    for (size_t i = 0; i < r->n_dials; i++) {
        enum ds_reason d = r->dials[i].drop;
        if (d == DS_REASON_CALLER_ID_MISMATCH || d == DS_REASON_CALLER_ID_MISSING) {
            why = d;
            break;
        }
        if (d == DS_REASON_DIAL_LATE)
            why = d;
    }
    core_log(r, "dial window closed with no accepted dial");
    core_finish(r, DS_RUN_TIMEOUT, why, NULL);
    core_follow_provider_call(r);
}

/* ---- reading -------------------------------------------------------------- */

const struct core_run *core_run_get(const struct core *c, const char *id)
{
    for (size_t i = 0; i < c->n_runs; i++)
        if (strcmp(c->runs[i]->id, id) == 0)
            return c->runs[i];
    return NULL;
}

/* Final, and nothing will call back with it: no window or transcript
 * timer, no poll, request or download in flight. */
static bool run_quiet(const struct core_run *r)
{
    return status_final(r->status) && !r->window_timer && !r->transcript_timer && !r->holds;
}

size_t core_runs_evict(struct core *c, size_t keep,
                       bool (*may)(void *ctx, const struct core_run *r),
                       void (*gone)(void *ctx, const struct core_run *r), void *ctx)
{
    size_t finals = 0;
    for (size_t i = 0; i < c->n_runs; i++)
        finals += status_final(c->runs[i]->status);
    if (finals <= keep)
        return 0;
    size_t excess = finals - keep, evicted = 0, k = 0;
    for (size_t i = 0; i < c->n_runs; i++) { /* oldest first; the others keep their order */
        struct core_run *r = c->runs[i];
        if (evicted < excess && run_quiet(r) && (!may || may(ctx, r))) {
            if (gone)
                gone(ctx, r);
            run_free(r);
            evicted++;
            continue;
        }
        c->runs[k++] = r;
    }
    c->n_runs = k;
    return evicted;
}

size_t core_run_count(const struct core *c)
{
    return c->n_runs;
}

const struct core_run *core_run_at(const struct core *c, size_t i)
{
    return i < c->n_runs ? c->runs[i] : NULL;
}

static json_t *iso_or_null(bool set, int64_t ms)
{
    char b[40];
    return set ? json_string(ts_iso(ms, b, sizeof b)) : json_null();
}

/* DW-3: every run response carries the three dial-window fields. */
json_t *core_run_to_json(const struct core_run *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(r->id));
    json_object_set_new(j, "agent", json_string(r->agent_id));
    json_object_set_new(j, "evaluator", json_string(r->evaluator_id));
    json_object_set_new(j, "status", json_string(run_status_name(r->status)));
    json_object_set_new(j, "reason", r->reason ? json_string(reason_name(r->reason)) : json_null());
    json_object_set_new(j, "detail", r->detail ? json_string(r->detail) : json_null());
    json_object_set_new(j, "diagnosis", r->diagnosis ? json_string(r->diagnosis) : json_null());
    json_object_set_new(j, "outbound_dial_window_opens_at",
                        iso_or_null(r->window_set, r->opens_at));
    json_object_set_new(j, "outbound_dial_window_seconds",
                        r->window_set ? json_integer(r->window_seconds) : json_null());
    json_object_set_new(j, "outbound_dial_window_closes_at",
                        iso_or_null(r->window_set, r->closes_at));
    json_object_set_new(j, "created_at", iso_or_null(true, r->created_at));
    json_object_set_new(j, "updated_at", iso_or_null(true, r->updated_at));
    json_object_set_new(j, "answered_at", iso_or_null(r->answered_at != 0, r->answered_at));
    json_object_set_new(j, "ended_at", iso_or_null(r->ended_at != 0, r->ended_at));
    json_object_set_new(j, "provider", json_string(provider_name(r->provider)));
    json_object_set_new(j, "provider_call_id",
                        r->provider_call_id ? json_string(r->provider_call_id) : json_null());
    if (r->batch_id) /* issue 12: only for runs dialled from a batch */
        json_object_set_new(j, "provider_batch_id", json_string(r->batch_id));
    json_t *dials = json_array();
    for (size_t i = 0; i < r->n_dials; i++) {
        const struct core_dial *d = &r->dials[i];
        json_t *dj = json_object();
        json_object_set_new(dj, "at", iso_or_null(true, d->at));
        json_object_set_new(dj, "from", json_string(d->from));
        json_object_set_new(dj, "to", json_string(d->to));
        json_object_set_new(dj, "answered", json_boolean(d->answered));
        json_object_set_new(dj, "dropped_because",
                            d->answered ? json_null() : json_string(reason_name(d->drop)));
        json_array_append_new(dials, dj);
    }
    json_object_set_new(j, "dials", dials);
    return j;
}
