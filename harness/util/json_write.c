#include "util/json_write.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends into buf while it has room, and counts on after that: the caller
 * learns the size it needs from one pass. */
struct jw {
    char *buf;
    size_t cap, len;
    bool err;
};

static void put(struct jw *w, const char *s, size_t n)
{
    if (w->len + n <= w->cap)
        memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void putc1(struct jw *w, char c)
{
    if (w->len < w->cap)
        w->buf[w->len] = c;
    w->len++;
}

/* jansson's dump_string without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH: '"',
 * '\\' and the control characters escaped (the five short forms, else
 * \u00XX in capitals), everything else as it is (jansson's strings are valid
 * UTF-8 already). */
static void put_string(struct jw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    putc1(w, '"');
    size_t run = 0; /* start of the bytes not yet written */
    for (size_t i = 0; i < n; i++) {
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

static void put_integer(struct jw *w, json_int_t v)
{
    char b[JSON_WRITE_INT_MAX];
    put(w, b, json_write_int(b, v));
}

/* jansson's jsonp_dtostr with its default precision (17). */
static void put_real(struct jw *w, double v)
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

static void put_value(struct jw *w, const json_t *j, int depth)
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
        put(w, "true", 4);
        break;
    case JSON_FALSE:
        put(w, "false", 5);
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
    struct jw w = {buf, cap ? cap - 1 : 0, 0, false};
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
     * they ever touched; most answers fit the first guess */
    size_t cap = 1024;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t n = json_write_into(j, out, cap);
    if (n != (size_t)-1 && n >= cap) {
        free(out);
        out = malloc(n + 1);
        if (out)
            json_write_into(j, out, n + 1);
    }
    if (n == (size_t)-1) {
        free(out);
        return NULL;
    }
    if (out && len)
        *len = n;
    return out;
}
