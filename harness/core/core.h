/* The orchestration core: projects, agents, evaluators, runs, the dial window
 * (DW-*), the caller-ID gate (AO-3) and dispatch to the voice provider (AO-1).
 *
 * The core knows nothing of mocks, scenarios or the simulated clock: it talks to
 * the world only through the seams of core/ports.h. All calls happen on one
 * thread (the one that runs the clock's timers).
 *
 * Ownership: every string passed in is copied; every pointer returned is
 * borrowed and valid until the core is destroyed or, for agents, until the next
 * core_agent_put of the same id.
 */
#ifndef DIALSIM_CORE_H
#define DIALSIM_CORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ports.h"
#include "core/reason.h"

enum ds_provider {
    DS_PROVIDER_NONE = 0,
    DS_PROVIDER_VAPI,
    DS_PROVIDER_RETELL,
    DS_PROVIDER_ELEVENLABS,
    DS_PROVIDER__COUNT
};

const char *provider_name(enum ds_provider p);    /* "vapi" */
const char *provider_display(enum ds_provider p); /* "Vapi" */
int provider_from_name(const char *name);         /* -1 when unknown */

#define CORE_DEFAULT_DIAL_WINDOW_S 300 /* DW-1 */
#define CORE_PROVIDER_TIMEOUT_MS 30000
#define CORE_POLL_INTERVAL_MS 30000 /* following a provider call after the run ends */
#define CORE_POLL_MAX 40
/* AO-4 without webhooks: an accepted call is polled during the dial window,
 * first this long after the accepting answer, then every CORE_POLL_INTERVAL_MS,
 * while the run is pending and the call has not ended (docs/decisions.md). */
#define CORE_WINDOW_POLL_FIRST_MS 5000
#define CORE_START_ATTEMPTS 3       /* docs/retries.md */
#define CORE_RETRY_BASE_MS 500      /* then doubled: 0.5 s, 1 s */
#define CORE_WEBHOOKS_REMEMBERED 32 /* per run, to spot replays */
#define CORE_RECORDING_MAX_BYTES (64u << 20)
#define CORE_RECORDING_TIMEOUT_MS 60000
#define CORE_TRIGGER_TIMEOUT_MS 30000             /* TU-3 */
#define CORE_TRANSCRIPT_WINDOW_MS (5 * 60 * 1000) /* CI-6 */
#define CORE_FOLLOW_GRACE_MS 5000 /* after an answered call ends, wait for webhooks first */

struct core_agent {
    char *id;
    char *name;
    char *project;
    bool inbound;
    bool auto_outbound;
    char *contact_number; /* may be NULL or "" */
    enum ds_provider provider;
    char *provider_api_key;
    char *assistant_id;
    char *phone_number_id;
    char *phone_number_type; /* ElevenLabs: "twilio" (default) or "sip_trunk" */
    char *webhook_secret;    /* checks Vapi and ElevenLabs webhooks (Retell: the API key) */
    bool custom_transcripts; /* seed 001: transcripts come from the customer's backend */
    /* TU-1: the customer's trigger URL (Cekura style); the core then POSTs it
     * instead of calling the provider. */
    char *trigger_url;
    /* OV-1..OV-4: an outbound voice connection (Coval style) */
    char *trigger_call_endpoint;
    char *trigger_call_headers; /* a JSON object of strings, as a string */
    char *phone_number_key;     /* default "phone_number" */
    char *trigger_call_payload; /* a JSON object, as a string */
    int dial_window_seconds;    /* 0 → CORE_DEFAULT_DIAL_WINDOW_S */
    /* issue 12: the runs of one start go to the provider as one batch
     * (Retell create-batch-call, a Vapi campaign, ElevenLabs batch calling) */
    bool dispatch_batch;
};

struct core_evaluator {
    char *id;
    char *project;
    char *phone_number;
    json_t *dynamic_variables; /* object, owned */
};

/* A call that reached the core's inbound line for a run: answered or dropped. */
struct core_dial {
    int64_t at;
    char *from; /* caller ID as received ("" when withheld) */
    char *to;
    bool answered;
    enum ds_reason drop; /* CALLER_ID_*, DIAL_LATE, or NONE when answered */
    int64_t late_by_ms;  /* for DIAL_LATE */
    char *expected;      /* the run's agent contact_number at that moment */
};

struct core_event {
    int64_t at;
    char *text;
};

