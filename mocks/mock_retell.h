/* The Retell mock: POST /v2/create-phone-call and GET /v2/get-call/{call_id}
 * with Authorization: Bearer (providers.md §1.3, §2.3, §3.3, §4.2), and the
 * list/update/delete, phone-number and agent routes (mock_retell_routes.c). A
 * call is placed from from_number, which the account must own (else 404 "Item
 * <n> not found from phone-number"), for override_agent_id or else the
 * number's outbound agent (else 404 "... from agent").
 * Outcomes show as call_status + disconnection_reason (dial_no_answer,
 * dial_busy, dial_failed, user_hangup, no_valid_payment,
 * concurrency_limit_reached); out of credits at create: 402. Webhooks
 * call_started (not for calls that never connected), call_ended and
 * call_analyzed, signed x-retell-signature with the account's API key. */
#ifndef DIALSIM_MOCK_RETELL_H
#define DIALSIM_MOCK_RETELL_H

#include "mock.h"
#include "mock_account.h"

struct mock_retell;

int mock_retell_create(struct mock_retell **out, struct mock_world *w,
                       const struct mock_provider_config *cfg);
void mock_retell_destroy(struct mock_retell *r);
/* 1 when rq was a Retell route (rs filled), else 0. Call with w->mu held. */
/* The provider's answer to a request without a valid key (1, rs filled; its
 * latency set either way), else 0: the generic routes ask it first. */
int mock_retell_authorise(struct mock_retell *m, const struct mock_request *rq,
                          struct mock_response *rs);
int mock_retell_handle(struct mock_retell *r, const struct mock_request *rq,
                       struct mock_response *rs);
/* Is path one of Retell's (its /v2/ and /v3/ prefixes and its unprefixed
 * phone-number and agent routes)? The server routes those here. */
bool mock_retell_path(const char *path);
const struct mock_call *mock_retell_find(const struct mock_retell *r, const char *call_id);
const char *mock_retell_status(const struct mock_call *c);        /* call_status */
const char *mock_retell_disconnection(const struct mock_call *c); /* or NULL */

/* The provider's account (borrowed), for its counters (GET /_dialsim/stats). */
struct mock_account *mock_retell_account(const struct mock_retell *m);
/* The phone numbers as list-phone-numbers lists them (a new array), and all
 * of them replaced by numbers given as mocks.retell.phone_numbers gives them
 * (checked by the caller; NULL: those of the start). World mutex held. */
json_t *mock_retell_numbers(const struct mock_retell *r);
void mock_retell_set_numbers(struct mock_retell *r, const json_t *numbers);

/* Its registration (mock_retell_ops.c, mock_provider.h). */
extern const struct mock_provider_ops mock_retell_ops;

#endif
