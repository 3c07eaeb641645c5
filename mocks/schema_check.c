/* schema_check.h: the JSON Schema subset of the providers' descriptions. */
#include "schema_check.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A schema that refers to itself through allOf/$ref without consuming the
 * instance would recurse for ever; no description does, but a bound keeps a
 * broken one from taking the server down. */
#define MAX_DEPTH 256

struct ctx {
    const json_t *doc;
    const struct schema_opts *o;
    struct schema_errors *errs; /* NULL: count only (inside oneOf/anyOf) */
    size_t found;
};

const json_t *schema_deref(const json_t *doc, const json_t *schema)
{
    for (int hops = 0; schema && hops < 32; hops++) {
        const char *ref = json_string_value(json_object_get(schema, "$ref"));
        if (!ref)
            return schema;
        const char *pfx = "#/components/schemas/";
        if (strncmp(ref, pfx, strlen(pfx)) != 0)
            return NULL;
        schema = json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"),
                                 ref + strlen(pfx));
    }
    return NULL;
}

static void add(struct ctx *c, enum schema_err_kind k, const char *path, const char *fmt, ...)
{
    c->found++;
    if (!c->errs)
        return;
    c->errs->total++;
    if (c->errs->n >= SCHEMA_MAX_ERRORS)
        return;
    struct schema_error *e = &c->errs->e[c->errs->n++];
    e->kind = k;
    snprintf(e->in, sizeof e->in, "body");
    snprintf(e->path, sizeof e->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->expected, sizeof e->expected, fmt, ap);
    va_end(ap);
}

static void join(char *out, size_t n, const char *base, const char *key)
{
    if (*base)
        snprintf(out, n, "%s.%s", base, key);
    else
        snprintf(out, n, "%s", key);
}

static bool digits(const char **p, int n)
{
    for (int i = 0; i < n; i++, (*p)++)
        if (!isdigit((unsigned char)**p))
            return false;
    return true;
}

bool schema_is_date_time(const char *s)
{
    const char *p = s;
    if (!digits(&p, 4) || *p++ != '-' || !digits(&p, 2) || *p++ != '-' || !digits(&p, 2))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mo = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] + (mo == 2 && leap))
        return false;
    if (*p != 'T' && *p != 't')
        return false;
    p++;
    const char *t = p;
    if (!digits(&p, 2) || *p++ != ':' || !digits(&p, 2) || *p++ != ':' || !digits(&p, 2))
        return false;
    if ((t[0] - '0') * 10 + (t[1] - '0') > 23 || (t[3] - '0') * 10 + (t[4] - '0') > 59 ||
        (t[6] - '0') * 10 + (t[7] - '0') > 60)
        return false;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    p++;
    const char *z = p;
    if (!digits(&p, 2) || *p++ != ':' || !digits(&p, 2) || *p)
        return false;
    return (z[0] - '0') * 10 + (z[1] - '0') <= 23 && (z[3] - '0') * 10 + (z[4] - '0') <= 59;
}

static bool is_type(const json_t *v, const char *t)
{
    if (!strcmp(t, "string"))
        return json_is_string(v);
    if (!strcmp(t, "integer"))
        return json_is_integer(v) ||
               (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v));
    if (!strcmp(t, "number"))
        return json_is_number(v);
    if (!strcmp(t, "boolean"))
        return json_is_boolean(v);
    if (!strcmp(t, "object"))
        return json_is_object(v);
    if (!strcmp(t, "array"))
        return json_is_array(v);
    if (!strcmp(t, "null"))
        return json_is_null(v);
    return true; /* an unknown type name constrains nothing */
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool check(struct ctx *c, const json_t *s, const json_t *v, const char *path, int depth);

/* type and nullable; true when v has an allowed type. */
static bool check_type(struct ctx *c, const json_t *s, const json_t *v, const char *path)
{
    const json_t *t = json_object_get(s, "type");
    if (!t)
        return true;
    if (json_is_null(v) && json_is_true(json_object_get(s, "nullable")))
        return true;
    if (json_is_string(t)) {
        if (is_type(v, json_string_value(t)))
            return true;
        add(c, SE_TYPE, path, "%s", json_string_value(t));
        return false;
    }
    char want[160] = "";
    size_t i;
    const json_t *x;
    json_array_foreach(t, i, x)
    {
        if (is_type(v, json_string_value(x)))
            return true;
        size_t l = strlen(want);
        snprintf(want + l, sizeof want - l, "%s%s", i ? " or " : "", json_string_value(x));
    }
    add(c, SE_TYPE, path, "%s", want);
    return false;
}

