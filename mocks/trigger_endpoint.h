/* Customers' trigger endpoints (seed 000 "Trigger URL" / Cekura style, seed
 * 002 "Outbound Voice" / Coval style), served at /trigger/<name>. Each answers
 * with a chosen status after a chosen virtual latency, checks the headers it
 * requires (missing: 401, wrong: 403), and then — as the customer's system
 * would — dials the number it was given on the PSTN, from a chosen number
 * (default: the payload's from_number), after a chosen delay.
 *
 * mocks.trigger_endpoints: {"<name>": {"status": 200, "latency": s,
 *   "require_headers": {"Authorization": "Bearer t"}, "number_key": "phone_number",
 *   "dial": {"from": "+1...", "delay": s} | false}} */
#ifndef DIALSIM_MOCK_TRIGGER_ENDPOINT_H
#define DIALSIM_MOCK_TRIGGER_ENDPOINT_H

#include <jansson.h>

#include "mock.h"

struct mock_triggers;

int mock_triggers_create(struct mock_triggers **out, struct mock_world *w, const json_t *cfg);
void mock_triggers_destroy(struct mock_triggers *t);
/* 1 when rq was a /trigger/ route (rs filled). Call with w->mu held. */
int mock_triggers_handle(struct mock_triggers *t, const struct mock_request *rq,
                         struct mock_response *rs);

#endif
