/* Where a value sits in JSON text. jansson reports line and column for syntax
 * errors only; for a value that parses but is wrong we find its position by
 * scanning the text for the JSON path ("steps[2].agent"). */
#ifndef DIALSIM_JSONPOS_H
#define DIALSIM_JSONPOS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Find the value at `path` in text (len bytes). Path syntax: keys joined by
 * ".", array indexes as "[n]"; "" is the root. On success sets 1-based *line
 * and *col of the value's first character and returns 0; -1 when not found or
 * the text is not JSON. Keys containing "." or "[" cannot be addressed. */
int jsonpos_find(const char *text, size_t len, const char *path, int *line, int *col);

/* The first problem found while checking a parsed document: where (a JSON
 * path as jsonpos_find takes it) and what was expected. Later ones are
 * ignored, so a check can go on without testing `failed` at every step. */
struct jsonpos_error {
    bool failed;
    char path[320];
    char msg[512];
};
void jsonpos_fail(struct jsonpos_error *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "label:line:col: at path: msg", the position found in text; "label: at
 * path: msg" when it cannot be found; "(top level)" for the path "". */
void jsonpos_format(const struct jsonpos_error *e, const char *label, const char *text, size_t len,
                    char *out, size_t n);
/* "an object", "an array", "a string", "a number", "a boolean", "null". */
const char *jsonpos_kind(const json_t *j);

#endif
