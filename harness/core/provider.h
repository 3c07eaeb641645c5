/* Provider adapters: how the core asks a voice provider to place a call and
 * how it reads the answer. Adapters are pure: they build requests and classify
 * answers; the core sends them through its ds_http seam. One table per
 * provider; AO-1 (place the call), AO-4 (refusals map to reason codes). */
#ifndef DIALSIM_PROVIDER_H
#define DIALSIM_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ports.h"
#include "core/reason.h"

#define PROVIDER_MAX_HEADERS 4

/* A request ready to send; owns its strings. Free with provider_req_clear. */
struct provider_req {
    char *method;
    char *url;
    char *body;
    struct ds_header headers[PROVIDER_MAX_HEADERS];
    char *header_values[PROVIDER_MAX_HEADERS];
    size_t n_headers;
};

struct provider_call_spec {
    const char *base_url;
    const char *api_key;
    const char *assistant_id;
    const char *phone_number_id;
    const char *from_number; /* agent contact_number */
    const char *to_number;   /* evaluator phone number */
    const json_t *dynamic_variables;
    const char *run_id;
};

struct provider_start_result {
    bool ok;
    enum ds_reason reason; /* when !ok */
    char call_id[128];     /* when ok */
    char status[32];       /* provider's initial call status, when ok */
    char detail[512];      /* provider's own message, or transport error */
};

struct provider_call_state {
    bool known;             /* the provider answered with the call */
    bool ended;             /* terminal status */
    char status[32];        /* provider vocabulary: "ringing", "ended" */
    char ended_reason[128]; /* provider vocabulary: "customer-did-not-answer" */
};

struct provider_ops {
    const char *name;    /* "vapi" */
    const char *display; /* "Vapi" */
    /* Build the start-call request. 0, or -1 on allocation failure. */
    int (*build_start)(const struct provider_call_spec *spec, struct provider_req *out);
    /* Classify the answer to the start-call request. */
    void (*parse_start)(const struct ds_http_response *resp, struct provider_start_result *out);
    /* Build the request that reads a call's state. */
    int (*build_get)(const char *base_url, const char *api_key, const char *call_id,
                     struct provider_req *out);
    void (*parse_get)(const struct ds_http_response *resp, struct provider_call_state *out);
};

extern const struct provider_ops provider_vapi;

void provider_req_clear(struct provider_req *r);
/* Append a header; the value is copied. */
int provider_req_header(struct provider_req *r, const char *name, const char *value);
/* Map a transport-level failure (no HTTP status) to a result. */
void provider_transport_failure(const struct ds_http_response *resp, const char *display,
                                struct provider_start_result *out);

#endif
