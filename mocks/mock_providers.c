/* mock_provider.h: the list of provider modules, and the world's slots. The
 * one place that names them: a provider is a line here. */
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_store.h"
#include "mock_elevenlabs.h"
#include "mock_provider.h"
#include "mock_retell.h"
#include "mock_vapi.h"

/* Order matters where prefixes meet: Vapi's /v2/phone-number before
 * Retell's /v2/ routes. */
const struct mock_provider_ops *const mock_provider_list[] = {
    &mock_vapi_ops,
    &mock_retell_ops,
    &mock_elevenlabs_ops,
    NULL,
};

const struct mock_provider_ops *mock_provider_for_path(const char *path)
{
    for (size_t i = 0; mock_provider_list[i]; i++) {
        const struct mock_provider_ops *ops = mock_provider_list[i];
        bool known = false;
        if (ops->recognises && ops->recognises(path))
            return ops;
        if (ops->catalogue && (catalogue_match(ops->catalogue(), "", path, NULL, &known), known))
            return ops;
    }
    return NULL;
}

bool mock_provider_takes(const struct mock_provider_ops *ops, const char *method,
                         const char *tmpl)
{
    size_t ml = strlen(method);
    for (size_t i = 0; ops->routes && ops->routes[i]; i++) {
        const char *r = ops->routes[i];
        if (!strncmp(r, method, ml) && r[ml] == ' ' && !strcmp(r + ml + 1, tmpl))
            return true;
    }
    return false;
}

int mock_world_attach(struct mock_world *w, const struct mock_provider_ops *ops, void *m)
{
    if (w->n_providers >= MOCK_MAX_PROVIDERS)
        return -1;
    struct mock_provider_slot *s = &w->providers[w->n_providers];
    if (cat_store_create(&s->store) != 0)
        return -1;
    s->ops = ops;
    s->m = m;
    w->n_providers++;
    return 0;
}

void mock_world_detach(struct mock_world *w, const void *m)
{
    for (size_t i = 0; i < w->n_providers; i++) {
        if (w->providers[i].m != m)
            continue;
        cat_store_destroy(w->providers[i].store);
        memmove(&w->providers[i], &w->providers[i + 1],
                (w->n_providers - i - 1) * sizeof w->providers[0]);
        w->n_providers--;
        return;
    }
}

struct mock_provider_slot *mock_world_slot(struct mock_world *w, const char *name)
{
    for (size_t i = 0; i < w->n_providers; i++)
        if (!strcmp(w->providers[i].ops->name, name))
            return &w->providers[i];
    return NULL;
}
