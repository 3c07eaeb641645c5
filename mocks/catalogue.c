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

/* ---- the segment tree (struct cat_node) ---- */

static bool append(void *arr, size_t *n, size_t size, const void *item)
{
    char **a = arr;
    char *grown = realloc(*a, (*n + 1) * size);
    if (!grown)
        return false;
    memcpy(grown + *n * size, item, size);
    *a = grown;
    (*n)++;
    return true;
}

/* n's literal child for the segment s (len bytes), or NULL. */
static struct cat_node *literal_child(const struct cat_node *n, const char *s, size_t len)
{
    for (size_t i = 0; i < n->n_lit; i++)
        if (n->lit[i]->len == len && memcmp(n->lit[i]->seg, s, len) == 0)
            return n->lit[i];
    return NULL;
}

/* Put r at the end of its template's path in the tree (nodes made as
 * needed; they live as long as the index: the process). */
static int tree_add(struct cat_node *root, const struct cat_route *r)
{
    struct cat_node *n = root;
    for (size_t k = 0; k < r->n_segs; k++) {
        bool param = r->segs[k][0] == '{';
        struct cat_node *next = param ? n->param : literal_child(n, r->segs[k], r->seg_len[k]);
        if (!next) {
            if (!(next = calloc(1, sizeof *next)))
                return -1;
            if (param) {
                n->param = next;
            } else {
                next->seg = r->segs[k];
                next->len = r->seg_len[k];
                if (!append(&n->lit, &n->n_lit, sizeof next, &next)) {
                    free(next);
                    return -1;
                }
            }
        }
        n = next;
    }
    return append(&n->here, &n->n_here, sizeof r, &r) ? 0 : -1;
}

/* A request path's segments (the runs between '/'s). */
struct path_segs {
    const char *p[CAT_MAX_SEGS];
    size_t len[CAT_MAX_SEGS];
    size_t n;
    bool too_many; /* more than any template has: nothing fits */
};

static void path_split(const char *path, struct path_segs *ps)
{
    ps->n = 0;
    ps->too_many = false;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (ps->n == CAT_MAX_SEGS) {
            ps->too_many = true;
            return;
        }
        ps->p[ps->n] = p;
        ps->len[ps->n++] = len;
        p += len;
    }
}

/* Every route whose template fits the segments from k on, below n: into
 * out (up to max), counted in *count. */
static void tree_collect(const struct cat_node *n, const struct path_segs *ps, size_t k,
                         const struct cat_route **out, size_t max, size_t *count)
{
    if (k == ps->n) {
        for (size_t i = 0; i < n->n_here; i++) {
            if (*count < max)
                out[*count] = n->here[i];
            (*count)++;
        }
        return;
    }
    const struct cat_node *lit = literal_child(n, ps->p[k], ps->len[k]);
    if (lit) /* literal children differ from each other: one at most */
        tree_collect(lit, ps, k + 1, out, max, count);
    if (n->param)
        tree_collect(n->param, ps, k + 1, out, max, count);
}

/* The routes fitting the path split into ps, in the catalogue's order (the
 * order a scan of c->routes met them in: ties between templates go to the
 * first). */
static size_t fitting(const struct catalogue *c, const struct path_segs *ps,
                      const struct cat_route **out, size_t max)
{
    if (ps->too_many)
        return 0;
    size_t count = 0;
    tree_collect(&c->root, ps, 0, out, max, &count);
    size_t kept = count < max ? count : max;
    for (size_t i = 1; i < kept; i++) /* insertion sort: a handful at most */
        for (size_t j = i; j > 0 && out[j] < out[j - 1]; j--) {
            const struct cat_route *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return count;
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
    for (size_t k = 0; k < c->n_routes; k++)
        if (tree_add(&c->root, &c->routes[k]) != 0)
            goto fail;
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

/* The parameters of r, a template the path split into ps fits. */
static void params_of(const struct cat_route *r, const struct path_segs *ps,
                      struct cat_params *params)
{
    params->n = 0;
    for (size_t k = 0; k < r->n_segs && params->n < CAT_MAX_PARAMS; k++) {
        if (r->segs[k][0] != '{')
            continue;
        size_t len =
            ps->len[k] < sizeof params->p[0].value - 1 ? ps->len[k] : sizeof params->p[0].value - 1;
        params->p[params->n].name = r->segs[k]; /* "{id}": cat_param compares inside the braces */
        memcpy(params->p[params->n].value, ps->p[k], len);
        params->p[params->n++].value[len] = '\0';
    }
}

#define MAX_FITTING 32 /* templates one path can fit (the most literal wins) */

const struct cat_route *catalogue_match(const struct catalogue *c, const char *method,
                                        const char *path, struct cat_params *params,
                                        bool *path_known)
{
    const struct cat_route *best = NULL, *fit[MAX_FITTING];
    struct path_segs ps;
    path_split(path, &ps);
    size_t n = c ? fitting(c, &ps, fit, MAX_FITTING) : 0;
    for (size_t i = 0; i < n && i < MAX_FITTING; i++)
        if (strcmp(fit[i]->method, method) == 0 && (!best || fit[i]->n_literal > best->n_literal))
            best = fit[i];
    if (best && params)
        params_of(best, &ps, params);
    if (path_known)
        *path_known = n > 0;
    return best;
}

size_t catalogue_routes_at(const struct catalogue *c, const char *path,
                           const struct cat_route **out, size_t max)
{
    struct path_segs ps;
    path_split(path, &ps);
    return c ? fitting(c, &ps, out, max) : 0;
}

const char *cat_param(const struct cat_params *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->n; i++)
        if (!strncmp(p->p[i].name + 1, name, n) && p->p[i].name[n + 1] == '}')
            return p->p[i].value;
    return NULL;
}
