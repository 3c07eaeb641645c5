/* The request journal: every request a mock received, with the virtual time it
 * arrived, so that scenarios can check what was sent (method, path, headers,
 * body) and how often. */
#ifndef DIALSIM_JOURNAL_H
#define DIALSIM_JOURNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct journal_entry {
    char *mock; /* "vapi", "pstn", "none" */
    char *method;
    char *path;
    json_t *headers; /* object, names lower-cased; owned */
    char *body;
    json_t *json; /* body parsed, or NULL when not JSON; owned */
    int64_t at;
    int status;   /* the answer's status */
    char *answer; /* the answer's body when the sender kept it; owned, may be NULL */
};

struct journal;

int journal_create(struct journal **out);
void journal_destroy(struct journal *j);
/* Record a request; strings and headers are copied. Returns the entry index or -1. */
long journal_add(struct journal *j, const char *mock, const char *method, const char *path,
                 const json_t *headers, const char *body, size_t body_len, int64_t at);
void journal_set_status(struct journal *j, long index, int status);
/* Keep the answer's body (copied). */
void journal_set_answer(struct journal *j, long index, const char *body);
size_t journal_count(const struct journal *j);
const struct journal_entry *journal_at(const struct journal *j, size_t i);

#endif
