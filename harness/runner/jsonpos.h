/* Where a value sits in JSON text. jansson reports line and column for syntax
 * errors only; for a value that parses but is wrong we find its position by
 * scanning the text for the JSON path ("steps[2].agent"). */
#ifndef DIALSIM_JSONPOS_H
#define DIALSIM_JSONPOS_H

#include <stddef.h>

/* Find the value at `path` in text (len bytes). Path syntax: keys joined by
 * ".", array indexes as "[n]"; "" is the root. On success sets 1-based *line
 * and *col of the value's first character and returns 0; -1 when not found or
 * the text is not JSON. Keys containing "." or "[" cannot be addressed. */
int jsonpos_find(const char *text, size_t len, const char *path, int *line, int *col);

#endif
