/* The Vapi mock: POST /call (one customer or customers[]; assistantId, an
 * inline assistant, or the phone number's), GET /call, GET/PATCH/DELETE
 * /call/{id}, the phone-number routes, with Vapi's real bodies
 * (providers.md §1.2, §2.2; confirmations in docs/providers-confirmed.md;
 * the routes in docs/mocks.md#vapi). Who does what: mock_vapi.c renders calls,
 * sends webhooks and routes; mock_vapi_calls.c the /call routes;
 * mock_vapi_numbers.c the phone numbers.
 * An accepted call is placed on the PSTN from the phone number behind
 * phoneNumberId (the ANI) to customer.number after dial_delay; its fate shows
 * on GET /call/{id} as status and endedReason (§3.1) and, when webhooks are
 * configured, in status-update and end-of-call-report messages (§4.1).
 * Credits run out as calls spend them; Vapi's two ways of saying so are both
 * offered (credits_surface "http": 400 "Billing Limits Exceeded"; "ended": 201,
 * then the call ends with call.start.error-subscription-insufficient-credits).
 * A full concurrency limit answers 201 with subscriptionLimits.concurrencyBlocked
 * and ends the call with call.start.error-subscription-concurrency-limit-reached. */
#ifndef DIALSIM_MOCK_VAPI_H
#define DIALSIM_MOCK_VAPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock.h"
#include "mock_account.h"

struct mock_vapi;

/* w is borrowed (clock, pstn, journal); config values are copied. */
int mock_vapi_create(struct mock_vapi **out, struct mock_world *w,
                     const struct mock_provider_config *cfg);
void mock_vapi_destroy(struct mock_vapi *v);
/* Answer rq if it is a Vapi route: returns 1 (rs filled) or 0. Call with w->mu held. */
/* The provider's answer to a request without a valid key (1, rs filled; its
 * latency set either way), else 0: the generic routes ask it first. */
int mock_vapi_authorise(struct mock_vapi *m, const struct mock_request *rq,
                        struct mock_response *rs);
int mock_vapi_handle(struct mock_vapi *v, const struct mock_request *rq, struct mock_response *rs);
/* The call's status and endedReason as GET /call/{id} shows them now (NULL
 * when unknown). Call with w->mu held; strings borrowed until the next change. */
const struct mock_call *mock_vapi_find(const struct mock_vapi *v, const char *id);
const char *mock_vapi_status(const struct mock_call *c);
const char *mock_vapi_ended_reason(const struct mock_call *c);
/* The Call object as GET /call/{id} renders it; new reference. */
json_t *mock_vapi_call_json(const struct mock_vapi *v, const struct mock_call *c);

/* The provider's account (borrowed), for its counters (GET /_dialsim/stats). */
struct mock_account *mock_vapi_account(const struct mock_vapi *m);
/* The phone numbers as GET /phone-number lists them (a new array), and all
 * of them replaced by numbers given as mocks.vapi.phone_numbers gives them
 * (checked by the caller; NULL: those of the start). World mutex held. */
json_t *mock_vapi_numbers(const struct mock_vapi *v);
void mock_vapi_set_numbers(struct mock_vapi *v, const json_t *numbers);

/* Its registration (mock_vapi_ops.c, mock_provider.h). */
extern const struct mock_provider_ops mock_vapi_ops;

/* Is path one of Vapi's routes (/call, /phone-number, /campaign, ...)? */
bool mock_vapi_path(const char *path);

#endif
