/* json_write: a JSON value as compact text, the bytes jansson's
 * json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) gives,
 * at a fraction of its cost.
 *
 * Why by hand (docs/decisions.md#json-write): jansson 2.14's encoder checks
 * every object and array for a reference loop by printing its address with
 * snprintf("%p") into a hash table of parents, and prints each integer with
 * snprintf: serialising a 1 KiB answer took ~66,000 instructions, a third of
 * all a mock's create-call request cost (callgrind, docs/benchmarks.md run 7).
 * The trees dialsim encodes are built by its own code or by jansson's parser
 * (depth-checked, core/json_depth.h) and never hold a loop; this encoder walks
 * them once, appends into one buffer and formats integers itself. Reals use
 * jansson's own rule ("%.17g", then ".0" when that reads as an integer, the
 * exponent without '+' or leading zeros). unit.json_write compares the two
 * byte for byte on every JSON file of the project and on hand-made edge cases.
 *
 * Nesting deeper than JSON_WRITE_MAX_DEPTH, a real that is not finite, or
 * running out of memory: NULL. */
#ifndef DIALSIM_JSON_WRITE_H
#define DIALSIM_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>

#define JSON_WRITE_MAX_DEPTH 2048

/* The text (NUL-terminated, malloc'd) and its length in *len (may be NULL). */
char *json_write(const json_t *j, size_t *len);

/* The same into buf (cap bytes) when it fits, NUL-terminated; returns the
 * length, or the length it needs (>= cap: nothing usable was written), or
 * (size_t)-1 on error. */
size_t json_write_into(const json_t *j, char *buf, size_t cap);

/* v in decimal, NUL-terminated, without printf; returns the length. */
#define JSON_WRITE_INT_MAX 24
size_t json_write_int(char buf[JSON_WRITE_INT_MAX], long long v);

#endif
