#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"

struct journal {
    struct journal_entry *v;
    size_t n, cap;
};

int journal_create(struct journal **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

void journal_destroy(struct journal *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        struct journal_entry *e = &j->v[i];
        free(e->mock);
        free(e->method);
        free(e->path);
        free(e->body);
        json_decref(e->headers);
        json_decref(e->json);
        free(e->answer);
    }
    free(j->v);
    free(j);
}

long journal_add(struct journal *j, const char *mock, const char *method, const char *path,
                 const json_t *headers, const char *body, size_t body_len, int64_t at)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        struct journal_entry *nv = realloc(j->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        j->v = nv;
        j->cap = cap;
    }
    struct journal_entry *e = &j->v[j->n];
    memset(e, 0, sizeof *e);
    e->mock = strdup(mock);
    e->method = strdup(method);
    e->path = strdup(path);
    e->headers = headers ? json_deep_copy(headers) : json_object();
    e->body = malloc(body_len + 1);
    if (e->body) {
        if (body_len)
            memcpy(e->body, body, body_len);
        e->body[body_len] = '\0';
        e->json = body_len ? json_depth_loadb(body, body_len, 0, NULL) : NULL;
    }
    e->at = at;
    return (long)j->n++;
}

void journal_set_status(struct journal *j, long index, int status)
{
    if (index >= 0 && (size_t)index < j->n)
        j->v[index].status = status;
}

void journal_set_answer(struct journal *j, long index, const char *body)
{
    if (index >= 0 && (size_t)index < j->n && body) {
        free(j->v[index].answer);
        j->v[index].answer = strdup(body);
    }
}

size_t journal_count(const struct journal *j)
{
    return j->n;
}

const struct journal_entry *journal_at(const struct journal *j, size_t i)
{
    return i < j->n ? &j->v[i] : NULL;
}