static void check_enum(struct ctx *c, const json_t *s, const json_t *v, const char *path)
{
    const json_t *en = json_object_get(s, "enum"), *cst = json_object_get(s, "const");
    if (cst && !json_equal(cst, v)) {
        char *txt = json_dumps(cst, JSON_ENCODE_ANY | JSON_COMPACT);
        add(c, SE_ENUM, path, "%s", txt ? txt : "the constant");
        free(txt);
    }
    if (!json_is_array(en))
        return;
    if (json_is_null(v) && json_is_true(json_object_get(s, "nullable")))
        return;
    size_t i;
    const json_t *x;
    json_array_foreach(en, i, x) if (json_equal(x, v)) return;
    char list[180] = "";
    json_array_foreach(en, i, x)
    {
        size_t l = strlen(list);
        char *txt = json_is_string(x) ? NULL : json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "",
                 txt ? txt : json_string_value(x));
        free(txt);
    }
    add(c, SE_ENUM, path, "one of the following values: %s", list);
}

static void check_number(struct ctx *c, const json_t *s, const json_t *v, const char *path)
{
    if (!json_is_number(v))
        return;
    double x = json_number_value(v);
    const json_t *mn = json_object_get(s, "minimum"), *mx = json_object_get(s, "maximum");
    const json_t *emn = json_object_get(s, "exclusiveMinimum");
    const json_t *emx = json_object_get(s, "exclusiveMaximum");
    if (json_is_number(mn)) {
        bool ex = json_is_true(emn); /* OpenAPI 3.0: a flag on minimum */
        double m = json_number_value(mn);
        if (ex ? x <= m : x < m)
            add(c, SE_RANGE, path, "%s %g", ex ? "greater than" : "not less than", m);
    }
    if (json_is_number(mx)) {
        bool ex = json_is_true(emx);
        double m = json_number_value(mx);
        if (ex ? x >= m : x > m)
            add(c, SE_RANGE, path, "%s %g", ex ? "less than" : "not greater than", m);
    }
    if (json_is_number(emn) && x <= json_number_value(emn)) /* 3.1: a bound of its own */
        add(c, SE_RANGE, path, "greater than %g", json_number_value(emn));
    if (json_is_number(emx) && x >= json_number_value(emx))
        add(c, SE_RANGE, path, "less than %g", json_number_value(emx));
}

static void check_lengths(struct ctx *c, const json_t *s, const json_t *v, const char *path)
{
    const char *lo = NULL, *hi = NULL, *unit = NULL;
    size_t n = 0;
    if (json_is_string(v)) {
        lo = "minLength", hi = "maxLength", unit = "characters";
        n = code_points(json_string_value(v));
    } else if (json_is_array(v)) {
        lo = "minItems", hi = "maxItems", unit = "items";
        n = json_array_size(v);
    } else {
        return;
    }
    const json_t *a = json_object_get(s, lo), *b = json_object_get(s, hi);
    if (json_is_integer(a) && (json_int_t)n < json_integer_value(a))
        add(c, SE_LENGTH, path, "at least %lld %s", (long long)json_integer_value(a), unit);
    if (json_is_integer(b) && (json_int_t)n > json_integer_value(b))
        add(c, SE_LENGTH, path, "at most %lld %s", (long long)json_integer_value(b), unit);
}

