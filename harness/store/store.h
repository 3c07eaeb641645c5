/* Durable storage of accepted transcripts (CI-1, CI-9), in SQLite.
 *
 * A request's calls are committed in one transaction before store_put_calls
 * returns: the HTTP server acknowledges (200) only after a successful return,
 * and what it acknowledged survives kill -9 and power loss (WAL,
 * synchronous=FULL). A failed put writes nothing. Re-sending a call id already
 * stored for the project stores nothing and reports STORE_PUT_DUPLICATE (CI-9).
 * Puts made at the same moment by several threads share one transaction and
 * one fsync (group commit): they commit, or fail, together.
 *
 * Threads: a struct store is one SQLite connection behind a mutex; any number
 * of threads may share it (SQLite takes one writer at a time anyway). Several
 * stores (connections, processes) on one file also work: writes take the lock
 * up front (BEGIN IMMEDIATE) and wait up to busy_timeout_ms for it.
 *
 * Ownership: arguments are borrowed for the duration of a call. Rows returned
 * (struct store_call, struct store_calls) are owned by the caller and freed
 * with store_call_free / store_calls_clear. docs/transcripts.md has the schema.
 */
#ifndef DIALSIM_STORE_H
#define DIALSIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/transcript.h"

/* X(code, value, name, sentence) — every function returns one of these. */
#define STORE_ERR_MAP(X)                                                                           \
    X(OK, 0, "ok", "no error")                                                                     \
    X(IO, -1, "io", "the database could not be read or written")                                   \
    X(NOMEM, -2, "nomem", "out of memory")                                                         \
    X(BUSY, -3, "busy", "the database stayed locked by another connection")                        \
    X(SCHEMA, -4, "schema", "the database was written by a newer dialsim")                         \
    X(INVALID, -5, "invalid", "an argument is missing or invalid")

enum store_err {
#define X(code, value, name, sentence) STORE_##code = value,
    STORE_ERR_MAP(X)
#undef X
};

const char *store_err_name(int err);     /* "busy"; static */
const char *store_err_sentence(int err); /* static */

/* What happened to one call of a put (only meaningful when the put returned
 * STORE_OK). */
enum store_put_result {
    STORE_PUT_STORED = 0, /* new: written now */
    STORE_PUT_DUPLICATE,  /* CI-9: this id was already stored, same content */
    STORE_PUT_CONFLICT,   /* CI-9: already stored with other content; the first write stays */
};

const char *store_put_result_name(enum store_put_result r); /* "duplicate"; static */

struct store_options {
    int busy_timeout_ms; /* 0: 5000 */
    /* Test seam, as store_fail_after: the Nth SQLite statement of the store's
     * life (counting from 1, migrations included) and every one after it fails.
     * 0: off. */
    unsigned long fail_at;
};

struct store;

/* Open (creating if needed) the database at path, or ":memory:", and bring its
 * schema up to date (one transaction; see docs/transcripts.md). opt may be
 * NULL. On failure *out is NULL and, when err is not NULL, err holds why. */
int store_open(struct store **out, const char *path, const struct store_options *opt, char *err,
               size_t err_len);
/* Close; NULL is fine. No other thread may be using the store. */
void store_close(struct store *s);

/* The schema version of an open store (PRAGMA user_version). */
int store_schema_version(struct store *s, int *out);
/* The schema version this build creates. */
int store_schema_latest(void);

/* Store the n calls of one validated request (tx_validate, status 200) for
 * project, received at received_at_ms (the caller's clock). One transaction:
 * on STORE_OK every call is stored or was already there, and results[i] says
 * which (results may be NULL); on an error nothing was written. */
int store_put_calls(struct store *s, const char *project, const struct tx_call *calls, size_t n,
                    int64_t received_at_ms, enum store_put_result *results);

/* One stored call. Strings are owned; the optional ones are NULL when absent. */
struct store_call {
    char *project;
    char *call_id;
    char *run_id;
    bool has_agent_id;
    int64_t agent_id;
    char *to_phone_number;
    char *from_phone_number;
    int64_t started_at_ms, ended_at_ms, received_at_ms;
    char *ended_reason;
    char *payload; /* the call object as received (compact JSON) */
};

struct store_calls {
    struct store_call *v;
    size_t n;
};

/* *out is the stored call, or NULL when the project has no call with that id. */
int store_get_call(struct store *s, const char *project, const char *call_id,
                   struct store_call **out);
void store_call_free(struct store_call *c);

/* How many calls are stored for project (NULL: for every project). */
int store_count(struct store *s, const char *project, int64_t *out);
/* The calls with this run_id / to_phone_number (CI-7 matching), for project
 * (NULL: every project), in the order they were received. On error *out is
 * empty. */
int store_list_by_run(struct store *s, const char *project, const char *run_id,
                      struct store_calls *out);
int store_list_by_to_number(struct store *s, const char *project, const char *to_phone_number,
                            struct store_calls *out);
/* Free the rows and empty the list; an empty list is fine. */
void store_calls_clear(struct store_calls *l);

/* ---- config: the objects of `dialsim serve` (projects, agents, evaluators)
 * kind names the table of objects ("project", ...), id the object in it. */

/* Store json_body (a JSON text) as the object (kind, id), replacing what was
 * stored for it; committed (fsync'ed) before the return. STORE_INVALID when
 * an argument is missing or json_body is not JSON. */
int store_config_put(struct store *s, const char *kind, const char *id, const char *json_body,
                     int64_t now_ms);
/* n objects of one kind in one transaction (one fsync): all or none. */
int store_config_put_many(struct store *s, const char *kind, size_t n, const char *const *ids,
                          const char *const *bodies, int64_t now_ms);
/* cb(ctx, id, json_body) for every object of kind, in the order they were
 * first put (an update keeps the place); the strings live for the call only.
 * cb returning non-zero stops the walk (still STORE_OK). The rows are read
 * first, then cb runs without the store's lock: a read error calls cb on
 * nothing. */
int store_config_list(struct store *s, const char *kind,
                      int (*cb)(void *ctx, const char *id, const char *json_body), void *ctx);

/* A page of store_config_list: the objects after the object `after` (NULL:
 * from the first), at most limit of them (0: all), whose body has each
 * filter's value (a string) at its JSON path ("$.status"). */
#define STORE_PAGE_FILTERS 4
struct store_page {
    const char *after;
    size_t limit;
    struct {
        const char *path, *value;
    } filters[STORE_PAGE_FILTERS];
    size_t n_filters;
};
int store_config_page(struct store *s, const char *kind, const struct store_page *pg,
                      int (*cb)(void *ctx, const char *id, const char *json_body), void *ctx);

/* The object (kind, id): *json_body is a malloc'ed copy, or NULL when there
 * is none (still STORE_OK). */
int store_config_get(struct store *s, const char *kind, const char *id, char **json_body);

/* The SQLite message of the last failure on this store, copied into buf. */
const char *store_last_error(struct store *s, char *buf, size_t n);

/* Test seam (fault injection): n >= 1 makes the Nth SQLite statement from now
 * (prepare, step or exec; ROLLBACK excepted, so a failure can always be
 * undone) and every later one fail as an I/O error would; 0 switches it off. */
void store_fail_after(struct store *s, unsigned long n);

#endif
