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

static void flush(void *arg)
{
    struct serve *s = arg;
    s->flush_scheduled = false;
    size_t n = s->dirty.n;
    if (!n)
        return;
    const char **ids = calloc(n, sizeof *ids);
    char **bodies = calloc(n, sizeof *bodies);
    size_t k = 0;
    for (size_t i = 0; ids && bodies && i < n; i++) {
        const struct core_run *r = core_run_get(s->core, s->dirty.v[i]);
        json_t *j = r ? core_run_to_json(r) : NULL;
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (text) {
            ids[k] = s->dirty.v[i];
            bodies[k++] = text;
        }
    }
    int rc = ids && bodies ? store_config_put_many(s->store, RUN_KIND, k, ids,
                                                   (const char *const *)bodies, clock_real_now())
                           : STORE_NOMEM;
    if (rc != STORE_OK) {
        char why[256];
        fprintf(s->log, "warning: %zu run(s) could not be written to %s: %s\n", k, s->db_path,
                store_last_error(s->store, why, sizeof why));
    }
    for (size_t i = 0; bodies && i < k; i++)
        free(bodies[i]);
    free(ids);
    free(bodies);
    srv_ids_free(&s->dirty);
}

static void run_changed(void *ctx, const struct core_run *r)
{
    struct serve *s = ctx;
    bool known = false;
    for (size_t i = 0; i < s->dirty.n && !known; i++)
        known = strcmp(s->dirty.v[i], r->id) == 0;
    if (!known && srv_ids_add(&s->dirty, r->id) != 0)
        return;
    if (!s->flush_scheduled) {
        struct ds_clock k = clock_real_port(s->clock);
        /* 0: the clock is stopping; srv_runs_flush_final writes them */
        s->flush_scheduled = k.ops->schedule(k.ctx, clock_real_now(), flush, s) != 0;
    }
}

struct ds_run_observer srv_runs_observer(struct serve *s)
{
    return (struct ds_run_observer){run_changed, s};
}

void srv_runs_flush(struct serve *s)
{
    if (s->core && s->store)
        flush(s); /* a flush timer already scheduled then finds nothing to do */
}

/* ---- the runs of an earlier server ----------------------------------------- */

struct restore_ctx {
    struct serve *s;
    const char **ids;
    char **bodies;
    size_t n_changed;
    bool failed;
};

static int restore_one(void *ctx, const char *id, const char *text)
{
    struct restore_ctx *rc = ctx;
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "id"))) {
        json_decref(j);
        fprintf(rc->s->log, "warning: stored run \"%s\" is not a run; skipped\n", id);
        return 0;
    }
    const char *st = json_string_value(json_object_get(j, "status"));
    if (!st || !strcmp(st, "pending") || !strcmp(st, "in_progress")) {
        /* its timers are gone: final now, and said so (DW-4) */
        char when[40], detail[300], diag[600];
        ts_iso(clock_real_now(), when, sizeof when);
        snprintf(detail, sizeof detail, "the run was %s when dialsim serve stopped; restarted %s",
                 st ? st : "open", when);
        snprintf(diag, sizeof diag,
                 "dialsim serve stopped while this run was %s, and a run's timers do not survive a "
                 "restart: it cannot go on. Start a fresh run.",
                 st ? st : "open");
        json_object_set_new(j, "status", json_string("failed"));
        json_object_set_new(j, "reason", json_string(reason_name(DS_REASON_SERVE_RESTARTED)));
        json_object_set_new(j, "detail", json_string(detail));
        json_object_set_new(j, "diagnosis", json_string(diag));
        json_object_set_new(j, "updated_at", json_string(when));
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
            json_decref(j);
            rc->failed = true;
            return 1;
        }
        rc->ids[rc->n_changed] = idc;
        rc->bodies[rc->n_changed++] = body;
    }
    json_object_set_new(j, "restored", json_true());
    json_array_append_new(rc->s->restored_runs, j);
    return 0;
}

int srv_runs_restore(struct serve *s, char *err, size_t n)
{
    s->restored_runs = json_array();
    struct restore_ctx rc = {.s = s};
    int st =
        s->restored_runs ? store_config_list(s->store, RUN_KIND, restore_one, &rc) : STORE_NOMEM;
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
    if (rc.n_changed)
        fprintf(s->log,
                "%zu run(s) that had not ended when the server stopped are now failed "
                "(serve_restarted)\n",
                rc.n_changed);
    return 0;
}

json_t *srv_runs_restored(const struct serve *s, const char *id)
{
    size_t i;
    json_t *j;
    json_array_foreach(s->restored_runs, i, j)
    {
        if (!strcmp(json_string_value(json_object_get(j, "id")), id))
            return j;
    }
    return NULL;
}
