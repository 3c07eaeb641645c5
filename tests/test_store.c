/* Unit tests for harness/store: durable storage of accepted transcripts
 * (CI-1, CI-9) — schema and migrations, idempotent puts, all-or-nothing under
 * injected failures, the config objects. The 20 concurrent writers and the
 * real crash (SIGKILL) test are unit.store_durability's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store_fixture.h"

/* ---- schema ------------------------------------------------------------- */

static void schema_created_at_latest_version(void **state)
{
    (void)state;
    struct store *s = open_mem();
    int v = -1;
    assert_int_equal(store_schema_version(s, &v), STORE_OK);
    assert_int_equal(v, store_schema_latest());
    assert_true(store_schema_latest() >= 2);
    assert_int_equal(count(s, NULL), 0);
    store_close(s);
    store_close(NULL);
}

/* A file is opened in WAL mode, and reopening it keeps what was stored. */
static void file_is_wal_and_reopens(void **state)
{
    (void)state;
    char path[300], c[256];
    db_path(path, sizeof path, "reopen.db");
    remove_db(path);
    struct store *s = NULL;
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    struct tx_result *r = request(call_json(c, sizeof c, "a", NULL));
    assert_int_equal(store_put_calls(s, "p", r->calls, r->n_calls, 1000, NULL), STORE_OK);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    assert_true(stored(s, "p", "a"));
    store_close(s);
    tx_result_destroy(r);
    remove_db(path);
}

