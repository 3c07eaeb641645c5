/* What mock_elevenlabs.c (calls, webhooks, dispatch),
 * mock_elevenlabs_routes.c (the conversation list and delete, phone numbers)
 * and mock_elevenlabs_batch.c (batch calling) share. Private to them; everything under the world's
 * mutex. */
#ifndef DIALSIM_MOCK_ELEVENLABS_INT_H
#define DIALSIM_MOCK_ELEVENLABS_INT_H

#include "mock_elevenlabs.h"
#include "recording.h"
#include "webhook.h"

/* A phone number as ElevenLabs keeps it: from mocks.elevenlabs.phone_numbers
 * ({"id", "number", "label"?, "provider"?: "twilio"|"sip_trunk",
 * "agent_id"?}) or POST /v1/convai/phone-numbers. */
struct el_number {
    char *id, *number, *label, *agent_id; /* agent_id NULL: none assigned */
    bool sip;
    struct el_number *next;
};

struct el_batch;

/* What ElevenLabs keeps of a call beyond the account's record: the call's
 * ext (mock_account.h), let go of with it. seq orders the conversation list's
 * cursor (the seq of the last one a page gave). */
struct el_call {
    long seq;
    bool sip;     /* placed through the SIP trunk route */
    bool deleted; /* DELETE /v1/convai/conversations/{id}: the user sees it no more */
};

struct mock_elevenlabs {
    struct mock_world *w;
    struct mock_account *acct;
    int64_t latency_ms;
    struct mock_webhook_config wh;
    struct mock_recording_config rec;
    long next_seq;
    struct el_number *numbers;
    struct el_batch *batches; /* newest first (mock_elevenlabs_batch.c) */
};

void el_detail_error(struct mock_response *rs, int status, const char *code, const char *msg);
/* One entry of a FastAPI 422 list: a body field missing. */
json_t *el_missing(const char *field);

/* GET /v1/convai/conversations/{id}, and post_call_transcription's data. */
json_t *el_conversation_json(const struct mock_call *c);
/* The conversation list's summary of a call (GET /v1/convai/conversations). */
json_t *el_conversation_summary(const struct mock_call *c);

/* Routes of mock_elevenlabs_routes.c; each returns 1 when the path is its. */
int el_conversations_route(struct mock_elevenlabs *e, const struct mock_request *rq,
                           struct mock_response *rs);
int el_numbers_route(struct mock_elevenlabs *e, const struct mock_request *rq,
                     struct mock_response *rs);
int el_batch_route(struct mock_elevenlabs *e, const struct mock_request *rq,
                   struct mock_response *rs);
void el_batches_free(struct mock_elevenlabs *e);
struct el_number *el_number_find(const struct mock_elevenlabs *e, const char *id);
int el_numbers_load(struct mock_elevenlabs *e, const json_t *cfg);
void el_numbers_free(struct mock_elevenlabs *e);
/* The call's record, made as it is placed (c->ext); the call is in the
 * conversation list from then on. */
void el_conv_add(struct mock_elevenlabs *e, struct mock_call *c, bool sip);

#endif
