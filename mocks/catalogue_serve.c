/* catalogue_serve.h: the generic handler of the catalogue's routes. */
#include "catalogue_serve.h"

#include <civetweb.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_store.h"
#include "mock_account.h"
#include "core/timefmt.h"
#include "mock_provider.h"
#include "schema_check.h"
#include "schema_sample.h"

/* ---- what a route does ---------------------------------------------------- */

static bool is_version(const char *seg)
{
    if (seg[0] != 'v' || !isdigit((unsigned char)seg[1]))
        return false;
    for (const char *p = seg + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

static const char *const VERBS[] = {"create-", "get-", "list-", "update-", "delete-"};

/* The collection of r: the template without its version prefix, without its
 * trailing {id}, without a trailing "create", the last segment without its
 * verb ("list-agents") and plural "s", and the path's values in place of the
 * other parameters. *item: the route ends with an {id}; *verb: the verb the
 * last segment had ("" when none). */
static void collection_of(const struct cat_route *r, const struct cat_params *params, char *out,
                          size_t n, bool *item, const char **verb)
{
    size_t last = r->n_segs;
    *item = last > 0 && r->segs[last - 1][0] == '{';
    if (*item)
        last--;
    *verb = "";
    size_t len = 0, pi = 0;
    out[0] = '\0';
    for (size_t k = 0; k < last; k++) {
        const char *seg = r->segs[k];
        if (k == 0 && is_version(seg))
            continue;
        if (k == last - 1 && !*item && !strcmp(seg, "create")) {
            *verb = "create-";
            break;
        }
        char buf[192];
        snprintf(buf, sizeof buf, "%s", seg);
        if (seg[0] == '{') {
            if (params && pi < params->n)
                snprintf(buf, sizeof buf, "%s", params->p[pi].value);
            pi++;
        } else if (k == last - 1) {
            for (size_t v = 0; v < sizeof VERBS / sizeof VERBS[0]; v++)
                if (!strncmp(buf, VERBS[v], strlen(VERBS[v])) && buf[strlen(VERBS[v])]) {
                    *verb = VERBS[v];
                    memmove(buf, buf + strlen(VERBS[v]), strlen(buf + strlen(VERBS[v])) + 1);
                    break;
                }
        }
        size_t bl = strlen(buf);
        if (k == last - 1 || (k == last - 2 && !strcmp(r->segs[last - 1], "create")))
            if (bl > 1 && buf[bl - 1] == 's')
                buf[--bl] = '\0';
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "/%s", buf);
        if (len >= n)
            break;
    }
}

/* Is there a route by id in the collection of template key (params kept)? */
static bool has_item_route(const struct catalogue *c, const char *key, const char *method)
{
    char other[256];
    bool item;
    const char *verb;
    for (size_t i = 0; i < c->n_routes; i++) {
        const struct cat_route *r = &c->routes[i];
        if (method && strcmp(r->method, method))
            continue;
        collection_of(r, NULL, other, sizeof other, &item, &verb);
        if (item && !strcmp(other, key))
            return true;
    }
    return false;
}

enum cat_op catalogue_op(const struct catalogue *c, const struct cat_route *r,
                         const struct cat_params *params, char *collection, size_t n)
{
    bool item;
    const char *verb;
    char key[256];
    collection_of(r, NULL, key, sizeof key, &item, &verb);
    collection_of(r, params, collection, n, &item, &verb);
    const char *m = r->method;
    if (!strcmp(verb, "list-"))
        return CAT_LIST;
    if (item) {
        if (!strcmp(m, "GET"))
            return CAT_READ;
        if (!strcmp(m, "PATCH") || !strcmp(m, "PUT"))
            return CAT_UPDATE;
        if (!strcmp(m, "DELETE"))
            return CAT_DELETE;
        return CAT_ACTION;
    }
    if (!strcmp(m, "POST") && (!strcmp(verb, "create-") || !*verb) && has_item_route(c, key, "GET"))
        return CAT_CREATE;
    if (!strcmp(m, "GET") && (!*verb || !strcmp(verb, "get-")))
        return CAT_LIST;
    return CAT_ACTION;
}

const char *catalogue_op_name(enum cat_op op)
{
    static const char *const names[] = {"create", "read", "list", "update", "delete", "action"};
    return names[op];
}

/* Can anything create in this collection? Otherwise its objects are read
 * through (answered for any id, stateless, as stripe-mock does). */
static bool creatable(const struct catalogue *c, const struct cat_route *r)
{
    bool item;
    const char *verb;
    char key[256], other[256];
    collection_of(r, NULL, key, sizeof key, &item, &verb);
    for (size_t i = 0; i < c->n_routes; i++) {
        if (strcmp(c->routes[i].method, "POST"))
            continue;
        if (catalogue_op(c, &c->routes[i], NULL, other, sizeof other) == CAT_CREATE &&
            !strcmp(other, key))
            return true;
    }
    return false;
}

/* ---- request checks -------------------------------------------------------- */

static bool json_body(const json_t *body)
{
    const char *ct = json_string_value(json_object_get(body, "contentType"));
    return ct && strstr(ct, "json");
}

/* A query value as its schema's type reads it (strings stay strings). */
static json_t *query_value(const json_t *doc, const json_t *schema, const char *v)
{
    const json_t *s = schema_deref(doc, schema);
    const json_t *alt = json_object_get(s, "anyOf");
    if (json_is_array(alt)) /* anyOf [X, null]: X */
        s = schema_deref(doc, json_array_get(alt, 0));
    const char *t = json_string_value(json_object_get(s, "type"));
    char *end;
    if (t && !strcmp(t, "integer")) {
        long long x = strtoll(v, &end, 10);
        if (*v && !*end)
            return json_integer(x);
    } else if (t && !strcmp(t, "number")) {
        double x = strtod(v, &end);
        if (*v && !*end)
            return json_real(x);
    } else if (t && !strcmp(t, "boolean")) {
        if (!strcmp(v, "true") || !strcmp(v, "false"))
            return json_boolean(!strcmp(v, "true"));
    } else if (t && !strcmp(t, "array")) {
        return json_pack("[s]", v);
    }
    return json_string(v);
}

static void query_errors(const struct catalogue *c, const struct cat_route *r,
                         const struct mock_request *rq, struct schema_errors *errs)
{
    const char *name;
    const json_t *q;
    json_object_foreach((json_t *)r->query, name, q)
    {
        char v[512];
        int got = rq->query ? mg_get_var(rq->query, strlen(rq->query), name, v, sizeof v) : -1;
        struct schema_errors one;
        if (got < 0) {
            if (!json_is_true(json_object_get(q, "required")))
                continue;
            memset(&one, 0, sizeof one);
            one.n = one.total = 1;
            one.e[0].kind = SE_REQUIRED;
            snprintf(one.e[0].path, sizeof one.e[0].path, "%s", name);
        } else {
            json_t *x = query_value(c->doc, json_object_get(q, "schema"), v);
            bool ok = schema_check(c->doc, json_object_get(q, "schema"), x, name, NULL, &one);
            json_decref(x);
            if (ok)
                continue;
        }
        for (size_t i = 0; i < one.n && errs->n < SCHEMA_MAX_ERRORS; i++) {
            errs->e[errs->n] = one.e[i];
            snprintf(errs->e[errs->n++].in, sizeof errs->e[0].in, "query");
        }
        errs->total += one.total;
    }
}

/* Checks the request; false when refused (rs filled). */
static bool check_request(const struct mock_provider_slot *slot, const struct catalogue *c,
                          const struct cat_route *r, const struct mock_request *rq,
                          struct mock_response *rs)
{
    struct schema_errors errs;
    memset(&errs, 0, sizeof errs);
    query_errors(c, r, rq, &errs);
    if (r->body && json_body(r->body)) {
        const json_t *schema = json_object_get(r->body, "schema");
        bool empty = rq->body_len == 0;
        if (!empty && !rq->json) {
            struct schema_error *e = &errs.e[errs.n < SCHEMA_MAX_ERRORS ? errs.n++ : 0];
            memset(e, 0, sizeof *e);
            e->kind = SE_TYPE;
            snprintf(e->in, sizeof e->in, "body");
            snprintf(e->expected, sizeof e->expected, "a JSON body (%s)",
                     rq->json_error ? rq->json_error->text : "not JSON");
            errs.total++;
        } else if (empty && json_is_true(json_object_get(r->body, "required"))) {
            /* an absent body is checked as {}: its required fields are named */
            json_t *o = json_object();
            struct schema_errors be;
            struct schema_opts so = {slot->ops->refuse_unknown_fields};
            if (schema_check(c->doc, schema, o, "", &so, &be) && errs.n < SCHEMA_MAX_ERRORS) {
                struct schema_error *e = &errs.e[errs.n++];
                memset(e, 0, sizeof *e);
                e->kind = SE_REQUIRED;
                snprintf(e->in, sizeof e->in, "body");
                errs.total++;
            }
            for (size_t i = 0; i < be.n && errs.n < SCHEMA_MAX_ERRORS; i++)
                errs.e[errs.n++] = be.e[i];
            errs.total += be.total;
            json_decref(o);
        } else if (!empty) {
            struct schema_errors be;
            struct schema_opts so = {slot->ops->refuse_unknown_fields};
            schema_check(c->doc, schema, rq->json, "", &so, &be);
            for (size_t i = 0; i < be.n && errs.n < SCHEMA_MAX_ERRORS; i++)
                errs.e[errs.n++] = be.e[i];
            errs.total += be.total;
        }
    }
    if (!errs.total)
        return true;
    slot->ops->refuse(rs, &errs);
    return false;
}

/* ---- answers ----------------------------------------------------------------- */

static const json_t *response_schema(const struct cat_route *r)
{
    return json_object_get(r->response, "schema");
}

static int response_status(const struct cat_route *r)
{
    json_int_t st = json_integer_value(json_object_get(r->response, "status"));
    return st >= 200 && st < 300 ? (int)st : 200;
}

/* The answer from schema and source (borrowed), or an empty one. */
static void answer(struct mock_world *w, const struct catalogue *c, const struct cat_route *r,
                   const json_t *from, struct mock_response *rs)
{
    int st = response_status(r);
    const char *ct = json_string_value(json_object_get(r->response, "contentType"));
    const json_t *schema = response_schema(r);
    if (st == 204 || !ct) {
        mock_response_clear(rs);
        rs->status = st;
        rs->body = strdup("");
        rs->content_type = "application/json";
        return;
    }
    if (!strstr(ct, "json")) { /* audio, a stream, a file: a few bytes of it */
        mock_response_clear(rs);
        rs->status = st;
        rs->body = strdup(strstr(ct, "event-stream") ? "data: {}\n\n" : "dialsim");
        rs->content_type = strstr(ct, "audio")          ? "audio/mpeg"
                           : strstr(ct, "event-stream") ? "text/event-stream"
                           : strstr(ct, "text")         ? "text/plain"
                                                        : "application/octet-stream";
        return;
    }
    json_t *body = schema ? schema_sample(c->doc, schema, from, ds_now(&w->clock)) : json_object();
    mock_reply_json(rs, st, body);
}

/* The source of an answer about a stored object: its fields, and its id
 * under the names an answer may give it. New reference. */
static json_t *source(const json_t *fields, const struct cat_route *r, const char *id)
{
    json_t *from = json_is_object(fields) ? json_deep_copy(fields) : json_object();
    if (id && !json_object_get(from, "id"))
        json_object_set_new(from, "id", json_string(id));
    if (id && r->n_segs && r->segs[r->n_segs - 1][0] == '{') {
        char name[96];
        snprintf(name, sizeof name, "%s", r->segs[r->n_segs - 1] + 1);
        name[strcspn(name, "}")] = '\0';
        if (!json_object_get(from, name))
            json_object_set_new(from, name, json_string(id));
    }
    return from;
}

/* Does the answer schema (its allOf branches too) have property k? */
static bool has_property(const struct catalogue *c, const json_t *schema, const char *k, int depth)
{
    const json_t *s = schema_deref(c->doc, schema);
    if (!s || depth > 8)
        return false;
    if (json_object_get(json_object_get(s, "properties"), k))
        return true;
    size_t i;
    const json_t *b;
    json_array_foreach(json_object_get(s, "allOf"), i,
                       b) if (has_property(c, b, k, depth + 1)) return true;
    return false;
}

/* The property an answer names the new object's id by: the name the
 * collection's route by id gives it ("{agent_id}"), else "id". */
static void id_key_for(const struct catalogue *c, const struct cat_route *create, char *out,
                       size_t n)
{
    char key[256], other[256];
    bool item;
    const char *verb;
    collection_of(create, NULL, key, sizeof key, &item, &verb);
    snprintf(out, n, "id");
    for (size_t i = 0; i < c->n_routes; i++) {
        const struct cat_route *r = &c->routes[i];
        collection_of(r, NULL, other, sizeof other, &item, &verb);
        if (!item || strcmp(other, key))
            continue;
        char name[96];
        snprintf(name, sizeof name, "%s", r->segs[r->n_segs - 1] + 1);
        name[strcspn(name, "}")] = '\0';
        if (has_property(c, response_schema(create), name, 0)) {
            snprintf(out, n, "%s", name);
            return;
        }
    }
}

static void stamp(json_t *f, int64_t now, bool created)
{
    char iso[48];
    ts_iso(now, iso, sizeof iso);
    if (created) {
        json_object_set_new(f, "createdAt", json_string(iso));
        json_object_set_new(f, "created_at_unix_secs", json_integer(now / 1000));
    }
    json_object_set_new(f, "updatedAt", json_string(iso));
    json_object_set_new(f, "last_modification_timestamp", json_integer(now));
}

static void agent_changed(struct mock_provider_slot *slot, const struct catalogue *c,
                          const char *col, const char *id, bool exists);

static void create(struct mock_world *w, struct mock_provider_slot *slot, const struct catalogue *c,
                   const struct cat_route *r, const char *col, const struct mock_request *rq,
                   struct mock_response *rs)
{
    char id[96], key[96];
    cat_store_new_id(slot->store, "", id, sizeof id);
    id_key_for(c, r, key, sizeof key);
    json_t *f = json_is_object(rq->json) ? json_deep_copy(rq->json) : json_object();
    json_object_set_new(f, key, json_string(id));
    stamp(f, ds_now(&w->clock), true);
    json_t *from = source(f, r, id);
    answer(w, c, r, from, rs);
    json_decref(from);
    cat_store_put(slot->store, col, id, f, ds_now(&w->clock));
    agent_changed(slot, c, col, id, true);
}

static const char *last_param(const struct cat_params *p)
{
    return p->n ? p->p[p->n - 1].value : "";
}

/* Is col the collection of the provider's agents (ops->agents_route)? Then
 * the account learns of id's making or removal (calls may name it). */
static void agent_changed(struct mock_provider_slot *slot, const struct catalogue *c,
                          const char *col, const char *id, bool exists)
{
    const char *ar = slot->ops->agents_route;
    if (!ar || !slot->ops->account)
        return;
    const char *sp = strchr(ar, ' ');
    char method[8], key[256];
    snprintf(method, sizeof method, "%.*s", (int)(sp - ar), ar);
    struct cat_params p;
    const struct cat_route *r = catalogue_match(c, method, sp + 1, &p, NULL);
    if (r && catalogue_op(c, r, &p, key, sizeof key) == CAT_CREATE && !strcmp(key, col))
        mock_account_set_agent(slot->ops->account(slot->m), id, exists);
}

/* ---- lists --------------------------------------------------------------------- */

static long query_long(const struct mock_request *rq, const char *name, long dflt)
{
    char v[32];
    if (!rq->query || mg_get_var(rq->query, strlen(rq->query), name, v, sizeof v) <= 0)
        return dflt;
    return strtol(v, NULL, 10);
}

static bool query_str(const struct mock_request *rq, const char *name, char *v, size_t n)
{
    return rq->query && mg_get_var(rq->query, strlen(rq->query), name, v, n) > 0;
}

/* Vapi's createdAt{Gt,Ge,Lt,Le} (ISO instants) against an object's time. */
static bool created_in(const struct mock_request *rq, int64_t t)
{
    static const char *const ops[] = {"createdAtGt", "createdAtGe", "createdAtLt", "createdAtLe"};
    for (int i = 0; i < 4; i++) {
        char v[64];
        int64_t at;
        if (!query_str(rq, ops[i], v, sizeof v) || ts_parse_iso(v, &at) != 0)
            continue;
        if ((i == 0 && !(t > at)) || (i == 1 && !(t >= at)) || (i == 2 && !(t < at)) ||
            (i == 3 && !(t <= at)))
            return false;
    }
    return true;
}

/* The name of the list in an answer object (its first array property), or
 * NULL when the answer is the array itself. */
static const char *list_property(const struct catalogue *c, const json_t *schema)
{
    const json_t *s = schema_deref(c->doc, schema);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(s, "properties"), k, v)
    {
        const json_t *d = schema_deref(c->doc, v);
        if (json_is_array(json_object_get(d, "allOf")))
            d = schema_deref(c->doc, json_array_get(json_object_get(d, "allOf"), 0));
        const json_t *t = json_object_get(d, "type");
        if (json_is_string(t) && !strcmp(json_string_value(t), "array"))
            return k;
    }
    return NULL;
}

