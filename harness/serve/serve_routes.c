/* The routes of `dialsim serve` (docs/api.md). Every handler that touches the
 * core, or the project / id lists beside it, holds the core lock while it
 * does (sim/clock_real.h); reading bodies, parsing and writing answers happen
 * outside it. */
#include "serve/serve_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "ingest/ingest.h"
#include "util/query.h"

#define DIALSIM_VERSION "0.1.0"

typedef void (*route_fn)(struct serve *s, struct srv_req *rq, struct srv_resp *rs);

#define LOCK(s) clock_real_lock((s)->clock)
#define UNLOCK(s) clock_real_unlock((s)->clock)

/* ---- health, projects -------------------------------------------------------- */

static void get_health(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    (void)rq;
    char now[32], started[32];
    int64_t t = clock_real_now();
    LOCK(s);
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "status", "ok", "version",
        DIALSIM_VERSION, "now", ts_iso(t, now, sizeof now), "started_at",
        ts_iso(s->started_ms, started, sizeof started), "uptime_ms",
        (json_int_t)(t - s->started_ms), "db", s->db_path, "projects", (json_int_t)s->n_projects,
        "agents", (json_int_t)s->agents.n, "evaluators", (json_int_t)s->evaluators.n, "runs",
        (json_int_t)(core_run_count(s->core) + s->runs_evicted), "runs_in_memory",
        (json_int_t)core_run_count(s->core), "restored_runs", (json_int_t)s->n_restored,
        "requests_in_flight", (json_int_t)atomic_load(&s->inflight));
    UNLOCK(s);
    srv_reply_json(rs, 200, j);
}

static void list_projects(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    (void)rq;
    json_t *a = json_array();
    LOCK(s);
    for (size_t i = 0; i < s->n_projects; i++)
        json_array_append_new(a, srv_project_json(s, &s->projects[i]));
    UNLOCK(s);
    srv_reply_json(rs, 200, json_pack("{s:o}", "projects", a));
}

static void not_found(struct srv_resp *rs, const char *what, const char *id)
{
    srv_reply_error(rs, 404, NULL, "no %s has id \"%.200s\"", what, id);
}

static void get_project(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    LOCK(s);
    const struct srv_project *p = srv_project_find(s, rq->seg[1]);
    json_t *j = p ? srv_project_json(s, p) : NULL;
    UNLOCK(s);
    if (j)
        srv_reply_json(rs, 200, j);
    else
        not_found(rs, "project", rq->seg[1]);
}

/* The answer to a create/update: the object, or the errors with the status
 * the model chose (400 bad fields, 404, 409 id taken, 500). */
static void put_result(struct srv_resp *rs, int rc, int ok_status, json_t *obj, json_t *errors,
                       const char *what, const char *id)
{
    if (rc == 0) {
        srv_reply_json(rs, ok_status, obj);
        json_decref(errors);
        return;
    }
    json_decref(obj);
    if (rc == 404) {
        json_decref(errors);
        not_found(rs, what, id);
    } else if (rc == 500 && !json_array_size(errors)) {
        json_decref(errors);
        srv_reply_error(rs, 500, NULL, "out of memory");
    } else {
        srv_reply_errors(rs, rc, errors);
    }
}

static void put_project(struct serve *s, struct srv_req *rq, struct srv_resp *rs, bool create)
{
    json_t *body = srv_read_json(rq, rs);
    if (!body)
        return;
    json_t *errors = json_array(), *obj = NULL;
    const char *id = create ? NULL : rq->seg[1];
    char pid[300] = "";
    LOCK(s);
    /* stored before the answer, or not changed at all (serve_undo.c) */
    int rc = !create && !srv_project_find(s, id)
                 ? 404
                 : srv_put_stored(s, "project", id, body, create, errors, pid, sizeof pid);
    if (rc == 0)
        obj = srv_project_json(s, srv_project_find(s, pid));
    UNLOCK(s);
    put_result(rs, rc, create ? 201 : 200, obj, errors, "project", id);
    json_decref(body);
}

static void post_project(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    put_project(s, rq, rs, true);
}

