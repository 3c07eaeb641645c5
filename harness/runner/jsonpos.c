#include "runner/jsonpos.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
    const char *s;
    size_t len, i;
    int line, col;
};

static void adv(struct scan *sc)
{
    if (sc->i < sc->len) {
        if (sc->s[sc->i] == '\n') {
            sc->line++;
            sc->col = 1;
        } else if ((sc->s[sc->i] & 0xC0) != 0x80) {
            sc->col++; /* count characters, not UTF-8 continuation bytes */
        }
        sc->i++;
    }
}

static void ws(struct scan *sc)
{
    while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]))
        adv(sc);
}

/* Read a JSON string at sc->i into out (unescaped only for simple escapes). */
static int read_string(struct scan *sc, char *out, size_t n)
{
    size_t k = 0;
    if (sc->s[sc->i] != '"')
        return -1;
    adv(sc);
    while (sc->i < sc->len && sc->s[sc->i] != '"') {
        char ch = sc->s[sc->i];
        if (ch == '\\') {
            adv(sc);
            ch = sc->s[sc->i];
        }
        if (out && k + 1 < n)
            out[k++] = ch;
        adv(sc);
    }
    if (sc->i >= sc->len)
        return -1;
    adv(sc);
    if (out)
        out[k] = '\0';
    return 0;
}

static int skip_value(struct scan *sc);

static int skip_container(struct scan *sc, char open, char close)
{
    (void)open;
    adv(sc);
    ws(sc);
    if (sc->i < sc->len && sc->s[sc->i] == close) {
        adv(sc);
        return 0;
    }
    for (;;) {
        ws(sc);
        if (close == '}') {
            if (read_string(sc, NULL, 0))
                return -1;
            ws(sc);
            if (sc->i >= sc->len || sc->s[sc->i] != ':')
                return -1;
            adv(sc);
        }
        if (skip_value(sc))
            return -1;
        ws(sc);
        if (sc->i >= sc->len)
            return -1;
        if (sc->s[sc->i] == ',') {
            adv(sc);
            continue;
        }
        if (sc->s[sc->i] == close) {
            adv(sc);
            return 0;
        }
        return -1;
    }
}

static int skip_value(struct scan *sc)
{
    ws(sc);
    if (sc->i >= sc->len)
        return -1;
    char c = sc->s[sc->i];
    if (c == '{')
        return skip_container(sc, '{', '}');
    if (c == '[')
        return skip_container(sc, '[', ']');
    if (c == '"')
        return read_string(sc, NULL, 0);
    while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]))
        adv(sc);
    return 0;
}

/* Split the next path segment: key (into key) or index (into *idx). Returns
 * 0 for a key, 1 for an index, -1 at the end. */
static int next_segment(const char **p, char *key, size_t n, long *idx)
{
    if (**p == '.')
        (*p)++;
    if (**p == '\0')
        return -1;
    if (**p == '[') {
        *idx = strtol(*p + 1, (char **)p, 10);
        if (**p == ']')
            (*p)++;
        return 1;
    }
    size_t k = 0;
    while (**p && **p != '.' && **p != '[') {
        if (k + 1 < n)
            key[k++] = **p;
        (*p)++;
    }
    key[k] = '\0';
    return 0;
}

int jsonpos_find(const char *text, size_t len, const char *path, int *line, int *col)
{
    struct scan sc = {text, len, 0, 1, 1};
    const char *p = path;
    char want[256], key[256];
    long idx = 0;
    for (;;) {
        ws(&sc);
        if (sc.i >= sc.len)
            return -1;
        int kind = next_segment(&p, want, sizeof want, &idx);
        if (kind < 0) {
            *line = sc.line;
            *col = sc.col;
            return 0;
        }
        char c = sc.s[sc.i];
        if (kind == 0 && c == '{') {
            adv(&sc);
            bool found = false;
            for (;;) {
                ws(&sc);
                if (sc.i >= sc.len || sc.s[sc.i] == '}')
                    return -1;
                if (read_string(&sc, key, sizeof key))
                    return -1;
                ws(&sc);
                if (sc.i >= sc.len || sc.s[sc.i] != ':')
                    return -1;
                adv(&sc);
                if (strcmp(key, want) == 0) {
                    found = true;
                    break;
                }
                if (skip_value(&sc))
                    return -1;
                ws(&sc);
                if (sc.i < sc.len && sc.s[sc.i] == ',')
                    adv(&sc);
            }
            if (!found)
                return -1;
        } else if (kind == 1 && c == '[') {
            adv(&sc);
            for (long k = 0; k < idx; k++) {
                ws(&sc);
                if (sc.i >= sc.len || sc.s[sc.i] == ']' || skip_value(&sc))
                    return -1;
                ws(&sc);
                if (sc.i >= sc.len || sc.s[sc.i] != ',')
                    return -1;
                adv(&sc);
            }
            ws(&sc);
            if (sc.i >= sc.len || sc.s[sc.i] == ']')
                return -1;
        } else {
            return -1;
        }
    }
}

void jsonpos_fail(struct jsonpos_error *e, const char *path, const char *fmt, ...)
{
    if (e->failed)
        return; /* keep the first error */
    e->failed = true;
    snprintf(e->path, sizeof e->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

void jsonpos_format(const struct jsonpos_error *e, const char *label, const char *text, size_t len,
                    char *out, size_t n)
{
    int line, col;
    const char *where = e->path[0] ? e->path : "(top level)";
    if (jsonpos_find(text, len, e->path, &line, &col) == 0)
        snprintf(out, n, "%s:%d:%d: at %s: %s", label, line, col, where, e->msg);
    else
        snprintf(out, n, "%s: at %s: %s", label, where, e->msg);
}

const char *jsonpos_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}
