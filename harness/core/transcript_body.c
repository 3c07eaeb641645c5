/* The body of a transcript webhook request, field by field: the top level
 * (CI-3), each call (CI-4) and each message (CI-5). Every error is recorded,
 * not just the first (CI-8); the caller turns them into the 400 answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timefmt.h"
#include "core/transcript.h"
#include "core/transcript_internal.h"

/* ---- text helpers ------------------------------------------------------- */

/* The number of characters (code points) of a valid UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The shortest of %.15g and %.17g that reads back as x ("42.5", not
 * "42.500000000000000"). */
static const char *num_text(double x, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", x);
    if (strtod(buf, NULL) != x)
        snprintf(buf, n, "%.17g", x);
    return buf;
}

/* "an integer (42)", "a string (\"42\")", "null": what the sender gave. */
static const char *describe(const json_t *j, char *buf, size_t n)
{
    char q[160];
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        snprintf(buf, n, "a string (\"%s\")", tx__clip(json_string_value(j), 40, q, sizeof q));
        return buf;
    case JSON_INTEGER:
        snprintf(buf, n, "an integer (%" JSON_INTEGER_FORMAT ")", json_integer_value(j));
        return buf;
    case JSON_REAL:
        snprintf(buf, n, "a real number (%s)", num_text(json_real_value(j), q, sizeof q));
        return buf;
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
    default:
        return "null";
    }
}

/* "calls[0]" + "id" → "calls[0].id"; "" + "calls" → "calls". */
static const char *join(char *buf, size_t n, const char *prefix, const char *key)
{
    char k[160];
    snprintf(buf, n, "%s%s%s", prefix, *prefix ? "." : "", tx__clip(key, 60, k, sizeof k));
    return buf;
}

/* Field names compared the way senders misspell them: case, "_" and "-"
 * ignored ("ended_reason" ~ "endedReason", "Run-Id" ~ "run_id"). */
static bool similar(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_' || *a == '-')
            a++;
        while (*b == '_' || *b == '-')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if ((*a | 0x20) != (*b | 0x20))
            return false;
        a++, b++;
    }
}

/* A key of obj that looks like `want` but is not it, or NULL. */
static const char *misspelling_of(const json_t *obj, const char *want)
{
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)obj, k, val)
    {
        (void)val;
        if (strcmp(k, want) != 0 && similar(k, want))
            return k;
    }
    return NULL;
}

/* ---- field access ------------------------------------------------------- */

enum want { W_STRING, W_INTEGER, W_NUMBER, W_OBJECT, W_ARRAY };
static const char *const want_text[] = {"a string", "an integer", "a number", "an object",
                                        "an array"};

static bool is(const json_t *j, enum want w)
{
    switch (w) {
    case W_STRING:
        return json_is_string(j);
    case W_INTEGER:
        return json_is_integer(j);
    case W_NUMBER:
        return json_is_number(j);
    case W_OBJECT:
        return json_is_object(j);
    case W_ARRAY:
    default:
        return json_is_array(j);
    }
}

/* obj[key] when present and of the wanted type. Otherwise NULL, after
 * recording why: missing (only when required; with a did-you-mean when a
 * similar key was sent) or the wrong type. **decision**: null is a wrong type,
 * not "absent" — an optional field is omitted, not nulled. */
static const json_t *get(struct vctx *v, const json_t *obj, const char *prefix, const char *key,
                         enum want w, bool required)
{
    char path[320], d[200], q[160];
    const json_t *j = json_object_get(obj, key);
    if (!j) {
        if (required) {
            const char *near = misspelling_of(obj, key);
            if (near)
                tx__fail(v, join(path, sizeof path, prefix, key),
                         "is required (\"%s\" was sent; the field is spelled \"%s\")",
                         tx__clip(near, 60, q, sizeof q), key);
            else
                tx__fail(v, join(path, sizeof path, prefix, key), "is required");
        }
        return NULL;
    }
    if (!is(j, w)) {
        tx__fail(v, join(path, sizeof path, prefix, key), "must be %s, got %s", want_text[w],
                 describe(j, d, sizeof d));
        return NULL;
    }
    return j;
}

/* Warn about every key of obj not in known[] (**decision**: unknown fields are
 * accepted and ignored, as the document does not forbid them). */
static void unknown_fields(struct vctx *v, const json_t *obj, const char *prefix,
                           const char *const *known, const char *what)
{
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)obj, k, val)
    {
        (void)val;
        const char *near = NULL;
        bool ok = false;
        for (const char *const *f = known; *f; f++) {
            ok = ok || strcmp(k, *f) == 0;
            if (!near && similar(k, *f))
                near = *f;
        }
        if (ok)
            continue;
        char path[320];
        join(path, sizeof path, prefix, k);
        if (near)
            tx__warn(v, TX_WARN_UNKNOWN_FIELD, path,
                     "is not a field of %s and is ignored (did you mean \"%s\"?)", what, near);
        else
            tx__warn(v, TX_WARN_UNKNOWN_FIELD, path, "is not a field of %s and is ignored", what);
    }
}

/* ---- CI-5: one message -------------------------------------------------- */