static void patch_project(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    put_project(s, rq, rs, false);
}

/* ---- agents, evaluators --------------------------------------------------------- */

/* Agents and evaluators are served alike: one table says how each kind is
 * listed, read and written. */
struct kind {
    const char *name, *plural;
    struct srv_ids *(*ids)(struct serve *s);
    json_t *(*json)(struct serve *s, const char *id); /* NULL when unknown; lock held */
};

static struct srv_ids *agent_ids(struct serve *s)
{
    return &s->agents;
}
static struct srv_ids *evaluator_ids(struct serve *s)
{
    return &s->evaluators;
}
static json_t *agent_json(struct serve *s, const char *id)
{
    const struct core_agent *a = core_agent_get(s->core, id);
    return a ? srv_agent_json(a) : NULL;
}
static json_t *evaluator_json(struct serve *s, const char *id)
{
    const struct core_evaluator *e = core_evaluator_get(s->core, id);
    return e ? srv_evaluator_json(e) : NULL;
}

static const struct kind agents = {"agent", "agents", agent_ids, agent_json};
static const struct kind evaluators = {"evaluator", "evaluators", evaluator_ids, evaluator_json};

static void list_kind(const struct kind *k, struct serve *s, struct srv_resp *rs)
{
    json_t *a = json_array();
    LOCK(s);
    struct srv_ids *ids = k->ids(s);
    for (size_t i = 0; i < ids->n; i++) {
        json_t *j = k->json(s, ids->v[i]);
        if (j)
            json_array_append_new(a, j);
    }
    UNLOCK(s);
    srv_reply_json(rs, 200, json_pack("{s:o}", k->plural, a));
}

static void get_kind(const struct kind *k, struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    LOCK(s);
    json_t *j = k->json(s, rq->seg[1]);
    UNLOCK(s);
    if (j)
        srv_reply_json(rs, 200, j);
    else
        not_found(rs, k->name, rq->seg[1]);
}

static void put_kind(const struct kind *k, struct serve *s, struct srv_req *rq, struct srv_resp *rs,
                     bool create)
{
    json_t *body = srv_read_json(rq, rs);
    if (!body)
        return;
    json_t *errors = json_array(), *obj = NULL;
    char id[300] = "";
    LOCK(s);
    /* stored before the answer, or not changed at all (serve_undo.c) */
    int rc =
        srv_put_stored(s, k->name, create ? NULL : rq->seg[1], body, create, errors, id, sizeof id);
    if (rc == 0)
        obj = k->json(s, id);
    UNLOCK(s);
    put_result(rs, rc, create ? 201 : 200, obj, errors, k->name, rq->n_seg > 1 ? rq->seg[1] : "");
    json_decref(body);
}

static void list_agents(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    (void)rq;
    list_kind(&agents, s, rs);
}
static void get_agent(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    get_kind(&agents, s, rq, rs);
}
static void post_agent(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    put_kind(&agents, s, rq, rs, true);
}
static void patch_agent(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    put_kind(&agents, s, rq, rs, false);
}
static void list_evaluators(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    (void)rq;
    list_kind(&evaluators, s, rs);
}
static void get_evaluator(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    get_kind(&evaluators, s, rq, rs);
}
static void post_evaluator(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    put_kind(&evaluators, s, rq, rs, true);
}
static void patch_evaluator(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    put_kind(&evaluators, s, rq, rs, false);
}

/* ---- runs ----------------------------------------------------------------------- */

/* An id given as a string, or as an integer (the platform's ids are numbers). */
static const char *id_value(const json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    return NULL;
}

