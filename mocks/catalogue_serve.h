/* The generic handler: every catalogue route a provider module does not
 * serve itself (mock_provider.h). It checks the request against the
 * description (query parameters, the JSON body: schema_check.h) and refuses
 * it in the provider's own error shape; then it keeps state by collection
 * and id (catalogue_store.h) and answers with a body built from the response
 * schema and the request or stored values (schema_sample.h).
 *
 * What a route does follows from its template and method
 * (docs/catalogue.md#state): POST on a collection that has routes
 * by id creates, GET by id reads, GET on a collection lists (newest first,
 * with the provider's pagination parameters), PATCH/PUT by id update,
 * DELETE by id removes; anything else (an action, a collection nothing can
 * create in) answers from the schema and the request without state. */
#ifndef DIALSIM_CATALOGUE_SERVE_H
#define DIALSIM_CATALOGUE_SERVE_H

#include <stddef.h>

#include "catalogue.h"
#include "mock.h"

enum cat_op { CAT_CREATE, CAT_READ, CAT_LIST, CAT_UPDATE, CAT_DELETE, CAT_ACTION };

/* What route r does, and its collection with the path's values put in
 * (params NULL: the template's "{name}" kept). */
enum cat_op catalogue_op(const struct catalogue *c, const struct cat_route *r,
                         const struct cat_params *params, char *collection, size_t n);
const char *catalogue_op_name(enum cat_op op); /* "create", ... */

/* Answer rq on r (of slot's catalogue). w->mu held. */
void catalogue_serve(struct mock_world *w, struct mock_provider_slot *slot,
                     const struct cat_route *r, const struct cat_params *params,
                     const struct mock_request *rq, struct mock_response *rs);

/* Seed slot's generic store from mocks.<provider>.objects: {"<path of a
 * collection's create or list route>": [objects]}, e.g. {"/assistant":
 * [{"id": "a1", "name": "Ann"}]}. An object keeps the id it gives (under the
 * name the collection's route by id uses, or "id"), else gets a new one.
 * now_ms stamps them. 0, or -1 with err saying which key is wrong (the
 * scenario checker says it first: scenario_objects.c). */
int catalogue_seed(struct mock_provider_slot *slot, const json_t *objects, int64_t now_ms,
                   char *err, size_t n);
/* The collection a seeding key names, or -1 when no create or list route of
 * c is there. */
int catalogue_collection_at(const struct catalogue *c, const char *path, char *collection,
                            size_t n, const struct cat_route **create);

#endif
