/* SQLite storage of accepted transcripts. See store.h for the contract and
 * docs/transcripts.md for the schema and the durability settings. */
#include "store/store_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

const char *store_err_name(int err)
{
    switch (err) {
#define X(code, value, name, sentence)                                                             \
    case value:                                                                                    \
        return name;
        STORE_ERR_MAP(X)
#undef X
    }
    return "unknown";
}

const char *store_err_sentence(int err)
{
    switch (err) {
#define X(code, value, name, sentence)                                                             \
    case value:                                                                                    \
        return sentence;
        STORE_ERR_MAP(X)
#undef X
    }
    return "unknown error";
}

const char *store_put_result_name(enum store_put_result r)
{
    switch (r) {
    case STORE_PUT_STORED:
        return "stored";
    case STORE_PUT_DUPLICATE:
        return "duplicate";
    case STORE_PUT_CONFLICT:
        return "conflict";
    }
    return "";
}

/* ---- schema: every migration, in order, in one place ------------------- */

/* migrations[k] takes the schema from version k to k + 1 (PRAGMA
 * user_version). Append only: never edit a migration that has shipped. */
static const char *const migrations[] = {
    /* 1: one row per accepted call (CI-4), unique per project (CI-1, CI-9).
     * payload is the call object as received, unknown fields included. */
    "CREATE TABLE transcripts ("
    " id INTEGER PRIMARY KEY,"
    " project TEXT NOT NULL,"
    " call_id TEXT NOT NULL,"
    " run_id TEXT,"
    " agent_id INTEGER,"
    " to_phone_number TEXT,"
    " from_phone_number TEXT,"
    " started_at_ms INTEGER NOT NULL,"
    " ended_at_ms INTEGER NOT NULL,"
    " ended_reason TEXT NOT NULL,"
    " received_at_ms INTEGER NOT NULL,"
    " payload TEXT NOT NULL CHECK (json_valid(payload)),"
    " UNIQUE (project, call_id));",
    /* 2: the lookups of CI-7 matching: by run_id, by the number called. */
    "CREATE INDEX transcripts_run ON transcripts(run_id);"
    "CREATE INDEX transcripts_to ON transcripts(to_phone_number);",
    /* 3: the projects, agents and evaluators of `dialsim serve`, one row per
     * (kind, id); body is what rebuilds the object, secrets included. */
    "CREATE TABLE config ("
    " kind TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " body TEXT NOT NULL CHECK (json_valid(body)),"
    " updated_at_ms INTEGER NOT NULL,"
    " PRIMARY KEY (kind, id));",
};

#define SCHEMA_LATEST ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_latest(void)
{
    return SCHEMA_LATEST;
}

/* ---- statements, through the fault-injection seam ----------------------- */

static void set_error(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->last_error, sizeof s->last_error, fmt, ap);
    va_end(ap);
}

/* True when the seam says this statement fails. */
static bool injected(struct store *s)
{
    if (!s->fail_at || ++s->stmt_count < s->fail_at)
        return false;
    set_error(s, "injected failure (statement %lu)", s->stmt_count);
    return true;
}

static int map_rc(struct store *s, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return STORE_OK;
    set_error(s, "%s: %s", what, sqlite3_errmsg(s->db));
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return STORE_NOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    default:
        return STORE_IO;
    }
}

int store_st_exec(struct store *s, const char *sql)
{
    if (injected(s))
        return STORE_IO;
    return map_rc(s, sqlite3_exec(s->db, sql, NULL, NULL, NULL), sql);
}

int store_st_prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
    *st = NULL;
    if (injected(s))
        return STORE_IO;
    return map_rc(s, sqlite3_prepare_v2(s->db, sql, -1, st, NULL), "prepare");
}

/* SQLITE_ROW, SQLITE_DONE, or a negative STORE_ error. */
int store_st_step(struct store *s, sqlite3_stmt *st)
{
    if (injected(s))
        return STORE_IO;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc;
    return map_rc(s, rc, "step");
}

