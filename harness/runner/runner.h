/* `dialsim run PATH...`: find the scenarios, load them all (any unusable one
 * stops everything with exit 2 before anything runs), replay them on -j
 * workers, print one line per scenario in path order and a summary. */
#ifndef DIALSIM_RUNNER_H
#define DIALSIM_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

struct run_options {
    int jobs;             /* worker threads, >= 1 */
    const char *junit;    /* JUnit XML path or NULL */
    bool verbose;         /* every run's outcome and event log */
    int shard_k, shard_n; /* run only shard k of n (1-based); n = 0: all */
    bool timing;          /* wall-time figures on stderr (stdout stays deterministic) */
    bool json;            /* --format json: one JSON document on stdout instead of the text */
    const char *html;     /* --report FILE.html, or NULL */
};

/* Returns the exit code: 0 all expectations hold, 1 some failed, 2 unusable
 * input (or the harness could not run). */
int runner_main(const char *const *paths, size_t n, const struct run_options *o);

/* Collect the .json files under each path (files as given, folders
 * recursively), sorted by path. *out is a malloc'd array of malloc'd strings.
 * Returns 0, or -1 with err. */
int runner_collect(const char *const *paths, size_t n, char ***out, size_t *count, char *err,
                   size_t errn);

/* The stable shard (1..n) a scenario path belongs to. */
int runner_shard_of(const char *path, int n);

#endif
