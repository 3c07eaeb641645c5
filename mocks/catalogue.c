/* catalogue.h: a provider's routes, parsed once, matched by segments. */
#include "catalogue.h"
#include "util/mem_trim.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Few providers, each parsed once: a small table under one mutex, taken
 * only on a provider's first request (a world's build calls it first). */
#define MAX_CATALOGUES 8
static struct {
    const char *provider;
    struct catalogue *cat;
} loaded[MAX_CATALOGUES];
static size_t n_loaded;
static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;

static int split(char *path, const char **segs, size_t *n)
{
    *n = 0;
    for (char *p = path; *p;) {
        if (*p == '/')
            *p++ = '\0';
        if (!*p)
            break;
        if (*n >= CAT_MAX_SEGS)
            return -1;
        segs[(*n)++] = p;
        while (*p && *p != '/')
            p++;
    }
    return 0;
}

/* The route index from the document: every string copied, so the document
 * can go (and its memory back to the system) until catalogue_full. */
static struct catalogue *parse(const char *provider, const char *text, size_t len)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    const json_t *routes = json_object_get(doc, "routes");
    struct catalogue *c = calloc(1, sizeof *c);
    if (!doc || !json_is_array(routes) || !c)
        goto fail;
    c->provider = provider;
    c->text = text;
    c->len = len;
    pthread_mutex_init(&c->mu, NULL);
    c->routes = calloc(json_array_size(routes) + 1, sizeof *c->routes);
    if (!c->routes)
        goto fail;
    size_t i;
    const json_t *r;
    json_array_foreach(routes, i, r)
    {
        struct cat_route *x = &c->routes[c->n_routes];
        const char *m = json_string_value(json_object_get(r, "method"));
        const char *p = json_string_value(json_object_get(r, "path"));
        const char *op = json_string_value(json_object_get(r, "operationId"));
        if (!m || !p)
            continue;
        x->index = i;
        x->method = strdup(m);
        x->path = strdup(p);
        x->operation_id = op ? strdup(op) : NULL;
        /* the segments point into a copy of their own */
        char *segs = strdup(p);
        if (!x->method || !x->path || !segs || split(segs, x->segs, &x->n_segs) != 0)
            continue; /* leaks nothing worth the code: the index lives for the process */
        for (size_t k = 0; k < x->n_segs; k++) {
            x->n_literal += x->segs[k][0] != '{';
            x->seg_len[k] = strlen(x->segs[k]);
        }
        c->n_routes++;
    }
    json_decref(doc);
    mem_trim(); /* the document's megabytes back to the system */
    return c;
fail:
    json_decref(doc);
    if (c)
        free(c->routes);
    free(c);
    return NULL;
}

