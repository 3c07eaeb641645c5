/* Provider adapters: how the core asks a voice provider to place a call, reads
 * a call's state, and checks the provider's webhooks. Adapters are pure: they
 * build requests and classify answers and payloads; the core sends and
 * receives through its seams. One table per provider; AO-1 (place the call),
 * AO-4 (refusals map to reason codes). */
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
    const char *phone_number_type; /* ElevenLabs: "twilio" (default) or "sip_trunk" */
    const char *from_number;       /* agent contact_number */
    const char *to_number;         /* evaluator phone number */
    const json_t *dynamic_variables;
    const char *run_id;
};

struct provider_start_result {
    bool ok;
    bool retryable;             /* when !ok: 429, 5xx, connect failure (docs/retries.md) */
    enum ds_reason reason;      /* when !ok */
    char call_id[128];          /* when ok */
    char status[32];            /* provider's initial call status, when ok */
    enum ds_reason start_error; /* ok, but the answer says the call will not start */
    char detail[512];           /* provider's own message, or transport error */
};

/* What the provider says of a call, in its own vocabulary. */
struct provider_call_state {
    bool known;             /* the provider answered with the call */
    bool ended;             /* terminal status */
    bool answered;          /* the call connected at some point */
    char status[32];        /* "ringing", "not_connected", "failed" */
    char ended_reason[128]; /* "customer-did-not-answer", "dial_busy", "no-answer" */
    char symptom[200];      /* "Vapi reports customer-did-not-answer" */
    /* the provider's word says the telephone network ended the call: busy,
     * declined, not in service, failed to connect, voicemail (not a no-answer:
     * a silent line rings out the same way) */
    bool network_ended;
    enum ds_reason start_error; /* the provider refused the call after accepting it */
    char transcript[2048];
    char recording_url[512];
};

/* One call of a batch, as the provider's batch listing shows it (issue 12):
 * the run it is for (the id the core tagged it with), its call id, and its
 * state when the listing says enough (state.known). */
typedef void (*provider_batch_call_fn)(void *ctx, const char *run_id, const char *call_id,
                                       const struct provider_call_state *state);

/* A webhook the provider sent, parsed (not yet verified). */
struct provider_webhook {
    char event[48]; /* "status-update", "call_ended", "call_initiation_failure" */
    char call_id[128];
    struct provider_call_state state;
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
    /* Parse a webhook body; 0, or -1 with err when it is not one of ours. */
    int (*parse_webhook)(const char *body, size_t len, struct provider_webhook *out, char *err,
                         size_t n);
    /* Check a webhook's authentication with secret at now_ms: 0, or -1 with
     * err (missing, forged, stale). headers: names in any case. */
    int (*verify_webhook)(const struct ds_header *h, size_t nh, const char *body, size_t len,
                          const char *secret, int64_t now_ms, char *err, size_t n);
    /* Build the request that downloads a call's recording: url is what the
     * provider gave (may be NULL, e.g. ElevenLabs serves it by conversation id). */
    int (*build_recording)(const char *base_url, const char *api_key, const char *call_id,
                           const char *url, struct provider_req *out);
    /* Which of the agent's secrets signs webhooks: "provider_api_key" or
     * "webhook_secret". */
    const char *webhook_secret_field;
    /* ---- batch calling (issue 12; core/batch.c) ----
     * Build the request that places n calls as one provider batch (Retell
     * create-batch-call, a Vapi campaign, ElevenLabs batch-calling/submit),
     * each call tagged with its spec's run_id; the specs share the agent's
     * fields. 0, or -1 on allocation failure. */
    int (*build_batch)(const struct provider_call_spec *specs, size_t n, struct provider_req *out);
    /* The member of a 2xx batch answer that holds the batch's id. */
    const char *batch_id_field;
    /* Build the request that lists the batch's calls; NULL: the batch
     * answer itself lists them (Vapi's Campaign.calls). */
    int (*build_batch_calls)(const char *base_url, const char *api_key, const char *batch_id,
                             struct provider_req *out);
    /* Call each(ctx, …) for every call the listing (or the batch answer)
     * shows; returns how many, or -1 when the body is not one. */
    int (*parse_batch_calls)(const char *body, provider_batch_call_fn each, void *ctx);
};

extern const struct provider_ops provider_vapi;
extern const struct provider_ops provider_retell;
extern const struct provider_ops provider_elevenlabs;

void provider_req_clear(struct provider_req *r);
/* Append a header; the value is copied. */
int provider_req_header(struct provider_req *r, const char *name, const char *value);
/* Map a transport-level failure (no HTTP status) to a result. */
void provider_transport_failure(const struct ds_http_response *resp, const char *display,
                                struct provider_start_result *out);
/* Classify an HTTP error status with the provider's message (AO-4): sets
 * reason, retryable and detail ("401: <message>"). */
void provider_classify_status(long status, const char *message, struct provider_start_result *out);
char *provider_join_url(const char *base, const char *path);
/* out = method base+path with body (taken; NULL: none) as JSON, sorted keys;
 * the caller adds its authentication header. 0, or -1 (out cleared). */
int provider_req_json(struct provider_req *out, const char *method, const char *base,
                      const char *path, json_t *body);
/* The JSON body a build_start made for spec (new reference), or NULL. */
json_t *provider_start_body(const struct provider_ops *ops, const struct provider_call_spec *spec);
/* A plain GET of url, no authentication (pre-signed storage URLs). */
int provider_get_url(const char *url, struct provider_req *out);
/* A header's value, names compared without case; NULL when absent. */
const char *provider_header(const struct ds_header *h, size_t nh, const char *name);
/* now - then without overflow: a webhook's timestamp is whatever the sender
 * wrote, and now_ms - ts wrapped (undefined behaviour) for ts near INT64_MIN.
 * The result saturates at INT64_MIN / INT64_MAX (issue 14). */
int64_t provider_age(int64_t now, int64_t then);
/* A signed decimal at s (an optional '-', then digits) into *out, *end after
 * it; -1 when there are no digits or the number does not fit in 64 bits
 * (sscanf's %lld is undefined behaviour there). */
int provider_parse_i64(const char *s, const char **end, int64_t *out);
/* Is word one of the NULL-terminated list? (false for NULL) */
bool provider_word_in(const char *word, const char *const *list);
/* A webhook's body, parsed through core/json_depth.h: 0 with *out (new
 * reference; NULL when not JSON, the adapter then says what it expected), or
 * -1 with err "body: JSON nested deeper than 64 levels at line L, column C". */
int provider_webhook_json(const char *body, size_t len, json_t **out, char *err, size_t n);

#endif
