/* A provider account, as the provider mocks share it: API keys (with
 * permissions), the provider's agents/assistants, owned phone numbers,
 * credits that each call spends, a concurrency limit, and the calls placed.
 *
 * The call's life is common to every provider: queued → ringing (the PSTN
 * dials from the phone number's number, the ANI, to the callee after
 * dial_delay) → in progress (answered) → ended, or ended at start when the
 * provider refuses it after accepting the request (credits, concurrency).
 * Each provider module (mock_vapi, mock_retell, mock_elevenlabs) renders the
 * call in its own wire format and vocabulary and sends its own webhooks from
 * the on_change hook.
 *
 * Memory: a call is kept while it lives; once ended, the account keeps the
 * last max_ended_calls of them (0: all, as `dialsim run` does) and evicts
 * the oldest ended one beyond that (a GET of it then answers the provider's
 * 404). Who may hold a call: the dial event and the PSTN observer hold it
 * while it is live only (an ended call is never dialled or observed again);
 * webhooks carry its rendered bytes, never the pointer; handlers use it with
 * the mutex held. So a pointer to an ended call is good until the mutex is
 * released.
 *
 * Threading: account state is guarded by the world's mutex. HTTP handlers hold
 * it while they call in; the PSTN observers take it themselves. */
#ifndef DIALSIM_MOCK_ACCOUNT_H
#define DIALSIM_MOCK_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock.h"
#include "pstn.h"

enum mock_call_state { MC_QUEUED, MC_RINGING, MC_IN_PROGRESS, MC_ENDED };

/* How a call ended, provider-neutral; each provider names it its own way. */
enum mock_call_end {
    MC_END_NONE = 0,
    MC_END_COMPLETED, /* answered, then hung up by the callee side */
    MC_END_NO_ANSWER, /* rang out */
    MC_END_BUSY,
    MC_END_FAILED,      /* could not be connected */
    MC_END_NO_CREDITS,  /* accepted, then refused at start: out of credits */
    MC_END_CONCURRENCY, /* accepted, then refused at start: too many calls */
    MC_END_DECLINED,    /* the far side rejected it */
    MC_END_INVALID,     /* the number is not in service */
    MC_END_VOICEMAIL,   /* a voicemail box took it */
};

struct mock_account;

struct mock_call {
    struct mock_account *acct;
    char id[48];
    char sid[48]; /* the carrier's id (Twilio CallSid-like) */
    char *ani;    /* caller ID the call is placed with (its own allocation: may be replaced) */
    /* in the call's own block: read, never freed or replaced */
    char *to;
    char *agent; /* the provider's agent/assistant id */
    char *phone_number_id;
    /* what the call keeps of its create request's body: the members named
     * by mock_account_keep_request (references to the body's own nodes,
     * never changed), or NULL when it had none; without such a list, the
     * whole body */
    json_t *request;
    enum mock_call_state state;
    enum mock_call_end end;
    int64_t created_at, ringing_at, answered_at, ended_at;
    /* the provider module's own record of the call (what its wire format
     * shows beyond these fields): set by the module after placing it, let
     * go of with the call by ext_free (when the account evicts it) */
    void *ext;
    void (*ext_free)(void *ext);
    /* mock_account.c's own: the id index, the order of creation (prev/next,
     * which the modules walk from mock_account_oldest/newest), the ended FIFO */
    struct mock_call *hnext, *prev, *next, *ended_next;
};

/* What changed: a provider module sends its webhooks from here. Runs with the
 * world's mutex held; must not call into the core. */
typedef void (*mock_call_change_fn)(void *ctx, struct mock_call *c);

struct mock_account_config {
    const char *provider;        /* "vapi": names in messages */
    const json_t *keys;          /* array of "key" or {"key", "permissions": [..]} */
    const json_t *agents;        /* array of agent/assistant ids */
    const json_t *phone_numbers; /* array of {"id", "number"} */
    double credits;              /* < 0: unlimited */
    double call_cost;            /* credits each accepted call spends */
    int concurrency_limit;       /* 0: unlimited */
    int64_t dial_delay_ms;
    int64_t ring_timeout_ms;
    uint64_t seed;
    size_t max_ended_calls; /* ended calls kept; 0: all */
};

/* What a scenario says of one provider account (mocks.<provider>). */
struct mock_provider_config {
    const json_t *keys;          /* array of "key" or {"key", "permissions": [..]} */
    const json_t *agents;        /* agent/assistant ids */
    const json_t *phone_numbers; /* array of {"id", "number"} */
    int64_t latency_ms;          /* virtual latency of every answer */
    int64_t dial_delay_ms;       /* from the create request to the dial */
    int64_t ring_timeout_ms;     /* how long an unanswered call rings */
    uint64_t seed;               /* ids are drawn from it */
    double credits;              /* < 0: unlimited */
    double call_cost;
    bool credits_as_ended_call; /* Vapi: 201 then ended, instead of 400 */
    int concurrency_limit;      /* 0: unlimited */
    const json_t *webhooks;     /* mocks.<provider>.webhooks or NULL */
    const json_t *recording;    /* mocks.<provider>.recording or NULL */
    size_t max_ended_calls;     /* ended calls kept (the world's limits); 0: all */
};

