/* The request journal: every request a mock received, with the virtual time it
 * arrived, so that scenarios can check what was sent (method, path, headers,
 * body) and how often.
 *
 * A ring: with a bound N (journal_create_sized) it keeps the last N entries
 * and counts what it dropped; without one (journal_create: `dialsim run`,
 * whose `expect` reads every entry) it keeps everything. Indices are absolute
 * and never reused: entry i is the i-th request ever journalled, whether or
 * not it is still kept (journal_first says which is the oldest kept).
 *
 * Ownership: the journal owns its entries; a pointer from journal_at is
 * borrowed until the next journal_add (which may drop that entry) or
 * journal_destroy. Not thread-safe: callers hold the world's mutex. */
#ifndef DIALSIM_JOURNAL_H
#define DIALSIM_JOURNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct journal_entry {
    char mock[32]; /* "vapi", "pstn", "none", "vapi-webhook" */
    char method[16];
    char *path; /* path and body: in the entry's own block, freed with it */
    char *headers; /* packed as a request's (mock.h), in the entry's block */
    size_t headers_len;
    char *body;
    size_t body_len; /* the body's bytes (it may hold a NUL) */
    /* the body parsed, or NULL: not JSON, or not parsed yet (the mocks'
     * server keeps the text only; the first journal_entry_body parses it and
     * keeps the tree, json_read says so). A reference, let go of with the
     * entry, outside the world's mutex (mock.h: nothing else holds it). Read
     * it with journal_entry_body. */
    json_t *json;
    bool json_read;
    int64_t at;
    int status;   /* the answer's status */
    char *answer; /* the answer's body when the sender kept it; owned, may be NULL */
};

struct journal;

/* Keeps every entry. */
int journal_create(struct journal **out);
/* Keeps the last max_entries (0: every entry). */
int journal_create_sized(struct journal **out, size_t max_entries);
void journal_destroy(struct journal *j);

/* The one parse of a request body: a new reference, or NULL (empty, not JSON;
 * err, when not NULL, says where). The server parses once, outside any lock,
 * and hands the same object to the journal and the handler. */
json_t *journal_parse(const char *body, size_t body_len, json_error_t *err);

/* Record a request; strings and headers (an object of strings, NULL: none)
 * are copied. The body is parsed here.
 * Returns the entry's index or -1. */
long journal_add(struct journal *j, const char *mock, const char *method, const char *path,
                 const json_t *headers, const char *body, size_t body_len, int64_t at);
/* The same with the body already parsed (json: NULL when it is not JSON;
 * a reference is taken, and let go of outside the world's mutex when the
 * entry is dropped: json must not be a node mock state holds, mock.h). */
long journal_add_parsed(struct journal *j, const char *mock, const char *method, const char *path,
                        const json_t *headers, const char *body, size_t body_len,
                        const json_t *json, int64_t at);
/* The same in two halves, so that a server does the copying and the freeing
 * outside its lock: journal_entry_new (no journal needed) makes the entry,
 * journal_push (with the lock) records it at time `at`, taking it whatever
 * happens, and hands back in *dropped the entry the ring let go of (or e
 * itself when it could not be kept), for journal_entry_free after the lock. */
struct journal_entry *journal_entry_new(const char *mock, const char *method, const char *path,
                                        const char *headers, size_t headers_len, const char *body,
                                        size_t body_len, const json_t *json);
long journal_push(struct journal *j, struct journal_entry *e, int64_t at,
                  struct journal_entry **dropped);
void journal_entry_free(struct journal_entry *e); /* NULL ok */
/* e's body as a tree: a new reference to e->json, else parsed from its text
 * (journal_parse) and kept in e for the next reader (a wait looks again at
 * every request: it parses each body once); NULL when it is not JSON. With
 * the journal's lock held, as every reading of an entry. */
json_t *journal_entry_body(const struct journal_entry *e);
/* Ignored when the entry was dropped meanwhile. */
void journal_set_status(struct journal *j, long index, int status);
/* Keep the answer's body (copied). */
void journal_set_answer(struct journal *j, long index, const char *body);
/* Entries ever journalled: the index the next one gets. */
size_t journal_count(const struct journal *j);
/* The oldest entry kept; as many were dropped. */
size_t journal_first(const struct journal *j);
/* The bound (0: none). */
size_t journal_max(const struct journal *j);
/* Entry i (absolute), or NULL when it was dropped or does not exist yet. */
const struct journal_entry *journal_at(const struct journal *j, size_t i);
/* Let go of every entry kept (DELETE /_dialsim/journal, reset): indices go on
 * from where they were, so an index seen before never names a later entry;
 * the entries cleared are not counted as dropped. Returns how many went. */
size_t journal_clear(struct journal *j);
/* Entries let go of by journal_clear (journal_first counts them too). */
size_t journal_cleared(const struct journal *j);
/* cv (borrowed; NULL: none) is broadcast on every push and status change, with
 * the caller's (the world's) mutex held: a long-poll waits on it (the admin
 * API's wait) without holding the mutex. */
void journal_set_notify(struct journal *j, pthread_cond_t *cv);

#endif
