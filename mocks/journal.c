#include "journal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "mock.h"

/* Entries are kept by pointer in a ring of cap slots: slot (i % cap) holds
 * absolute index i for first <= i < next. Unbounded, the ring doubles when
 * full (re-laid out in order); bounded, it doubles up to max and then
 * overwrites the oldest, so a long-lived server holds at most max entries. */
struct journal {
    struct journal_entry **v;
    size_t cap;
    size_t first, next; /* absolute indices */
    size_t max;         /* 0: unbounded */
    size_t cleared;     /* entries let go of by journal_clear */
    pthread_cond_t *notify;
};

int journal_create_sized(struct journal **out, size_t max_entries)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return -1;
    (*out)->max = max_entries;
    return 0;
}

int journal_create(struct journal **out)
{
    return journal_create_sized(out, 0);
}

void journal_entry_free(struct journal_entry *e)
{
    if (!e)
        return;
    /* path, headers and body live in e's own block (journal_entry_new) */
    json_decref(e->json);
    free(e->answer);
    free(e);
}

void journal_destroy(struct journal *j)
{
    if (!j)
        return;
    for (size_t i = j->first; i < j->next; i++)
        journal_entry_free(j->v[i % j->cap]);
    free(j->v);
    free(j);
}

json_t *journal_parse(const char *body, size_t body_len, json_error_t *err)
{
    if (!body || !body_len) {
        if (err)
            memset(err, 0, sizeof *err);
        return NULL;
    }
    return json_depth_loadb(body, body_len, 0, err); /* refused above 64 levels */
}

/* Room for one more entry: grow (in order) while below the bound. */
static int make_room(struct journal *j)
{
    size_t kept = j->next - j->first;
    if (kept < j->cap || (j->max && j->cap >= j->max))
        return 0;
    size_t cap = j->cap ? j->cap * 2 : 16;
    if (j->max && cap > j->max)
        cap = j->max;
    struct journal_entry **nv = malloc(cap * sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = j->first; i < j->next; i++)
        nv[i % cap] = j->v[i % j->cap];
    free(j->v);
    j->v = nv;
    j->cap = cap;
    return 0;
}

/* src into dst[cap], cut to fit, NUL-terminated (snprintf's "%s" without
 * its cost: every request makes an entry). */
static void copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

struct journal_entry *journal_entry_new(const char *mock, const char *method, const char *path,
                                        const char *headers, size_t headers_len, const char *body,
                                        size_t body_len, const json_t *json)
{
    /* one block: the entry, then its path, its headers and its body (one
     * malloc and one free a request) */
    size_t plen = strlen(path);
    if (!headers)
        headers_len = 0;
    struct journal_entry *e = malloc(sizeof *e + plen + 1 + headers_len + body_len + 1);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    copy_name(e->mock, sizeof e->mock, mock);
    copy_name(e->method, sizeof e->method, method);
    e->path = (char *)(e + 1);
    memcpy(e->path, path, plen + 1);
    e->headers = e->path + plen + 1;
    e->headers_len = headers_len;
    if (headers_len)
        memcpy(e->headers, headers, headers_len);
    e->body = e->headers + headers_len;
    if (body_len)
        memcpy(e->body, body, body_len);
    e->body[body_len] = '\0';
    e->body_len = body_len;
    /* the caller's tree, not copied: nobody changes a body after it was parsed */
    e->json = json ? json_incref((json_t *)json) : NULL;
    e->json_read = json != NULL;
    return e;
}

json_t *journal_entry_body(const struct journal_entry *e)
{
    if (!e->json_read) {
        /* the entry's cache, not its meaning: written under the lock every
         * reader holds */
        struct journal_entry *m = (struct journal_entry *)e;
        m->json = journal_parse(e->body, e->body_len, NULL);
        m->json_read = true;
    }
    return e->json ? json_incref(e->json) : NULL;
}

long journal_push(struct journal *j, struct journal_entry *e, int64_t at,
                  struct journal_entry **dropped)
{
    *dropped = NULL;
    if (!e || make_room(j) != 0) {
        *dropped = e;
        return -1;
    }
    e->at = at;
    if (j->next - j->first == j->cap) { /* full at the bound: drop the oldest */
        *dropped = j->v[j->first % j->cap];
        j->first++;
    }
    j->v[j->next % j->cap] = e;
    if (j->notify)
        pthread_cond_broadcast(j->notify);
    return (long)j->next++;
}

long journal_add_parsed(struct journal *j, const char *mock, const char *method, const char *path,
                        const json_t *headers, const char *body, size_t body_len,
                        const json_t *json, int64_t at)
{
    struct journal_entry *dropped;
    size_t hl = 0;
    char *packed = headers ? mock_headers_pack_json(headers, &hl) : NULL;
    long i = journal_push(
        j, journal_entry_new(mock, method, path, packed, hl, body, body_len, json), at, &dropped);
    free(packed);
    journal_entry_free(dropped);
    return i;
}

long journal_add(struct journal *j, const char *mock, const char *method, const char *path,
                 const json_t *headers, const char *body, size_t body_len, int64_t at)
{
    json_t *json = journal_parse(body, body_len, NULL);
    long i = journal_add_parsed(j, mock, method, path, headers, body, body_len, json, at);
    json_decref(json);
    return i;
}

static struct journal_entry *slot(const struct journal *j, long index)
{
    if (index < 0 || (size_t)index < j->first || (size_t)index >= j->next)
        return NULL;
    return j->v[(size_t)index % j->cap];
}

void journal_set_status(struct journal *j, long index, int status)
{
    struct journal_entry *e = slot(j, index);
    if (e)
        e->status = status;
    if (e && j->notify)
        pthread_cond_broadcast(j->notify);
}

void journal_set_answer(struct journal *j, long index, const char *body)
{
    struct journal_entry *e = slot(j, index);
    if (e && body) {
        free(e->answer);
        e->answer = strdup(body);
    }
}

size_t journal_count(const struct journal *j)
{
    return j->next;
}

size_t journal_first(const struct journal *j)
{
    return j->first;
}

size_t journal_max(const struct journal *j)
{
    return j->max;
}

const struct journal_entry *journal_at(const struct journal *j, size_t i)
{
    return i > (size_t)LONG_MAX ? NULL : slot(j, (long)i);
}

size_t journal_clear(struct journal *j)
{
    size_t n = j->next - j->first;
    for (size_t i = j->first; i < j->next; i++)
        journal_entry_free(j->v[i % j->cap]);
    j->first = j->next;
    j->cleared += n;
    return n;
}

size_t journal_cleared(const struct journal *j)
{
    return j->cleared;
}

void journal_set_notify(struct journal *j, pthread_cond_t *cv)
{
    j->notify = cv;
}
