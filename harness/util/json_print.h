/* The one way every `--format json` document leaves the program: indented,
 * keys in the order they were built, one trailing newline. */
#ifndef DIALSIM_JSON_PRINT_H
#define DIALSIM_JSON_PRINT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Print doc (stolen; NULL is an allocation that failed) to f with
 * JSON_INDENT(2) | JSON_PRESERVE_ORDER | flags. Returns 0, or -1 when the
 * document could not be built or serialised; then, when who is not NULL,
 * "<who>: cannot build the JSON output" goes to stderr. */
int json_print_doc(FILE *f, json_t *doc, size_t flags, const char *who);

#endif
