/* Validation of one transcript webhook request: the request-level stages of
 * CI-2 (API key, Content-Type, size, JSON syntax) and the answer. The body's
 * fields (CI-3, CI-4, CI-5) are checked in transcript_body.c. See
 * transcript.h for the contract and docs/transcripts.md for the rules.
 *
 * Every allocation goes through jansson's allocator (json_get_alloc_funcs), so
 * the failing-allocator test, which swaps that allocator, reaches all of them. */
#include "core/transcript.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/json_depth.h"
#include "core/timefmt.h"
#include "core/transcript_internal.h"

void *tx__alloc(size_t n)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    return m(n);
}

void tx__free(void *p)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    if (p)
        f(p);
}

char *tx__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = tx__alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

const char *tx_warning_name(enum tx_warning_code c)
{
    static const char *const names[] = {
#define X(code, name) name,
        TX_WARNING_MAP(X)
#undef X
    };
    return (unsigned)c < TX_WARN__COUNT ? names[c] : "";
}

/* ---- the collector of errors and warnings ------------------------------ */

/* Append {"path"?, "message"} (path NULL: no path). CI-8: every error is kept,
 * up to TX_MAX_ERRORS listed. */
void tx__add_error(struct vctx *v, const char *key, const char *where, const char *msg)
{
    if (++v->n_errors > TX_MAX_ERRORS || v->oom)
        return;
    char w[400], m[600];
    snprintf(w, sizeof w, "%s", where ? where : "");
    snprintf(m, sizeof m, "%s", msg);
    tx__utf8_fix(w);
    tx__utf8_fix(m);
    json_t *e =
        where ? json_pack("{s:s, s:s}", key, w, "message", m) : json_pack("{s:s}", "message", m);
    if (!e || json_array_append_new(v->errors, e) != 0)
        v->oom = true;
}

void tx__fail(struct vctx *v, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tx__add_error(v, "path", path, msg);
}

void tx__warn(struct vctx *v, enum tx_warning_code code, const char *path, const char *fmt, ...)
{
    if (v->oom || v->n_warnings >= TX_MAX_ERRORS)
        return;
    if (v->n_warnings == v->cap_warnings) {
        size_t cap = v->cap_warnings ? v->cap_warnings * 2 : 4;
        struct tx_warning *w = tx__alloc(cap * sizeof *w);
        if (!w) {
            v->oom = true;
            return;
        }
        if (v->n_warnings)
            memcpy(w, v->warnings, v->n_warnings * sizeof *w);
        tx__free(v->warnings);
        v->warnings = w;
        v->cap_warnings = cap;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tx__utf8_fix(msg);
    struct tx_warning *w = &v->warnings[v->n_warnings];
    w->code = code;
    w->path = path ? tx__strdup(path) : NULL;
    w->message = tx__strdup(msg);
    if ((path && !w->path) || !w->message) {
        tx__free(w->path);
        tx__free(w->message);
        v->oom = true;
        return;
    }
    v->n_warnings++;
}

/* ---- text --------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (n && (s[1] < lo || s[1] > hi))
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void tx__utf8_fix(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = utf8_seq(p);
        if (n == 0)
            *p++ = '?';
        else
            p += n;
    }
}

/* Copy s into buf, at most `max` code points, then "..." when cut. Cuts only
 * between UTF-8 sequences, so the result is valid UTF-8 (jansson refuses
 * anything else in a json_string). */
const char *tx__clip(const char *s, size_t max, char *buf, size_t n)
{
    size_t i = 0, o = 0, cps = 0;
    while (s[i] && cps < max) {
        size_t len = 1;
        while (s[i + len] && ((unsigned char)s[i + len] & 0xC0) == 0x80)
            len++;
        if (o + len + 4 > n)
            break;
        memcpy(buf + o, s + i, len);
        o += len;
        i += len;
        cps++;
    }
    if (s[i] && o + 4 <= n) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- CI-2: API key, Content-Type, size, syntax --------------------------- */

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* CI-2: compare SHA-256 digests with CRYPTO_memcmp. The time then depends
 * neither on where the keys first differ nor on the secret's length (a
 * direct CRYPTO_memcmp needs equal lengths, and checking the length first
 * would leak it). Returns -1 when OpenSSL fails. */
static int key_matches(const char *given, const char *secret, bool *eq)
{
    unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
    unsigned int la = 0, lb = 0;
    if (!EVP_Digest(given, strlen(given), a, &la, EVP_sha256(), NULL) ||
        !EVP_Digest(secret, strlen(secret), b, &lb, EVP_sha256(), NULL) || la != lb)
        return -1;
    *eq = CRYPTO_memcmp(a, b, la) == 0;
    return 0;
}

/* 0 when the key is right, 401 after recording why, -1 on OpenSSL failure. */
static int check_key(struct vctx *v, const struct tx_request *req, struct tx_result *r)
{
    const struct tx_header *found = NULL;
    const char *other = NULL; /* a header where the key may have been put instead */
    size_t count = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        const struct tx_header *h = &req->headers[i];
        if (!h->name)
            continue;
        if (strcasecmp(h->name, TX_KEY_HEADER) == 0) {
            if (count++ == 0)
                found = h;
        } else if (!other &&
                   (strcasecmp(h->name, "Authorization") == 0 || contains_ci(h->name, "key"))) {
            other = h->name;
        }
    }
    if (found && strcmp(found->name, TX_KEY_HEADER) != 0) {
        char q[160];
        r->key_header_misspelled = true;
        tx__warn(v, TX_WARN_KEY_HEADER_SPELLING, NULL,
                 "the API key header was sent as \"%s\"; the documented spelling is \"%s\" "
                 "(accepted: header names are case-insensitive)",
                 tx__clip(found->name, 60, q, sizeof q), TX_KEY_HEADER);
    }
    char msg[256], q[160];
    bool eq = false;
    if (count == 0 && other)
        snprintf(msg, sizeof msg,
                 "is missing (the request has a header \"%s\"; the key goes in %s)",
                 tx__clip(other, 60, q, sizeof q), TX_KEY_HEADER);
    else if (count == 0)
        snprintf(msg, sizeof msg, "is missing");
    else if (count > 1)
        snprintf(msg, sizeof msg, "was sent %zu times; send it once", count);
    else if (!found->value || !*found->value)
        snprintf(msg, sizeof msg, "is empty");
    else if (!req->api_key || !*req->api_key)
        snprintf(msg, sizeof msg, "does not match the project's API key");
    else if (key_matches(found->value, req->api_key, &eq) != 0)
        return -1;
    else if (!eq)
        snprintf(msg, sizeof msg, "does not match the project's API key");
    else
        return 0;
    tx__add_error(v, "header", TX_KEY_HEADER, msg);
    return 401;
}

