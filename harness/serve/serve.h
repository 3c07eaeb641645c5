/* dialsim serve: the orchestration core behind a real HTTP API, in real time.
 *
 * One process: a CivetWeb server (plain HTTP, loopback by default), the core
 * on the real clock (sim/clock_real.h: one core lock shared by the timer
 * thread and every request handler), libcurl towards the voice providers, and
 * the SQLite store for transcripts (store/store.h, a file by default).
 * docs/api.md lists every route; docs/openapi.json describes them.
 *
 * Ownership: options are borrowed for the duration of serve_create; the
 * server owns everything it creates and frees it in serve_destroy.
 */
#ifndef DIALSIM_SERVE_H
#define DIALSIM_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SERVE_DEFAULT_DB "dialsim.db"
#define SERVE_DEFAULT_HOST "127.0.0.1"
/* Workers of each server (API, mocks). A worker serves one connection at a
 * time, idle keep-alive ones included, so this is also how many slow clients
 * can hold a worker before a health check waits (docs/api.md#limits). */
#define SERVE_DEFAULT_THREADS 256
/* What the mocks keep (docs/mocks.md, docs/decisions.md): the last
 * journal entries, and the last ended calls of each provider account. */
#define SERVE_DEFAULT_JOURNAL_SIZE 1000
#define SERVE_DEFAULT_MAX_ENDED_CALLS 1000
/* Final runs the core keeps in memory; older ones are read back from the
 * database file (docs/api.md#runs). */
#define SERVE_DEFAULT_MAX_FINAL_RUNS 1000
/* --time-scale's bounds (docs/mocks.md#time-scale) */
#define SERVE_TIME_SCALE_MIN 0.0001
#define SERVE_TIME_SCALE_MAX 100.0

struct serve_options {
    const char *config_path; /* JSON config (docs/api.md); NULL: no projects yet */
    const char *db_path;     /* SQLite file or ":memory:"; NULL: SERVE_DEFAULT_DB */
    const char *host;        /* address to bind; NULL: SERVE_DEFAULT_HOST */
    int port;                /* 0: any free port (serve_port says which) */
    int threads;             /* CivetWeb workers = concurrent connections; 0: default */
    FILE *log;               /* one line per request; NULL: stderr */
    bool quiet;              /* no request log */
    int mock_port;           /* the mocks' port when the config has "mocks"; 0: any free one */
    int mock_threads;        /* the mocks' CivetWeb workers; 0: SERVE_DEFAULT_THREADS */
    /* The management routes and the mocks' /_dialsim/ routes then need
     * "Authorization: Bearer TOKEN"; NULL: open (loopback only). Copied. */
    const char *admin_token;
    int journal_size;    /* mocks' journal entries kept; 0: SERVE_DEFAULT_JOURNAL_SIZE */
    int max_ended_calls; /* ended calls kept per provider; 0: SERVE_DEFAULT_MAX_ENDED_CALLS */
    int max_final_runs;  /* final runs kept in memory; 0: SERVE_DEFAULT_MAX_FINAL_RUNS */
    double time_scale;   /* the clock runs 1/time_scale times as fast; 0: 1 (the wall clock) */
};

struct serve;

/* Load the config, open the store, start the clock and the server. On
 * failure *out is NULL and err says why (config errors name file and path;
 * a host beyond loopback without an admin token is refused). */
int serve_create(struct serve **out, const struct serve_options *o, char *err, size_t n);
/* The port the server listens on. */
int serve_port(const struct serve *s);
/* The provider mocks' base URL ("http://127.0.0.1:PORT") when the config has
 * "mocks" (docs/mocks.md), else NULL. */
const char *serve_mocks_url(const struct serve *s);
/* Stop accepting, let requests in flight finish, stop the clock, free the
 * core, close the store. NULL is fine. */
void serve_destroy(struct serve *s);

#endif
