#include "util/query.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>

int query_each(const char *query, bool plus_is_space,
               int (*fn)(void *ctx, const char *name, const char *value, char *err, size_t n),
               void *ctx, char *err, size_t n)
{
    const char *p = query ? query : "";
    while (*p) {
        const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char name[QUERY_NAME_MAX], val[QUERY_VALUE_MAX];
        if (end == p) {
            p = amp ? amp + 1 : end;
            continue;
        }
        int form = plus_is_space ? 1 : 0;
        if (mg_url_decode(p, (int)((eq ? eq : end) - p), name, (int)sizeof name, form) < 0 ||
            mg_url_decode(eq ? eq + 1 : end, eq ? (int)(end - eq - 1) : 0, val, (int)sizeof val,
                          form) < 0) {
            snprintf(err, n,
                     "a query parameter is too long (names up to %d bytes, values up to %d)",
                     QUERY_NAME_MAX - 1, QUERY_VALUE_MAX - 1);
            return -1;
        }
        if (!eq) {
            snprintf(err, n, "%s: expected %s=<value>", name, name);
            return -1;
        }
        int rc = fn(ctx, name, val, err, n);
        if (rc != 0)
            return rc;
        p = amp ? amp + 1 : end;
    }
    return 0;
}
