/* journal_match.h: one meaning of "this journal entry matches", shared by a
 * scenario's expect.journal and serve's admin API, and the near-miss report. */
#include "journal_match.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timefmt.h"
#include "mock.h"
#include "mock_access.h"
#include "util/query.h"

/* Exact, or an fnmatch glob (a star matches any run of characters, slashes too). */
static bool path_matches(const char *pattern, const char *path)
{
    return fnmatch(pattern, path, 0) == 0;
}

/* Each selector in turn: add {"field", "expected", "actual"} to diffs (when
 * not NULL) for every one e fails; returns how many failed, stopping at the
 * first when diffs is NULL (a plain match needs no more). */
static size_t compare(const json_t *sel, const struct journal_entry *e, const json_t *body,
                      json_t *diffs)
{
    size_t bad = 0;
#define MISS(field, expected, actual)                                                              \
    do {                                                                                           \
        bad++;                                                                                     \
        if (!diffs)                                                                                \
            return bad;                                                                            \
        json_array_append_new(diffs, json_pack("{s:s,s:O,s:o}", "field", (field), "expected",      \
                                               (expected), "actual", (actual)));                   \
    } while (0)
    const json_t *v;
    if ((v = json_object_get(sel, "mock")) && strcmp(json_string_value(v), e->mock) != 0)
        MISS("mock", v, json_string(e->mock));
    if ((v = json_object_get(sel, "method")) && strcasecmp(json_string_value(v), e->method) != 0)
        MISS("method", v, json_string(e->method));
    if ((v = json_object_get(sel, "path")) && !path_matches(json_string_value(v), e->path))
        MISS("path", v, json_string(e->path));
    if ((v = json_object_get(sel, "status")) && json_integer_value(v) != e->status)
        MISS("status", v, json_integer(e->status));
    const char *ac = json_string_value(json_object_get(sel, "answer_contains"));
    if (ac && (!e->answer || !strstr(e->answer, ac)))
        MISS("answer_contains", json_object_get(sel, "answer_contains"),
             e->answer ? json_string(e->answer) : json_null());
    const char *k;
    char field[300];
    json_object_foreach((json_t *)json_object_get(sel, "headers"), k, v)
    {
        const char *got = mock_header_in(e->headers, e->headers_len, k);
        if (!got || strcmp(got, json_string_value(v)) != 0) {
            snprintf(field, sizeof field, "headers.%s", k);
            MISS(field, v, got ? json_string(got) : json_null());
        }
    }
    json_object_foreach((json_t *)json_object_get(sel, "body"), k, v)
    {
        const json_t *got = mock_json_path(body, k);
        if (!got || !json_equal((json_t *)got, (json_t *)v)) {
            snprintf(field, sizeof field, "body.%s", k);
            MISS(field, v, got ? json_deep_copy(got) : json_null());
        }
    }
    /* issue 14: a key the request must not carry, and the body as a whole */
    size_t i;
    json_array_foreach((json_t *)json_object_get(sel, "body_absent"), i, v)
    {
        const json_t *got = body ? mock_json_path(body, json_string_value(v)) : NULL;
        if (got) {
            snprintf(field, sizeof field, "body_absent.%s", json_string_value(v));
            MISS(field, json_null(), json_deep_copy(got));
        }
    }
    const json_t *exact = json_object_get(sel, "body_exact");
    if (exact && (!body || !json_equal((json_t *)exact, (json_t *)body)))
        MISS("body_exact", exact, body ? json_deep_copy(body) : json_string(e->body));
#undef MISS
    return bad;
}

/* e's body as a tree when sel looks into it (a new reference: the entry's
 * own, or parsed from its text, journal_entry_body), else NULL */
static json_t *body_for(const json_t *sel, const struct journal_entry *e)
{
    if (!json_object_get(sel, "body") && !json_object_get(sel, "body_absent") &&
        !json_object_get(sel, "body_exact"))
        return NULL;
    return journal_entry_body(e);
}

bool journal_match(const json_t *sel, const struct journal_entry *e)
{
    if (!e)
        return false;
    json_t *body = body_for(sel, e);
    bool ok = compare(sel, e, body, NULL) == 0;
    json_decref(body);
    return ok;
}

json_t *journal_match_diff(const json_t *sel, const struct journal_entry *e)
{
    json_t *d = json_array();
    json_t *body = body_for(sel, e);
    compare(sel, e, body, d);
    json_decref(body);
    return d;
}

json_t *journal_near_misses(const struct journal *j, const json_t *sel, size_t max)
{
    /* the best max so far, kept sorted (max is small: a linear insert) */
    json_t *best = json_array();
    for (size_t i = journal_count(j); i-- > journal_first(j);) {
        const struct journal_entry *e = journal_at(j, i);
        json_t *d = journal_match_diff(sel, e);
        size_t nd = json_array_size(d), at = json_array_size(best);
        if (nd == 0 || (at == max && nd >= json_array_size(json_object_get(
                                               json_array_get(best, max - 1), "differences")))) {
            json_decref(d);
            continue;
        }
        /* latest first among equals: an earlier entry goes after its equals */
        while (at > 0 &&
               json_array_size(json_object_get(json_array_get(best, at - 1), "differences")) > nd)
            at--;
        json_array_insert_new(best, at,
                              json_pack("{s:I,s:s,s:s,s:s,s:i,s:o}", "index", (json_int_t)i, "mock",
                                        e->mock, "method", e->method, "path", e->path, "status",
                                        e->status, "differences", d));
        if (json_array_size(best) > max)
            json_array_remove(best, max);
    }
    return best;
}