/* {"agent": id, "evaluators": [id, ...]}: every problem by path. */
static void check_start(struct serve *s, const json_t *body, json_t *errors)
{
    const char *key;
    json_t *v;
    char buf[32], path[64];
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "agent") && strcmp(key, "evaluators"))
            srv_error_add(errors, key, "unknown field; a run takes agent and evaluators");
    }
    const json_t *ag = json_object_get(body, "agent");
    const char *aid = id_value(ag, buf, sizeof buf);
    if (!ag)
        srv_error_add(errors, "agent", "is required");
    else if (!aid)
        srv_error_add(errors, "agent", "must be an agent id (a string or an integer)");
    else if (!core_agent_get(s->core, aid))
        srv_error_add(errors, "agent", "no agent has id \"%.200s\"", aid);
    const json_t *evs = json_object_get(body, "evaluators");
    if (!evs) {
        srv_error_add(errors, "evaluators", "is required");
        return;
    }
    if (!json_is_array(evs) || json_array_size(evs) == 0) {
        srv_error_add(errors, "evaluators", "must be a non-empty array of evaluator ids");
        return;
    }
    size_t i;
    json_array_foreach(evs, i, v)
    {
        const char *eid = id_value(v, buf, sizeof buf);
        snprintf(path, sizeof path, "evaluators[%zu]", i);
        if (!eid)
            srv_error_add(errors, path, "must be an evaluator id (a string or an integer)");
        else if (!core_evaluator_get(s->core, eid))
            srv_error_add(errors, path, "no evaluator has id \"%.200s\"", eid);
    }
}

static void post_runs(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    json_t *body = srv_read_json(rq, rs);
    if (!body)
        return;
    json_t *errors = json_array();
    const json_t *evs = json_object_get(body, "evaluators");
    size_t n = json_array_size(evs);
    char(*bufs)[32] = calloc(n ? n : 1, sizeof *bufs);
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    const struct core_run **runs = calloc(n ? n : 1, sizeof *runs);
    char abuf[32], err[512] = "";
    if (!bufs || !ids || !runs) {
        srv_reply_error(rs, 500, NULL, "out of memory");
        goto out;
    }
    LOCK(s);
    check_start(s, body, errors);
    if (json_array_size(errors)) {
        UNLOCK(s);
        srv_reply_errors(rs, 400, errors);
        errors = NULL;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = id_value(json_array_get(evs, i), bufs[i], sizeof bufs[i]);
    const char *aid = id_value(json_object_get(body, "agent"), abuf, sizeof abuf);
    /* stored before any call is asked for, or not started at all: an
     * acknowledged run survives kill -9, and a 500 started nothing */
    int rc =
        core_start_runs_committed(s->core, aid, ids, n, runs, srv_runs_commit, s, err, sizeof err);
    json_t *a = rc == 0 ? json_array() : NULL;
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, core_run_to_json(runs[i]));
    char why[300];
    if (rc == -2)
        store_last_error(s->store, why, sizeof why);
    UNLOCK(s);
    if (rc == -2)
        srv_reply_error(rs, 500, NULL,
                        "the runs could not be stored in the database (%s), so none was started "
                        "and no call was placed; send the request again",
                        why);
    else if (rc != 0)
        srv_reply_error(rs, 400, NULL, "%s", *err ? err : "the runs could not be started");
    else
        srv_reply_json(rs, 201, json_pack("{s:o}", "runs", a));
out:
    json_decref(errors);
    json_decref(body);
    free(bufs);
    free(ids);
    free(runs);
}

#define RUNS_PAGE_DEFAULT 1000
#define RUNS_PAGE_MAX 10000

/* GET /runs' parameters: the first of each name counts, as mg_get_var reads. */
struct runs_query {
    char val[4][QUERY_VALUE_MAX];
    bool has[4];
};
static const char *const runs_params[] = {"agent", "status", "limit", "after"};

static int runs_param(void *ctx, const char *name, const char *value, char *err, size_t n)
{
    struct runs_query *q = ctx;
    for (size_t k = 0; k < 4; k++)
        if (!strcmp(name, runs_params[k])) {
            if (!q->has[k])
                snprintf(q->val[k], sizeof q->val[k], "%s", value);
            q->has[k] = true;
            return 0;
        }
    snprintf(err, n,
             "unknown query parameter '%.64s' of GET /runs; expected agent, status, limit or after",
             name);
    return -1;
}

/* GET /runs[?agent=&status=&limit=&after=]: oldest first, a page at a time
 * (docs/api.md#runs); an unknown parameter is refused, not ignored. */
