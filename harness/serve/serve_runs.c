/* Runs in the SQLite file (docs/api.md#durability): a run's JSON is written
 * after it changes, and the runs of an earlier server are shown again after
 * a restart. The core tells every change (core_env.on_run); the runs changed
 * by one timer or one request are written together by a flush timer at the
 * same instant: one transaction, one fsync. A run that had not ended when
 * the server stopped cannot go on (its timers are gone): it comes back failed
 * with serve_restarted (DW-4). Everything here runs with the core lock held,
 * except srv_runs_flush_final (no other thread is left). */
#include "serve/serve_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reason.h"
#include "core/timefmt.h"

#define RUN_KIND "run"

#define RETRY_MS 1000 /* a write that failed is tried again this much later */

static void flush_timer(void *arg);

static void schedule_flush(struct serve *s, int64_t delay_ms)
{
    if (s->flush_scheduled)
        return;
    struct ds_clock k = clock_real_port(s->clock);
    /* 0: the clock is stopping; the final srv_runs_flush writes them */
    s->flush_scheduled = k.ops->schedule(k.ctx, clock_real_time(s->clock) + delay_ms, flush_timer, s) != 0;
}

/* Write the changed runs whose JSON differs from what was last written (a
 * poll that changed nothing the API shows writes nothing), in one
 * transaction. On failure they stay to write, and 0 is not returned. */
static int flush(struct serve *s)
{
    size_t n = s->dirty.n;
    if (!n)
        return 0;
    const char **ids = calloc(n, sizeof *ids);
    char **bodies = calloc(n, sizeof *bodies);
    size_t k = 0;
    int rc = ids && bodies ? STORE_OK : STORE_NOMEM;
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        const struct core_run *r = core_run_get(s->core, s->dirty.v[i]);
        json_t *j = r ? core_run_to_json(r) : NULL;
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (r && !text) {
            rc = STORE_NOMEM;
            break;
        }
        const char *last = json_string_value(json_object_get(s->written, s->dirty.v[i]));
        if (!text || (last && !strcmp(last, text))) {
            free(text);
            continue;
        }
        ids[k] = s->dirty.v[i];
        bodies[k++] = text;
    }
    if (rc == STORE_OK && k)
        rc = store_config_put_many(s->store, RUN_KIND, k, ids, (const char *const *)bodies,
                                   clock_real_now());
    if (rc == STORE_OK) {
        for (size_t i = 0; i < k; i++)
            json_object_set_new(s->written, ids[i], json_string(bodies[i]));
    } else {
        char why[256];
        fprintf(s->log, "warning: %zu run(s) could not be written to %s: %s; trying again\n", n,
                s->db_path,
                rc == STORE_NOMEM ? "out of memory" : store_last_error(s->store, why, sizeof why));
    }
    for (size_t i = 0; bodies && i < k; i++)
        free(bodies[i]);
    free(ids);
    free(bodies);
    if (rc == STORE_OK)
        srv_ids_free(&s->dirty);
    else
        schedule_flush(s, RETRY_MS);
    return rc == STORE_OK ? 0 : -1;
}

/* ---- bounded memory: final runs beyond the bound live in the file only ---- */

static bool evictable(void *ctx, const struct core_run *r)
{
    struct serve *s = ctx;
    /* written, and (the flush that precedes every eviction left nothing
     * dirty) as it is now: GET /runs/{id} reads back exactly this run */
    return json_object_get(s->written, r->id) != NULL;
}

static void evicted(void *ctx, const struct core_run *r)
{
    struct serve *s = ctx;
    json_object_del(s->written, r->id);
    s->runs_evicted++;
}

/* Only from the flush timer: a request handler may hold a run of the core
 * while it flushes (srv_runs_commit, redial). */
static void flush_timer(void *arg)
{
    struct serve *s = arg;
    s->flush_scheduled = false;
    if (flush(s) == 0)
        core_runs_evict(s->core, s->max_final_runs, evictable, evicted, s);
}

static void run_changed(void *ctx, const struct core_run *r)
{
    struct serve *s = ctx;
    if (srv_ids_add(&s->dirty, r->id) != 0) /* a duplicate is not added twice */
        return;
    schedule_flush(s, 0);
}

struct ds_run_observer srv_runs_observer(struct serve *s)
{
    return (struct ds_run_observer){run_changed, s};
}

int srv_runs_commit(void *ctx)
{
    return srv_runs_flush(ctx);
}

int srv_runs_flush(struct serve *s)
{
    /* a flush timer already scheduled then finds nothing to do */
    return s->core && s->store && s->written ? flush(s) : 0;
}

/* ---- the runs of an earlier server ----------------------------------------- */

/* Every run of an earlier server is rewritten once with "restored": true (a
 * run still pending or in progress also failed serve_restarted, DW-4), so
 * the file alone tells them from this server's runs: none is kept in
 * memory, GET /runs and GET /runs/{id} read them from the file. */
struct restore_ctx {
    struct serve *s;
    const char **ids;
    char **bodies;
    size_t n_changed, n_failed;
    bool failed;
};

