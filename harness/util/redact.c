/* Masking secrets for display (redact.h). */
#include "util/redact.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REDACT_KEEP 4     /* trailing characters shown */
#define REDACT_MIN_LEN 12 /* shorter values show nothing */
#define REDACT_MAX_DEPTH 64

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return false;
}

static bool ends_nocase(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

bool redact_header_name(const char *name)
{
    static const char *const exact[] = {"authorization", "proxy-authorization", "cookie",
                                        "set-cookie", NULL};
    static const char *const part[] = {"api-key", "apikey",   "api_key", "secret",
                                       "token",   "password", NULL};
    if (!name)
        return false;
    for (const char *const *e = exact; *e; e++)
        if (!strcasecmp(name, *e))
            return true;
    for (const char *const *p = part; *p; p++)
        if (contains_nocase(name, *p))
            return true;
    return false;
}

bool redact_key_name(const char *key)
{
    static const char *const part[] = {"secret", "password", "api_key", "apikey", "api-key", NULL};
    if (!key)
        return false;
    for (const char *const *p = part; *p; p++)
        if (contains_nocase(key, *p))
            return true;
    return ends_nocase(key, "token");
}

void redact_value(const char *value, bool scheme, char *out, size_t n)
{
    if (!n)
        return;
    const char *v = value ? value : "";
    /* "Bearer xyz": the scheme is not the secret */
    size_t w = 0;
    while (scheme && isalpha((unsigned char)v[w]))
        w++;
    size_t skip = 0;
    if (w > 0 && w < 16 && v[w] == ' ') {
        skip = w;
        while (v[skip] == ' ')
            skip++;
    }
    const char *secret = v + skip;
    size_t len = strlen(secret);
    if (len >= REDACT_MIN_LEN)
        snprintf(out, n, "%.*s***%s", (int)skip, v, secret + len - REDACT_KEEP);
    else
        snprintf(out, n, "%.*s***", (int)skip, v);
}

static json_t *masked_string(const char *s, bool scheme)
{
    char buf[64];
    redact_value(s, scheme, buf, sizeof buf);
    return json_string(buf);
}

static bool has_scheme(const char *name)
{
    return !strcasecmp(name, "authorization") || !strcasecmp(name, "proxy-authorization");
}

json_t *redact_headers(const json_t *headers)
{
    if (!headers)
        return NULL;
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)headers, k, v)
    {
        if (redact_header_name(k) && json_is_string(v))
            json_object_set_new(out, k, masked_string(json_string_value(v), has_scheme(k)));
        else
            json_object_set(out, k, v);
    }
    return out;
}

static json_t *copy(const json_t *v, int depth)
{
    if (depth > REDACT_MAX_DEPTH)
        return json_string("*** (nested too deep to show)");
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            if (json_is_string(x) && redact_key_name(k))
                json_object_set_new(out, k, masked_string(json_string_value(x), false));
            else
                json_object_set_new(out, k, copy(x, depth + 1));
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(out, copy(x, depth + 1));
        return out;
    }
    return json_incref((json_t *)v); /* scalars are immutable here */
}

json_t *redact_json(const json_t *v)
{
    return v ? copy(v, 0) : NULL;
}
