/* Setting members of an answer being built, for the hot paths of the mocks
 * (a create-call answer sets a few dozen). The values must be valid UTF-8
 * already: literals, the mocks' own ids and instants, and strings that came
 * out of a parsed document (jansson checked them then). The checked forms
 * (json_object_set_new, json_string) walk every byte again, and json_pack
 * reads its format anew on every call. */
#ifndef DIALSIM_MOCK_JSON_H
#define DIALSIM_MOCK_JSON_H

#include <jansson.h>

/* j[k] = v (a new string); NULL v sets nothing */
static inline void mj_set_s(json_t *j, const char *k, const char *v)
{
    if (v)
        json_object_set_new_nocheck(j, k, json_string_nocheck(v));
}

/* j[k] = v (taken) */
static inline void mj_set_o(json_t *j, const char *k, json_t *v)
{
    json_object_set_new_nocheck(j, k, v);
}

#endif