/* Undo an open transaction. Never injected: a failure must be undoable. If
 * the real ROLLBACK fails, SQLite has already rolled back (it only fails when
 * no transaction is open). */
void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- open, migrate, close ---------------------------------------------- */

static int read_version(struct store *s, int *out)
{
    sqlite3_stmt *st;
    int rc = store_st_prepare(s, "PRAGMA user_version", &st);
    if (rc == STORE_OK) {
        rc = store_st_step(s, st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = STORE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = STORE_IO;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* All pending migrations in one transaction: a crash or a failure leaves the
 * schema at the old version, never half-way. */
static int migrate(struct store *s)
{
    int v = 0, rc = store_st_exec(s, "BEGIN IMMEDIATE");
    if (rc == STORE_OK)
        rc = read_version(s, &v);
    if (rc == STORE_OK && v > SCHEMA_LATEST) {
        set_error(s, "schema version %d is newer than this dialsim's %d", v, SCHEMA_LATEST);
        rc = STORE_SCHEMA;
    }
    for (int k = v; rc == STORE_OK && k < SCHEMA_LATEST; k++)
        rc = store_st_exec(s, migrations[k]);
    if (rc == STORE_OK && v < SCHEMA_LATEST) {
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_LATEST);
        rc = store_st_exec(s, sql);
    }
    if (rc == STORE_OK)
        rc = store_st_exec(s, "COMMIT");
    if (rc != STORE_OK)
        store_rollback(s);
    return rc;
}

/* WAL: readers never block the writer and a commit appends to one file.
 * synchronous=FULL: the WAL is fsync'ed at every commit, so an acknowledged
 * request survives kill -9 (NORMAL would do) and power loss (NORMAL would
 * not). In-memory databases keep journal_mode "memory". */
static int configure(struct store *s, const char *path)
{
    sqlite3_stmt *st;
    int rc = store_st_prepare(s, "PRAGMA journal_mode = WAL", &st);
    if (rc == STORE_OK) {
        rc = store_st_step(s, st);
        if (rc == SQLITE_ROW) {
            const char *mode = (const char *)sqlite3_column_text(st, 0);
            bool memory = strcmp(path, ":memory:") == 0;
            rc = STORE_OK;
            if (!mode || (strcmp(mode, "wal") != 0 && !memory)) {
                set_error(s, "journal_mode is %s, not wal", mode ? mode : "unknown");
                rc = STORE_IO;
            }
        } else if (rc == SQLITE_DONE) {
            rc = STORE_IO;
        }
    }
    sqlite3_finalize(st);
    if (rc == STORE_OK)
        rc = store_st_exec(s, "PRAGMA synchronous = FULL");
    return rc;
}

int store_open(struct store **out, const char *path, const struct store_options *opt, char *err,
               size_t err_len)
{
    *out = NULL;
    if (err && err_len)
        err[0] = '\0';
    if (!path) {
        if (err)
            snprintf(err, err_len, "no database path");
        return STORE_INVALID;
    }
    struct store *s = calloc(1, sizeof *s);
    if (!s)
        return STORE_NOMEM;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->gmu, NULL);
    pthread_cond_init(&s->gcv, NULL);
    s->fail_at = opt ? opt->fail_at : 0;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = s->db ? map_rc(s, rc, path) : STORE_NOMEM;
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, opt && opt->busy_timeout_ms ? opt->busy_timeout_ms : 5000);
    rc = configure(s, path);
    if (rc == STORE_OK)
        rc = migrate(s);
    if (rc != STORE_OK)
        goto fail;
    *out = s;
    return STORE_OK;
fail:
    if (err)
        snprintf(err, err_len, "%s: %s", path, s->last_error[0] ? s->last_error : "cannot open");
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->gmu);
    pthread_cond_destroy(&s->gcv);
    free(s);
}