static int queue_rewrite(struct restore_ctx *rc, const char *id, json_t *j)
{
    char *body = json_dumps(j, JSON_COMPACT);
    const char **ni = realloc(rc->ids, (rc->n_changed + 1) * sizeof *ni);
    if (ni)
        rc->ids = ni;
    char **nb = realloc(rc->bodies, (rc->n_changed + 1) * sizeof *nb);
    if (nb)
        rc->bodies = nb;
    char *idc = strdup(id);
    if (!body || !ni || !nb || !idc) {
        free(body);
        free(idc);
        rc->failed = true;
        return 1;
    }
    rc->ids[rc->n_changed] = idc;
    rc->bodies[rc->n_changed++] = body;
    return 0;
}

static int restore_one(void *ctx, const char *id, const char *text)
{
    struct restore_ctx *rc = ctx;
    json_t *j = json_loads(text, 0, NULL);
    const char *st = json_string_value(json_object_get(j, "status"));
    if (!json_is_object(j) || !st || run_status_from_name(st) < 0) {
        json_decref(j);
        fprintf(rc->s->log, "warning: stored run \"%s\" is not a run; skipped\n", id);
        return 0;
    }
    rc->s->n_restored++;
    bool change = !json_is_true(json_object_get(j, "restored"));
    json_object_set_new(j, "id", json_string(id)); /* the row's key is the run's id */
    if (!strcmp(st, "pending") || !strcmp(st, "in_progress")) {
        /* its timers are gone: final now, and said so (DW-4) */
        char when[40], detail[300], diag[600];
        ts_iso(clock_real_now(), when, sizeof when);
        snprintf(detail, sizeof detail, "the run was %s when dialsim serve stopped; restarted %s",
                 st, when);
        snprintf(diag, sizeof diag,
                 "dialsim serve stopped while this run was %s, and a run's timers do not survive a "
                 "restart: it cannot go on. Start a fresh run.",
                 st);
        json_object_set_new(j, "status", json_string("failed"));
        json_object_set_new(j, "reason", json_string(reason_name(DS_REASON_SERVE_RESTARTED)));
        json_object_set_new(j, "detail", json_string(detail));
        json_object_set_new(j, "diagnosis", json_string(diag));
        json_object_set_new(j, "updated_at", json_string(when));
        rc->n_failed++;
        change = true;
    }
    json_object_set_new(j, "restored", json_true());
    int stop = change ? queue_rewrite(rc, id, j) : 0;
    json_decref(j);
    return stop;
}

int srv_runs_restore(struct serve *s, char *err, size_t n)
{
    s->written = json_object();
    struct restore_ctx rc = {.s = s};
    int st = s->written ? store_config_list(s->store, RUN_KIND, restore_one, &rc) : STORE_NOMEM;
    if (st == STORE_OK && !rc.failed && rc.n_changed)
        st = store_config_put_many(s->store, RUN_KIND, rc.n_changed, rc.ids,
                                   (const char *const *)rc.bodies, clock_real_now());
    for (size_t i = 0; i < rc.n_changed; i++) {
        free((char *)rc.ids[i]);
        free(rc.bodies[i]);
    }
    free(rc.ids);
    free(rc.bodies);
    if (st != STORE_OK || rc.failed) {
        char why[256];
        snprintf(err, n, "cannot load the stored runs: %s",
                 st != STORE_OK ? store_last_error(s->store, why, sizeof why) : "out of memory");
        return -1;
    }
    if (rc.n_failed)
        fprintf(s->log,
                "%zu run(s) that had not ended when the server stopped are now failed "
                "(serve_restarted)\n",
                rc.n_failed);
    return 0;
}

json_t *srv_runs_stored(struct serve *s, const char *id)
{
    char *text = NULL;
    if (store_config_get(s->store, RUN_KIND, id, &text) != STORE_OK || !text)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    return json_is_object(j) ? j : (json_decref(j), NULL);
}

struct page_ctx {
    json_t *runs;
    size_t limit;
    char last[128];
    bool more;
};

static int page_one(void *ctx, const char *id, const char *text)
{
    struct page_ctx *pc = ctx;
    if (json_array_size(pc->runs) == pc->limit) {
        pc->more = true; /* the one beyond the page */
        return 1;
    }
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return 0;
    }
    json_object_set_new(j, "id", json_string(id));
    json_array_append_new(pc->runs, j);
    snprintf(pc->last, sizeof pc->last, "%s", id);
    return 0;
}

int srv_runs_page(struct serve *s, const char *agent, const char *status, const char *after,
                  size_t limit, json_t *runs, char *next, size_t nn)
{
    *next = '\0';
    srv_runs_flush(s); /* the file then says what the core knows */
    struct store_page pg = {.after = after, .limit = limit + 1};
    if (agent) {
        pg.filters[pg.n_filters].path = "$.agent";
        pg.filters[pg.n_filters++].value = agent;
    }
    if (status) {
        pg.filters[pg.n_filters].path = "$.status";
        pg.filters[pg.n_filters++].value = status;
    }
    struct page_ctx pc = {.runs = runs, .limit = limit};
    int rc = store_config_page(s->store, RUN_KIND, &pg, page_one, &pc);
    if (rc == STORE_OK && pc.more)
        snprintf(next, nn, "%s", pc.last);
    return rc == STORE_OK ? 0 : -1;
}
