/* schema_sample.h: a value that fits a response schema. */
#include "schema_sample.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/timefmt.h"
#include "schema_check.h"

/* Recursive schemas (a condition holding conditions) stop here: deeper
 * required parts get their type's smallest value. */
#define MAX_DEPTH 24

struct sctx {
    const json_t *doc;
    int64_t now_ms;
};

static json_t *sample(const struct sctx *c, const json_t *s, const json_t *from, const char *name,
                      int depth);

static bool valid(const struct sctx *c, const json_t *s, const json_t *v)
{
    return schema_check(c->doc, s, v, "", NULL, NULL);
}

/* The first type a schema names that is not "null" (NULL: none named). */
static const char *type_of(const json_t *s)
{
    const json_t *t = json_object_get(s, "type");
    if (json_is_string(t))
        return json_string_value(t);
    size_t i;
    const json_t *x;
    json_array_foreach(t, i, x) if (strcmp(json_string_value(x), "null")) return
        json_string_value(x);
    if (json_is_array(t) && json_array_size(t))
        return "null";
    if (json_object_get(s, "properties") || json_object_get(s, "additionalProperties"))
        return "object";
    if (json_object_get(s, "items"))
        return "array";
    return NULL;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* example, then default, when it fits the schema. */
static json_t *given(const struct sctx *c, const json_t *s)
{
    const char *keys[] = {"example", "default"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(s, keys[i]);
        if (v && !json_is_null(v) && valid(c, s, v))
            return json_deep_copy(v);
    }
    return NULL;
}

static json_t *scalar(const struct sctx *c, const json_t *s, const char *type, const char *name)
{
    json_t *g = given(c, s);
    if (g)
        return g;
    const char *fmt = json_string_value(json_object_get(s, "format"));
    if (!strcmp(type, "string")) {
        char b[48];
        if (fmt && !strcmp(fmt, "date-time"))
            return json_string(ts_iso(c->now_ms, b, sizeof b));
        if (fmt && (!strcmp(fmt, "uri") || !strcmp(fmt, "url")))
            return json_string("https://example.com/");
        json_int_t mn = json_integer_value(json_object_get(s, "minLength"));
        json_int_t mx = json_integer_value(json_object_get(s, "maxLength"));
        char v[64] = "string";
        if (mn > 6 && mn < (json_int_t)sizeof v) {
            memset(v, 'x', (size_t)mn);
            v[mn] = '\0';
        }
        if (json_object_get(s, "maxLength") && mx < (json_int_t)strlen(v))
            v[mx > 0 ? mx : 0] = '\0';
        return json_string(v);
    }
    if (!strcmp(type, "integer") || !strcmp(type, "number")) {
        const json_t *mn = json_object_get(s, "minimum"), *mx = json_object_get(s, "maximum");
        double v = 0;
        if (name && (strstr(name, "timestamp") || has_suffix(name, "_ms")))
            v = (double)c->now_ms;
        else if (name && has_suffix(name, "unix_secs"))
            v = (double)(c->now_ms / 1000);
        if (json_is_number(mn) && v < json_number_value(mn))
            v = ceil(json_number_value(mn)) + (json_is_true(json_object_get(s, "exclusiveMinimum")));
        if (json_is_number(json_object_get(s, "exclusiveMinimum")) &&
            v <= json_number_value(json_object_get(s, "exclusiveMinimum")))
            v = floor(json_number_value(json_object_get(s, "exclusiveMinimum"))) + 1;
        if (json_is_number(mx) && v > json_number_value(mx))
            v = json_number_value(mx);
        return json_integer((json_int_t)v);
    }
    if (!strcmp(type, "boolean"))
        return json_false();
    if (!strcmp(type, "null"))
        return json_null();
    return json_object(); /* no type: anything goes */
}

static json_t *object(const struct sctx *c, const json_t *s, const json_t *from, int depth)
{
    json_t *o = json_object();
    const json_t *props = json_object_get(s, "properties");
    const json_t *req = json_object_get(s, "required");
    const json_t *addl = json_object_get(s, "additionalProperties");
    const char *k;
    const json_t *ps;
    json_object_foreach((json_t *)props, k, ps)
    {
        const json_t *fv = json_object_get(from, k);
        bool required = false;
        size_t i;
        const json_t *r;
        json_array_foreach(req, i, r) if (!strcmp(json_string_value(r), k)) required = true;
        if (fv || required)
            json_object_set_new(o, k, sample(c, ps, fv, k, depth + 1));
    }
    /* a free-form object (no properties, or a map) reflects what it is given */
    if (json_is_object(from) && !json_is_false(addl)) {
        const json_t *fv;
        json_object_foreach((json_t *)from, k, fv)
        {
            if (json_object_get(props, k))
                continue;
            if (json_is_object(addl))
                json_object_set_new(o, k, sample(c, addl, fv, k, depth + 1));
            else if (!props)
                json_object_set_new(o, k, json_deep_copy(fv));
        }
    }
    return o;
}

static json_t *array(const struct sctx *c, const json_t *s, const json_t *from, int depth)
{
    json_t *a = json_array();
    const json_t *items = json_object_get(s, "items");
    if (json_is_array(from)) {
        size_t i;
        const json_t *x;
        json_array_foreach(from, i, x) json_array_append_new(a, sample(c, items, x, NULL, depth + 1));
    }
    json_int_t mn = json_integer_value(json_object_get(s, "minItems"));
    while ((json_int_t)json_array_size(a) < mn && mn < 8)
        json_array_append_new(a, sample(c, items, NULL, NULL, depth + 1));
    return a;
}

/* allOf's branches (and the properties beside it) as one object schema:
 * properties and required merged, so that a branch that only adds
 * "required" is kept (the descriptions extend a base that way). New
 * reference; NULL when no branch is an object schema. */
/* One branch's properties and required into props and req: copies, never
 * references, as the catalogue is shared by every world of the process
 * (mock.h: a shared node's count changes only under one mutex). */
static bool merge_branch(const struct sctx *c, const json_t *d, json_t *props, json_t *req,
                         int depth)
{
    bool object = false;
    const char *t = type_of(d);
    if ((t && !strcmp(t, "object")) || json_object_get(d, "required"))
        object = true;
    size_t i;
    const json_t *b;
    if (depth < MAX_DEPTH)
        json_array_foreach(json_object_get(d, "allOf"), i, b) object |=
            merge_branch(c, schema_deref(c->doc, b), props, req, depth + 1);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(d, "properties"), k, v)
        json_object_set_new(props, k, json_deep_copy(v));
    json_array_foreach(json_object_get(d, "required"), i, b)
        json_array_append_new(req, json_string(json_string_value(b)));
    return object;
}