static const char *trim(const char *s, const char *end, const char **out_end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *out_end = end;
    return s;
}

/* CI-2 (JSON body): application/json, parameters allowed; a charset must be
 * utf-8 (RFC 8259 JSON is UTF-8). 0 or 415 after recording why. */
static int check_content_type(struct vctx *v, const char *ct)
{
    char msg[256], q[160];
    if (!ct) {
        tx__add_error(v, "header", "Content-Type", "is missing; send application/json");
        return 415;
    }
    const char *end = ct + strlen(ct), *semi = strchr(ct, ';');
    const char *te, *t = trim(ct, semi ? semi : end, &te);
    if ((size_t)(te - t) != 16 || strncasecmp(t, "application/json", 16) != 0) {
        snprintf(msg, sizeof msg, "must be application/json, got \"%s\"",
                 tx__clip(ct, 60, q, sizeof q));
        tx__add_error(v, "header", "Content-Type", msg);
        return 415;
    }
    while (semi) {
        const char *p = semi + 1, *pe;
        semi = strchr(p, ';');
        p = trim(p, semi ? semi : end, &pe);
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        if (!eq || (size_t)(eq - p) != 7 || strncasecmp(p, "charset", 7) != 0)
            continue;
        const char *ve, *val = trim(eq + 1, pe, &ve);
        if (ve - val >= 2 && *val == '"' && ve[-1] == '"')
            val++, ve--;
        if ((size_t)(ve - val) != 5 || strncasecmp(val, "utf-8", 5) != 0) {
            char cs[64];
            snprintf(cs, sizeof cs, "%.*s", (int)(ve - val < 40 ? ve - val : 40), val);
            snprintf(msg, sizeof msg, "charset must be utf-8, got \"%s\"",
                     tx__clip(cs, 40, q, sizeof q));
            tx__add_error(v, "header", "Content-Type", msg);
            return 415;
        }
    }
    return 0;
}

/* 0, or 400 after recording jansson's line, column and text. */
static int parse(struct vctx *v, const struct tx_request *req, struct tx_result *r)
{
    json_error_t e;
    /* **decision**: a key twice in one object is ambiguous and refused. */
    r->root = json_depth_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                               &e);
    if (r->root)
        return 0;
    if (json_error_code(&e) == json_error_out_of_memory) {
        v->oom = true;
        return 0;
    }
    char msg[256];
    /* too deep: refused before jansson recursed (core/json_depth.h) */
    snprintf(msg, sizeof msg, "%s%s", json_depth_exceeded(&e) ? "body: " : "invalid JSON: ",
             e.text);
    tx__utf8_fix(msg); /* jansson may quote the offending bytes */
    json_t *err = json_pack("{s:i, s:i, s:s}", "line", e.line, "column", e.column, "message", msg);
    v->n_errors++;
    if (!err || json_array_append_new(v->errors, err) != 0)
        v->oom = true;
    return 400;
}

/* ---- the result --------------------------------------------------------- */