static void list(struct mock_world *w, struct mock_provider_slot *slot, const struct catalogue *c,
                 const struct cat_route *r, const char *col, const struct mock_request *rq,
                 struct mock_response *rs)
{
    json_t *ids = cat_store_ids(slot->store, col);
    long limit = query_long(rq, "limit", query_long(rq, "page_size", 100));
    if (limit <= 0 || limit > 1000)
        limit = 100;
    char after[160] = "";
    if (!query_str(rq, "pagination_key", after, sizeof after))
        query_str(rq, "cursor", after, sizeof after);
    json_t *items = json_array();
    bool started = !after[0], more = false;
    const char *last = NULL;
    size_t i, total = 0;
    const json_t *idj;
    json_array_foreach(ids, i, idj)
    {
        const char *id = json_string_value(idj);
        if (!created_in(rq, cat_store_created(slot->store, col, id)))
            continue;
        total++;
        if (!started) {
            started = !strcmp(id, after);
            continue;
        }
        if ((long)json_array_size(items) >= limit) {
            more = true;
            continue;
        }
        json_array_append_new(items, source(cat_store_get(slot->store, col, id), r, id));
        last = id;
    }
    const char *prop = list_property(c, response_schema(r));
    json_t *from;
    if (prop) {
        from = json_pack("{s:O,s:b,s:b,s:{s:I,s:I,s:i}}", prop, items, "has_more", more, "hasMore",
                         more, "metadata", "itemsPerPage", (json_int_t)limit, "totalItems",
                         (json_int_t)total, "currentPage", 1);
        json_t *cursor = more && last ? json_string(last) : json_null();
        json_object_set(from, "next_cursor", cursor);
        json_object_set(from, "next_doc", cursor);
        json_object_set_new(from, "pagination_key", cursor);
    } else {
        from = json_incref(items);
    }
    answer(w, c, r, from, rs);
    json_decref(from);
    json_decref(items);
    json_decref(ids);
}

