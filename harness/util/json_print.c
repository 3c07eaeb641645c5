#include "util/json_print.h"

#include <stdlib.h>

int json_print_doc(FILE *f, json_t *doc, size_t flags, const char *who)
{
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | flags) : NULL;
    json_decref(doc);
    if (!text) {
        if (who)
            fprintf(stderr, "%s: cannot build the JSON output\n", who);
        return -1;
    }
    fprintf(f, "%s\n", text);
    free(text);
    return 0;
}