/* allOf's branches (and the properties beside it) as one object schema:
 * properties and required merged, so that a branch that only adds
 * "required" is kept (the descriptions extend a base that way). New
 * reference; NULL when no branch is an object schema. */
static json_t *flatten(const struct sctx *c, const json_t *s, int depth)
{
    json_t *props = json_object(), *req = json_array();
    if (!merge_branch(c, s, props, req, depth)) {
        json_decref(props);
        json_decref(req);
        return NULL;
    }
    return json_pack("{s:s,s:o,s:o}", "type", "object", "properties", props, "required", req);
}

/* allOf: one object schema when the branches are objects (flatten), else
 * the first branch (the descriptions' "this schema, and nullable"). */
static json_t *all_of(const struct sctx *c, const json_t *s, const json_t *from, const char *name,
                      int depth)
{
    json_t *flat = depth < MAX_DEPTH ? flatten(c, s, depth) : NULL;
    json_t *v = flat ? object(c, flat, json_is_object(from) ? from : NULL, depth)
                     : sample(c, json_array_get(json_object_get(s, "allOf"), 0), from, name,
                              depth + 1);
    json_decref(flat);
    return v;
}

/* oneOf / anyOf: the branch the source already fits, else the first that is
 * not just null. */
/* The branch the source's discriminator names: the schema's discriminator
 * (its mapping, else the branch whose property is that enum value), or, with
 * none, a "type" or "provider" the source gives. NULL: none named. */
