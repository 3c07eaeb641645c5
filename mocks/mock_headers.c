/* A request's headers packed in one block (mock.h): what a mock reads with
 * mock_header and what the journal keeps, without a jansson object a request
 * (an object, its buckets and a string pair per header: ~700 bytes a
 * journal entry, and ~3,500 instructions, docs/benchmarks.md run 8). */
#include "mock.h"

#include <stdlib.h>
#include <string.h>

const char *mock_header_in(const char *headers, size_t len, const char *name)
{
    const char *found = NULL;
    for (const char *p = headers, *end = headers ? headers + len : NULL; p && p < end;) {
        const char *value = p + strlen(p) + 1;
        /* the first letter first (a packed name is in lower case) */
        if ((*p | 0x20) == (*name | 0x20) && strcasecmp(p, name) == 0)
            found = value; /* the last of the same name, as a JSON object kept it */
        p = value + strlen(value) + 1;
    }
    return found;
}

const char *mock_header(const struct mock_request *rq, const char *name)
{
    return mock_header_in(rq->headers, rq->headers_len, name);
}

json_t *mock_headers_json(const char *headers, size_t len)
{
    json_t *o = json_object();
    for (const char *p = headers, *end = headers ? headers + len : NULL; p && p < end;) {
        const char *value = p + strlen(p) + 1;
        json_t *v = json_string(value); /* NULL: not UTF-8, left out */
        if (v)
            json_object_set_new(o, p, v);
        p = value + strlen(value) + 1;
    }
    return o;
}

/* One header at p (name lower-cased, then value, each NUL-ended) when p is
 * not NULL; its size either way. */
/* name (nl bytes with its NUL) in lower case, then value (vl bytes) */
static size_t put_header_n(char *p, const char *name, size_t nl, const char *value, size_t vl)
{
    if (p) {
        for (size_t i = 0; i < nl; i++) /* ASCII, as tolower in the C locale */
            p[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + ('a' - 'A') : name[i]);
        memcpy(p + nl, value, vl);
    }
    return nl + vl;
}

static size_t put_header(char *p, const char *name, const char *value)
{
    return put_header_n(p, name, strlen(name) + 1, value, strlen(value) + 1);
}

/* A block of total bytes (at least one: malloc(0) may answer NULL). */
static char *block_of(size_t total, size_t *len)
{
    char *b = malloc(total ? total : 1);
    *len = b ? total : 0;
    return b;
}

char *mock_headers_pack(const char *const *names, const char *const *values, size_t n, size_t *len)
{
    /* each length measured once for a request's headers (CivetWeb keeps 64) */
    enum { KEPT = 64 };
    size_t nl[KEPT], vl[KEPT], total = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < KEPT) {
            nl[i] = strlen(names[i]) + 1;
            vl[i] = strlen(values[i]) + 1;
            total += nl[i] + vl[i];
        } else {
            total += put_header(NULL, names[i], values[i]);
        }
    }
    char *block = block_of(total, len), *p = block;
    for (size_t i = 0; block && i < n; i++)
        p += i < KEPT ? put_header_n(p, names[i], nl[i], values[i], vl[i])
                      : put_header(p, names[i], values[i]);
    return block;
}

char *mock_headers_pack_json(const json_t *object, size_t *len)
{
    /* string values only; the others are left out */
    const char *k;
    json_t *v;
    size_t total = 0;
    json_object_foreach((json_t *)object, k, v)
    {
        if (json_is_string(v))
            total += put_header(NULL, k, json_string_value(v));
    }
    char *block = block_of(total, len), *p = block;
    json_object_foreach((json_t *)object, k, v)
    {
        if (block && json_is_string(v))
            p += put_header(p, k, json_string_value(v));
    }
    return block;
}