static void check_object(struct ctx *c, const json_t *s, const json_t *v, const char *path,
                         int depth)
{
    if (!json_is_object(v))
        return;
    const json_t *props = json_object_get(s, "properties");
    const json_t *req = json_object_get(s, "required");
    char sub[256];
    size_t i;
    const json_t *r;
    json_array_foreach(req, i, r)
    {
        const char *k = json_string_value(r);
        if (k && !json_object_get(v, k)) {
            join(sub, sizeof sub, path, k);
            add(c, SE_REQUIRED, sub, "a value");
        }
    }
    const json_t *addl = json_object_get(s, "additionalProperties");
    bool refuse = json_is_false(addl) || (!addl && c->o && c->o->refuse_unknown &&
                                          json_is_object(props) && json_object_size(props));
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
        join(sub, sizeof sub, path, k);
        const json_t *ps = json_object_get(props, k);
        if (ps)
            check(c, ps, x, sub, depth + 1);
        else if (refuse)
            add(c, SE_UNKNOWN, sub, "no such property");
        else if (json_is_object(addl))
            check(c, addl, x, sub, depth + 1);
    }
}

static void check_items(struct ctx *c, const json_t *s, const json_t *v, const char *path,
                        int depth)
{
    const json_t *items = json_object_get(s, "items");
    if (!json_is_array(v) || !json_is_object(items))
        return;
    size_t i;
    const json_t *x;
    char sub[256];
    json_array_foreach(v, i, x)
    {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        check(c, items, x, sub, depth + 1);
    }
}

/* A branch checked on its own, counting its errors only. */
static bool branch_ok(struct ctx *c, const json_t *b, const json_t *v, const char *path, int depth)
{
    struct ctx sub = {c->doc, c->o, NULL, 0};
    check(&sub, b, v, path, depth + 1);
    return sub.found == 0;
}

static void check_combos(struct ctx *c, const json_t *s, const json_t *v, const char *path,
                         int depth)
{
    size_t i;
    const json_t *b;
    json_array_foreach(json_object_get(s, "allOf"), i, b) check(c, b, v, path, depth + 1);
    const json_t *any = json_object_get(s, "anyOf");
    if (json_is_array(any)) {
        bool ok = false;
        json_array_foreach(any, i, b) if (!ok && branch_ok(c, b, v, path, depth)) ok = true;
        if (!ok)
            add(c, SE_COMBO, path, "a value matching one of %zu schemas", json_array_size(any));
    }
    /* oneOf as anyOf: the descriptions are generated from NestJS and
     * pydantic unions, which their servers check as "any of", and their
     * branches overlap (an update DTO of optional fields matches all of
     * them): exactly-one would refuse what the providers accept
     * (docs/catalogue.md#the-schema-subset). */
    const json_t *one = json_object_get(s, "oneOf");
    if (json_is_array(one)) {
        bool ok = false;
        json_array_foreach(one, i, b) if (!ok && branch_ok(c, b, v, path, depth)) ok = true;
        if (!ok)
            add(c, SE_COMBO, path, "a value matching one of %zu schemas", json_array_size(one));
    }
}

static bool check(struct ctx *c, const json_t *s, const json_t *v, const char *path, int depth)
{
    if (depth > MAX_DEPTH || !json_is_object(s))
        return true;
    s = schema_deref(c->doc, s);
    if (!s)
        return true;
    size_t before = c->found;
    if (check_type(c, s, v, path)) {
        check_enum(c, s, v, path);
        check_number(c, s, v, path);
        check_lengths(c, s, v, path);
        const char *fmt = json_string_value(json_object_get(s, "format"));
        if (fmt && !strcmp(fmt, "date-time") && json_is_string(v) &&
            !schema_is_date_time(json_string_value(v)))
            add(c, SE_FORMAT, path, "a date-time (RFC 3339)");
        check_object(c, s, v, path, depth);
        check_items(c, s, v, path, depth);
    }
    check_combos(c, s, v, path, depth);
    return c->found == before;
}

bool schema_check(const json_t *doc, const json_t *schema, const json_t *inst, const char *base,
                  const struct schema_opts *o, struct schema_errors *errors)
{
    struct ctx c = {doc, o, errors, 0};
    if (errors)
        memset(errors, 0, sizeof *errors);
    check(&c, schema, inst, base ? base : "", 0);
    return c.found == 0;
}

void schema_error_text(const struct schema_error *e, char *out, size_t n)
{
    const char *where = e->path[0] ? e->path : "(body)";
    if (e->kind == SE_REQUIRED)
        snprintf(out, n, "%s: missing required field", where);
    else if (e->kind == SE_UNKNOWN)
        snprintf(out, n, "%s: unknown field", where);
    else
        snprintf(out, n, "%s: expected %s", where, e->expected);
}