struct core_run {
    char *id;
    char *agent_id;
    char *evaluator_id;
    char *project;
    char *to_number; /* evaluator's number when the run started */
    enum ds_provider provider;
    enum ds_run_status status;
    enum ds_reason reason;
    char *detail;    /* machine-ish detail: provider's own message, precondition value */
    char *diagnosis; /* one or two sentences for a human, for failed/timeout */
    int64_t created_at, updated_at;
    bool window_set;
    int64_t opens_at, closes_at; /* DW-1, DW-3 */
    int window_seconds;
    int64_t answered_at, ended_at; /* 0 when not */
    char *provider_call_id;
    char *batch_id;              /* the provider batch the call came from, or NULL */
    int batch_index, batch_size; /* this run's call is number batch_index of batch_size */
    int provider_http_status;    /* status of the start-call answer, 0 when none */
    char *provider_status;       /* last seen provider call status ("ended") */
    char *provider_ended_reason; /* last seen provider end reason */
    char *provider_symptom;      /* "Vapi reports customer-did-not-answer" */
    bool provider_network_ended; /* its last word: the network ended the call */
    char *transcript;            /* from the provider's webhook or call record */
    char *recording_url;
    bool provider_ended; /* the provider says the call is over */
    int attempts;        /* start-call requests sent */
    bool recording_requested;
    struct rec_analysis *recording; /* the fetched recording's analysis, or NULL (H-4) */
    char *recording_error;          /* why it could not be fetched or read */
    char *transcript_call_id;       /* CI-7: the customer's call id attached to this run */
    uint64_t transcript_timer;      /* CI-6: the 5-minute wait after the call ended */
    int webhooks;                   /* provider webhooks accepted */
    uint64_t seen_webhooks[CORE_WEBHOOKS_REMEMBERED];
    struct core_dial *dials;
    size_t n_dials;
    struct core_event *events;
    size_t n_events, cap_events;
    /* internal */
    uint64_t seq;   /* the run's number in this core, from 1: inbound calls' token */
    unsigned holds; /* timers and requests in flight that point at the run */
    uint64_t window_timer;
    int polls;
    bool polling;
    bool window_polling; /* a poll of the pending run's call is scheduled or in flight */
    struct core *core;
};

struct rec_analysis;

/* Told after a run changed (an event logged, its diagnosis updated), on
 * the core's thread; dialsim serve stores runs so. Optional. */
struct ds_run_observer {
    void (*changed)(void *ctx, const struct core_run *r);
    void *ctx;
};

struct core_env {
    struct ds_clock clock;
    struct ds_http http;
    struct ds_ids ids;
    /* TU-2 decision: http:// trigger URLs are refused, except loopback ones in
     * test mode (the simulated runs and the test suite). */
    bool test_mode;
    /* Base URL of each provider's API ("https://api.vapi.ai"); configuration,
     * pointed at the mocks in scenarios. Borrowed for the core's lifetime. */
    const char *provider_base_url[DS_PROVIDER__COUNT];
    struct ds_run_observer on_run;
};

struct core;

int core_create(struct core **out, const struct core_env *env);
void core_destroy(struct core *c);

/* Create or replace a project (CI-1: one API key per project). */
int core_project_put(struct core *c, const char *id, const char *api_key);
/* Download and analyse the recording of every answered call of the project's
 * runs (H-4). Off by default: analysis costs a download per call. -1 when the
 * project does not exist. */
int core_project_fetch_recordings(struct core *c, const char *id, bool on);

/* Create or replace an agent; a->project must exist. Returns 0, or -1 with a
 * message in err. Runs already started keep their own state. A trigger
 * configuration is checked here (TU-2, OV-1..OV-4): a refusal's message starts
 * with its reason code ("trigger_not_https: ...") or names the field and the
 * JSON parse position. */
int core_agent_put(struct core *c, const struct core_agent *a, char *err, size_t n);
const struct core_agent *core_agent_get(const struct core *c, const char *id);
/* A deep copy of an agent, owned by the caller (core_agent_free; NULL ok):
 * what a change is undone with (core_agent_put of the copy). NULL: no memory. */
struct core_agent *core_agent_copy(const struct core_agent *a);
void core_agent_free(struct core_agent *a);
/* Remove a project, agent or evaluator that nothing refers to yet: a create
 * undone because it could not be stored (dialsim serve). Unknown: nothing. */
void core_project_remove(struct core *c, const char *id);
void core_agent_remove(struct core *c, const char *id);
void core_evaluator_remove(struct core *c, const char *id);

/* Create or replace an evaluator. dynamic_variables may be NULL (→ {}); it is
 * copied. */
int core_evaluator_put(struct core *c, const char *id, const char *project,
                       const char *phone_number, const json_t *dynamic_variables, char *err,
                       size_t n);
const struct core_evaluator *core_evaluator_get(const struct core *c, const char *id);

/* Run evaluators against an agent (AO-1): one run per evaluator. Every
 * precondition (AO-2, AO-5) is checked for the whole batch before any call is
 * asked for; a run whose preconditions fail ends `failed` at once and never
 * reaches pending. run_out[i] receives the borrowed run for evaluator i.
 * Returns 0, or -1 with err when the agent or an evaluator does not exist
 * (nothing is created then). */
int core_start_runs(struct core *c, const char *agent_id, const char *const *evaluator_ids,
                    size_t n, const struct core_run **run_out, char *err, size_t errn);
