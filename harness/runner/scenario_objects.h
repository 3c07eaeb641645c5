/* mocks.<provider>.objects (issue 12, docs/catalogue.md#state): the generic
 * routes' objects a scenario or serve's config starts with. */
#ifndef DIALSIM_SCENARIO_OBJECTS_H
#define DIALSIM_SCENARIO_OBJECTS_H

#include <jansson.h>

#include "runner/jsonpos.h"

/* Each key names a create or list route of the provider's catalogue, each
 * value is an array of objects; the first error into v, with its path. */
void scenario_check_objects(struct jsonpos_error *v, const json_t *mocks);

#endif
