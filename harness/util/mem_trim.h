/* mem_trim: hand the free pages the allocator holds back to the system, with
 * whichever allocator the binary was linked with: jemalloc's purge of every
 * arena (the dialsim binary, docs/decisions.md#allocator), else glibc's
 * malloc_trim (the tests and the sanitizer builds). For after a burst: a
 * parsed document dropped, a backlog drained. */
#ifndef DIALSIM_MEM_TRIM_H
#define DIALSIM_MEM_TRIM_H

void mem_trim(void);

#endif
