/* A JSON Schema checker for the subset the providers' OpenAPI descriptions use
 * (docs/catalogue.md#the-schema-subset): type (one or a list, "null"
 * included), nullable (OpenAPI 3.0), properties, required,
 * additionalProperties (false or a schema), items, enum, const, format
 * (date-time only; others are annotations), minimum, maximum, exclusiveMinimum
 * and exclusiveMaximum (3.0's booleans and 3.1's numbers), minLength,
 * maxLength (code points), minItems, maxItems, allOf, anyOf, oneOf (as anyOf:
 * docs/catalogue.md says why), and $ref to "#/components/schemas/<name>" of the same document.
 * Anything else (pattern, discriminator, default, example) is not a check.
 *
 * Hand-written because Debian packages no C JSON Schema validator
 * (docs/architecture.md#why-some-things-are-hand-written); tests/check_schema_subset.py
 * runs it and python3-jsonschema over the same cases and wants the same
 * verdict. */
#ifndef DIALSIM_SCHEMA_CHECK_H
#define DIALSIM_SCHEMA_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum schema_err_kind {
    SE_REQUIRED, /* a required property is missing */
    SE_TYPE,     /* wrong type (expected says which) */
    SE_ENUM,     /* not one of enum / const */
    SE_FORMAT,   /* format (date-time) */
    SE_UNKNOWN,  /* a property additionalProperties refuses */
    SE_RANGE,    /* minimum / maximum */
    SE_LENGTH,   /* minLength / maxLength / minItems / maxItems */
    SE_COMBO,    /* oneOf / anyOf matched none */
};

struct schema_error {
    enum schema_err_kind kind;
    char in[8];         /* where the value was: "body", "query" */
    char path[192];     /* "customer.number", "calls[1].role"; "" for the value itself */
    char expected[192]; /* "string", "one of: a, b", "at most 40 characters", ... */
};

#define SCHEMA_MAX_ERRORS 16
struct schema_errors {
    struct schema_error e[SCHEMA_MAX_ERRORS]; /* the first ones, in document order */
    size_t n;                                 /* kept */
    size_t total;                             /* found */
};

struct schema_opts {
    /* An object schema with properties and no additionalProperties refuses
     * other properties (Vapi's NestJS whitelist: "property x should not
     * exist"); false: JSON Schema's default (allowed). */
    bool refuse_unknown;
};

/* Check inst against schema; doc holds "components.schemas" for $ref
 * (borrowed). base is the path prefix of inst ("" at the top). Returns true
 * when valid; errors (may be NULL) gets the first errors otherwise. */
bool schema_check(const json_t *doc, const json_t *schema, const json_t *inst, const char *base,
                  const struct schema_opts *o, struct schema_errors *errors);

/* The schema a $ref names, or schema itself when it is no $ref (borrowed;
 * NULL for a $ref that names nothing). Follows chains. */
const json_t *schema_deref(const json_t *doc, const json_t *schema);

/* A date-time as RFC 3339 writes it ("2026-12-04T21:31:57Z",
 * "...57.123+01:00"). */
bool schema_is_date_time(const char *s);

/* The error in words for humans: "customer.number: expected string". */
void schema_error_text(const struct schema_error *e, char *out, size_t n);

#endif
