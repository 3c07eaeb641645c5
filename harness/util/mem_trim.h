/* mem_trim: hand the free pages the allocator holds back to the system, with
 * whichever allocator the binary was linked with: jemalloc's purge of every
 * arena (the dialsim binary, docs/decisions.md#allocator), else glibc's
 * malloc_trim (the tests and the sanitizer builds). For after a burst: a
 * parsed document dropped, a backlog drained. */
#ifndef DIALSIM_MEM_TRIM_H
#define DIALSIM_MEM_TRIM_H

void mem_trim(void);

/* What the calling thread holds for itself, back: its allocator cache
 * (jemalloc's thread.tcache.flush; nothing under glibc's malloc) and the
 * pages of its stack below the caller's frame (madvise MADV_DONTNEED: they
 * hold nothing live, and read back as zeros when touched again). For a
 * server worker between connections (CivetWeb's connection_close): a pool of
 * 256 workers a port otherwise keeps, each, the deepest stack and the fullest
 * cache any request ever gave it, and RSS grows until every worker has served
 * once (docs/decisions.md#worker-trim). A syscall and a flush: per
 * connection, not per request. */
void mem_trim_thread(void);

#endif
