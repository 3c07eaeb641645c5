/* What mock_vapi.c (the account, rendering, webhooks, routing),
 * mock_vapi_calls.c (the /call routes) and mock_vapi_numbers.c (the
 * /phone-number routes) share; nobody else includes it. Everything here is
 * guarded by the world's mutex, as the account is. */
#ifndef DIALSIM_MOCK_VAPI_INTERNAL_H
#define DIALSIM_MOCK_VAPI_INTERNAL_H

#include "mock_vapi.h"
#include "recording.h"
#include "webhook.h"

/* What Vapi keeps of a call beyond the account's record: the call's ext
 * (mock_account.h), let go of with it. The JSON members are references:
 * assistant and name the create request's own nodes (never changed), name a
 * copy after a PATCH. The customer is kept as its member's text, written
 * once, in x's own block: one allocation to free when the call is evicted,
 * long after its nodes left the cache (decisions.md#call-request). */
struct vapi_call {
    char *customer;    /* "customer":{...} as call_write writes it, or NULL */
    json_t *assistant; /* an inline assistant, or NULL */
    json_t *name;      /* a string, or NULL */
    json_t *server;    /* {url, secret?}: where its webhooks go, or NULL */
    /* the request's assistantOverrides and campaignId (a string), or NULL:
     * borrowed from what the call keeps of its request (c->request) */
    const json_t *overrides, *campaign;
    bool deleted; /* DELETE /call/{id}: gone from GET and the list */
};

/* The members of a create body the mock reads, found in one pass over it
 * (a lookup by name hashes the name each time); NULL when absent. */
struct vapi_create_body {
    const json_t *customers, *customer, *assistant_id, *assistant, *phone_number_id, *overrides,
        *name, *campaign;
};
void mock_vapi_read_create(const json_t *body, struct vapi_create_body *b);

/* A create's subscriptionLimits, at the moment the call was placed. */
struct vapi_limits {
    bool blocked;
    int limit, remaining;
};

struct mock_vapi {
    struct mock_world *w;
    struct mock_account *acct;
    int64_t latency_ms;
    bool credits_as_ended_call;
    struct mock_webhook_config wh; /* the org's (mocks.vapi.webhooks; url: its server) */
    struct mock_recording_config rec;
    char org_id[40];
    /* The phone numbers, as GET /phone-number shows them (Vapi's
     * TwilioPhoneNumber shape), in creation order: seeded from
     * mocks.vapi.phone_numbers, changed by the phone-number routes. */
    json_t *numbers;
    /* The record of the call being placed: the account may end it (refused
     * at start) and so send its webhooks before the record is the call's. */
    struct vapi_call *pending;
    /* Campaigns in creation order (mock_vapi_campaigns.c): what the create
     * said, with "_calls" (the call ids by customer) and "_updated". */
    json_t *campaigns;
};

/* Vapi's NestJS error body: {message, error, statusCode}; message taken. */
json_t *mock_vapi_error(int status, json_t *message);
/* 400 with a plain message; returns 1 (handled). */
int mock_vapi_bad_request(struct mock_response *rs, const char *msg);
int mock_vapi_not_found(struct mock_response *rs, const char *msg);
json_t *mock_vapi_iso(int64_t ms);

/* The phone number object with that id (borrowed), or NULL. */
json_t *mock_vapi_number(const struct mock_vapi *v, const char *id);
void mock_vapi_numbers_seed(struct mock_vapi *v, const json_t *phone_numbers);
/* /phone-number and /v2/phone-number; 0 when the path is not one of them. */
int mock_vapi_numbers_handle(struct mock_vapi *v, const struct mock_request *rq,
                             struct mock_response *rs);
/* /call routes but the recordings; 0 when the path is not one of them. */
int mock_vapi_calls_handle(struct mock_vapi *v, const struct mock_request *rq,
                           struct mock_response *rs);
/* The 201 of a create: the call as accepted (queued), subscriptionLimits
 * first; as a tree (new reference) for a batch's results, or as
 * the answer. */
json_t *mock_vapi_created_json(const struct mock_vapi *v, const struct mock_call *c,
                               const struct vapi_limits *limits);
void mock_vapi_reply_created(struct mock_response *rs, const struct mock_vapi *v,
                             const struct mock_call *c, const struct vapi_limits *limits);
/* GET /call/{id}'s Call object of c as the answer (mock_vapi_call_json's). */
void mock_vapi_reply_call(struct mock_response *rs, int status, const struct mock_vapi *v,
                          const struct mock_call *c);
/* Place one call for customer (its number already checked) from ani, as
 * POST /call does: refused at start when the account has no free slot or
 * no credit. b: body's members (mock_vapi_read_create); server (borrowed,
 * may be NULL) is where its webhooks go; *limits gets the
 * subscriptionLimits. NULL on a failed allocation. */
struct mock_call *mock_vapi_place_one(struct mock_vapi *v, const json_t *body,
                                      const struct vapi_create_body *b, const json_t *customer,
                                      const char *asst, const char *ani, const char *pnid,
                                      json_t *server, struct vapi_limits *limits);
/* {url, secret} of the server a call's webhooks go to, or NULL (new): the
 * request's assistantOverrides, its inline assistant, the phone number. */
json_t *mock_vapi_call_server(const json_t *body, const json_t *number);
json_t *mock_vapi_call_server_of(const struct vapi_create_body *b, const json_t *number);
/* /campaign routes (mock_vapi_campaigns.c); 0 when the path is not one. */
int mock_vapi_campaigns_handle(struct mock_vapi *v, const struct mock_request *rq,
                               struct mock_response *rs);

/* The call's record (never NULL for a call the mock placed). */
struct vapi_call *mock_vapi_ext(const struct mock_vapi *v, const struct mock_call *c);

#endif