static void list_runs(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    struct runs_query qv = {0};
    char err[300];
    if (query_each(rq->ri->query_string, true, runs_param, &qv, err, sizeof err) != 0) {
        srv_reply_error(rs, 400, NULL, "%s", err);
        return;
    }
    char(*val)[QUERY_VALUE_MAX] = qv.val;
    const bool *has = qv.has;
    if (has[1] && run_status_from_name(val[1]) < 0) {
        srv_reply_error(rs, 400, NULL,
                        "query parameter 'status' is '%s'; expected pending, in_progress, "
                        "completed, failed or timeout",
                        val[1]);
        return;
    }
    long limit = RUNS_PAGE_DEFAULT;
    if (has[2]) {
        char *end;
        limit = strtol(val[2], &end, 10);
        if (!*val[2] || *end || limit < 1 || limit > RUNS_PAGE_MAX) {
            srv_reply_error(rs, 400, NULL,
                            "query parameter 'limit' is '%s'; expected a whole number from 1 to %d",
                            val[2], RUNS_PAGE_MAX);
            return;
        }
    }
    json_t *a = json_array();
    char next[128];
    LOCK(s);
    json_t *after = has[3] ? srv_runs_stored(s, val[3]) : NULL;
    int rc = has[3] && !after
                 ? 1
                 : srv_runs_page(s, has[0] ? val[0] : NULL, has[1] ? val[1] : NULL,
                                 has[3] ? val[3] : NULL, (size_t)limit, a, next, sizeof next);
    UNLOCK(s);
    json_decref(after);
    if (rc == 1) {
        json_decref(a);
        srv_reply_error(rs, 400, NULL, "query parameter 'after' names no run: '%s'", val[3]);
    } else if (rc != 0) {
        json_decref(a);
        srv_reply_error(rs, 500, NULL, "the runs could not be read from the database");
    } else {
        srv_reply_json(
            rs, 200,
            json_pack("{s:o,s:o}", "runs", a, "next", *next ? json_string(next) : json_null()));
    }
}

static void get_run(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    LOCK(s);
    const struct core_run *r = core_run_get(s->core, rq->seg[1]);
    json_t *j = r ? core_run_to_json(r) : srv_runs_stored(s, rq->seg[1]);
    UNLOCK(s);
    if (j)
        srv_reply_json(rs, 200, j);
    else
        not_found(rs, "run", rq->seg[1]);
}

/* DW-4: a final run cannot be re-dialled: 409 with the core's reason. */
static void post_redial(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    char err[512] = "";
    LOCK(s);
    const struct core_run *r = core_run_get(s->core, rq->seg[1]);
    int rc = r ? core_run_redial(s->core, r->id, err, sizeof err) : 0;
    json_t *j = r && rc == 0 ? core_run_to_json(r) : NULL;
    int stored = j ? srv_runs_flush(s) : 0;
    json_t *old = r ? NULL : srv_runs_stored(s, rq->seg[1]);
    UNLOCK(s);
    bool restored = json_is_true(json_object_get(old, "restored"));
    char old_status[32];
    snprintf(old_status, sizeof old_status, "%s",
             old ? json_string_value(json_object_get(old, "status")) ?: "?" : "");
    json_decref(old);
    if (old && restored)
        srv_reply_error(rs, 409, NULL,
                        "run '%s' belongs to an earlier start of the server and is final (DW-4); "
                        "start a fresh run",
                        rq->seg[1]);
    else if (old)
        srv_reply_error(rs, 409, NULL,
                        "run '%s' is final (%s) and cannot be resumed or re-dialled (DW-4); fix "
                        "the cause and start a fresh run",
                        rq->seg[1], old_status);
    else if (!r)
        not_found(rs, "run", rq->seg[1]);
    else if (rc != 0)
        srv_reply_error(rs, 409, NULL, "%s", *err ? err : "the run cannot be re-dialled");
    else if (stored != 0) {
        json_decref(j);
        srv_reply_error(rs, 500, NULL,
                        "the run was re-dialled but could not be stored in the database (see the "
                        "server's log); the server keeps trying");
    } else
        srv_reply_json(rs, 200, j);
}