/* ---- the handler ------------------------------------------------------------------ */

void catalogue_serve(struct mock_world *w, struct mock_provider_slot *slot,
                     const struct cat_route *r, const struct cat_params *params,
                     const struct mock_request *rq, struct mock_response *rs)
{
    /* the document: the schemas, loaded at the first generic request */
    const struct catalogue *c = catalogue_full(slot->ops->catalogue());
    if (!c) {
        mock_reply_json(rs, 500, json_pack("{s:s}", "message", "the route catalogue is broken"));
        return;
    }
    if (slot->ops->authorise && slot->ops->authorise(slot->m, rq, rs))
        return;
    if (!check_request(slot, c, r, rq, rs))
        return;
    char col[256];
    enum cat_op op = catalogue_op(c, r, params, col, sizeof col);
    bool stateful = op != CAT_ACTION && (op == CAT_CREATE || creatable(c, r));
    const char *id = last_param(params);
    json_t *f = NULL;
    if (stateful && (op == CAT_READ || op == CAT_UPDATE || op == CAT_DELETE) &&
        !(f = cat_store_get(slot->store, col, id))) {
        const char *what = strrchr(col, '/');
        slot->ops->not_found(rs, what ? what + 1 : col, id);
        return;
    }
    json_t *from;
    switch (stateful ? op : CAT_ACTION) {
    case CAT_CREATE:
        create(w, slot, c, r, col, rq, rs);
        return;
    case CAT_LIST:
        list(w, slot, c, r, col, rq, rs);
        return;
    case CAT_UPDATE:
        if (json_is_object(rq->json)) {
            json_t *copy = json_deep_copy(rq->json);
            json_object_update(f, copy);
            json_decref(copy);
        }
        stamp(f, ds_now(&w->clock), false);
        from = source(f, r, id); /* the updated object */
        answer(w, c, r, from, rs);
        json_decref(from);
        return;
    case CAT_READ:
        from = source(f, r, id);
        answer(w, c, r, from, rs);
        json_decref(from);
        return;
    case CAT_DELETE:
        f = cat_store_remove(slot->store, col, id);
        agent_changed(slot, c, col, id, false);
        from = source(f, r, id);
        answer(w, c, r, from, rs);
        json_decref(from);
        json_decref(f);
        return;
    case CAT_ACTION:
        /* stateless: the request's values, and the path's id */
        from = source(json_is_object(rq->json) ? rq->json : NULL, r, params->n ? id : NULL);
        answer(w, c, r, from, rs);
        json_decref(from);
        return;
    }
}

