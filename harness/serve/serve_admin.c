/* serve_admin.h: the dispatcher of serve's admin API, and its journal side:
 * the journal with filters, its count and DELETE, verify (near misses), wait
 * (a long-poll on the journal's condition variable), reset. World mutex held
 * throughout, except while a wait sleeps (pthread_cond_timedwait releases
 * it). */
#define _GNU_SOURCE /* asprintf */
#include "serve/serve_admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_depth.h"
#include "journal.h"
#include "journal_match.h"
#include "runner/jsonpos.h"
#include "runner/scenario.h"
#include "serve/serve_internal.h"

void srv_admin_error(struct mock_response *rs, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mock_reply_json(rs, status, json_pack("{s:s}", "message", msg));
}

json_t *srv_admin_body(const struct mock_request *rq, struct mock_response *rs)
{
    json_error_t je;
    json_t *j = json_depth_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j && json_depth_exceeded(&je)) /* refused before jansson recursed; says where */
        srv_admin_error(rs, 400, "body: %s", je.text);
    else if (!j)
        srv_admin_error(rs, 400, "body:%d:%d: invalid JSON: %s", je.line, je.column, je.text);
    return j;
}

/* A check's failure as the mocks' admin answers say it: "body:L:C: at PATH:
 * what was expected", PATH the body's own (rel stripped). */
static void check_failed(const struct mock_request *rq, struct mock_response *rs,
                         const char *path, const char *rel, const char *why)
{
    size_t rn = strlen(rel);
    const char *own = strncmp(path, rel, rn) == 0 ? path + rn : path;
    if (*own == '.')
        own++;
    struct jsonpos_error e = {.failed = true};
    snprintf(e.path, sizeof e.path, "%s", own);
    snprintf(e.msg, sizeof e.msg, "%s", why);
    char msg[1024];
    jsonpos_format(&e, "body", rq->body, rq->body_len, msg, sizeof msg);
    mock_reply_json(rs, 400, json_pack("{s:s}", "message", msg));
}

int srv_admin_check_mocks(const json_t *mocks, const char *rel, const struct mock_request *rq,
                          struct mock_response *rs)
{
    char path[320], why[512];
    if (scenario_check_mocks(mocks, path, sizeof path, why, sizeof why) == 0)
        return 0;
    check_failed(rq, rs, path, rel, why);
    return -1;
}

/* A request pattern in a body: 0, or -1 with the 400 answered. */
static int check_pattern(const json_t *sel, const char *at, const struct mock_request *rq,
                         struct mock_response *rs)
{
    char path[320], why[512];
    if (scenario_check_journal_pattern(sel, at, path, sizeof path, why, sizeof why) == 0)
        return 0;
    check_failed(rq, rs, path, "", why);
    return -1;
}

static bool is(const struct mock_request *rq, const char *method)
{
    return strcmp(rq->method, method) == 0;
}

/* ---- GET/DELETE /_dialsim/journal, GET /_dialsim/journal/count ---------- */

static void journal_list(struct mock_world *w, const struct mock_request *rq,
                         struct mock_response *rs, bool count_only)
{
    json_t *sel;
    long since;
    char err[400];
    if (journal_query_pattern(rq->query, &sel, &since, err, sizeof err) != 0) {
        srv_admin_error(rs, 400, "%s", err);
        return;
    }
    struct journal *j = w->journal;
    size_t n = journal_count(j), first = journal_first(j);
    size_t from = (size_t)since > first ? (size_t)since : first;
    json_t *list = json_array();
    size_t matched = 0;
    for (size_t i = from; i < n; i++) {
        const struct journal_entry *e = journal_at(j, i);
        if (!journal_match(sel, e))
            continue;
        matched++;
        if (!count_only)
            json_array_append_new(list, journal_entry_json(e, i));
    }
    json_decref(sel);
    size_t missed = (size_t)since < first ? first - (size_t)since : 0;
    if (count_only) {
        json_decref(list);
        mock_reply_json(rs, 200,
                        json_pack("{s:I,s:I,s:I}", "count", (json_int_t)matched, "next",
                                  (json_int_t)n, "missed", (json_int_t)missed));
        return;
    }
    mock_reply_json(rs, 200,
                    json_pack("{s:o,s:I,s:I,s:I,s:I,s:I}", "requests", list, "count",
                              (json_int_t)matched, "next", (json_int_t)n, "first",
                              (json_int_t)first, "dropped",
                              (json_int_t)(first - journal_cleared(j)), "missed",
                              (json_int_t)missed));
}

