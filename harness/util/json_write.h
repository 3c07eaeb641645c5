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
#include <stdbool.h>
#include <stddef.h>

#define JSON_WRITE_MAX_DEPTH 2048

/* The text (NUL-terminated, malloc'd) and its length in *len (may be NULL). */
char *json_write(const json_t *j, size_t *len);

/* The same into buf (cap bytes) when it fits, NUL-terminated; returns the
 * length, or the length it needs (>= cap: nothing usable was written), or
 * (size_t)-1 on error. */
size_t json_write_into(const json_t *j, char *buf, size_t cap);

/* json_out: JSON written as it is produced, without a tree in between: the
 * bytes json_write gives the tree the same calls would have built (members
 * in call order). For the answers a mock gives on every request: a Vapi
 * create-call answer built as a tree was ~80 allocations and as many frees
 * (docs/decisions.md#json-out). Start from a zeroed struct; a misuse (a key
 * outside an object, a close without an open, nesting deeper than
 * JSON_OUT_MAX_DEPTH), a real that is not finite or running out of memory
 * sets err, and jo_finish answers NULL. */
#define JSON_OUT_MAX_DEPTH 64
struct json_out {
    char *buf; /* owned; grows (one byte more than cap for the NUL) */
    size_t cap, len;
    bool err;
    bool fixed;                 /* json_write_into's: count past cap instead of growing */
    unsigned depth;             /* containers open */
    unsigned long long started; /* bit d: the container at depth d has a member */
    unsigned long long objects; /* bit d: the container at depth d is an object */
    bool keyed;                 /* a key was written, its value not yet */
};

void jo_object(struct json_out *o);
void jo_object_end(struct json_out *o);
void jo_array(struct json_out *o);
void jo_array_end(struct json_out *o);
void jo_key(struct json_out *o, const char *k);
void jo_string(struct json_out *o, const char *s); /* valid UTF-8, as jansson's strings */
void jo_stringn(struct json_out *o, const char *s, size_t n);
void jo_integer(struct json_out *o, long long v);
void jo_real(struct json_out *o, double v);
void jo_bool(struct json_out *o, bool v);
void jo_json(struct json_out *o, const json_t *j); /* a tree, as json_write prints it */
/* key and value; nothing (not even the key) when the value is NULL */
void jo_kv_string(struct json_out *o, const char *k, const char *s);
/* The same with a key that is a string literal needing no escape (a name
 * such as "createdAt"): its length is the compiler's and it is not looked
 * at again (an answer writes ~20 such members). */
#define jo_kv_lit(o, k, s) jo_kv_known((o), "" k "", sizeof(k) - 1, (s))
void jo_kv_known(struct json_out *o, const char *k, size_t kn, const char *s);
void jo_kv_json(struct json_out *o, const char *k, const json_t *j);
/* Members already written, as in `"a":"b","c":{}` (the writer's own
 * spelling: no spaces, ASCII keys), added as they are: an answer's constant
 * part in one copy. */
void jo_members(struct json_out *o, const char *text);
/* The text (NUL-terminated, the caller's to free) and its length in *len
 * (may be NULL); NULL after an error or when nothing complete was written.
 * o is empty afterwards either way. */
char *jo_finish(struct json_out *o, size_t *len);
/* The same read back as a tree (new reference; NULL as jo_finish): where a
 * written object is also needed as JSON (a list's element, a webhook), so the
 * two cannot differ. */
json_t *jo_finish_tree(struct json_out *o);
void jo_free(struct json_out *o);

/* v in decimal, NUL-terminated, without printf; returns the length. */
#define JSON_WRITE_INT_MAX 24
size_t json_write_int(char buf[JSON_WRITE_INT_MAX], long long v);

#endif
