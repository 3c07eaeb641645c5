/* The ElevenLabs mock: POST /v1/convai/twilio/outbound-call and
 * /v1/convai/sip-trunk/outbound-call with xi-api-key, GET/DELETE
 * /v1/convai/conversations/{id} (and /audio), the conversation list, phone
 * numbers and batch calling (providers.md §1.4, §2.4, §3.4, §4.3; issue 11;
 * docs/mocks.md#elevenlabs). Who owns what:
 *   mock_elevenlabs.c        account, rendering, webhooks, outbound calls, routing
 *   mock_elevenlabs_routes.c conversation list and delete, phone numbers
 *   mock_elevenlabs_batch.c  batch calling
 * Errors are {"detail": {"status", "message"}}: invalid_api_key,
 * missing_permissions, quota_exceeded, agent_not_found, ..._not_found,
 * too_many_concurrent_requests (429), FastAPI 422 lists for missing fields,
 * and FastAPI's 404/405 {"detail": "Not Found"} on unknown paths. Calls that
 * never connect end with the call_initiation_failure webhook, answered ones
 * with post_call_transcription, signed ElevenLabs-Signature: t=..,v0=... */
#ifndef DIALSIM_MOCK_ELEVENLABS_H
#define DIALSIM_MOCK_ELEVENLABS_H

#include "mock.h"
#include "mock_account.h"

struct mock_elevenlabs;

int mock_elevenlabs_create(struct mock_elevenlabs **out, struct mock_world *w,
                           const struct mock_provider_config *cfg);
void mock_elevenlabs_destroy(struct mock_elevenlabs *e);
/* The provider's answer to a request without a valid key (1, rs filled; its
 * latency set either way), else 0: the generic routes ask it first. */
int mock_elevenlabs_authorise(struct mock_elevenlabs *m, const struct mock_request *rq,
                              struct mock_response *rs);
int mock_elevenlabs_handle(struct mock_elevenlabs *e, const struct mock_request *rq,
                           struct mock_response *rs);
const struct mock_call *mock_elevenlabs_find(const struct mock_elevenlabs *e, const char *id);
const char *mock_elevenlabs_status(const struct mock_call *c); /* conversation status */
const char *
mock_elevenlabs_failure_reason(const struct mock_call *c); /* busy / no-answer / unknown / NULL */

/* The provider's account (borrowed), for its counters (GET /_dialsim/stats). */
struct mock_account *mock_elevenlabs_account(const struct mock_elevenlabs *m);
/* The phone numbers as GET /v1/convai/phone-numbers lists them (a new
 * array), and all of them replaced by numbers given as
 * mocks.elevenlabs.phone_numbers gives them (checked by the caller; NULL:
 * those of the start). World mutex held. */
json_t *mock_elevenlabs_numbers(const struct mock_elevenlabs *e);
void mock_elevenlabs_set_numbers(struct mock_elevenlabs *e, const json_t *numbers);

/* Its registration (mock_elevenlabs_ops.c, mock_provider.h). */
extern const struct mock_provider_ops mock_elevenlabs_ops;

#endif