static const json_t *discriminated(const struct sctx *c, const json_t *s, const json_t *list,
                                   const json_t *from)
{
    const json_t *d = json_object_get(s, "discriminator");
    const char *props[] = {json_string_value(json_object_get(d, "propertyName")), "type",
                           "provider"};
    for (size_t k = props[0] ? 0 : 1; k < 3; k++) {
        const char *v = json_string_value(json_object_get(from, props[k]));
        if (!v)
            continue;
        const char *ref = json_string_value(json_object_get(json_object_get(d, "mapping"), v));
        size_t i;
        const json_t *b;
        json_array_foreach(list, i, b)
        {
            const char *bref = json_string_value(json_object_get(b, "$ref"));
            if (ref && bref && !strcmp(ref, bref))
                return b;
            const json_t *p =
                json_object_get(json_object_get(schema_deref(c->doc, b), "properties"), props[k]);
            const json_t *en = json_object_get(schema_deref(c->doc, p), "enum");
            size_t e;
            const json_t *x;
            json_array_foreach(en, e, x) if (json_is_string(x) && !strcmp(json_string_value(x), v))
                return b;
        }
        if (k == 0)
            break; /* a declared discriminator that names no branch: no guessing */
    }
    return NULL;
}

static json_t *one_of(const struct sctx *c, const json_t *s, const json_t *list,
                      const json_t *from, const char *name, int depth)
{
    size_t i;
    const json_t *b, *pick = NULL;
    if (from && !json_is_null(from))
        json_array_foreach(list, i, b) if (!pick && valid(c, b, from)) pick = b;
    if (!pick && json_is_object(from))
        pick = discriminated(c, s, list, from);
    json_array_foreach(list, i, b)
    {
        const json_t *d = schema_deref(c->doc, b);
        const char *t = type_of(d);
        if (!pick && !(t && !strcmp(t, "null") && !json_object_get(d, "enum")))
            pick = b;
    }
    if (!pick)
        pick = json_array_get(list, 0);
    return sample(c, pick, from, name, depth + 1);
}

static json_t *sample(const struct sctx *c, const json_t *s, const json_t *from, const char *name,
                      int depth)
{
    if (depth > 4 * MAX_DEPTH) /* a schema that requires itself: no end otherwise */
        return json_object();
    s = schema_deref(c->doc, s);
    if (!json_is_object(s))
        return from ? json_deep_copy(from) : json_object();
    /* a null the schema takes stays null (a last page's next_cursor: a
     * client that pages until the cursor is null must see one) */
    if (from && json_is_null(from) &&
        (json_is_true(json_object_get(s, "nullable")) || valid(c, s, from)))
        return json_null();
    const json_t *en = json_object_get(s, "enum");
    if (json_object_get(s, "const"))
        return json_deep_copy(json_object_get(s, "const"));
    if (json_is_array(en) && json_array_size(en)) {
        size_t i;
        const json_t *x;
        json_array_foreach(en, i, x) if (from && json_equal(x, from)) return json_deep_copy(x);
        json_t *g = given(c, s);
        return g ? g : json_deep_copy(json_array_get(en, 0));
    }
    if (json_object_get(s, "allOf"))
        return all_of(c, s, from, name, depth);
    const json_t *alt = json_object_get(s, "oneOf");
    if (!alt)
        alt = json_object_get(s, "anyOf");
    if (json_is_array(alt) && json_array_size(alt))
        return one_of(c, s, alt, from, name, depth);
    const char *t = type_of(s);
    if (depth > MAX_DEPTH && t && (!strcmp(t, "object") || !strcmp(t, "array")) &&
        json_is_true(json_object_get(s, "nullable")))
        return json_null();
    if (!t) /* no constraint: the source as it is */
        return from ? json_deep_copy(from) : json_object();
    if (!strcmp(t, "object"))
        return object(c, s, json_is_object(from) ? from : NULL, depth);
    if (!strcmp(t, "array"))
        return array(c, s, depth > MAX_DEPTH ? NULL : from, depth);
    if (from && valid(c, s, from))
        return json_deep_copy(from);
    return scalar(c, s, t, name);
}

json_t *schema_sample(const json_t *doc, const json_t *schema, const json_t *from, int64_t now_ms)
{
    struct sctx c = {doc, now_ms};
    return sample(&c, schema, from, NULL, 0);
}
