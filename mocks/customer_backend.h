/* The customer's backend of the custom integration (seed 001): after each
 * answered call it posts the call's transcript to the project's webhook, the
 * way a customer's system would — after a chosen virtual delay, identified by
 * agent_id or by run_id, and with chosen defects:
 *   "wrong_key"       the X-CEKURA-API-KEY is not the project's (CI-2: 401)
 *   "missing_field"   endedAt is left out (CI-4, CI-8: 400 naming the field)
 *   "late"            posted 6 minutes after the call ended (CI-6)
 *   "duplicate"       the same request again 1 s later (CI-9)
 *   "no_post"         nothing is ever posted
 *   "header_spelling" the key header spelled x-cekura-api-key (CI-2: accepted)
 * Every post is journalled as mock "customer-backend", POST /transcripts.
 *
 * mocks.customer_backend: {"delay": s, "api_key": "...", "identify_by":
 * "to_phone_number" | "run_id", "agent_id": N, "defects": [...]} */
#ifndef DIALSIM_MOCK_CUSTOMER_BACKEND_H
#define DIALSIM_MOCK_CUSTOMER_BACKEND_H

#include <jansson.h>

#include "mock.h"
#include "pstn.h"

/* cfg borrowed during the call; default_key: the project's API key. */
int mock_customer_backend_create(struct mock_customer_backend **out, struct mock_world *w,
                                 const json_t *cfg, const char *default_key, uint64_t seed);
void mock_customer_backend_destroy(struct mock_customer_backend *b);
/* The PSTN's listener: each answered call's end schedules a post. */
struct pstn_listener mock_customer_backend_listener(struct mock_customer_backend *b);

#endif