int store_schema_version(struct store *s, int *out)
{
    pthread_mutex_lock(&s->mu);
    int rc = read_version(s, out);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void store_fail_after(struct store *s, unsigned long n)
{
    pthread_mutex_lock(&s->mu);
    s->fail_at = n;
    s->stmt_count = 0;
    pthread_mutex_unlock(&s->mu);
}

const char *store_last_error(struct store *s, char *buf, size_t n)
{
    pthread_mutex_lock(&s->mu);
    snprintf(buf, n, "%s", s->last_error);
    pthread_mutex_unlock(&s->mu);
    return buf;
}

/* ---- writes ------------------------------------------------------------- */

static const char sql_insert[] =
    "INSERT INTO transcripts (project, call_id, run_id, agent_id, to_phone_number,"
    " from_phone_number, started_at_ms, ended_at_ms, ended_reason, received_at_ms, payload)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT (project, call_id) DO NOTHING";
static const char sql_payload[] =
    "SELECT payload FROM transcripts WHERE project = ?1 AND call_id = ?2";

int store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* CI-9: the call was already stored; is it the same call? */
static int classify_existing(struct store *s, sqlite3_stmt *sel, const char *project,
                             const struct tx_call *c, enum store_put_result *res)
{
    sqlite3_reset(sel);
    store_bind_text(sel, 1, project);
    store_bind_text(sel, 2, c->id);
    int rc = store_st_step(s, sel);
    if (rc == SQLITE_DONE)
        return STORE_IO; /* ON CONFLICT fired, so the row is there */
    if (rc != SQLITE_ROW)
        return rc;
    json_t *old = json_loads((const char *)sqlite3_column_text(sel, 0), 0, NULL);
    if (!old)
        return STORE_NOMEM; /* the CHECK keeps payloads valid JSON */
    *res = json_equal(old, c->json) ? STORE_PUT_DUPLICATE : STORE_PUT_CONFLICT;
    json_decref(old);
    return STORE_OK;
}

/* json_dumps allocates with jansson's allocator, which may not be malloc. */
static void json_text_free(char *p)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(p);
}

static int put_one(struct store *s, sqlite3_stmt *ins, sqlite3_stmt *sel, const char *project,
                   const struct tx_call *c, int64_t received, enum store_put_result *res)
{
    char *payload = json_dumps(c->json, JSON_COMPACT);
    if (!payload)
        return STORE_NOMEM;
    sqlite3_reset(ins);
    store_bind_text(ins, 1, project);
    store_bind_text(ins, 2, c->id);
    store_bind_text(ins, 3, c->run_id);
    if (c->has_agent_id)
        sqlite3_bind_int64(ins, 4, c->agent_id);
    else
        sqlite3_bind_null(ins, 4);
    store_bind_text(ins, 5, c->to_phone_number);
    store_bind_text(ins, 6, c->from_phone_number);
    sqlite3_bind_int64(ins, 7, c->started_at_ms);
    sqlite3_bind_int64(ins, 8, c->ended_at_ms);
    store_bind_text(ins, 9, c->ended_reason ? c->ended_reason : TX_DEFAULT_ENDED_REASON);
    sqlite3_bind_int64(ins, 10, received);
    store_bind_text(ins, 11, payload);
    int rc = store_st_step(s, ins);
    sqlite3_clear_bindings(ins); /* payload is SQLITE_STATIC: unbind before freeing it */
    json_text_free(payload);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_ROW ? STORE_IO : rc;
    if (sqlite3_changes(s->db) == 1) {
        *res = STORE_PUT_STORED;
        return STORE_OK;
    }
    return classify_existing(s, sel, project, c, res);
}

/* Write a batch of puts in one transaction: all of them or none. A batch of
 * one runs exactly the statements a lone put always ran. */