/* A value as the report shows it: compact JSON, cut at 120 bytes. */
static void shown(const json_t *v, char *out, size_t n)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    if (!v || json_is_null(v))
        snprintf(out, n, "nothing");
    else if (s && strlen(s) > 120)
        snprintf(out, n, "%.117s...", s);
    else
        snprintf(out, n, "%s", s ? s : "?");
    free(s);
}

char *journal_near_miss_text(const json_t *near_misses)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    if (json_array_size(near_misses) == 0)
        fputs("  (no request to compare: the journal is empty)\n", f);
    size_t i, k;
    const json_t *nm, *d;
    json_array_foreach(near_misses, i, nm)
    {
        fprintf(f, "  #%lld %s %s (%s, %d):",
                (long long)json_integer_value(json_object_get(nm, "index")),
                json_string_value(json_object_get(nm, "method")),
                json_string_value(json_object_get(nm, "path")),
                json_string_value(json_object_get(nm, "mock")),
                (int)json_integer_value(json_object_get(nm, "status")));
        json_array_foreach(json_object_get(nm, "differences"), k, d)
        {
            char ex[160], got[160];
            shown(json_object_get(d, "expected"), ex, sizeof ex);
            shown(json_object_get(d, "actual"), got, sizeof got);
            const char *field = json_string_value(json_object_get(d, "field"));
            if (!strncmp(field, "body_absent.", 12))
                fprintf(f, "%s %s: expected absent, got %s", k ? ";" : "", field + 12, got);
            else
                fprintf(f, "%s %s: expected %s, got %s", k ? ";" : "", field, ex, got);
        }
        fputc('\n', f);
    }
    fclose(f);
    return buf;
}

struct query_ctx {
    json_t *sel;
    long *since;
};

static int query_param(void *ctx, const char *name, const char *val, char *err, size_t n)
{
    json_t *sel = ((struct query_ctx *)ctx)->sel;
    long *since = ((struct query_ctx *)ctx)->since;
    static const char *const expected =
        "provider, mock, method, path, status, header.<name>, body.<dotted.path> or since";
    if (!strcmp(name, "since")) {
        char *end;
        long v = strtol(val, &end, 10);
        if (!*val || *end || v < 0) {
            snprintf(err, n, "since: expected an entry index >= 0, got \"%s\"", val);
            return -1;
        }
        *since = v;
    } else if (!strcmp(name, "provider") || !strcmp(name, "mock") || !strcmp(name, "method") ||
               !strcmp(name, "path")) {
        if (!*val) {
            snprintf(err, n, "%s: expected a value, got an empty one", name);
            return -1;
        }
        json_object_set_new(sel, !strcmp(name, "provider") ? "mock" : name, json_string(val));
    } else if (!strcmp(name, "status")) {
        char *end;
        long v = strtol(val, &end, 10);
        if (!*val || *end || v < 0 || v > 599) {
            snprintf(err, n, "status: expected an HTTP status 0 ... 599, got \"%s\"", val);
            return -1;
        }
        json_object_set_new(sel, "status", json_integer(v));
    } else if (!strncmp(name, "header.", 7) && name[7]) {
        json_t *h = json_object_get(sel, "headers");
        if (!h)
            json_object_set_new(sel, "headers", h = json_object());
        json_object_set_new(h, name + 7, json_string(val));
    } else if ((!strncmp(name, "body.", 5) && name[5]) || (!strncmp(name, "json.", 5) && name[5])) {
        json_t *b = json_object_get(sel, "body");
        if (!b)
            json_object_set_new(sel, "body", b = json_object());
        json_t *v = json_loads(val, JSON_DECODE_ANY, NULL);
        json_object_set_new(b, name + 5, v ? v : json_string(val));
    } else {
        snprintf(err, n, "unknown query parameter \"%s\": expected %s", name, expected);
        return -1;
    }
    return 0;
}

int journal_query_pattern(const char *query, json_t **sel, long *since, char *err, size_t n)
{
    *sel = json_object();
    *since = 0;
    struct query_ctx qc = {*sel, since};
    if (query_each(query, false, query_param, &qc, err, n) != 0) {
        json_decref(*sel);
        *sel = NULL;
        return -1;
    }
    return 0;
}

json_t *journal_entry_json(const struct journal_entry *e, size_t i)
{
    char at[40];
    json_t *x = json_pack("{s:I,s:s,s:s,s:s,s:o,s:i,s:s}", "index", (json_int_t)i, "mock", e->mock,
                          "method", e->method, "path", e->path, "headers",
                          mock_headers_json(e->headers, e->headers_len), "status", e->status, "at",
                          ts_iso(e->at, at, sizeof at));
    json_t *body = journal_entry_body(e);
    json_object_set_new(x, "body", body ? body : json_string(e->body ? e->body : ""));
    mock_access_mask_entry(x); /* secrets masked in the dump only */
    return x;
}
