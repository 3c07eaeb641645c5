#include "util/str_block.h"

#include <stdlib.h>
#include <string.h>

void *str_block_new(size_t head_size, size_t n, const char *const *src, const size_t *offset)
{
    size_t total = head_size, lens[STR_BLOCK_MAX];
    if (n > STR_BLOCK_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++)
        total += lens[i] = src[i] ? strlen(src[i]) + 1 : 0;
    char *block = calloc(1, total);
    if (!block)
        return NULL;
    char *at = block + head_size;
    for (size_t i = 0; i < n; i++) {
        if (!src[i])
            continue; /* the member stays NULL (calloc) */
        memcpy(at, src[i], lens[i]);
        memcpy(block + offset[i], &at, sizeof at);
        at += lens[i];
    }
    return block;
}