/* A database at version 1 (before the indexes) is migrated to the latest. */
static void schema_migrates_from_version_1(void **state)
{
    (void)state;
    char path[300];
    db_path(path, sizeof path, "v1.db");
    remove_db(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE transcripts (id INTEGER PRIMARY KEY, project TEXT NOT NULL,"
                     " call_id TEXT NOT NULL, run_id TEXT, agent_id INTEGER, to_phone_number TEXT,"
                     " from_phone_number TEXT, started_at_ms INTEGER NOT NULL, ended_at_ms "
                     "INTEGER NOT NULL, ended_reason TEXT NOT NULL, received_at_ms INTEGER NOT "
                     "NULL, payload TEXT NOT NULL CHECK (json_valid(payload)),"
                     " UNIQUE (project, call_id));"
                     "INSERT INTO transcripts VALUES (1,'p','old',NULL,1,NULL,NULL,0,0,'unknown',"
                     "0,'{}');"
                     "PRAGMA user_version = 1;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    struct store *s = NULL;
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    int v = 0;
    assert_int_equal(store_schema_version(s, &v), STORE_OK);
    assert_int_equal(v, store_schema_latest());
    assert_true(stored(s, "p", "old"));
    store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name"
                       " IN ('transcripts_run', 'transcripts_to')",
                       -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    sqlite3_close(db);
    remove_db(path);
}

/* A database from a newer dialsim is refused, untouched, with a reason. */
static void schema_newer_is_refused(void **state)
{
    (void)state;
    char path[300], err[256];
    db_path(path, sizeof path, "newer.db");
    remove_db(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *s = (struct store *)1;
    assert_int_equal(store_open(&s, path, NULL, err, sizeof err), STORE_SCHEMA);
    assert_null(s);
    assert_non_null(strstr(err, "schema version 99 is newer than this dialsim's"));
    assert_string_equal(store_err_name(STORE_SCHEMA), "schema");
    remove_db(path);
}

/* ---- puts and reads ----------------------------------------------------- */

static void put_then_read_every_column(void **state)
{
    (void)state;
    struct store *s = open_mem();
    char a[512], b[256], both[800];
    call_json(a, sizeof a, "call-1",
              "\"run_id\":\"run_0001\",\"to_phone_number\":\"+14155551234\",\"from_phone_number\""
              ":\"+18005551234\",\"endedReason\":\"customer-ended-call\",\"x\":1");
    call_json(b, sizeof b, "call-2", "\"to_phone_number\":\"+14155551234\"");
    snprintf(both, sizeof both, "%s,%s", a, b);
    struct tx_result *r = request(both);
    enum store_put_result res[2] = {9, 9};
    assert_int_equal(store_put_calls(s, "proj", r->calls, 2, 5000, res), STORE_OK);
    assert_int_equal(res[0], STORE_PUT_STORED);
    assert_int_equal(res[1], STORE_PUT_STORED);
    struct store_call *c;
    assert_int_equal(store_get_call(s, "proj", "call-1", &c), STORE_OK);
    assert_non_null(c);
    assert_string_equal(c->project, "proj");
    assert_string_equal(c->run_id, "run_0001");
    assert_true(c->has_agent_id);
    assert_int_equal(c->agent_id, 42);
    assert_string_equal(c->to_phone_number, "+14155551234");
    assert_string_equal(c->from_phone_number, "+18005551234");
    assert_int_equal(c->started_at_ms, INT64_C(1767268800000));
    assert_int_equal(c->ended_at_ms, INT64_C(1767269010000));
    assert_int_equal(c->received_at_ms, 5000);
    assert_string_equal(c->ended_reason, "customer-ended-call");
    json_t *p = json_loads(c->payload, 0, NULL);
    assert_true(json_equal(p, r->calls[0].json)); /* unknown "x" kept */
    json_decref(p);
    store_call_free(c);
    assert_int_equal(store_get_call(s, "proj", "call-2", &c), STORE_OK);
    assert_null(c->run_id);
    assert_string_equal(c->ended_reason, "unknown"); /* CI-4 default */
    store_call_free(c);
    assert_int_equal(store_get_call(s, "proj", "nope", &c), STORE_OK);
    assert_null(c);

    struct store_calls l;
    assert_int_equal(store_list_by_run(s, "proj", "run_0001", &l), STORE_OK);
    assert_int_equal(l.n, 1);
    store_calls_clear(&l);
    assert_int_equal(store_list_by_to_number(s, NULL, "+14155551234", &l), STORE_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].call_id, "call-1"); /* received order */
    assert_string_equal(l.v[1].call_id, "call-2");
    store_calls_clear(&l);
    assert_int_equal(store_list_by_to_number(s, "other", "+14155551234", &l), STORE_OK);
    assert_int_equal(l.n, 0);
    store_calls_clear(&l);
    tx_result_destroy(r);
    store_close(s);
}

/* CI-9: re-sending stores nothing new and says so; a different call under a
 * stored id is a conflict, and the first write stays. */
static void ci9_resend_is_idempotent(void **state)
{
    (void)state;
    struct store *s = open_mem();
    char a[256], b[256], both[600];
    call_json(a, sizeof a, "a", NULL);
    call_json(b, sizeof b, "b", NULL);
    snprintf(both, sizeof both, "%s,%s", a, b);
    struct tx_result *r1 = request(a), *r2 = request(both);
    enum store_put_result res[2];
    assert_int_equal(store_put_calls(s, "p", r1->calls, 1, 1, res), STORE_OK);
    assert_int_equal(store_put_calls(s, "p", r2->calls, 2, 2, res), STORE_OK);
    assert_int_equal(res[0], STORE_PUT_DUPLICATE);
    assert_int_equal(res[1], STORE_PUT_STORED);
    assert_int_equal(store_put_calls(s, "p", r2->calls, 2, 3, res), STORE_OK);
    assert_int_equal(res[0], STORE_PUT_DUPLICATE);
    assert_int_equal(res[1], STORE_PUT_DUPLICATE);
    assert_int_equal(count(s, "p"), 2);

    /* same id, other content: key order alone is not a difference */
    struct tx_result *same = request("{\"endedAt\":\"2026-01-01T12:03:30Z\",\"id\":\"a\","
                                     "\"startedAt\":\"2026-01-01T12:00:00Z\"}");
    struct tx_result *other = request(call_json(a, sizeof a, "a", "\"endedReason\":\"x\""));
    assert_int_equal(store_put_calls(s, "p", same->calls, 1, 4, res), STORE_OK);
    assert_int_equal(res[0], STORE_PUT_DUPLICATE);
    assert_int_equal(store_put_calls(s, "p", other->calls, 1, 5, res), STORE_OK);
    assert_int_equal(res[0], STORE_PUT_CONFLICT);
    struct store_call *c;
    assert_int_equal(store_get_call(s, "p", "a", &c), STORE_OK);
    assert_string_equal(c->ended_reason, "unknown");
    assert_int_equal(c->received_at_ms, 1);
    store_call_free(c);
    assert_int_equal(count(s, NULL), 2);
    assert_string_equal(store_put_result_name(STORE_PUT_CONFLICT), "conflict");
    tx_result_destroy(r1);
    tx_result_destroy(r2);
    tx_result_destroy(same);
    tx_result_destroy(other);
    store_close(s);
}

/* CI-1: projects are isolated — one call id in two projects is two calls. */
static void ci1_projects_are_isolated(void **state)
{
    (void)state;
    struct store *s = open_mem();
    char a[256];
    struct tx_result *r = request(call_json(a, sizeof a, "a", "\"run_id\":\"run_1\""));
    enum store_put_result res;
    assert_int_equal(store_put_calls(s, "dev", r->calls, 1, 1, &res), STORE_OK);
    assert_int_equal(store_put_calls(s, "prod", r->calls, 1, 1, &res), STORE_OK);
    assert_int_equal(res, STORE_PUT_STORED);
    assert_int_equal(count(s, "dev"), 1);
    assert_int_equal(count(s, "prod"), 1);
    assert_int_equal(count(s, NULL), 2);
    struct store_calls l;
    assert_int_equal(store_list_by_run(s, NULL, "run_1", &l), STORE_OK);
    assert_int_equal(l.n, 2);
    store_calls_clear(&l);
    assert_int_equal(store_put_calls(s, "", r->calls, 1, 1, &res), STORE_INVALID);
    assert_int_equal(store_put_calls(s, "p", NULL, 1, 1, &res), STORE_INVALID);
    assert_int_equal(store_put_calls(s, "p", NULL, 0, 1, NULL), STORE_OK);
    tx_result_destroy(r);
    store_close(s);
}

/* ---- fault injection ---------------------------------------------------- */

/* Fail the Nth statement of a put for N = 1, 2, ...: every failed put leaves
 * the store exactly as it was (CI-8/CI-9 all-or-nothing), and the same store
 * takes the request once the fault is gone. */
static void ci9_put_all_or_nothing_under_faults(void **state)
{
    (void)state;
    struct store *s = open_mem();
    char a[256], b[256], c[256], all[800];
    struct tx_result *pre = request(call_json(a, sizeof a, "pre", NULL));
    assert_int_equal(store_put_calls(s, "p", pre->calls, 1, 1, NULL), STORE_OK);
    snprintf(all, sizeof all, "%s,%s,%s", call_json(a, sizeof a, "pre", NULL),
             call_json(b, sizeof b, "new-1", NULL), call_json(c, sizeof c, "new-2", NULL));
    struct tx_result *r = request(all);
    unsigned long n;
    for (n = 1;; n++) {
        enum store_put_result res[3] = {9, 9, 9};
        store_fail_after(s, n);
        int rc = store_put_calls(s, "p", r->calls, 3, 2, res);
        store_fail_after(s, 0);
        if (rc == STORE_OK) {
            assert_int_equal(res[0], STORE_PUT_DUPLICATE);
            assert_int_equal(res[1], STORE_PUT_STORED);
            break;
        }
        char err[256];
        assert_int_equal(rc, STORE_IO);
        assert_non_null(strstr(store_last_error(s, err, sizeof err), "injected"));
        assert_int_equal(res[0], 9); /* results untouched on failure */
        assert_int_equal(count(s, "p"), 1);
        assert_false(stored(s, "p", "new-1"));
    }
    assert_true(n > 5); /* BEGIN, 2 prepares, 3 inserts, 1 select, COMMIT */
    assert_int_equal(count(s, "p"), 3);
    tx_result_destroy(pre);
    tx_result_destroy(r);
    store_close(s);
}

/* Reads under faults: an error, an empty answer, nothing leaked. */
static void reads_fail_cleanly(void **state)
{
    (void)state;
    struct store *s = open_mem();
    char a[256];
    struct tx_result *r = request(call_json(a, sizeof a, "a", "\"run_id\":\"r\""));
    assert_int_equal(store_put_calls(s, "p", r->calls, 1, 1, NULL), STORE_OK);
    for (unsigned long n = 1; n <= 2; n++) {
        struct store_calls l = {(void *)1, 7};
        struct store_call *c = (void *)1;
        int64_t k = 9;
        store_fail_after(s, n);
        assert_int_equal(store_list_by_run(s, "p", "r", &l), STORE_IO);
        assert_null(l.v);
        assert_int_equal(l.n, 0);
        store_fail_after(s, n);
        assert_int_equal(store_get_call(s, "p", "a", &c), STORE_IO);
        assert_null(c);
        store_fail_after(s, n);
        assert_int_equal(store_count(s, "p", &k), STORE_IO);
        assert_int_equal(k, 0);
    }
    store_fail_after(s, 0);
    assert_int_equal(count(s, "p"), 1);
    tx_result_destroy(r);
    store_close(s);
}

/* Fail the Nth statement of opening a new file: the open fails cleanly, and
 * the file is left at schema 0 (never half-migrated); a later open works. */
static void open_all_or_nothing_under_faults(void **state)
{
    (void)state;
    char path[300], err[256];
    db_path(path, sizeof path, "open-faults.db");
    unsigned long n;
    for (n = 1;; n++) {
        remove_db(path);
        struct store_options opt = {.fail_at = n};
        struct store *s = (struct store *)1;
        int rc = store_open(&s, path, &opt, err, sizeof err);
        if (rc == STORE_OK) {
            store_close(s);
            break;
        }
        assert_null(s);
        assert_non_null(strstr(err, "injected"));
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT user_version FROM pragma_user_version),"
                           " (SELECT count(*) FROM sqlite_schema)",
                           -1, &st, NULL);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        assert_int_equal(sqlite3_column_int(st, 1), 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
        int v = 0;
        assert_int_equal(store_schema_version(s, &v), STORE_OK);
        assert_int_equal(v, store_schema_latest());
        store_close(s);
    }
    assert_true(n > 4);
    remove_db(path);
}

/* ---- config: the objects of `dialsim serve` ------------------------------ */

struct seen {
    int n, stop_after;
    char ids[8][32];
    char bodies[8][128];
};

static int collect(void *ctx, const char *id, const char *body)
{
    struct seen *w = ctx;
    assert_true(w->n < 8);
    snprintf(w->ids[w->n], sizeof w->ids[0], "%s", id);
    snprintf(w->bodies[w->n], sizeof w->bodies[0], "%s", body);
    w->n++;
    return w->stop_after && w->n >= w->stop_after;
}

/* Upsert by (kind, id); a list is in first-put order, an update keeps its
 * place; kinds are separate; bad arguments write nothing. */
static void config_put_and_list(void **state)
{
    (void)state;
    struct store *s = open_mem();
    struct seen w = {0};
    assert_int_equal(store_config_list(s, "project", collect, &w), STORE_OK);
    assert_int_equal(w.n, 0);
    assert_int_equal(store_config_put(s, "project", "b", "{\"id\":\"b\"}", 1), STORE_OK);
    assert_int_equal(store_config_put(s, "project", "a", "{\"id\":\"a\"}", 2), STORE_OK);
    assert_int_equal(store_config_put(s, "agent", "b", "{\"id\":\"agent b\"}", 3), STORE_OK);
    assert_int_equal(store_config_put(s, "project", "b", "{\"id\":\"b\",\"api_key\":\"k\"}", 4),
                     STORE_OK);
    assert_int_equal(store_config_list(s, "project", collect, &w), STORE_OK);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.ids[0], "b");
    assert_string_equal(w.bodies[0], "{\"id\":\"b\",\"api_key\":\"k\"}");
    assert_string_equal(w.ids[1], "a");
    assert_string_equal(w.bodies[1], "{\"id\":\"a\"}");
    memset(&w, 0, sizeof w);
    assert_int_equal(store_config_list(s, "agent", collect, &w), STORE_OK);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.bodies[0], "{\"id\":\"agent b\"}");
    memset(&w, 0, sizeof w);
    w.stop_after = 1; /* the callback stops the walk */
    assert_int_equal(store_config_list(s, "project", collect, &w), STORE_OK);
    assert_int_equal(w.n, 1);
    assert_int_equal(store_config_put(s, "project", "c", "{not json", 5), STORE_INVALID);
    assert_int_equal(store_config_put(s, "project", "", "{}", 5), STORE_INVALID);
    assert_int_equal(store_config_put(s, NULL, "c", "{}", 5), STORE_INVALID);
    assert_int_equal(store_config_put(s, "project", "c", NULL, 5), STORE_INVALID);
    assert_int_equal(store_config_list(s, "project", NULL, NULL), STORE_INVALID);
    memset(&w, 0, sizeof w);
    assert_int_equal(store_config_list(s, "project", collect, &w), STORE_OK);
    assert_int_equal(w.n, 2);
    assert_int_equal(count(s, NULL), 0); /* transcripts are another table */
    store_close(s);
}