static const char *const message_fields[] = {"role",     "content", "start_time",
                                             "end_time", "data",    NULL};
static const char *const roles[] = {
    "bot", "user", "system", "function_call", "function_call_result", NULL};

/* A role a sender might mean, for the hint in the error. */
static const char *role_hint(const char *r)
{
    for (const char *const *k = roles; *k; k++)
        if (strcasecmp(r, *k) == 0)
            return *k; /* wrong case */
    static const char *const aliases[][2] = {
        {"assistant", "bot"},
        {"agent", "bot"},
        {"ai", "bot"},
        {"human", "user"},
        {"customer", "user"},
        {"caller", "user"},
        {"tool", "function_call"},
        {"tool_call", "function_call"},
        {"function", "function_call"},
        {"tool_result", "function_call_result"},
        {"tool_call_result", "function_call_result"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(r, aliases[i][0]) == 0)
            return aliases[i][1];
    return NULL;
}

static void check_time_ms(struct vctx *v, const json_t *m, const char *prefix, const char *key)
{
    const json_t *t = get(v, m, prefix, key, W_NUMBER, false);
    if (!t)
        return;
    double x = json_number_value(t);
    /* Seconds since the epoch for 2001..5138 fall in [1e9, 1e11); as
     * milliseconds they would be January 1970. */
    if (x >= 1e9 && x < 1e11) {
        char path[320], num[40];
        tx__warn(v, TX_WARN_TIME_IN_SECONDS, join(path, sizeof path, prefix, key),
                 "%s looks like seconds since the epoch; %s is in milliseconds",
                 num_text(x, num, sizeof num), key);
    }
}

static void check_message(struct vctx *v, const json_t *m, const char *prefix)
{
    char d[200], q[160], path[320];
    if (!json_is_object(m)) {
        tx__fail(v, prefix, "must be an object with \"role\" and \"content\", got %s",
                 describe(m, d, sizeof d));
        return;
    }
    const json_t *role = get(v, m, prefix, "role", W_STRING, true);
    if (role) {
        const char *r = json_string_value(role);
        bool known = false;
        for (const char *const *k = roles; *k; k++)
            known = known || strcmp(r, *k) == 0;
        if (!known) {
            const char *hint = role_hint(r);
            char h[64] = "";
            if (hint)
                snprintf(h, sizeof h, " (did you mean \"%s\"?)", hint);
            tx__fail(v, join(path, sizeof path, prefix, "role"),
                     "must be one of bot, user, system, function_call, function_call_result, got "
                     "\"%s\"%s",
                     tx__clip(r, 40, q, sizeof q), h);
        }
    }
    get(v, m, prefix, "content", W_STRING, true);
    check_time_ms(v, m, prefix, "start_time");
    check_time_ms(v, m, prefix, "end_time");
    get(v, m, prefix, "data", W_OBJECT, false);
    unknown_fields(v, m, prefix, message_fields, "a message");
}

/* ---- CI-4: one call ----------------------------------------------------- */

static const char *const call_fields[] = {
    "id",       "startedAt",   "endedAt", "messages", "to_phone_number", "from_phone_number",
    "metadata", "endedReason", "run_id",  NULL};

/* CI-4: "+" then at least one digit, at most TX_PHONE_MAX_CHARS in all.
 * **decision**: exactly the document's rule, not E.164 (AO-5): "+0…" passes. */
static void check_phone(struct vctx *v, const json_t *call, const char *prefix, const char *key)
{
    const json_t *p = get(v, call, prefix, key, W_STRING, false);
    if (!p)
        return;
    const char *s = json_string_value(p);
    size_t n = strlen(s);
    bool ok = n >= 2 && n <= TX_PHONE_MAX_CHARS && s[0] == '+';
    for (size_t i = 1; ok && i < n; i++)
        ok = s[i] >= '0' && s[i] <= '9';
    if (!ok) {
        char path[320], q[160];
        tx__fail(v, join(path, sizeof path, prefix, key),
                 "must be \"+\" then digits, at most %d characters, got \"%s\"", TX_PHONE_MAX_CHARS,
                 tx__clip(s, 40, q, sizeof q));
    }
}

/* A string of 1..TX_ID_MAX_CHARS characters (id, run_id). */
static const char *check_id_like(struct vctx *v, const json_t *call, const char *prefix,
                                 const char *key, bool required)
{
    const json_t *j = get(v, call, prefix, key, W_STRING, required);
    if (!j)
        return NULL;
    const char *s = json_string_value(j);
    size_t chars = utf8_chars(s);
    char path[320];
    if (chars == 0 || chars > TX_ID_MAX_CHARS) {
        tx__fail(v, join(path, sizeof path, prefix, key),
                 "must be 1 to %d characters long, got %zu", TX_ID_MAX_CHARS, chars);
        return NULL;
    }
    return s;
}

/* An ISO 8601 instant with a time zone; *ok tells whether *ms was set. */
static void check_instant(struct vctx *v, const json_t *call, const char *prefix, const char *key,
                          int64_t *ms, bool *ok)
{
    *ok = false;
    const json_t *j = get(v, call, prefix, key, W_STRING, true);
    if (!j)
        return;
    if (ts_parse_iso(json_string_value(j), ms) == 0) {
        *ok = true;
        return;
    }
    char path[320], q[160];
    tx__fail(v, join(path, sizeof path, prefix, key),
             "must be an ISO 8601 date-time with a time zone, e.g. \"2026-01-01T12:00:00Z\", got "
             "\"%s\"",
             tx__clip(json_string_value(j), 40, q, sizeof q));
}

/* `seen` maps each call id already checked to its index (CI-4 uniqueness). */
static void check_call(struct vctx *v, const json_t *call, size_t i, json_t *seen)
{
    char prefix[64], path[320], d[200], q[160];
    snprintf(prefix, sizeof prefix, "calls[%zu]", i);
    if (!json_is_object(call)) {
        tx__fail(v, prefix, "must be an object, got %s", describe(call, d, sizeof d));
        return;
    }
    const char *id = check_id_like(v, call, prefix, "id", true);
    if (id) {
        json_t *prev = json_object_get(seen, id);
        if (prev)
            tx__fail(v, join(path, sizeof path, prefix, "id"),
                     "duplicates calls[%" JSON_INTEGER_FORMAT
                     "].id (\"%s\"); call ids must be unique",
                     json_integer_value(prev), tx__clip(id, 40, q, sizeof q));
        else if (json_object_set_new(seen, id, json_integer((json_int_t)i)) != 0)
            v->oom = true;
    }
    check_id_like(v, call, prefix, "run_id", false);
    int64_t started = 0, ended = 0;
    bool s_ok, e_ok;
    check_instant(v, call, prefix, "startedAt", &started, &s_ok);
    check_instant(v, call, prefix, "endedAt", &ended, &e_ok);
    /* **decision**: endedAt == startedAt is a zero-length call and passes. */
    if (s_ok && e_ok && ended < started) {
        char a[40], b[40];
        tx__fail(v, join(path, sizeof path, prefix, "endedAt"),
                 "must not be before startedAt (%s is before %s)", ts_iso(ended, a, sizeof a),
                 ts_iso(started, b, sizeof b));
    }
    check_phone(v, call, prefix, "to_phone_number");
    check_phone(v, call, prefix, "from_phone_number");
    get(v, call, prefix, "endedReason", W_STRING, false);
    get(v, call, prefix, "metadata", W_OBJECT, false);
    unknown_fields(v, call, prefix, call_fields, "a call");
    const json_t *msgs = get(v, call, prefix, "messages", W_ARRAY, false);
    for (size_t j = 0; msgs && j < json_array_size(msgs); j++) {
        char mp[96];
        snprintf(mp, sizeof mp, "%s.messages[%zu]", prefix, j);
        check_message(v, json_array_get(msgs, j), mp);
    }
}

/* ---- CI-3: the top level ------------------------------------------------ */

static const char *const top_fields[] = {"agent_id", "calls", NULL};

void tx__check_body(struct vctx *v, const json_t *root)
{
    char d[200];
    if (!json_is_object(root)) {
        tx__fail(v, "", "must be an object {\"agent_id\": ..., \"calls\": [...]}, got %s",
                 describe(root, d, sizeof d));
        return;
    }
    const json_t *agent = get(v, root, "", "agent_id", W_INTEGER, false);
    /* **decision**: agent ids are database ids, so 0 and negatives are refused. */
    if (agent && json_integer_value(agent) <= 0)
        tx__fail(v, "agent_id", "must be a positive integer, got %s", describe(agent, d, sizeof d));

    /* CI-3: without agent_id every call carries run_id ("carries" = the key is
     * there; a run_id of the wrong type is reported by check_call). */
    const json_t *calls = json_object_get(root, "calls");
    size_t n = json_is_array(calls) ? json_array_size(calls) : 0, with_run = 0, first_with = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(calls, i);
        if (json_is_object(c) && json_object_get(c, "run_id") && with_run++ == 0)
            first_with = i;
    }
    bool agent_absent = !json_object_get(root, "agent_id");
    if (agent_absent && n > 0 && with_run == 0)
        tx__fail(v, "agent_id", "is required unless every call has a run_id (no call has one)");

    if (get(v, root, "", "calls", W_ARRAY, true) && n == 0)
        tx__fail(v, "calls", "must hold at least one call");
    unknown_fields(v, root, "", top_fields, "the request");

    json_t *seen = json_object();
    if (!seen) {
        v->oom = true;
        return;
    }
    for (size_t i = 0; i < n && !v->oom; i++) {
        const json_t *c = json_array_get(calls, i);
        if (agent_absent && with_run > 0 && with_run < n && json_is_object(c) &&
            !json_object_get(c, "run_id")) {
            char path[64];
            snprintf(path, sizeof path, "calls[%zu].run_id", i);
            tx__fail(v, path,
                     "is required: agent_id is absent and calls[%zu] has a run_id; every call "
                     "needs one (mixing calls with and without run_id is not supported)",
                     first_with);
        }
        check_call(v, c, i, seen);
    }
    json_decref(seen);
}
