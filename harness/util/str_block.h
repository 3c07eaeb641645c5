/* A record and its strings in one heap block: the record's head_size bytes
 * (zeroed), then a copy of each string, NUL-ended. One allocation and one
 * free for a record that would otherwise own several strdup'd strings (the
 * mocks keep a call and the PSTN's record of it for 1,000 requests: fewer
 * allocations is fewer cold frees, docs/benchmarks.md run 9). */
#ifndef DIALSIM_STR_BLOCK_H
#define DIALSIM_STR_BLOCK_H

#include <stddef.h>

/* The most strings a block holds. */
#define STR_BLOCK_MAX 8

/* n (at most STR_BLOCK_MAX) strings src[i] copied after the head; the
 * char * member at byte offset[i] of the head (offsetof) points at each copy
 * (NULL for a NULL src[i]). The block, free()d whole, or NULL. */
void *str_block_new(size_t head_size, size_t n, const char *const *src, const size_t *offset);

#endif
