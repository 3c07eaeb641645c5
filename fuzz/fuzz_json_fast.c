/* Fuzz target: core/json_fast.c held to jansson. Whatever json_fast takes,
 * jansson must take too and build the same tree (values, types, key order);
 * a difference aborts. Input: the JSON text as it comes (flags 0 and
 * JSON_DECODE_ANY), after the depth check the callers make first. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/json_fast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (json_depth_check(text, size, JSON_DEPTH_MAX, NULL) != 0)
        return 0;
    static const size_t flags[] = {0, JSON_DECODE_ANY};
    for (size_t i = 0; i < 2; i++) {
        json_t *got = json_fast_parse(text, size, flags[i]);
        if (!got)
            continue; /* left to jansson: nothing to compare */
        json_t *want = json_loadb(text, size, flags[i], NULL);
        if (!want)
            abort(); /* json_fast took what jansson refuses */
        const size_t dump = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
        char *a = json_dumps(want, dump), *b = json_dumps(got, dump);
        if (!a || !b || strcmp(a, b) != 0)
            abort(); /* another tree */
        free(a);
        free(b);
        json_decref(want);
        json_decref(got);
    }
    return 0;
}
