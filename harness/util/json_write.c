#include "util/json_write.h"
#include "util/swar.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writer of both halves: json_write's walk of a tree and json_out's
 * calls. A fixed buffer (json_write_into) is filled while it has room and
 * counted on after that, so the caller learns the size it needs from one
 * pass; otherwise the buffer grows. One byte more than cap is always kept
 * for the NUL. */

static bool grow(struct json_out *w, size_t need)
{
    if (w->fixed || w->err)
        return false;
    /* 2 KiB with the NUL: a mock's answer in one block, of a size the
     * allocator's per-thread cache keeps (main.c's malloc_conf) */
    size_t cap = w->cap ? w->cap * 2 + 1 : 2047;
    while (cap < need)
        cap = cap * 2 + 1;
    char *b = realloc(w->buf, cap + 1);
    if (!b) {
        w->err = true;
        return false;
    }
    w->buf = b;
    w->cap = cap;
    return true;
}

/* n bytes of room at the end, or NULL (a fixed buffer that is full, or out
 * of memory): then the bytes are only counted. */
static char *room(struct json_out *w, size_t n)
{
    return w->len + n <= w->cap || grow(w, w->len + n) ? w->buf + w->len : NULL;
}

static void put(struct json_out *w, const char *s, size_t n)
{
    char *at = room(w, n);
    if (at)
        memcpy(at, s, n);
    w->len += n;
}

static void putc1(struct json_out *w, char c)
{
    put(w, &c, 1);
}

/* Do the eight bytes at s hold none of '"', '\\' and the bytes below 0x20
 * (util/swar.h)? */
static bool plain8(const char *s)
{
    return swar_json_escapes(swar_load(s)) == 0;
}

/* Does s[0..n) need no escape at all? */
static bool plain(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (!plain8(s + i))
            return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* jansson's dump_string without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH: '"',
 * '\\' and the control characters escaped (the five short forms, else
 * \u00XX in capitals), everything else as it is (jansson's strings are valid
 * UTF-8 already). */
static void put_string(struct json_out *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *at;
    if (plain(s, n) && (at = room(w, n + 2))) { /* most strings: one copy */
        at[0] = '"';
        memcpy(at + 1, s, n);
        at[n + 1] = '"';
        w->len += n + 2;
        return;
    }
    putc1(w, '"');
    size_t run = 0; /* start of the bytes not yet written */
    for (size_t i = 0; i < n; i++) {
        /* eight bytes at a time while none needs an escape (most strings
         * have none); a word with one is looked at byte by byte */
        while (i + 8 <= n && plain8(s + i))
            i += 8;
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
        }
        put(w, esc, el);
    }
    put(w, s + run, n - run);
    putc1(w, '"');
}

size_t json_write_int(char buf[JSON_WRITE_INT_MAX], long long v)
{
    char tmp[JSON_WRITE_INT_MAX];
    size_t i = sizeof tmp;
    /* in unsigned arithmetic: the most negative value has no positive twin */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    size_t n = sizeof tmp - i;
    memcpy(buf, tmp + i, n);
    buf[n] = '\0';
    return n;
}

static void put_bool(struct json_out *w, bool v)
{
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

static void put_integer(struct json_out *w, json_int_t v)
{
    char b[JSON_WRITE_INT_MAX];
    put(w, b, json_write_int(b, v));
}

/* jansson's jsonp_dtostr with its default precision (17). */
static void put_real(struct json_out *w, double v)
{
    if (!isfinite(v)) {
        w->err = true;
        return;
    }
    /* a whole number below 1e15 prints as its digits under "%.17g" (the
     * exponent form starts at 1e17): the digits and ".0", without printf;
     * -0.0 keeps its sign through printf */
    if (v == (double)(long long)v && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
        put_integer(w, (json_int_t)v);
        put(w, ".0", 2);
        return;
    }
    char b[40];
    int n = snprintf(b, sizeof b - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof b - 3) {
        w->err = true;
        return;
    }
    size_t len = (size_t)n;
    if (!strchr(b, '.') && !strchr(b, 'e')) {
        memcpy(b + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(b, 'e');
    if (e) { /* "1e+20" -> "1e20", "1e-07" -> "1e-7" */
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - b) + 1);
            len -= (size_t)(end - start);
        }
    }
    put(w, b, len);
}

