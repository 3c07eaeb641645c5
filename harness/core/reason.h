/* Run statuses and reason codes: names and sentences come from one table.
 * Scenarios assert the stable name (reason_name), never the wording. */
#ifndef DIALSIM_REASON_H
#define DIALSIM_REASON_H

/* X(code, name, status, rule, sentence) */
#define DS_REASON_MAP(X)                                                                           \
    X(NONE, "", NONE, "", "")                                                                      \
    X(AGENT_INBOUND_MODE, "agent_inbound_mode", FAILED, "AO-2",                                    \
      "the agent is in inbound mode (inbound is true); auto outbound needs inbound false")         \
    X(AUTO_OUTBOUND_DISABLED, "auto_outbound_disabled", FAILED, "AO-2",                            \
      "auto outbound is switched off for the agent")                                               \
    X(PROVIDER_CREDENTIALS_MISSING, "provider_credentials_missing", FAILED, "AO-2",                \
      "the agent's voice provider has no API key or no assistant/agent id")                        \
    X(CONTACT_NUMBER_MISSING, "contact_number_missing", FAILED, "AO-2",                            \
      "the agent has no contact_number")                                                           \
    X(CONTACT_NUMBER_INVALID, "contact_number_invalid", FAILED, "AO-5",                            \
      "the agent's contact_number is not E.164")                                                   \
    X(EVALUATOR_NUMBER_INVALID, "evaluator_number_invalid", FAILED, "AO-5",                        \
      "the evaluator's phone number is not E.164")                                                 \
    X(PROVIDER_AUTH_FAILED, "provider_auth_failed", FAILED, "AO-4",                                \
      "the provider refused the API key")                                                          \
    X(PROVIDER_INSUFFICIENT_CREDITS, "provider_insufficient_credits", FAILED, "AO-4",              \
      "the provider account has insufficient credits")                                             \
    X(PROVIDER_PERMISSION_DENIED, "provider_permission_denied", FAILED, "AO-4",                    \
      "the provider API key lacks a required permission")                                          \
    X(PROVIDER_REJECTED_REQUEST, "provider_rejected_request", FAILED, "AO-4",                      \
      "the provider rejected the call request")                                                    \
    X(PROVIDER_UNREACHABLE, "provider_unreachable", FAILED, "AO-4",                                \
      "the provider API could not be reached")                                                     \
    X(PROVIDER_ERROR, "provider_error", FAILED, "AO-4",                                            \
      "the provider API answered with a server error")                                             \
    X(PROVIDER_RATE_LIMITED, "provider_rate_limited", FAILED, "AO-4",                              \
      "the provider kept answering 429 (rate limited) through every retry")                        \
    X(PROVIDER_CONCURRENCY_LIMIT, "provider_concurrency_limit", FAILED, "AO-4",                    \
      "the provider account had no free concurrent-call slot")                                     \
    X(TRIGGER_NOT_HTTPS, "trigger_not_https", FAILED, "TU-2", "the trigger URL is not HTTPS")      \
    X(TRIGGER_BAD_STATUS, "trigger_bad_status", FAILED, "TU-3",                                    \
      "the trigger endpoint answered with a status other than 200 or 201")                         \
    X(TRIGGER_TIMEOUT, "trigger_timeout", FAILED, "TU-3",                                          \
      "the trigger endpoint did not answer within 30 seconds")                                     \
    X(TRIGGER_CONNECT_FAILED, "trigger_connect_failed", FAILED, "TU-3",                            \
      "the trigger endpoint could not be reached")                                                 \
    X(TRIGGER_TLS_FAILED, "trigger_tls_failed", FAILED, "TU-3",                                    \
      "the trigger endpoint's TLS certificate or handshake failed")                                \
    X(TRANSCRIPT_MISSING, "transcript_missing", FAILED, "CI-6",                                    \
      "the call ended but its transcript did not arrive within 5 minutes")                         \
    X(TRANSCRIPT_LATE, "transcript_late", FAILED, "CI-6",                                          \
      "the transcript arrived more than 5 minutes after the call ended")                           \
    X(CALLER_ID_MISMATCH, "caller_id_mismatch", TIMEOUT, "AO-3",                                   \
      "the call's caller ID matches no agent's contact_number in the project")                     \
    X(CALLER_ID_MISSING, "caller_id_missing", TIMEOUT, "AO-3",                                     \
      "the call arrived without a caller ID")                                                      \
    X(DIAL_LATE, "dial_late", TIMEOUT, "DW-2", "the dial came after the dial window closed")       \
    X(NO_DIAL, "no_dial", TIMEOUT, "DW-2",                                                         \
      "no call reached the evaluator's number within the dial window")                             \
    X(SERVE_RESTARTED, "serve_restarted", FAILED, "DW-4",                                          \
      "dialsim serve stopped before the run ended; its timers did not survive the restart")

enum ds_reason {
#define X(code, name, status, rule, sentence) DS_REASON_##code,
    DS_REASON_MAP(X)
#undef X
        DS_REASON__COUNT
};

enum ds_run_status {
    DS_RUN_NONE = 0, /* not yet created */
    DS_RUN_PENDING,
    DS_RUN_IN_PROGRESS,
    DS_RUN_COMPLETED,
    DS_RUN_FAILED,
    DS_RUN_TIMEOUT,
};

const char *reason_name(enum ds_reason r);
const char *reason_sentence(enum ds_reason r);
const char *reason_rule(enum ds_reason r);
/* The status a run ends with for this reason. */
enum ds_run_status reason_status(enum ds_reason r);
/* Look a reason up by name; -1 when unknown. */
int reason_from_name(const char *name);

const char *run_status_name(enum ds_run_status s);
/* -1 when unknown */
int run_status_from_name(const char *name);

#endif
