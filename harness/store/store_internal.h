/* Shared by store.c and store_config.c; not part of the store's API. */
#ifndef DIALSIM_STORE_INTERNAL_H
#define DIALSIM_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <sqlite3.h>

#include "store/store.h"

/* One store_put_calls waiting for its commit (group commit, below). */
struct put_req {
    struct put_req *next;
    const char *project;
    const struct tx_call *calls;
    size_t n;
    int64_t received;
    enum store_put_result *res;
    int rc;
    bool done;
};

struct store {
    sqlite3 *db;
    pthread_mutex_t mu;                /* one statement sequence at a time on db */
    unsigned long fail_at, stmt_count; /* the fault-injection seam */
    char last_error[256];
    /* group commit: puts waiting for the next transaction */
    pthread_mutex_t gmu;
    pthread_cond_t gcv;
    struct put_req *queue, *queue_tail;
    bool committing; /* a thread is writing a batch now */
};

/* Statements through the fault-injection seam (store.c). */
int store_st_exec(struct store *s, const char *sql);
int store_st_prepare(struct store *s, const char *sql, sqlite3_stmt **st);
/* SQLITE_ROW, SQLITE_DONE, or a negative STORE_ error. */
int store_st_step(struct store *s, sqlite3_stmt *st);
/* Undo an open transaction (never injected). */
void store_rollback(struct store *s);
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* The next row of l, zeroed and counted (l->n), growing l (*cap its room);
 * NULL when out of memory. */
struct store_call *store_calls_grow(struct store_calls *l, size_t *cap);
/* A copy of column i's text (NULL for NULL; *oom set when the copy failed). */
char *store_col_dup(sqlite3_stmt *st, int i, bool *oom);

#endif