/* ---- transcripts (seed 001) ------------------------------------------------------- */

static void core_lock(void *clock)
{
    clock_real_lock(clock);
}

static void core_unlock(void *clock)
{
    clock_real_unlock(clock);
}

/* POST /projects/{id}/transcripts: ingest does it all (CI-2..CI-9), taking
 * the core lock only to match (validation and the commit run unlocked, so
 * concurrent posts share commits: store.h);
 * here: the project's key, the headers, and the body up to 1 MiB. A longer
 * body is never read: its Content-Length goes to the validator, which
 * answers 401/415 first, else 413, and the connection is closed. */
static void post_transcripts(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    char *key = NULL;
    LOCK(s);
    const struct srv_project *p = srv_project_find(s, rq->seg[1]);
    bool found = p != NULL;
    if (p && p->api_key)
        key = strdup(p->api_key);
    UNLOCK(s);
    if (!found) {
        not_found(rs, "project", rq->seg[1]);
        return;
    }
    struct tx_header hs[64];
    size_t nh = 0;
    for (int i = 0; i < rq->ri->num_headers && nh < 64; i++)
        hs[nh++] = (struct tx_header){rq->ri->http_headers[i].name, rq->ri->http_headers[i].value};
    struct tx_request tr = {
        .headers = hs,
        .n_headers = nh,
        .content_type = srv_header(rq, "Content-Type"),
        .api_key = key,
        .max_body = SRV_MAX_BODY,
    };
    bool chunked_over = false;
    int rc = srv_read_body(rq, SRV_MAX_BODY);
    if (rc < 0) {
        free(key);
        srv_reply_error(rs, 400, NULL, "the body could not be read");
        return;
    }
    if (rc == 1) {
        /* only the size is handed over; the validator never reads a body
         * over the limit */
        long long cl = rq->ri->content_length;
        chunked_over = cl < 0;
        tr.body_len = chunked_over ? (size_t)SRV_MAX_BODY + 1 : (size_t)cl;
    } else {
        tr.body = rq->body;
        tr.body_len = rq->body_len;
    }
    struct ingest_answer ans;
    struct ingest_lock lk = {core_lock, core_unlock, s->clock};
    ingest_handle_locked(s->core, s->store, rq->seg[1], &tr, clock_real_time(s->clock), &lk, &ans);
    free(key);
    if (chunked_over && ans.status == 413) {
        ingest_answer_clear(&ans);
        srv_reply_error(rs, 413, NULL, "the body is more than %d bytes; the limit is %d bytes",
                        SRV_MAX_BODY, SRV_MAX_BODY);
        return;
    }
    if (!ans.body) {
        srv_reply_error(rs, 500, NULL, "out of memory");
        return;
    }
    free(rs->body);
    rs->status = ans.status;
    rs->body = ans.body;
    rs->body_len = ans.body_len;
}

/* GET /projects/{id}/transcripts/{call_id}: one stored call, as stored. */
static void get_transcript(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    LOCK(s);
    bool found = srv_project_find(s, rq->seg[1]) != NULL;
    UNLOCK(s);
    if (!found) {
        not_found(rs, "project", rq->seg[1]);
        return;
    }
    struct store_call *c = NULL;
    if (store_get_call(s->store, rq->seg[1], rq->seg[3], &c) != STORE_OK) {
        srv_reply_error(rs, 500, NULL, "the store could not be read");
        return;
    }
    if (!c) {
        srv_reply_error(rs, 404, NULL, "project %.100s has no call with id \"%.255s\"", rq->seg[1],
                        rq->seg[3]);
        return;
    }
    char a[32], b[32], r[32];
    json_t *j = json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:o}", "project", c->project, "id", c->call_id,
        "run_id", c->run_id ? json_string(c->run_id) : json_null(), "agent_id",
        c->has_agent_id ? json_integer(c->agent_id) : json_null(), "to_phone_number",
        c->to_phone_number ? json_string(c->to_phone_number) : json_null(), "from_phone_number",
        c->from_phone_number ? json_string(c->from_phone_number) : json_null(), "started_at",
        ts_iso(c->started_at_ms, a, sizeof a), "ended_at", ts_iso(c->ended_at_ms, b, sizeof b),
        "received_at", ts_iso(c->received_at_ms, r, sizeof r), "ended_reason", c->ended_reason,
        "call", json_loads(c->payload, 0, NULL));
    store_call_free(c);
    if (j)
        srv_reply_json(rs, 200, j);
    else
        srv_reply_error(rs, 500, NULL, "the stored call could not be read");
}