static void put_value(struct json_out *w, const json_t *j, int depth)
{
    if (w->err)
        return;
    if (depth > JSON_WRITE_MAX_DEPTH) {
        w->err = true;
        return;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        putc1(w, '{');
        const char *k;
        size_t klen;
        json_t *v;
        bool first = true;
        json_object_keylen_foreach((json_t *)j, k, klen, v)
        {
            if (!first)
                putc1(w, ',');
            first = false;
            put_string(w, k, klen);
            putc1(w, ':');
            put_value(w, v, depth + 1);
        }
        putc1(w, '}');
        break;
    }
    case JSON_ARRAY: {
        putc1(w, '[');
        size_t n = json_array_size(j);
        for (size_t i = 0; i < n; i++) {
            if (i)
                putc1(w, ',');
            put_value(w, json_array_get(j, i), depth + 1);
        }
        putc1(w, ']');
        break;
    }
    case JSON_STRING:
        put_string(w, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        put_integer(w, json_integer_value(j));
        break;
    case JSON_REAL:
        put_real(w, json_real_value(j));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        put_bool(w, json_is_true(j));
        break;
    case JSON_NULL:
        put(w, "null", 4);
        break;
    }
}

size_t json_write_into(const json_t *j, char *buf, size_t cap)
{
    if (!j)
        return (size_t)-1;
    struct json_out w = {.buf = buf, .cap = cap ? cap - 1 : 0, .fixed = true};
    put_value(&w, j, 0);
    if (w.err)
        return (size_t)-1;
    if (w.len < cap)
        buf[w.len] = '\0';
    return w.len;
}

char *json_write(const json_t *j, size_t *len)
{
    /* into the heap, not the stack: serve's workers keep every stack page
     * they ever touched */
    if (!j)
        return NULL;
    struct json_out o = {0};
    put_value(&o, j, 0);
    return jo_finish(&o, len);
}

/* ---- json_out ---- */

/* Has the container open at the current depth a member or element yet (a
 * comma is due before the next)? */
static bool has_item(const struct json_out *o)
{
    return o->started >> o->depth & 1;
}

/* May a key come now: in an object, with no key waiting for its value? */
static bool key_may_come(const struct json_out *o)
{
    return !o->keyed && o->depth > 0 && (o->objects >> o->depth & 1);
}

static void mark_item(struct json_out *o)
{
    o->started |= 1ULL << o->depth;
}

/* Before a value: the comma an array's element needs (after a key, none). */
static void before_value(struct json_out *o)
{
    if (o->keyed) {
        o->keyed = false;
        return;
    }
    if (o->depth > 0 && has_item(o))
        putc1(o, ',');
    mark_item(o);
}

static void open_container(struct json_out *o, char c)
{
    before_value(o);
    if (o->depth + 1 >= JSON_OUT_MAX_DEPTH) {
        o->err = true;
        return;
    }
    putc1(o, c);
    o->depth++;
    o->started &= ~(1ULL << o->depth);
    if (c == '{')
        o->objects |= 1ULL << o->depth;
    else
        o->objects &= ~(1ULL << o->depth);
}

static void close_container(struct json_out *o, char c)
{
    if (o->depth == 0 || o->keyed || (c == '}') != (o->objects >> o->depth & 1)) {
        /* more closed than opened, a key without its value, or the other bracket */
        o->err = true;
        return;
    }
    putc1(o, c);
    o->depth--;
}

