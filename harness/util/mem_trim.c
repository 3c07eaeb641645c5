#define _GNU_SOURCE /* pthread_getattr_np */
#include "util/mem_trim.h"

#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* Below the caller's frame, this much is left alone: the rest of this
 * function's frame and the frame of the madvise call (its return address
 * must survive it), a few hundred bytes; what runs deeper later finds zeroed
 * pages, which is all a stack below its pointer ever promises. */
#define STACK_KEEP 2048

void mem_trim_thread(void)
{
    if (mallctl)
        mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    void *base = NULL;
    size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &base, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || !base)
        return;
    volatile char here = 0; /* an address in this function's frame */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)base + page - 1) & ~(page - 1);
    uintptr_t sp = (uintptr_t)&here;
    if (sp < lo + STACK_KEEP || sp > (uintptr_t)base + size)
        return; /* not on this stack (a signal stack?), or too little of it */
    uintptr_t hi = (sp - STACK_KEEP) & ~(page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}
