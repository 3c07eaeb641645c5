/* The objects of `dialsim serve` (projects, agents, evaluators, runs) in the
 * store's config table: put, get, list a page. See store.h. */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- config: the objects of `dialsim serve` ------------------------------ */

int store_config_put_many(struct store *s, const char *kind, size_t n, const char *const *ids,
                          const char *const *bodies, int64_t now_ms)
{
    if (!s || !kind || !*kind || (n && (!ids || !bodies)))
        return STORE_INVALID;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i] || !*ids[i] || !bodies[i])
            return STORE_INVALID;
        json_t *parsed = json_loads(bodies[i], JSON_DECODE_ANY, NULL);
        if (!parsed)
            return STORE_INVALID; /* the CHECK would refuse it too, as an I/O error */
        json_decref(parsed);
    }
    if (!n)
        return STORE_OK;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->mu);
    /* One transaction, one fsync (synchronous=FULL) for all of them. An
     * update keeps the row's rowid, so store_config_list keeps the first
     * insertion's order. */
    int rc = store_st_exec(s, "BEGIN IMMEDIATE");
    if (rc == STORE_OK)
        rc = store_st_prepare(
            s,
            "INSERT INTO config (kind, id, body, updated_at_ms) VALUES (?1, ?2, ?3, ?4)"
            " ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body,"
            " updated_at_ms = excluded.updated_at_ms",
            &st);
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        sqlite3_reset(st);
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, ids[i]);
        store_bind_text(st, 3, bodies[i]);
        sqlite3_bind_int64(st, 4, now_ms);
        rc = store_st_step(s, st);
        if (rc == SQLITE_DONE)
            rc = STORE_OK;
        else if (rc == SQLITE_ROW)
            rc = STORE_IO;
    }
    sqlite3_finalize(st);
    if (rc == STORE_OK)
        rc = store_st_exec(s, "COMMIT");
    if (rc != STORE_OK)
        store_rollback(s);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_config_put(struct store *s, const char *kind, const char *id, const char *json_body,
                     int64_t now_ms)
{
    return store_config_put_many(s, kind, 1, &id, &json_body, now_ms);
}

int store_config_get(struct store *s, const char *kind, const char *id, char **json_body)
{
    if (!json_body)
        return STORE_INVALID;
    *json_body = NULL;
    if (!s || !kind || !id)
        return STORE_INVALID;
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->mu);
    int rc = store_st_prepare(s, "SELECT body FROM config WHERE kind = ?1 AND id = ?2", &st);
    if (rc == STORE_OK) {
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, id);
        int step = store_st_step(s, st);
        bool oom = false;
        if (step == SQLITE_ROW) {
            *json_body = store_col_dup(st, 0, &oom);
            rc = oom ? STORE_NOMEM : STORE_OK;
        } else if (step != SQLITE_DONE) {
            rc = step;
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_config_page(struct store *s, const char *kind, const struct store_page *pg,
                      int (*cb)(void *ctx, const char *id, const char *json_body), void *ctx)
{
    static const struct store_page all = {0};
    if (!pg)
        pg = &all;
    if (!s || !kind || !cb || pg->n_filters > STORE_PAGE_FILTERS)
        return STORE_INVALID;
    /* The statement, from fixed pieces: filter paths and values are bound. */
    char sql[512];
    int len = snprintf(sql, sizeof sql, "SELECT id, body FROM config WHERE kind = ?1");
    if (pg->after)
        len += snprintf(sql + len, sizeof sql - (size_t)len,
                        " AND rowid > (SELECT rowid FROM config WHERE kind = ?1 AND id = ?2)");
    for (size_t f = 0; f < pg->n_filters; f++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, " AND json_extract(body, ?%zu) = ?%zu",
                        3 + 2 * f, 4 + 2 * f);
    snprintf(sql + len, sizeof sql - (size_t)len, " ORDER BY rowid%s",
             pg->limit ? " LIMIT ?20" : "");
    /* Rows are copied out first: cb runs without the store's mutex, so it may
     * call the store (store_config_put included). */
    struct store_calls rows = {0};
    size_t cap = 0;
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->mu);
    int rc = store_st_prepare(s, sql, &st);
    if (rc == STORE_OK) {
        store_bind_text(st, 1, kind);
        if (pg->after)
            store_bind_text(st, 2, pg->after);
        for (size_t f = 0; f < pg->n_filters; f++) {
            store_bind_text(st, (int)(3 + 2 * f), pg->filters[f].path);
            store_bind_text(st, (int)(4 + 2 * f), pg->filters[f].value);
        }
        if (pg->limit)
            sqlite3_bind_int64(st, 20, (sqlite3_int64)pg->limit);
    }
    while (rc == STORE_OK) {
        int step = store_st_step(s, st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = step;
            break;
        }
        bool oom = false;
        struct store_call *row = store_calls_grow(&rows, &cap);
        if (!row) {
            rc = STORE_NOMEM;
            break;
        }
        row->call_id = store_col_dup(st, 0, &oom);
        row->payload = store_col_dup(st, 1, &oom);
        if (oom)
            rc = STORE_NOMEM;
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; rc == STORE_OK && i < rows.n; i++)
        if (cb(ctx, rows.v[i].call_id, rows.v[i].payload) != 0)
            break;
    store_calls_clear(&rows);
    return rc;
}

int store_config_list(struct store *s, const char *kind,
                      int (*cb)(void *ctx, const char *id, const char *json_body), void *ctx)
{
    return store_config_page(s, kind, NULL, cb, ctx);
}