void jo_object(struct json_out *o)
{
    open_container(o, '{');
}

void jo_object_end(struct json_out *o)
{
    close_container(o, '}');
}

void jo_array(struct json_out *o)
{
    open_container(o, '[');
}

void jo_array_end(struct json_out *o)
{
    close_container(o, ']');
}

void jo_key(struct json_out *o, const char *k)
{
    if (!key_may_come(o)) {
        o->err = true;
        return;
    }
    if (has_item(o))
        putc1(o, ',');
    mark_item(o);
    put_string(o, k, strlen(k));
    putc1(o, ':');
    o->keyed = true;
}

void jo_string(struct json_out *o, const char *s)
{
    jo_stringn(o, s, strlen(s));
}

void jo_stringn(struct json_out *o, const char *s, size_t n)
{
    before_value(o);
    put_string(o, s, n);
}

void jo_integer(struct json_out *o, long long v)
{
    before_value(o);
    put_integer(o, v);
}

void jo_real(struct json_out *o, double v)
{
    before_value(o);
    put_real(o, v);
}

void jo_bool(struct json_out *o, bool v)
{
    before_value(o);
    put_bool(o, v);
}

void jo_json(struct json_out *o, const json_t *j)
{
    if (!j) {
        o->err = true;
        return;
    }
    before_value(o);
    put_value(o, j, (int)o->depth);
}

/* k[0..kn) needs no escape when plain_key; s is not NULL */
static void kv_string(struct json_out *o, const char *k, size_t kn, bool plain_key, const char *s)
{
    size_t sn = strlen(s);
    bool comma = has_item(o);
    size_t need = comma + kn + sn + 5;
    char *at;
    /* a member's every byte in one copy when neither needs an escape (the
     * mocks' answers set ~20 this way) */
    if (key_may_come(o) && plain_key && plain(s, sn) && (at = room(o, need))) {
        if (comma)
            *at++ = ',';
        *at++ = '"';
        memcpy(at, k, kn);
        at += kn;
        memcpy(at, "\":\"", 3);
        at += 3;
        memcpy(at, s, sn);
        at[sn] = '"';
        o->len += need;
        mark_item(o);
        return;
    }
    jo_key(o, k);
    jo_string(o, s);
}

void jo_kv_string(struct json_out *o, const char *k, const char *s)
{
    if (!s)
        return;
    size_t kn = strlen(k);
    kv_string(o, k, kn, plain(k, kn), s);
}

void jo_kv_known(struct json_out *o, const char *k, size_t kn, const char *s)
{
    if (s)
        kv_string(o, k, kn, true, s);
}

void jo_members(struct json_out *o, const char *text)
{
    if (!key_may_come(o)) {
        o->err = true;
        return;
    }
    size_t n = strlen(text);
    bool comma = has_item(o);
    char *at = room(o, comma + n);
    if (!at)
        return;
    if (comma)
        *at++ = ',';
    memcpy(at, text, n);
    o->len += comma + n;
    mark_item(o);
}

void jo_kv_json(struct json_out *o, const char *k, const json_t *j)
{
    if (!j)
        return;
    jo_key(o, k);
    jo_json(o, j);
}

char *jo_finish(struct json_out *o, size_t *len)
{
    bool ok = !o->err && o->depth == 0 && !o->keyed && o->len > 0 && o->buf;
    char *out = ok ? o->buf : NULL;
    if (out) {
        out[o->len] = '\0';
        if (len)
            *len = o->len;
        o->buf = NULL;
    }
    jo_free(o);
    return out;
}

json_t *jo_finish_tree(struct json_out *o)
{
    size_t n;
    char *text = jo_finish(o, &n);
    json_t *j = text ? json_loadb(text, n, JSON_ALLOW_NUL, NULL) : NULL;
    free(text);
    return j;
}

void jo_free(struct json_out *o)
{
    free(o->buf);
    *o = (struct json_out){0};
}