const struct catalogue *catalogue_full(const struct catalogue *cc)
{
    struct catalogue *c = (struct catalogue *)cc;
    if (!c || atomic_load_explicit(&c->full, memory_order_acquire))
        return c;
    pthread_mutex_lock(&c->mu);
    if (!c->doc) {
        json_error_t je;
        json_t *doc = json_loadb(c->text, c->len, 0, &je);
        const json_t *routes = json_object_get(doc, "routes");
        if (json_is_array(routes)) {
            for (size_t i = 0; i < c->n_routes; i++) {
                struct cat_route *x = &c->routes[i];
                const json_t *r = json_array_get(routes, x->index);
                x->query = json_object_get(r, "query");
                x->body = json_object_get(r, "body");
                x->response = json_object_get(r, "response");
            }
            c->doc = doc;
        } else {
            json_decref(doc);
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (!c->doc)
        return NULL;
    atomic_store_explicit(&c->full, true, memory_order_release);
    return c;
}

const struct catalogue *catalogue_get(const char *provider, const char *text, size_t len)
{
    pthread_mutex_lock(&load_mu);
    struct catalogue *c = NULL;
    for (size_t i = 0; i < n_loaded && !c; i++)
        if (!strcmp(loaded[i].provider, provider))
            c = loaded[i].cat;
    if (!c && n_loaded < MAX_CATALOGUES && (c = parse(provider, text, len))) {
        loaded[n_loaded].provider = provider;
        loaded[n_loaded++].cat = c;
    }
    pthread_mutex_unlock(&load_mu);
    return c;
}

/* Does the request's path (its segments) fit the template? */
static bool fits(const struct cat_route *r, const char *path, struct cat_params *params)
{
    const char *p = path;
    struct cat_params got = {0};
    for (size_t k = 0; k < r->n_segs; k++) {
        while (*p == '/')
            p++;
        if (!*p)
            return false;
        size_t len = strcspn(p, "/");
        const char *seg = r->segs[k];
        if (seg[0] == '{') {
            if (params && got.n < CAT_MAX_PARAMS) {
                got.p[got.n].name = seg; /* "{id}": cat_param compares inside the braces */
                snprintf(got.p[got.n].value, sizeof got.p[got.n].value, "%.*s",
                         (int)(len < 159 ? len : 159), p);
                got.n++;
            }
        } else if (r->seg_len[k] != len || memcmp(seg, p, len) != 0) {
            return false;
        }
        p += len;
    }
    while (*p == '/')
        p++;
    if (*p)
        return false;
    if (params)
        *params = got;
    return true;
}

/* The path's segments as fits counts them (runs of '/' between): a route
 * with another count cannot fit, and is passed over without a look at its
 * segments (every provider request matches against all the routes). */
static size_t path_segs(const char *p)
{
    size_t n = 0;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != '/')
            p++;
    }
    return n;
}

/* The path's first segment, for the quick look of may_fit. */
struct first_seg {
    const char *p;
    size_t len, nseg;
};

static struct first_seg first_seg_of(const char *path)
{
    struct first_seg f = {path, 0, path_segs(path)};
    while (*f.p == '/')
        f.p++;
    f.len = strcspn(f.p, "/");
    return f;
}

/* The same number of segments, and a literal first one equal: most routes
 * fail here, without fits' walk (a provider has up to ~180 routes, and every
 * request is matched against them). */
static bool may_fit(const struct cat_route *r, const struct first_seg *f)
{
    if (r->n_segs != f->nseg)
        return false;
    return r->n_segs == 0 || r->segs[0][0] == '{' ||
           (r->seg_len[0] == f->len && memcmp(r->segs[0], f->p, f->len) == 0);
}

const struct cat_route *catalogue_match(const struct catalogue *c, const char *method,
                                        const char *path, struct cat_params *params,
                                        bool *path_known)
{
    const struct cat_route *best = NULL;
    bool known = false;
    struct first_seg f = first_seg_of(path);
    if (c)
        for (size_t i = 0; i < c->n_routes; i++) {
            const struct cat_route *r = &c->routes[i];
            if (!may_fit(r, &f) || !fits(r, path, NULL))
                continue;
            known = true;
            if (strcmp(r->method, method) == 0 && (!best || r->n_literal > best->n_literal))
                best = r;
        }
    if (best && params)
        fits(best, path, params);
    if (path_known)
        *path_known = known;
    return best;
}

size_t catalogue_routes_at(const struct catalogue *c, const char *path,
                           const struct cat_route **out, size_t max)
{
    size_t n = 0;
    struct first_seg f = first_seg_of(path);
    for (size_t i = 0; c && i < c->n_routes; i++)
        if (may_fit(&c->routes[i], &f) && fits(&c->routes[i], path, NULL)) {
            if (n < max)
                out[n] = &c->routes[i];
            n++;
        }
    return n;
}

const char *cat_param(const struct cat_params *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->n; i++)
        if (!strncmp(p->p[i].name + 1, name, n) && p->p[i].name[n + 1] == '}')
            return p->p[i].value;
    return NULL;
}
