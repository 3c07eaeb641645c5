#include "mock_route.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Is path a route of the catalogue (with some method) that the module does
 * not serve with any method? Then a method the description lacks is the
 * provider's 405, not the module's "no such path". */
static bool generic_path(const struct mock_provider_ops *ops, const struct catalogue *c,
                         const char *path)
{
    const struct cat_route *at[16];
    size_t n = catalogue_routes_at(c, path, at, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (mock_provider_takes(ops, at[i]->method, at[i]->path))
            return false;
    return n > 0;
}

/* The module's own route, else the catalogue's generic handler, else the
 * module (its own 404 for its prefixes). */
void mock_route_plan(const struct mock_provider_ops *ops, const char *method, const char *path,
                     struct route_plan *p)
{
    p->kind = ops ? PLAN_MODULE : PLAN_NONE;
    p->route = NULL;
    p->params.n = 0;
    if (!ops)
        return;
    const struct catalogue *c = ops->catalogue ? ops->catalogue() : NULL;
    p->route = c ? catalogue_match(c, method, path, &p->params, NULL) : NULL;
    if (p->route && !mock_provider_takes(ops, p->route->method, p->route->path))
        p->kind = PLAN_GENERIC;
    else if (!p->route && ops->method_not_allowed && generic_path(ops, c, path))
        p->kind = PLAN_405;
}

/* a plan by value: its parameters' names point into the catalogue (kept
 * for the process' life), their values are copies */
static void copy_plan(struct route_plan *to, const struct route_plan *from)
{
    to->kind = from->kind;
    to->route = from->route;
    to->params.n = from->params.n;
    memcpy(to->params.p, from->params.p, from->params.n * sizeof from->params.p[0]);
}

/* A worker's last method and path and their answer. Allocated by the
 * worker at its first request and freed when it ends (a thread-local
 * variable of this size would be set up, and a page touched, for each of
 * serve's 512 workers at start: +2 MiB of RSS before any request). */
struct memo {
    char key[256]; /* method, NUL, path, NUL; len 0: empty */
    size_t len;
    const struct mock_provider_ops *ops;
    struct route_plan plan;
};

static pthread_key_t memo_key;
static bool memo_ok;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_key_make(void)
{
    memo_ok = pthread_key_create(&memo_key, free) == 0;
}

static struct memo *thread_memo(void)
{
    pthread_once(&memo_once, memo_key_make);
    if (!memo_ok)
        return NULL;
    struct memo *m = pthread_getspecific(memo_key);
    if (!m && (m = calloc(1, sizeof *m)) && pthread_setspecific(memo_key, m) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

const struct mock_provider_ops *mock_route_for(const char *method, const char *path,
                                               struct route_plan *p)
{
    struct memo *last = thread_memo();
    size_t ml = strlen(method) + 1, pl = strlen(path) + 1;
    if (last && last->len == ml + pl && memcmp(last->key, method, ml) == 0 &&
        memcmp(last->key + ml, path, pl) == 0) {
        copy_plan(p, &last->plan);
        return last->ops;
    }
    const struct mock_provider_ops *ops = mock_provider_for_path(path);
    mock_route_plan(ops, method, path, p);
    if (!last)
        return ops;
    last->len = 0;
    if (ml + pl <= sizeof last->key) {
        memcpy(last->key, method, ml);
        memcpy(last->key + ml, path, pl);
        last->len = ml + pl;
        last->ops = ops;
        copy_plan(&last->plan, p);
    }
    return ops;
}
