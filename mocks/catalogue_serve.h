/* The generic handler: every catalogue route a provider module does not
 * serve itself (mock_provider.h). It checks the request against the
 * description (query parameters, the JSON body: schema_check.h) and refuses
 * it in the provider's own error shape; then it keeps state by collection
 * and id (catalogue_store.h) and answers with a body built from the response
 * schema and the request or stored values (schema_sample.h).
 *
 * What a route does follows from its template and method
 * (docs/catalogue.md#generic-state): POST on a collection that has routes
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

#endif