static void journal_route(struct mock_world *w, const struct mock_request *rq,
                          struct mock_response *rs)
{
    if (is(rq, "GET")) {
        journal_list(w, rq, rs, false);
    } else if (is(rq, "DELETE")) {
        if (rq->query && *rq->query) {
            srv_admin_error(rs, 400, "DELETE /_dialsim/journal takes no query parameters (it "
                                     "clears every entry), got \"%s\"", rq->query);
            return;
        }
        size_t n = journal_clear(w->journal);
        mock_reply_json(rs, 200,
                        json_pack("{s:I,s:I}", "cleared", (json_int_t)n, "next",
                                  (json_int_t)journal_count(w->journal)));
    } else {
        srv_admin_error(rs, 405, "GET or DELETE only");
    }
}

/* ---- POST /_dialsim/verify ---------------------------------------------- */

/* {"count", "expected"?, "ok", "matches": [indices], "near_misses"?, "report"?}:
 * near misses and their text when nothing matched, or when "count" was given
 * and not met. */
static json_t *verify(struct mock_world *w, const json_t *sel)
{
    json_t *idx = json_array();
    struct journal *j = w->journal;
    for (size_t i = journal_first(j); i < journal_count(j); i++)
        if (journal_match(sel, journal_at(j, i)))
            json_array_append_new(idx, json_integer((json_int_t)i));
    size_t hits = json_array_size(idx);
    const json_t *cnt = json_object_get(sel, "count");
    bool ok = cnt ? (json_int_t)hits == json_integer_value(cnt) : hits > 0;
    json_t *out = json_pack("{s:I,s:b,s:o}", "count", (json_int_t)hits, "ok", ok, "matches", idx);
    if (cnt)
        json_object_set(out, "expected", (json_t *)cnt);
    if (!ok) {
        char *desc = json_dumps(sel, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_t *nm = journal_near_misses(j, sel, 3);
        char *text = hits ? NULL : journal_near_miss_text(nm);
        char *report = NULL;
        if (cnt && hits)
            (void)!asprintf(&report, "%s: expected %lld matching request%s, got %zu\n", desc,
                            (long long)json_integer_value(cnt),
                            json_integer_value(cnt) == 1 ? "" : "s", hits);
        else
            (void)!asprintf(&report, "%s: expected %s, got none\n  closest requests:\n%s", desc,
                            cnt ? "matching requests" : "at least one matching request",
                            text ? text : "");
        json_object_set_new(out, "near_misses", hits ? json_array() : nm);
        if (hits)
            json_decref(nm);
        json_object_set_new(out, "report", json_string(report ? report : ""));
        free(report);
        free(text);
        free(desc);
    }
    return out;
}

static void verify_route(struct mock_world *w, const struct mock_request *rq,
                         struct mock_response *rs)
{
    if (!is(rq, "POST")) {
        srv_admin_error(rs, 405, "POST only: a request pattern, as a scenario's expect.journal "
                                 "item");
        return;
    }
    json_t *sel = srv_admin_body(rq, rs);
    if (sel && check_pattern(sel, "", rq, rs) == 0)
        mock_reply_json(rs, 200, verify(w, sel));
    json_decref(sel);
}

/* ---- POST /_dialsim/wait ------------------------------------------------ */

static const char *const wait_keys[] = {"match", "timeout_ms", "since", "count", NULL};

/* {"match": pattern, "timeout_ms"?, "since"?, "count"?}: 0, or -1 with the
 * 400 answered. */
static int wait_args(const json_t *b, const struct mock_request *rq, struct mock_response *rs,
                     long long *timeout_ms, long long *since, long long *count)
{
    if (!json_is_object(b)) {
        srv_admin_error(rs, 400, "body: expected an object {\"match\": pattern, \"timeout_ms\", "
                                 "\"since\", \"count\"}, got %s", jsonpos_kind(b));
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)b, k, v)
    {
        bool known = false;
        for (int i = 0; wait_keys[i]; i++)
            known = known || !strcmp(k, wait_keys[i]);
        if (!known) {
            srv_admin_error(rs, 400, "body.%s: unknown key: expected match, timeout_ms, since or "
                                     "count", k);
            return -1;
        }
    }
    const json_t *sel = json_object_get(b, "match");
    if (!sel) {
        srv_admin_error(rs, 400, "body.match: required: the request pattern to wait for");
        return -1;
    }
    if (check_pattern(sel, "match", rq, rs) != 0)
        return -1;
    static const struct {
        const char *key;
        long long min, max, dflt;
    } ints[] = {{"timeout_ms", 0, SRV_WAIT_MAX_MS, SRV_WAIT_DEFAULT_MS},
                {"since", 0, 1LL << 53, 0},
                {"count", 1, 1000000, 1}};
    long long *out[] = {timeout_ms, since, count};
    for (int i = 0; i < 3; i++) {
        const json_t *x = json_object_get(b, ints[i].key);
        *out[i] = ints[i].dflt;
        if (!x)
            continue;
        if (!json_is_integer(x) || json_integer_value(x) < ints[i].min ||
            json_integer_value(x) > ints[i].max) {
            srv_admin_error(rs, 400, "body.%s: expected an integer %lld ... %lld, got %s",
                            ints[i].key, ints[i].min, ints[i].max, jsonpos_kind(x));
            return -1;
        }
        *out[i] = json_integer_value(x);
    }
    return 0;
}