int mock_account_create(struct mock_account **out, struct mock_world *w,
                        const struct mock_account_config *cfg, mock_call_change_fn on_change,
                        void *ctx);
/* The same from what a scenario says of the provider (mocks.<provider>). */
int mock_account_create_for(struct mock_account **out, struct mock_world *w, const char *provider,
                            const struct mock_provider_config *cfg, mock_call_change_fn on_change,
                            void *ctx);
void mock_account_destroy(struct mock_account *a);

enum mock_key_check { MK_OK, MK_UNKNOWN, MK_NO_PERMISSION };
/* Is key one of the account's keys and, when need is not NULL, does it carry
 * that permission? (A key given as a plain string carries every permission.) */
enum mock_key_check mock_account_key(const struct mock_account *a, const char *key,
                                     const char *need);
bool mock_account_has_agent(const struct mock_account *a, const char *id);
/* An agent/assistant made (exists) or deleted (!exists) through the
 * provider's generic routes (catalogue_serve.c): calls may name it then. */
void mock_account_set_agent(struct mock_account *a, const char *id, bool exists);
/* The number behind a phone-number id, or NULL. */
const char *mock_account_number(const struct mock_account *a, const char *phone_number_id);
bool mock_account_owns_number(const struct mock_account *a, const char *number);
/* Calls not yet ended: a counter kept on every change of state, O(1). */
int mock_account_active(const struct mock_account *a);
struct mock_account_stats {
    size_t live;      /* not yet ended */
    size_t ended;     /* ended and still kept */
    size_t evicted;   /* ended calls let go of, oldest first */
    size_t max_ended; /* the bound (0: none) */
};
void mock_account_get_stats(const struct mock_account *a, struct mock_account_stats *out);
int mock_account_concurrency_limit(const struct mock_account *a);
/* Credits left (< 0: unlimited) and whether one more call is affordable. */
double mock_account_credits(const struct mock_account *a);
bool mock_account_can_pay(const struct mock_account *a);

/* The settings the admin API shows and changes (mocks.<provider>'s names and
 * units: seconds, null for unlimited credits or no concurrency limit), plus
 * "active_calls": a new object. apply changes those of keys, credits,
 * call_cost, concurrency_limit, dial_delay and ring_timeout that set has
 * (checked by the caller, as a scenario's are); a call already placed keeps
 * what it was placed with. restore puts back the settings of creation.
 * forget_ended lets go of every ended call (as the bound does: a GET of one
 * then answers the provider's 404); returns how many. World mutex held. */
json_t *mock_account_settings(const struct mock_account *a);
void mock_account_apply(struct mock_account *a, const json_t *set);
void mock_account_restore(struct mock_account *a);
size_t mock_account_forget_ended(struct mock_account *a);
/* The phone numbers the account was created with (mocks.<provider>.
 * phone_numbers, or derived from the agents): borrowed. Each provider keeps
 * its own live registry (mock_<provider>_set_numbers resets it to these). */
const json_t *mock_account_config_numbers(const struct mock_account *a);

/* The members of a create request's body a call keeps (c->request), for
 * the provider to read later; NULL-terminated, static. Without it a call
 * keeps the whole body. ani_member (may be NULL), one of them, names the
 * caller ID: kept only by a call placed without an ANI (a refused one),
 * where the provider still shows what it was asked for. */
void mock_account_keep_request(struct mock_account *a, const char *const *members,
                               const char *ani_member);
/* Accept a call: spend its cost, record it and schedule the dial. What it
 * keeps of request: mock_account_keep_request (references, never changed). Returns the borrowed
 * call, or NULL on allocation failure. */
struct mock_call *mock_account_place(struct mock_account *a, const char *ani, const char *to,
                                     const char *agent, const char *phone_number_id,
                                     const json_t *request);
/* Accept a call that the provider refuses at start (end = NO_CREDITS or
 * CONCURRENCY): it ends at once and is never dialled. */
struct mock_call *mock_account_refuse(struct mock_account *a, const char *to, const char *agent,
                                      const char *phone_number_id, const json_t *request,
                                      enum mock_call_end end);
/* The call with that id (a hash lookup), or NULL when there is none or it
 * was evicted. */
struct mock_call *mock_account_call(const struct mock_account *a, const char *id);
/* The kept calls in the order of creation: the oldest and the newest, then
 * each one's next (newer) and prev (older). Read with the mutex held. */
struct mock_call *mock_account_oldest(const struct mock_account *a);
struct mock_call *mock_account_newest(const struct mock_account *a);
struct mock_world *mock_account_world(const struct mock_account *a);
/* A UUID-shaped id drawn from the account's seed. */
void mock_account_uuid(struct mock_account *a, char out[40]);
/* Seconds the answered call lasted (0 when never answered). */
double mock_call_duration_s(const struct mock_call *c);

#endif
