#include "runner/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "runner/scenario.h"

static const char *want(enum vt t)
{
    switch (t) {
    case T_STRING:
        return "a string";
    case T_STRING_NULL:
        return "a string or null";
    case T_BOOL:
        return "true or false";
    case T_INTEGER:
        return "an integer";
    case T_NUMBER:
        return "a number";
    case T_OBJECT:
        return "an object";
    case T_ARRAY:
        return "an array";
    default:
        return "a value";
    }
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] +
                       (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
            d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
        }
    return d[la][lb];
}

void scenario_suggest(const char *got, const char *const *cands, size_t n, char *buf, size_t bn)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(got, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    size_t limit = strlen(got) / 3 > 2 ? strlen(got) / 3 : 2;
    for (size_t i = 0; i < n && bd > limit; i++) {
        /* "expectations" for "expect": one is the start of the other */
        size_t lc = strlen(cands[i]), lg = strlen(got);
        if (lc >= 3 && lg >= 3 && strncmp(got, cands[i], lc < lg ? lc : lg) == 0) {
            best = cands[i];
            bd = 0;
        }
    }
    /* a full replacement ("e" for "f") is no suggestion */
    if (best && bd <= limit && bd < strlen(got))
        snprintf(buf, bn, " (did you mean \"%s\"?)", best);
    else
        buf[0] = '\0';
}

static void join(char *out, size_t n, const char *base, const char *key)
{
    if (!*base)
        snprintf(out, n, "%s", key);
    else
        snprintf(out, n, "%s.%s", base, key);
}


void scenario_validate_object(struct jsonpos_error *v, const struct field *fields,
                              const json_t *j, const char *path)
{
    const char *k;
    const json_t *val;
    char sub[320];
    json_object_foreach((json_t *)j, k, val)
    {
        const struct field *f = fields;
        while (f->key && strcmp(f->key, k) != 0)
            f++;
        join(sub, sizeof sub, path, k);
        if (!f->key) {
            const char *cands[32];
            size_t n = 0;
            for (const struct field *g = fields; g->key && n < 32; g++)
                cands[n++] = g->key;
            char dym[96];
            scenario_suggest(k, cands, n, dym, sizeof dym);
            jsonpos_fail(v, sub, "unknown key \"%s\"%s", k, dym);
            return;
        }
        scenario_validate(v, f, val, sub);
    }
    for (const struct field *f = fields; f->key; f++) {
        if (f->required && !json_object_get(j, f->key)) {
            jsonpos_fail(v, path, "missing required key \"%s\" (%s)", f->key, want(f->type));
            return;
        }
    }
}

void scenario_validate(struct jsonpos_error *v, const struct field *f, const json_t *j,
                       const char *path)
{
    if (v->failed)
        return;
    bool ok;
    switch (f->type) {
    case T_STRING:
        ok = json_is_string(j);
        break;
    case T_STRING_NULL:
        ok = json_is_string(j) || json_is_null(j);
        break;
    case T_BOOL:
        ok = json_is_boolean(j);
        break;
    case T_INTEGER:
        ok = json_is_integer(j);
        break;
    case T_NUMBER:
        ok = json_is_number(j);
        break;
    case T_OBJECT:
        ok = json_is_object(j);
        break;
    case T_ARRAY:
        ok = json_is_array(j);
        break;
    default:
        ok = true;
    }
    if (!ok) {
        jsonpos_fail(v, path, "expected %s, got %s", want(f->type), jsonpos_kind(j));
        return;
    }
    if (f->bounded && json_is_number(j)) {
        double x = json_number_value(j);
        if (x < f->min || x > f->max) {
            if (f->max >= 1e9)
                jsonpos_fail(v, path, "expected a number %s %g, got %g",
                             f->min > 0 ? ">" : ">=", f->min > 0 ? 0.0 : f->min, x);
            else
                jsonpos_fail(v, path, "expected a value from %g to %g, got %g", f->min, f->max, x);
            return;
        }
    }
    if (f->choices && json_is_string(j)) {
        const char *s = json_string_value(j);
        size_t n = 0;
        bool found = false;
        char list[400] = "";
        for (; f->choices[n]; n++) {
            found = found || strcmp(s, f->choices[n]) == 0;
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s\"%s\"", n ? ", " : "", f->choices[n]);
        }
        if (!found) {
            char dym[96];
            scenario_suggest(s, f->choices, n, dym, sizeof dym);
            jsonpos_fail(v, path, "\"%s\" is not one of %s%s", s, list, dym);
            return;
        }
    }
    if (f->type == T_OBJECT && f->fields)
        scenario_validate_object(v, f->fields, j, path);
    if (f->type == T_OBJECT && f->values_are_items) {
        const char *k;
        const json_t *val;
        char sub[320];
        json_object_foreach((json_t *)j, k, val)
        {
            join(sub, sizeof sub, path, k);
            scenario_validate(v, f->items, val, sub);
        }
    }
    if (f->type == T_ARRAY) {
        if (json_array_size(j) < f->min_items) {
            jsonpos_fail(v, path, "expected at least %zu item%s, got %zu", f->min_items,
                         f->min_items == 1 ? "" : "s", json_array_size(j));
            return;
        }
        if (f->items) {
            size_t i;
            const json_t *x;
            char sub[320];
            json_array_foreach((json_t *)j, i, x)
            {
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                scenario_validate(v, f->items, x, sub);
            }
        }
    }
}

/* ---- the format --------------------------------------------------------- */
