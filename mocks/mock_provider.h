/* A provider mock registers through one ops table (the habit of curl's
 * connection filters): its name, how its requests are recognised, the routes
 * it serves itself, its catalogue, its error shape and its webhook signer.
 * mock_server.c and mock_build.c drive providers only through this table
 * and the list in mock_providers.c; they name none. Every route of the
 * provider's catalogue that the module does not serve itself is served by
 * the generic handler (catalogue_serve.h).
 *
 * Adding a provider: a module with its ops, its catalogue in mocks/data/
 * (scripts/openapi_catalogue.py), one line in mock_providers.c and one in
 * catalogue_data.c. */
#ifndef DIALSIM_MOCK_PROVIDER_H
#define DIALSIM_MOCK_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "mock.h"
#include "webhook.h"

struct catalogue;
struct mock_account;
struct mock_provider_config;
struct schema_errors;

struct mock_provider_ops {
    /* the journal's mock name, the scenario's mocks.<name> and agents'
     * "provider" */
    const char *name;
    /* The routes the module serves itself, "METHOD /template" as in the
     * catalogue ("GET /call/{id}"); NULL-terminated. Other routes of the
     * catalogue go to the generic handler. */
    const char *const *routes;
    /* Paths beyond the catalogue the module answers (its own 404 for its
     * prefixes, recording URLs); NULL: the catalogue's only. */
    bool (*recognises)(const char *path);
    /* The provider's catalogue, parsed once per process (borrowed). */
    const struct catalogue *(*catalogue)(void);

    /* The module's state for a world (w borrowed), from mocks.<name>;
     * 0 or -1. destroy accepts NULL. */
    int (*create)(void **out, struct mock_world *w, const struct mock_provider_config *cfg);
    void (*destroy)(void *m);
    /* Answer rq: 1 (rs filled) or 0 (not the module's). w->mu held. */
    int (*handle)(void *m, const struct mock_request *rq, struct mock_response *rs);
    /* Before the generic handler: the provider's answer to missing or bad
     * credentials (1, rs filled) or 0; sets the answer's latency either way. */
    int (*authorise)(void *m, const struct mock_request *rq, struct mock_response *rs);

    /* The error shape: a request that fails the schema (errors: one at
     * least), and an object that is not there (what: the catalogue's
     * collection, "agent"; id as in the path). */
    void (*refuse)(struct mock_response *rs, const struct schema_errors *errors);
    void (*not_found)(struct mock_response *rs, const char *what, const char *id);
    /* The create route of the agents (assistants) the generic handler keeps,
     * "POST /assistant"; NULL when the module keeps them itself. What it
     * creates, seeds or deletes there becomes (or stops being) an agent of
     * the account, so calls may name it. */
    const char *agents_route;
    /* A path of the catalogue that the module does not serve, asked with a
     * method the description lacks: the provider's 405 (rs filled). NULL:
     * the module answers (Vapi: NestJS's "Cannot PUT /x" 404). */
    void (*method_not_allowed)(struct mock_response *rs);
    /* Vapi's NestJS whitelist refuses unknown body fields; others ignore them. */
    bool refuse_unknown_fields;
    /* How its webhooks are signed when mocks.<name>.webhooks says nothing. */
    enum wh_auth webhook_auth;

    /* The provider-side outcome of a call (mock_world_call_outcome): false
     * when it has no such call; *status and *ended borrowed (may be NULL). */
    bool (*call_outcome)(const void *m, const char *id, const char **status, const char **ended);
    /* Its account (borrowed), for GET /_dialsim/stats and the admin API. */
    struct mock_account *(*account)(const void *m);
    /* Its phone numbers in its own list shape (a new array), and all of them
     * replaced by numbers as mocks.<name>.phone_numbers gives them (checked
     * by the caller; NULL: back to the config's): serve's admin API. */
    json_t *(*numbers)(const void *m);
    void (*set_numbers)(void *m, const json_t *numbers);
};

/* Every provider, NULL-terminated (mock_providers.c). */
extern const struct mock_provider_ops *const mock_provider_list[];

/* The provider that a path belongs to (its recognises() or its catalogue),
 * or NULL. No world needed: it names the journal entry before the lock. */
const struct mock_provider_ops *mock_provider_for_path(const char *path);

/* Does the module serve this route itself ("GET", "/call/{id}")? */
bool mock_provider_takes(const struct mock_provider_ops *ops, const char *method, const char *tmpl);

/* Register m (made by ops->create, or a test's own) in w; 0 or -1. Its
 * generic store is made here. detach forgets it (by m) and frees the store. */
int mock_world_attach(struct mock_world *w, const struct mock_provider_ops *ops, void *m);
void mock_world_detach(struct mock_world *w, const void *m);
/* The slot of the provider named, or NULL. */
struct mock_provider_slot *mock_world_slot(struct mock_world *w, const char *name);

#endif
