#include "util/mem_trim.h"

#include <malloc.h>
#include <stddef.h>

/* jemalloc's control entry point when the binary links it (weak: NULL when
 * not), and its name for "every arena" (MALLCTL_ARENAS_ALL). */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));
#define ARENAS_ALL "4096"

void mem_trim(void)
{
    if (mallctl && mallctl("arena." ARENAS_ALL ".purge", NULL, NULL, NULL, 0) == 0)
        return;
    malloc_trim(0);
}
