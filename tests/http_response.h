/* Helpers for the provider-adapter tests (core/provider.h), shared by
 * test_provider_vapi.c, test_provider_retell.c and test_provider_elevenlabs.c:
 * answers crafted by hand, a look into a built request, and parse_start /
 * parse_get run on a crafted answer. The adapters are pure: no HTTP. */
#ifndef DIALSIM_TEST_HTTP_RESPONSE_H
#define DIALSIM_TEST_HTTP_RESPONSE_H

#include <string.h>

#include "core/provider.h"

/* A received answer: status and body (borrowed, NUL-terminated), 120 ms. */
static inline struct ds_http_response http_response(long status, const char *body)
{
    struct ds_http_response r;
    memset(&r, 0, sizeof r);
    r.outcome = DS_HTTP_RESPONSE;
    r.status = status;
    r.body = (char *)body;
    r.body_len = strlen(body);
    r.elapsed_ms = 120;
    return r;
}

/* The value of header name (exact case) in a built request; NULL when absent. */
static inline const char *req_header_value(const struct provider_req *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* p->parse_start on http_response(status, body); the result starts as 0xAB
 * bytes, so parse_start must set every field it reports. */
static inline struct provider_start_result provider_parse_start(const struct provider_ops *p,
                                                                long status, const char *body)
{
    struct ds_http_response r = http_response(status, body);
    struct provider_start_result out;
    memset(&out, 0xAB, sizeof out);
    p->parse_start(&r, &out);
    return out;
}

/* p->parse_get on http_response(status, body); the state starts as 0xAB bytes. */
static inline struct provider_call_state provider_parse_get(const struct provider_ops *p,
                                                            long status, const char *body)
{
    struct ds_http_response r = http_response(status, body);
    struct provider_call_state st;
    memset(&st, 0xAB, sizeof st);
    p->parse_get(&r, &st);
    return st;
}

#endif