/* ---- seeding ------------------------------------------------------------------------ */

int catalogue_collection_at(const struct catalogue *c, const char *path, char *collection, size_t n,
                            const struct cat_route **create)
{
    struct cat_params p;
    const struct cat_route *r = catalogue_match(c, "POST", path, &p, NULL);
    *create = NULL;
    if (r && catalogue_op(c, r, &p, collection, n) == CAT_CREATE) {
        *create = r;
        return 0;
    }
    r = catalogue_match(c, "GET", path, &p, NULL);
    if (r && catalogue_op(c, r, &p, collection, n) == CAT_LIST)
        return 0;
    return -1;
}

int catalogue_seed(struct mock_provider_slot *slot, const json_t *objects, int64_t now_ms,
                   char *err, size_t n)
{
    if (!json_object_size(objects))
        return 0; /* nothing to seed: the document stays unloaded */
    const struct catalogue *c =
        slot->ops->catalogue ? catalogue_full(slot->ops->catalogue()) : NULL;
    const char *path;
    const json_t *list;
    json_object_foreach((json_t *)objects, path, list)
    {
        char col[256], key[96] = "id";
        const struct cat_route *create;
        if (!c || catalogue_collection_at(c, path, col, sizeof col, &create) != 0) {
            snprintf(err, n, "mocks.%s.objects[\"%s\"]: no create or list route there",
                     slot->ops->name, path);
            return -1;
        }
        if (create)
            id_key_for(c, create, key, sizeof key);
        size_t i;
        const json_t *o;
        json_array_foreach(list, i, o)
        {
            if (!json_is_object(o))
                continue; /* the scenario checker refused it already */
            const char *given = json_string_value(json_object_get(o, key));
            if (!given)
                given = json_string_value(json_object_get(o, "id"));
            char id[160];
            if (given)
                snprintf(id, sizeof id, "%s", given);
            else
                cat_store_new_id(slot->store, "", id, sizeof id);
            json_t *f = json_deep_copy(o);
            json_object_set_new(f, key, json_string(id));
            stamp(f, now_ms, true);
            if (cat_store_put(slot->store, col, id, f, now_ms) != 0) {
                snprintf(err, n, "out of memory");
                return -1;
            }
            agent_changed(slot, c, col, id, true);
        }
    }
    return 0;
}
