/* The ElevenLabs mock: POST /v1/convai/twilio/outbound-call and
 * /v1/convai/sip-trunk/outbound-call with xi-api-key, and
 * GET /v1/convai/conversations/{id} (providers.md §1.4, §2.4, §3.4, §4.3).
 * Errors are {"detail": {"status", "message"}}: invalid_api_key,
 * missing_permissions (a key without convai_write), quota_exceeded,
 * agent_not_found, too_many_concurrent_requests (429), and FastAPI 422 lists
 * for missing fields. Busy and no-answer are told only through the
 * call_initiation_failure webhook; answered calls end with
 * post_call_transcription. Webhooks carry ElevenLabs-Signature: t=..,v0=... */
#ifndef DIALSIM_MOCK_ELEVENLABS_H
#define DIALSIM_MOCK_ELEVENLABS_H

#include "mock.h"
#include "mock_account.h"

struct mock_elevenlabs;

int mock_elevenlabs_create(struct mock_elevenlabs **out, struct mock_world *w,
                           const struct mock_provider_config *cfg);
void mock_elevenlabs_destroy(struct mock_elevenlabs *e);
int mock_elevenlabs_handle(struct mock_elevenlabs *e, const struct mock_request *rq,
                           struct mock_response *rs);
const struct mock_call *mock_elevenlabs_find(const struct mock_elevenlabs *e, const char *id);
const char *mock_elevenlabs_status(const struct mock_call *c); /* conversation status */
const char *
mock_elevenlabs_failure_reason(const struct mock_call *c); /* busy / no-answer / unknown / NULL */

/* The provider's account (borrowed), for its counters (GET /_dialsim/stats). */
struct mock_account *mock_elevenlabs_account(const struct mock_elevenlabs *m);

#endif
