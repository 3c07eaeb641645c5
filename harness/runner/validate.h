/* The scenario loader's declarative validator (issue 14: split from
 * scenario.c): a table of fields per object, checked with the JSON path of the
 * first bad value, what was expected, and a did-you-mean. Internal to
 * runner/; scenario.c holds the tables and the checks no table can express. */
#ifndef DIALSIM_RUNNER_VALIDATE_H
#define DIALSIM_RUNNER_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "runner/jsonpos.h"

enum vt { T_STRING = 1, T_STRING_NULL, T_BOOL, T_INTEGER, T_NUMBER, T_OBJECT, T_ARRAY, T_ANY };

struct field {
    const char *key;
    enum vt type;
    bool required;
    bool bounded; /* min/max apply */
    double min, max;
    const char *const *choices; /* allowed strings, NULL-terminated */
    const struct field *fields; /* object members ({NULL} ends); NULL: any members */
    const struct field *items;  /* array items */
    size_t min_items;
    bool values_are_items; /* object whose every value is `items` (a map) */
};

/* Check j against f at path (JSON path syntax of jsonpos); the first problem
 * goes into v, later ones are ignored. */
void scenario_validate(struct jsonpos_error *v, const struct field *f, const json_t *j,
                       const char *path);
/* The members of object j against the table `fields` ({NULL} ends it). */
void scenario_validate_object(struct jsonpos_error *v, const struct field *fields,
                              const json_t *j, const char *path);

#define END                                                                                        \
    {                                                                                              \
        .key = NULL                                                                                \
    }
#define STR(k)                                                                                     \
    {                                                                                              \
        .key = k, .type = T_STRING                                                                 \
    }
#define REQ_STR(k)                                                                                 \
    {                                                                                              \
        .key = k, .type = T_STRING, .required = true                                               \
    }
#define BOOL(k)                                                                                    \
    {                                                                                              \
        .key = k, .type = T_BOOL                                                                   \
    }
#define SEC(k, req, lo)                                                                            \
    {                                                                                              \
        .key = k, .type = T_NUMBER, .required = req, .bounded = true, .min = lo, .max = 1e9        \
    }
#define CHOICE(k, list)                                                                            \
    {                                                                                              \
        .key = k, .type = T_STRING, .choices = list                                                \
    }
#define OBJ(k, flds)                                                                               \
    {                                                                                              \
        .key = k, .type = T_OBJECT, .fields = flds                                                 \
    }
#define ARR(k, req, item, n)                                                                       \
    {                                                                                              \
        .key = k, .type = T_ARRAY, .required = req, .items = item, .min_items = n                  \
    }
#define INT(k, lo, hi)                                                                             \
    {                                                                                              \
        .key = k, .type = T_INTEGER, .bounded = true, .min = lo, .max = hi                         \
    }

#endif
