/* A request's headers packed in one block (mock.h): what a mock reads with
 * mock_header and what the journal keeps, without a jansson object a request
 * (an object, its buckets and a string pair per header: ~700 bytes a
 * journal entry, and ~3,500 instructions, docs/benchmarks.md run 8). */
#include "mock.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *mock_header_in(const char *headers, size_t len, const char *name)
{
    const char *found = NULL;
    for (const char *p = headers, *end = headers ? headers + len : NULL; p && p < end;) {
        const char *value = p + strlen(p) + 1;
        if (strcasecmp(p, name) == 0)
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

char *mock_headers_pack(const char *const *names, const char *const *values, size_t n, size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + 1 + strlen(values[i]) + 1;
    char *block = malloc(total ? total : 1), *p = block;
    if (!block) {
        *len = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        for (const char *q = names[i]; *q; q++)
            *p++ = (char)tolower((unsigned char)*q);
        *p++ = '\0';
        size_t vl = strlen(values[i]) + 1;
        memcpy(p, values[i], vl);
        p += vl;
    }
    *len = total;
    return block;
}

char *mock_headers_pack_json(const json_t *object, size_t *len)
{
    size_t n = json_object_size(object), i = 0;
    const char **names = calloc(n ? n : 1, sizeof *names);
    const char **values = calloc(n ? n : 1, sizeof *values);
    char *block = NULL;
    *len = 0;
    if (names && values) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)object, k, v)
        {
            if (json_is_string(v)) {
                names[i] = k;
                values[i++] = json_string_value(v);
            }
        }
        block = mock_headers_pack(names, values, i, len);
    }
    free(names);
    free(values);
    return block;
}