/* The same, with commit(ctx) called once the runs exist and their
 * preconditions are decided, before any call is asked for (dialsim serve
 * stores them there). When it returns non-zero the runs are taken back — no
 * call asked for, no timer left, run_out untouched — and -2 is returned. */
int core_start_runs_committed(struct core *c, const char *agent_id,
                              const char *const *evaluator_ids, size_t n,
                              const struct core_run **run_out, int (*commit)(void *ctx), void *ctx,
                              char *err, size_t errn);

/* Ask for the call of a run again. Refused for a final run (DW-4: a timed-out
 * run cannot be resumed or re-dialled) and for a run whose call is in progress.
 * Returns 0, or -1 with the reason in err. */
int core_run_redial(struct core *c, const char *run_id, char *err, size_t n);

/* The inbound gate (AO-3, DW-2). A call from caller ID `from` ("" or NULL when
 * withheld) reaches the core's line `to` now. Returns true when the core
 * answers; *token then names the call for core_inbound_hangup. A dropped call
 * is silent: the caller only ever sees no answer. */
bool core_inbound_offer(struct core *c, const char *from, const char *to, uint64_t *token);
/* The far side hung up an answered call. */
void core_inbound_hangup(struct core *c, uint64_t token);

/* A provider webhook reaches the core (providers.md §4). It is parsed, matched
 * to a run by the provider's call id, authenticated with the run's agent's
 * secret (Vapi: Bearer / X-Vapi-Secret = webhook_secret; Retell: HMAC with the
 * Retell API key, at most 5 min old; ElevenLabs: HMAC with webhook_secret, at
 * most 30 min old) and applied. Returns the HTTP status to answer — 200, 400
 * (not a webhook of that provider), 401 (missing, forged or stale
 * authentication: nothing applied), 404 (no run has that call) — with a
 * message in err. A replay of a webhook already applied answers 200 and
 * changes nothing. */
int core_provider_webhook(struct core *c, enum ds_provider p, const struct ds_header *headers,
                          size_t n_headers, const char *body, size_t body_len, char *err, size_t n);

/* Custom integration (seed 001): one call of a validated transcript webhook
 * request (CI-3..CI-5). Strings borrowed for the call. */
struct core_transcript {
    const char *call_id;         /* the customer's id (CI-4) */
    const char *run_id;          /* CI-3: attach to this run directly; NULL when absent */
    const char *agent_id;        /* CI-3: the request's agent_id in decimal; NULL when absent */
    const char *to_phone_number; /* CI-7: the evaluator's number; NULL when absent */
    int64_t started_at_ms;       /* startedAt (CI-7: which run's call it was); 0 unknown */
    int64_t ended_at_ms;         /* endedAt */
    const char *text;            /* the messages as "role: content" lines; may be NULL */
};

enum core_tx_outcome {
    CORE_TX_MATCHED,   /* attached to a run */
    CORE_TX_LATE,      /* CI-6: after the 5-minute window; not attached */
    CORE_TX_UNMATCHED, /* CI-7: no run fits; reported, not dropped silently */
};

struct core_tx_match {
    enum core_tx_outcome outcome;
    char run_id[64];   /* the run it concerns, "" when none */
    char message[300]; /* why, for the sender */
};

/* CI-7: attach a transcript to its run — by run_id, else by to_phone_number
 * = the evaluator's number among the agent's runs (or the project's when the
 * request had no agent_id): the run whose call it describes (a run whose call
 * ended without a transcript first, then the closest startedAt/endedAt); two
 * runs that fit equally are answered UNMATCHED "ambiguous", never guessed. CI-6: the core listens
 * for 5 minutes after the call ended on its own clock; later data is answered LATE and not attached
 * (the run keeps its state; a run failed transcript_missing is refined to transcript_late).
 * Idempotent for the same call id (CI-9). */
void core_transcript_attach(struct core *c, const char *project, const struct core_transcript *t,
                            struct core_tx_match *out);
const char *core_tx_outcome_name(enum core_tx_outcome o);

const struct core_run *core_run_get(const struct core *c, const char *id);
size_t core_run_count(const struct core *c);
const struct core_run *core_run_at(const struct core *c, size_t i);

/* Let go of the oldest final runs nothing points at any more (no timer, no
 * request in flight, the CI-6 transcript wait over) while more than keep
 * final runs are held, skipping those may(ctx, r) refuses (NULL: all may
 * go); gone(ctx, r) is told before each is freed. The core then no longer
 * knows them: a late webhook or transcript for one is answered as for an
 * unknown call. Returns how many went. dialsim serve bounds its memory so;
 * its runs stay in the SQLite file. */
size_t core_runs_evict(struct core *c, size_t keep,
                       bool (*may)(void *ctx, const struct core_run *r),
                       void (*gone)(void *ctx, const struct core_run *r), void *ctx);

/* The run as the core's API returns it (DW-3 fields included). New reference. */
json_t *core_run_to_json(const struct core_run *r);

#endif