static void write_batch(struct store *s, struct put_req *batch)
{
    sqlite3_stmt *ins = NULL, *sel = NULL;
    pthread_mutex_lock(&s->mu);
    /* IMMEDIATE: take the write lock now, so no other connection can make
     * this transaction fail half-way with SQLITE_BUSY. */
    int rc = store_st_exec(s, "BEGIN IMMEDIATE");
    if (rc == STORE_OK)
        rc = store_st_prepare(s, sql_insert, &ins);
    if (rc == STORE_OK)
        rc = store_st_prepare(s, sql_payload, &sel);
    for (struct put_req *p = batch; rc == STORE_OK && p; p = p->next)
        for (size_t i = 0; rc == STORE_OK && i < p->n; i++)
            rc = put_one(s, ins, sel, p->project, &p->calls[i], p->received, &p->res[i]);
    sqlite3_finalize(ins);
    sqlite3_finalize(sel);
    /* The callers acknowledge only after this COMMIT returned (CI-9). */
    if (rc == STORE_OK)
        rc = store_st_exec(s, "COMMIT");
    if (rc != STORE_OK)
        store_rollback(s);
    pthread_mutex_unlock(&s->mu);
    for (struct put_req *p = batch; p; p = p->next)
        p->rc = rc;
}

/* Group commit. With synchronous=FULL a commit costs an fsync (~0.3-0.5 ms
 * here), so one transaction per request caps a server at ~2,000 requests/s
 * however many arrive at once. Instead a put joins a queue; the first caller
 * that finds nobody writing takes the whole queue as one batch, writes it in
 * one transaction and wakes everyone in it. Puts that arrive meanwhile form
 * the next batch, written by one of them. Alone, a put is its own batch of
 * one and costs what it always did; under load, one fsync acknowledges many
 * requests. A batch fails or commits whole, so each request still does. */
int store_put_calls(struct store *s, const char *project, const struct tx_call *calls, size_t n,
                    int64_t received_at_ms, enum store_put_result *results)
{
    if (!s || !project || !*project || (n && !calls))
        return STORE_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!calls[i].id || !calls[i].json)
            return STORE_INVALID;
    enum store_put_result *res = calloc(n ? n : 1, sizeof *res);
    if (!res)
        return STORE_NOMEM;
    struct put_req me = {
        .project = project, .calls = calls, .n = n, .received = received_at_ms, .res = res};
    pthread_mutex_lock(&s->gmu);
    if (s->queue_tail)
        s->queue_tail->next = &me;
    else
        s->queue = &me;
    s->queue_tail = &me;
    while (!me.done) {
        if (s->committing) {
            pthread_cond_wait(&s->gcv, &s->gmu);
            continue;
        }
        struct put_req *batch = s->queue;
        s->queue = s->queue_tail = NULL;
        s->committing = true;
        pthread_mutex_unlock(&s->gmu);
        write_batch(s, batch);
        pthread_mutex_lock(&s->gmu);
        for (struct put_req *p = batch; p; p = p->next)
            p->done = true; /* their owners wait for gmu, which we hold */
        s->committing = false;
        pthread_cond_broadcast(&s->gcv);
    }
    pthread_mutex_unlock(&s->gmu);
    int rc = me.rc;
    if (rc == STORE_OK && results && n)
        memcpy(results, res, n * sizeof *res);
    free(res);
    return rc;
}

/* ---- reads -------------------------------------------------------------- */

#define ROW_COLUMNS                                                                                \
    "project, call_id, run_id, agent_id, to_phone_number, from_phone_number, started_at_ms,"       \
    " ended_at_ms, received_at_ms, ended_reason, payload"

char *store_col_dup(sqlite3_stmt *st, int i, bool *oom)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    char *d = strdup((const char *)t);
    if (!d)
        *oom = true;
    return d;
}

