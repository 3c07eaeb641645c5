/* The Vapi mock: POST /call and GET /call/{id}, with Vapi's real bodies
 * (providers.md §1.2, §2.2; confirmations in docs/providers-confirmed.md).
 * An accepted call is placed on the PSTN from the phone number behind
 * phoneNumberId (the ANI) to customer.number after dial_delay; its fate shows
 * on GET /call/{id} as status and endedReason (§3.1). */
#ifndef DIALSIM_MOCK_VAPI_H
#define DIALSIM_MOCK_VAPI_H

#include <jansson.h>
#include <stdint.h>

#include "mock.h"

struct mock_vapi_config {
    const json_t *keys;          /* array of accepted private keys */
    const json_t *assistants;    /* array of assistant ids */
    const json_t *phone_numbers; /* array of {id, number} */
    int64_t latency_ms;          /* virtual latency of every answer */
    int64_t dial_delay_ms;       /* from POST /call to the dial */
    int64_t ring_timeout_ms;     /* transport.timeout: Vapi/Twilio default 60 s */
    uint64_t seed;               /* ids are drawn from it */
};

struct mock_vapi;

/* w is borrowed (clock, pstn); config values are copied. */
int mock_vapi_create(struct mock_vapi **out, struct mock_world *w,
                     const struct mock_vapi_config *cfg);
void mock_vapi_destroy(struct mock_vapi *v);
/* Answer rq if it is a Vapi route: returns 1 (rs filled) or 0. Call with w->mu held. */
int mock_vapi_handle(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs);
/* The Call object as GET /call/{id} would show it now; borrowed, NULL when unknown.
 * Call with w->mu held. */
const json_t *mock_vapi_call(const struct mock_vapi *v, const char *id);

#endif
