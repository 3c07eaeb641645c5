/* A URL query string, parameter by parameter: the one walk behind the routes
 * that refuse an unknown parameter instead of ignoring it (the mocks'
 * journal filters, serve's GET /runs). CivetWeb's mg_get_var looks one name
 * up; it cannot say which names are there. */
#ifndef DIALSIM_UTIL_QUERY_H
#define DIALSIM_UTIL_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#define QUERY_NAME_MAX 256
#define QUERY_VALUE_MAX 1024

/* fn(ctx, name, value, err, n) for each parameter of query (no '?'; NULL is
 * empty), both percent-decoded ('+' a space when plus_is_space, else kept:
 * phone numbers); an empty parameter ("a=1&&b=2") is skipped. Returns 0,
 * fn's non-zero return (it says why in err), or -1 with err saying why for
 * a parameter without '=' or longer than QUERY_NAME_MAX / QUERY_VALUE_MAX
 * bytes with its NUL. */
int query_each(const char *query, bool plus_is_space,
               int (*fn)(void *ctx, const char *name, const char *value, char *err, size_t n),
               void *ctx, char *err, size_t n);

#endif