static int read_row(sqlite3_stmt *st, struct store_call *c)
{
    bool oom = false;
    memset(c, 0, sizeof *c);
    c->project = store_col_dup(st, 0, &oom);
    c->call_id = store_col_dup(st, 1, &oom);
    c->run_id = store_col_dup(st, 2, &oom);
    c->has_agent_id = sqlite3_column_type(st, 3) != SQLITE_NULL;
    c->agent_id = sqlite3_column_int64(st, 3);
    c->to_phone_number = store_col_dup(st, 4, &oom);
    c->from_phone_number = store_col_dup(st, 5, &oom);
    c->started_at_ms = sqlite3_column_int64(st, 6);
    c->ended_at_ms = sqlite3_column_int64(st, 7);
    c->received_at_ms = sqlite3_column_int64(st, 8);
    c->ended_reason = store_col_dup(st, 9, &oom);
    c->payload = store_col_dup(st, 10, &oom);
    return oom ? STORE_NOMEM : STORE_OK;
}

static void row_clear(struct store_call *c)
{
    free(c->project);
    free(c->call_id);
    free(c->run_id);
    free(c->to_phone_number);
    free(c->from_phone_number);
    free(c->ended_reason);
    free(c->payload);
}

void store_call_free(struct store_call *c)
{
    if (!c)
        return;
    row_clear(c);
    free(c);
}

void store_calls_clear(struct store_calls *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        row_clear(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

struct store_call *store_calls_grow(struct store_calls *l, size_t *cap)
{
    if (l->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct store_call *v = realloc(l->v, ncap * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        *cap = ncap;
    }
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    return &l->v[l->n++]; /* counted at once, so clear frees what is copied into it */
}

/* Run sql with ?1 = a, ?2 = b (NULL binds SQL NULL) and collect every row. */
static int query_rows(struct store *s, const char *sql, const char *a, const char *b,
                      struct store_calls *out)
{
    out->v = NULL;
    out->n = 0;
    size_t cap = 0;
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->mu);
    int rc = store_st_prepare(s, sql, &st);
    if (rc == STORE_OK) {
        store_bind_text(st, 1, a);
        store_bind_text(st, 2, b);
    }
    while (rc == STORE_OK) {
        int step = store_st_step(s, st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = step;
            break;
        }
        struct store_call *row = store_calls_grow(out, &cap);
        rc = row ? read_row(st, row) : STORE_NOMEM;
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    if (rc != STORE_OK)
        store_calls_clear(out);
    return rc;
}

int store_get_call(struct store *s, const char *project, const char *call_id,
                   struct store_call **out)
{
    *out = NULL;
    if (!s || !project || !call_id)
        return STORE_INVALID;
    struct store_calls l;
    int rc =
        query_rows(s, "SELECT " ROW_COLUMNS " FROM transcripts WHERE project = ?1 AND call_id = ?2",
                   project, call_id, &l);
    if (rc != STORE_OK || l.n == 0)
        return rc;
    *out = l.v; /* one row: the array is the single element */
    return STORE_OK;
}

int store_count(struct store *s, const char *project, int64_t *out)
{
    *out = 0;
    if (!s)
        return STORE_INVALID;
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->mu);
    int rc = store_st_prepare(
        s, "SELECT count(*) FROM transcripts WHERE ?1 IS NULL OR project = ?1", &st);
    if (rc == STORE_OK) {
        store_bind_text(st, 1, project);
        rc = store_st_step(s, st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = STORE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = STORE_IO;
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_list_by_run(struct store *s, const char *project, const char *run_id,
                      struct store_calls *out)
{
    out->v = NULL;
    out->n = 0;
    if (!s || !run_id)
        return STORE_INVALID;
    return query_rows(s,
                      "SELECT " ROW_COLUMNS " FROM transcripts WHERE run_id = ?1"
                      " AND (?2 IS NULL OR project = ?2) ORDER BY received_at_ms, id",
                      run_id, project, out);
}

int store_list_by_to_number(struct store *s, const char *project, const char *to_phone_number,
                            struct store_calls *out)
{
    out->v = NULL;
    out->n = 0;
    if (!s || !to_phone_number)
        return STORE_INVALID;
    return query_rows(s,
                      "SELECT " ROW_COLUMNS " FROM transcripts WHERE to_phone_number = ?1"
                      " AND (?2 IS NULL OR project = ?2) ORDER BY received_at_ms, id",
                      to_phone_number, project, out);
}
