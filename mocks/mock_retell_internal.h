/* What mock_retell.c (calls: create, get, webhooks) and mock_retell_routes.c
 * (list/update/delete of calls, phone numbers, agents) share. Not for other
 * modules: they see mock_retell.h.
 *
 * Ownership: every json_t here belongs to the struct mock_retell and is
 * changed with the world's mutex held. Answers never share a node with it
 * (mock.h): handlers deep-copy what they echo. */
#ifndef DIALSIM_MOCK_RETELL_INTERNAL_H
#define DIALSIM_MOCK_RETELL_INTERNAL_H

#include "mock_retell.h"
#include "recording.h"
#include "webhook.h"

struct mock_retell {
    struct mock_world *w;
    struct mock_account *acct;
    int64_t latency_ms;
    struct mock_webhook_config wh;
    /* Retell's defaults, for a call whose agent names a webhook_url when
     * mocks.retell.webhooks says nothing (Retell sends to it all the same) */
    struct mock_webhook_config wh_agent;
    struct mock_recording_config rec;
    /* Retell's own registries, kept here rather than in mock_account because
     * they change through Retell's routes and carry Retell's fields */
    json_t *agents;   /* object: agent_id -> {"agent_id", "webhook_url"?, ...} */
    json_t *numbers;  /* array of PhoneNumberResponse objects, creation order */
};

/* What update-call set on a call, and "deleted" after delete-call: an
 * object kept as the call's ext (mock_account.h), made at the first change
 * and let go of with the call; NULL for a call nobody changed. */
json_t *retell_extra(const struct mock_call *c);
json_t *retell_extra_make(struct mock_call *c);
/* Was the call deleted through delete-call? */
bool retell_deleted(const struct mock_call *c);

void retell_error(struct mock_response *rs, int status, const char *msg);
/* The call as Retell's V2 call object (new reference). */
json_t *retell_call_json(const struct mock_retell *r, const struct mock_call *c);
/* The same as the answer; created: the 201 of a create (registered). */
void retell_reply_call(struct mock_response *rs, int status, const struct mock_retell *r,
                       const struct mock_call *c, bool created);
/* The call unless it was deleted through delete-call (borrowed), else NULL. */
struct mock_call *retell_call(const struct mock_retell *r, const char *id);

/* mock_retell_routes.c */
int retell_registry_init(struct mock_retell *r, const struct mock_provider_config *cfg);
void retell_registry_free(struct mock_retell *r);
/* The phone-number object for an E.164 number (borrowed), or NULL. */
json_t *retell_number(const struct mock_retell *r, const char *number);
/* The outbound agent a number carries: outbound_agents' first, else
 * outbound_agent_id; NULL when none. */
const char *retell_outbound_agent(const json_t *number);
bool retell_has_agent(const struct mock_retell *r, const char *id);
/* Where a call's webhooks go: its agent's webhook_url, else NULL (then
 * mocks.retell.webhooks.url, else dialsim's core). */
const char *retell_webhook_url(const struct mock_retell *r, const struct mock_call *c);
/* Every route besides create/get-call and recordings; 1 when answered. The
 * key was checked. */
int retell_routes_handle(struct mock_retell *r, const struct mock_request *rq,
                         struct mock_response *rs);

/* mock_retell_batch.c: POST /create-batch-call; 1 when the path is its. */
int retell_batch_route(struct mock_retell *r, const struct mock_request *rq,
                       struct mock_response *rs);

#endif