static int fill_calls(struct tx_result *r)
{
    const json_t *agent = json_object_get(r->root, "agent_id");
    r->has_agent_id = agent != NULL;
    r->agent_id = agent ? (int64_t)json_integer_value(agent) : 0;
    const json_t *calls = json_object_get(r->root, "calls");
    r->n_calls = json_array_size(calls);
    r->calls = tx__alloc(r->n_calls * sizeof *r->calls);
    if (!r->calls)
        return -1;
    for (size_t i = 0; i < r->n_calls; i++) {
        const json_t *c = json_array_get(calls, i);
        struct tx_call *t = &r->calls[i];
        const json_t *reason = json_object_get(c, "endedReason");
        t->id = json_string_value(json_object_get(c, "id"));
        t->run_id = json_string_value(json_object_get(c, "run_id"));
        t->has_agent_id = r->has_agent_id;
        t->agent_id = r->agent_id;
        t->to_phone_number = json_string_value(json_object_get(c, "to_phone_number"));
        t->from_phone_number = json_string_value(json_object_get(c, "from_phone_number"));
        t->ended_reason = reason ? json_string_value(reason) : TX_DEFAULT_ENDED_REASON;
        ts_parse_iso(json_string_value(json_object_get(c, "startedAt")), &t->started_at_ms);
        ts_parse_iso(json_string_value(json_object_get(c, "endedAt")), &t->ended_at_ms);
        t->n_messages = json_array_size(json_object_get(c, "messages"));
        t->json = c;
    }
    return 0;
}

/* {"accepted": n, "ids": [...]}: computed from the request alone, so a
 * re-sent request gets the same answer (CI-9). */
static json_t *accepted_body(const struct tx_result *r)
{
    json_t *ids = json_array();
    json_t *body = json_pack("{s:I, s:o}", "accepted", (json_int_t)r->n_calls, "ids", ids);
    if (!body)
        return NULL;
    for (size_t i = 0; i < r->n_calls; i++)
        if (json_array_append_new(ids, json_string(r->calls[i].id)) != 0) {
            json_decref(body);
            return NULL;
        }
    return body;
}

static int finish(struct vctx *v, struct tx_result *r)
{
    json_t *body;
    if (r->status == 200) {
        if (fill_calls(r) != 0)
            return -1;
        body = accepted_body(r);
    } else {
        if (v->n_errors > TX_MAX_ERRORS) {
            char msg[96];
            snprintf(msg, sizeof msg, "%zu more errors are not listed",
                     v->n_errors - TX_MAX_ERRORS);
            json_t *e = json_pack("{s:s}", "message", msg);
            if (!e || json_array_append_new(v->errors, e) != 0)
                return -1;
        }
        body = json_pack("{s:O}", "errors", v->errors);
    }
    if (!body)
        return -1;
    r->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!r->body)
        return -1;
    r->body_len = strlen(r->body);
    return 0;
}

int tx_validate(struct tx_result **out, const struct tx_request *req)
{
    *out = NULL;
    struct vctx v = {0};
    struct tx_result *r = tx__alloc(sizeof *r);
    if (!r)
        return -1;
    memset(r, 0, sizeof *r);
    v.errors = json_array();
    if (!v.errors)
        goto fail;
    int status = check_key(&v, req, r);
    if (status < 0)
        goto fail;
    if (!status)
        status = check_content_type(&v, req->content_type);
    size_t limit = req->max_body ? req->max_body : TX_MAX_BODY_DEFAULT;
    if (!status && req->body_len > limit) {
        char msg[128];
        snprintf(msg, sizeof msg, "the body is %zu bytes; the limit is %zu bytes", req->body_len,
                 limit);
        tx__add_error(&v, "message", NULL, msg);
        status = 413;
    }
    if (!status)
        status = parse(&v, req, r);
    if (!status && !v.oom) {
        tx__check_body(&v, r->root);
        status = v.n_errors ? 400 : 200; /* CI-8: all or nothing */
    }
    if (v.oom)
        goto fail;
    r->status = status;
    r->warnings = v.warnings;
    r->n_warnings = v.n_warnings;
    v.warnings = NULL;
    if (finish(&v, r) != 0)
        goto fail;
    json_decref(v.errors);
    *out = r;
    return 0;
fail:
    for (size_t i = 0; i < v.n_warnings && v.warnings; i++) {
        tx__free(v.warnings[i].path);
        tx__free(v.warnings[i].message);
    }
    tx__free(v.warnings);
    json_decref(v.errors);
    tx_result_destroy(r);
    return -1;
}

void tx_result_destroy(struct tx_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_warnings; i++) {
        tx__free(r->warnings[i].path);
        tx__free(r->warnings[i].message);
    }
    tx__free(r->warnings);
    tx__free(r->calls);
    tx__free(r->body);
    json_decref(r->root);
    tx__free(r);
}

char *tx_error_body(const char *message)
{
    json_t *b = json_pack("{s:[{s:s}]}", "errors", "message", message ? message : "");
    char *s = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    return s;
}