/* ---- provider webhooks --------------------------------------------------------------- */

static void post_webhook(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    int p = provider_from_name(rq->seg[1]);
    if (p <= DS_PROVIDER_NONE) {
        srv_reply_error(rs, 404, NULL, "no provider \"%.60s\"; use vapi, retell or elevenlabs",
                        rq->seg[1]);
        return;
    }
    int rc = srv_read_body(rq, SRV_MAX_BODY);
    if (rc) {
        if (rc == 1)
            srv_reply_error(rs, 413, NULL, "the body is over the limit of %d bytes", SRV_MAX_BODY);
        else
            srv_reply_error(rs, 400, NULL, "the body could not be read");
        return;
    }
    struct ds_header hs[64];
    size_t nh = 0;
    for (int i = 0; i < rq->ri->num_headers && nh < 64; i++)
        hs[nh++] = (struct ds_header){rq->ri->http_headers[i].name, rq->ri->http_headers[i].value};
    char err[512] = "";
    LOCK(s);
    int status = core_provider_webhook(s->core, (enum ds_provider)p, hs, nh, rq->body, rq->body_len,
                                       err, sizeof err);
    UNLOCK(s);
    if (status == 200)
        srv_reply_json(rs, 200, json_pack("{s:b}", "received", 1));
    else
        srv_reply_error(rs, status, NULL, "%s", *err ? err : "refused");
}

/* ---- the table ------------------------------------------------------------------------- */

struct route {
    const char *method;
    const char *pattern; /* segments; "*" matches one */
    route_fn fn;
};

static const struct route routes[] = {
    {"GET", "/health", get_health},
    {"GET", "/projects", list_projects},
    {"POST", "/projects", post_project},
    {"GET", "/projects/*", get_project},
    {"PATCH", "/projects/*", patch_project},
    {"POST", "/projects/*/transcripts", post_transcripts},
    {"GET", "/projects/*/transcripts/*", get_transcript},
    {"GET", "/agents", list_agents},
    {"POST", "/agents", post_agent},
    {"GET", "/agents/*", get_agent},
    {"PATCH", "/agents/*", patch_agent},
    {"GET", "/evaluators", list_evaluators},
    {"POST", "/evaluators", post_evaluator},
    {"GET", "/evaluators/*", get_evaluator},
    {"PATCH", "/evaluators/*", patch_evaluator},
    {"GET", "/runs", list_runs},
    {"POST", "/runs", post_runs},
    {"GET", "/runs/*", get_run},
    {"POST", "/runs/*/redial", post_redial},
    {"POST", "/webhooks/*", post_webhook},
};

static bool path_matches(const char *pattern, const struct srv_req *rq)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", pattern);
    size_t i = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save), i++) {
        if (i >= rq->n_seg || (strcmp(t, "*") != 0 && strcmp(t, rq->seg[i]) != 0))
            return false;
    }
    return i == rq->n_seg;
}

void srv_route(struct serve *s, struct srv_req *rq, struct srv_resp *rs)
{
    char allow[sizeof rs->allow] = "";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!path_matches(routes[i].pattern, rq))
            continue;
        if (!strcmp(routes[i].method, rq->method)) {
            routes[i].fn(s, rq, rs);
            return;
        }
        if (!strstr(allow, routes[i].method))
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
                     *allow ? ", " : "", routes[i].method);
    }
    if (*allow) {
        memcpy(rs->allow, allow, sizeof allow);
        srv_reply_error(rs, 405, NULL, "%s is not allowed on %.200s; use %s", rq->method, rq->path,
                        allow);
        return;
    }
    srv_reply_error(rs, 404, NULL, "no route %s %.200s", rq->method, rq->path);
}
