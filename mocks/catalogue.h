/* A provider's route catalogue: the routes of its published OpenAPI
 * description, as scripts/openapi_catalogue.py derives them into
 * mocks/data/<provider>.json (docs/catalogue.md). The data is compiled into
 * the binary (mocks/catalogue_data.c, docs/decisions.md). A catalogue is made
 * once per process in two steps: its route index (methods and templates, a
 * few KB) at its provider's first request, which every request needs to be
 * recognised; its document (the schemas: ~4 MB of jansson tree a provider)
 * only when a generic route or a seed needs it (catalogue_full): a mock
 * server whose clients use the modules' own routes never holds it. Neither
 * changes once made, so every world and thread shares them. */
#ifndef DIALSIM_CATALOGUE_H
#define DIALSIM_CATALOGUE_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define CAT_MAX_SEGS 12
#define CAT_MAX_PARAMS 4

struct cat_route {
    const char *method; /* "GET", ... (the index's own copy) */
    const char *path;   /* the template, "/assistant/{id}" */
    const char *segs[CAT_MAX_SEGS];
    size_t seg_len[CAT_MAX_SEGS]; /* strlen of each: every request compares against them */
    size_t n_segs;
    size_t n_literal; /* segments that are no {parameter} */
    /* Set by catalogue_full (NULL before): */
    const json_t *query;    /* name -> {required, schema} */
    const json_t *body;     /* {contentType, required, schema}, or NULL */
    const json_t *response; /* {status, contentType, schema?} */
    const char *operation_id;
    size_t index; /* in the document's "routes" */
};

/* The routes as a tree of their segments (catalogue.c): a request's path
 * is walked down it, a literal child or the {parameter} child per segment,
 * instead of being compared with every route (ElevenLabs has ~200, most
 * under /v1/convai). */
struct cat_node {
    const char *seg; /* this node's literal segment (NULL: the root, or a {parameter}) */
    size_t len;
    struct cat_node **lit; /* literal children */
    size_t n_lit;
    struct cat_node *param;        /* the {parameter} child, or NULL */
    const struct cat_route **here; /* the routes whose template ends here (any method) */
    size_t n_here;
};

struct catalogue {
    const char *provider;
    json_t *doc;      /* the whole file, schemas under components.schemas: NULL until
                         catalogue_full */
    const char *text; /* the compiled-in data (borrowed) */
    size_t len;
    pthread_mutex_t mu; /* catalogue_full's */
    atomic_bool full;
    struct cat_route *routes;
    size_t n_routes;
    struct cat_node root; /* the routes' segments as a tree */
};

struct cat_params {
    size_t n;
    struct {
        const char *name;
        char value[160];
    } p[CAT_MAX_PARAMS];
};

/* The catalogue of a provider, parsed on first use from the compiled-in
 * text (text, len: the data; borrowed for the process' life). NULL when the
 * text does not parse (a build error: tests/check_catalogue_walk.py fails). */
const struct catalogue *catalogue_get(const char *provider, const char *text, size_t len);

/* c with its document loaded and every route's query, body and response
 * set (parsed on the first call; later calls cost an atomic load). c itself,
 * or NULL when the document does not parse. */
const struct catalogue *catalogue_full(const struct catalogue *c);

/* The route for method and path (no query string), the most literal one
 * when templates overlap ("/agents/create" before "/agents/{id}"), params
 * filled; NULL when none. *path_known (may be NULL) says whether some route
 * has that path with another method. */
const struct cat_route *catalogue_match(const struct catalogue *c, const char *method,
                                        const char *path, struct cat_params *params,
                                        bool *path_known);

/* The routes whose template fits path, whatever their method: up to max
 * into out; returns how many fit. */
size_t catalogue_routes_at(const struct catalogue *c, const char *path,
                           const struct cat_route **out, size_t max);

/* A path parameter's value, or NULL. */
const char *cat_param(const struct cat_params *p, const char *name);

#endif
