/* Answers that fit a schema: a value built from a response schema of the
 * catalogue (mocks/catalogue.h), taking the request's (or the stored
 * object's) values where names and types match, and the schema's example,
 * default, enum, format or bounds otherwise. Optional properties appear only
 * when the source has them, so answers stay small; required ones always.
 * The walk over the catalogue (tests/check_catalogue_walk.py) validates what
 * comes out with python3-jsonschema. */
#ifndef DIALSIM_SCHEMA_SAMPLE_H
#define DIALSIM_SCHEMA_SAMPLE_H

#include <jansson.h>
#include <stdint.h>

/* A value valid against schema (doc holds components.schemas for $ref; both
 * borrowed). from (borrowed, may be NULL) gives the values to reflect.
 * now_ms (Unix ms) fills date-times and timestamps. New reference. */
json_t *schema_sample(const json_t *doc, const json_t *schema, const json_t *from, int64_t now_ms);

#endif
