/* scenario_objects.h: mocks.<provider>.objects checked against the
 * provider's catalogue, so that a misspelt collection is an error that says
 * where, not an empty list at run time. */
#include "runner/scenario_objects.h"

#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_serve.h"
#include "mock_provider.h"

/* The first create route of c, for the error's example. */
static const char *example(const struct catalogue *c)
{
    char col[256];
    for (size_t i = 0; c && i < c->n_routes; i++)
        if (!strchr(c->routes[i].path, '{') &&
            catalogue_op(c, &c->routes[i], NULL, col, sizeof col) == CAT_CREATE)
            return c->routes[i].path;
    return "";
}

void scenario_check_objects(struct jsonpos_error *v, const json_t *mocks)
{
    for (size_t pi = 0; mock_provider_list[pi] && !v->failed; pi++) {
        const struct mock_provider_ops *ops = mock_provider_list[pi];
        const json_t *objects = json_object_get(json_object_get(mocks, ops->name), "objects");
        const char *path;
        const json_t *list;
        json_object_foreach((json_t *)objects, path, list)
        {
            char p[400], col[256];
            const struct cat_route *create;
            snprintf(p, sizeof p, "mocks.%s.objects[\"%.200s\"]", ops->name, path);
            if (!ops->catalogue ||
                catalogue_collection_at(ops->catalogue(), path, col, sizeof col, &create) != 0) {
                jsonpos_fail(v, p,
                             "expected the path of a create or list route of %s's catalogue "
                             "(docs/routes.md), e.g. \"%s\"",
                             ops->name, example(ops->catalogue ? ops->catalogue() : NULL));
                return;
            }
            if (!json_is_array(list)) {
                jsonpos_fail(v, p, "expected an array of objects, got %s", jsonpos_kind(list));
                return;
            }
            size_t i;
            const json_t *o;
            json_array_foreach(list, i, o) if (!json_is_object(o))
            {
                snprintf(p, sizeof p, "mocks.%s.objects[\"%.200s\"][%zu]", ops->name, path, i);
                jsonpos_fail(v, p, "expected an object, got %s", jsonpos_kind(o));
                return;
            }
        }
    }
}