/* Many objects in one transaction: all stored, in order, an update keeping
 * its place; one bad body and none is. */
static void config_put_many(void **state)
{
    (void)state;
    struct store *s = open_mem();
    const char *ids[] = {"r1", "r2", "r1"};
    const char *bodies[] = {"{\"s\":1}", "{\"s\":2}", "{\"s\":3}"};
    assert_int_equal(store_config_put_many(s, "run", 3, ids, bodies, 7), STORE_OK);
    struct seen w = {0};
    assert_int_equal(store_config_list(s, "run", collect, &w), STORE_OK);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.ids[0], "r1");
    assert_string_equal(w.bodies[0], "{\"s\":3}");
    assert_string_equal(w.ids[1], "r2");
    const char *ids2[] = {"r3", "r4"};
    const char *bad[] = {"{}", "{not json"};
    assert_int_equal(store_config_put_many(s, "run", 2, ids2, bad, 8), STORE_INVALID);
    assert_int_equal(store_config_put_many(s, "run", 0, NULL, NULL, 8), STORE_OK);
    memset(&w, 0, sizeof w);
    assert_int_equal(store_config_list(s, "run", collect, &w), STORE_OK);
    assert_int_equal(w.n, 2); /* r3 was not stored either */
    store_close(s);
}

/* A put is committed when it returns: it survives a reopen, and a failed put
 * writes nothing. */