/* The count-th entry from since on that matches, or -1. */
static long find_match(struct journal *j, const json_t *sel, size_t since, long long count)
{
    long long seen = 0;
    size_t first = journal_first(j);
    for (size_t i = since > first ? since : first; i < journal_count(j); i++)
        if (journal_match(sel, journal_at(j, i)) && ++seen == count)
            return (long)i;
    return -1;
}

static void wait_route(struct mock_world *w, const struct mock_request *rq,
                       struct mock_response *rs)
{
    if (!is(rq, "POST")) {
        srv_admin_error(rs, 405, "POST only: {\"match\": pattern, \"timeout_ms\": N}");
        return;
    }
    json_t *b = srv_admin_body(rq, rs);
    long long timeout_ms, since, count;
    if (!b || wait_args(b, rq, rs, &timeout_ms, &since, &count) != 0) {
        json_decref(b);
        return;
    }
    const json_t *sel = json_object_get(b, "match");
    int max = w->limits.max_waiters > 0 ? w->limits.max_waiters : 1;
    long found = find_match(w->journal, sel, (size_t)since, count);
    /* timeout_ms 0 looks once: it never waits, so it takes no place */
    if (found < 0 && timeout_ms > 0 && w->waiters >= max) {
        /* a long-poll holds a worker: never all of them (docs/mocks.md#admin) */
        srv_admin_error(rs, 429, "too many waits at once (%d, half the mocks' workers): try "
                                 "again when one has answered", max);
        json_decref(b);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(timeout_ms / 1000);
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    w->waiters++;
    /* the mutex is released while waiting: requests go on being journalled,
     * and each push or status change wakes us to look again */
    while (found < 0 && timeout_ms > 0 && !w->waits_stopped) {
        if (pthread_cond_timedwait(&w->journal_cv, &w->mu, &until) == ETIMEDOUT) {
            found = find_match(w->journal, sel, (size_t)since, count);
            break;
        }
        found = find_match(w->journal, sel, (size_t)since, count);
    }
    w->waiters--;
    if (found >= 0) {
        mock_reply_json(rs, 200,
                        json_pack("{s:b,s:I,s:o,s:I}", "matched", 1, "index", (json_int_t)found,
                                  "request", journal_entry_json(journal_at(w->journal, (size_t)found), (size_t)found),
                                  "next", (json_int_t)journal_count(w->journal)));
    } else {
        json_t *v = verify(w, sel);
        json_t *out = json_pack("{s:b,s:I,s:O,s:I}", "matched", 0, "timeout_ms",
                                (json_int_t)timeout_ms, "count", json_object_get(v, "count"),
                                "next", (json_int_t)journal_count(w->journal));
        json_object_set(out, "near_misses", json_object_get(v, "near_misses"));
        json_object_set(out, "report", json_object_get(v, "report"));
        if (w->waits_stopped)
            json_object_set_new(out, "stopping", json_true());
        json_decref(v);
        mock_reply_json(rs, 200, out);
    }
    json_decref(b);
}

/* ---- POST /_dialsim/reset ----------------------------------------------- */

static void reset_route(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                        struct mock_response *rs)
{
    if (!is(rq, "POST")) {
        srv_admin_error(rs, 405, "POST only (no body): journal, faults, outcomes, accounts and "
                                 "ended calls back to the config");
        return;
    }
    if (rq->body_len) {
        srv_admin_error(rs, 400, "body: expected none (reset takes everything back to the "
                                 "config), got %zu bytes", rq->body_len);
        return;
    }
    json_t *out = json_object();
    srv_admin_reset_world(s, w, out);
    json_object_set_new(out, "journal", json_integer((json_int_t)journal_clear(w->journal)));
    json_object_set_new(out, "next", json_integer((json_int_t)journal_count(w->journal)));
    mock_reply_json(rs, 200, out);
}

/* ---- the dispatcher ----------------------------------------------------- */

static const char routes[] =
    "GET /_dialsim/stats; GET, DELETE /_dialsim/journal; GET /_dialsim/journal/count; POST "
    "/_dialsim/verify; POST /_dialsim/wait; GET, POST, PUT, DELETE /_dialsim/faults; GET, DELETE "
    "/_dialsim/faults/{id}; GET, POST, PUT, DELETE /_dialsim/outcomes; GET /_dialsim/accounts; "
    "GET, PATCH /_dialsim/accounts/{provider}; POST /_dialsim/reset";

int srv_admin_handle(void *ctx, struct mock_world *w, const struct mock_request *rq,
                     struct mock_response *rs)
{
    struct serve *s = ctx;
    const char *p = rq->path + strlen("/_dialsim");
    /* every route but the journal's GET takes no query */
    bool journal_get = (!strcmp(p, "/journal") || !strcmp(p, "/journal/count")) && is(rq, "GET");
    if (!journal_get && !(!strcmp(p, "/journal") && is(rq, "DELETE")) && rq->query &&
        *rq->query) {
        srv_admin_error(rs, 400, "%s %s takes no query parameters, got \"%s\"", rq->method,
                        rq->path, rq->query);
        return 1;
    }
    if (!strcmp(p, "/stats"))
        return 0; /* the mock server's own */
    if (!strcmp(p, "/journal"))
        journal_route(w, rq, rs);
    else if (!strcmp(p, "/journal/count"))
        is(rq, "GET") ? journal_list(w, rq, rs, true) : srv_admin_error(rs, 405, "GET only");
    else if (!strcmp(p, "/verify"))
        verify_route(w, rq, rs);
    else if (!strcmp(p, "/wait"))
        wait_route(w, rq, rs);
    else if (!strcmp(p, "/reset"))
        reset_route(s, w, rq, rs);
    else if (srv_admin_faults(s, w, rq, rs) || srv_admin_accounts(s, w, rq, rs) ||
             srv_admin_outcomes(s, w, rq, rs))
        ;
    else
        srv_admin_error(rs, 404, "no such route: %s %s; the routes: %s", rq->method, rq->path,
                        routes);
    return 1;
}