static void config_survives_reopen_and_faults(void **state)
{
    (void)state;
    char path[300];
    db_path(path, sizeof path, "config.db");
    remove_db(path);
    struct store *s = NULL;
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    assert_int_equal(store_config_put(s, "agent", "1", "{\"contact_number\":\"+1555\"}", 7),
                     STORE_OK);
    store_fail_after(s, 1);
    assert_int_equal(store_config_put(s, "agent", "2", "{}", 8), STORE_IO);
    struct seen w = {0};
    assert_int_equal(store_config_list(s, "agent", collect, &w), STORE_IO);
    assert_int_equal(w.n, 0);
    store_fail_after(s, 0);
    store_close(s);
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    assert_int_equal(store_config_list(s, "agent", collect, &w), STORE_OK);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.ids[0], "1");
    assert_string_equal(w.bodies[0], "{\"contact_number\":\"+1555\"}");
    store_close(s);
    remove_db(path);
}

/* A database at version 2 (transcripts only) gets the config table and keeps
 * its transcripts. */
static void schema_migrates_from_version_2(void **state)
{
    (void)state;
    char path[300];
    db_path(path, sizeof path, "v2.db");
    remove_db(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE transcripts (id INTEGER PRIMARY KEY, project TEXT NOT NULL,"
                     " call_id TEXT NOT NULL, run_id TEXT, agent_id INTEGER, to_phone_number TEXT,"
                     " from_phone_number TEXT, started_at_ms INTEGER NOT NULL, ended_at_ms "
                     "INTEGER NOT NULL, ended_reason TEXT NOT NULL, received_at_ms INTEGER NOT "
                     "NULL, payload TEXT NOT NULL CHECK (json_valid(payload)),"
                     " UNIQUE (project, call_id));"
                     "CREATE INDEX transcripts_run ON transcripts(run_id);"
                     "CREATE INDEX transcripts_to ON transcripts(to_phone_number);"
                     "INSERT INTO transcripts VALUES (1,'p','old','run_1',1,'+1555',NULL,0,0,"
                     "'unknown',0,'{}');"
                     "PRAGMA user_version = 2;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    struct store *s = NULL;
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    int v = 0;
    assert_int_equal(store_schema_version(s, &v), STORE_OK);
    assert_int_equal(v, store_schema_latest());
    assert_true(v >= 3);
    assert_true(stored(s, "p", "old"));
    assert_int_equal(count(s, NULL), 1);
    struct store_calls l;
    assert_int_equal(store_list_by_run(s, "p", "run_1", &l), STORE_OK);
    assert_int_equal(l.n, 1);
    store_calls_clear(&l);
    assert_int_equal(store_config_put(s, "project", "p", "{\"id\":\"p\"}", 1), STORE_OK);
    struct seen w = {0};
    assert_int_equal(store_config_list(s, "project", collect, &w), STORE_OK);
    assert_int_equal(w.n, 1);
    store_close(s);
    remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schema_created_at_latest_version),
        cmocka_unit_test(file_is_wal_and_reopens),
        cmocka_unit_test(schema_migrates_from_version_1),
        cmocka_unit_test(schema_newer_is_refused),
        cmocka_unit_test(put_then_read_every_column),
        cmocka_unit_test(ci9_resend_is_idempotent),
        cmocka_unit_test(ci1_projects_are_isolated),
        cmocka_unit_test(ci9_put_all_or_nothing_under_faults),
        cmocka_unit_test(reads_fail_cleanly),
        cmocka_unit_test(open_all_or_nothing_under_faults),
        cmocka_unit_test(config_put_and_list),
        cmocka_unit_test(config_put_many),
        cmocka_unit_test(config_survives_reopen_and_faults),
        cmocka_unit_test(schema_migrates_from_version_2),
    };
    return cmocka_run_group_tests_name("store", tests, make_tmpdir, remove_tmpdir);
}
