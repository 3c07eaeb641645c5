#include "runner/vocab.h"

#include <stdio.h>
#include <string.h>

/* The same facts as the mocks answer them (mocks/mock_*.c) and as
 * docs/scenario-format.md tabulates them; the call states, not the errors a
 * start-call request is refused with (those are AO-4 reasons already). */
static const struct vocab_outcome outcomes[] = {
    {"customer-did-not-answer", "Vapi's", "endedReason", "ended",
     "the call rang out: nobody answered"},
    {"customer-busy", "Vapi's", "endedReason", "ended",
     "the line was busy, or the callee declined"},
    {"twilio-failed-to-connect-call", "Vapi's", "endedReason", "ended",
     "the carrier could not connect the call"},
    {"twilio-reported-customer-misdialed", "Vapi's", "endedReason", "ended",
     "the number called is not in service"},
    {"voicemail", "Vapi's", "endedReason", "ended", "voicemail answered the call"},
    {"customer-ended-call", "Vapi's", "endedReason", "ended",
     "the call was answered and the callee hung up: a normal end"},
    {"dial_no_answer", "Retell's", "disconnection_reason", "not_connected",
     "the call rang out: nobody answered"},
    {"dial_busy", "Retell's", "disconnection_reason", "not_connected", "the line was busy"},
    {"dial_failed", "Retell's", "disconnection_reason", "not_connected",
     "the carrier could not connect the call"},
    {"user_declined", "Retell's", "disconnection_reason", "not_connected",
     "the callee declined the call"},
    {"invalid_destination", "Retell's", "disconnection_reason", "not_connected",
     "the number called is not in service"},
    {"voicemail_reached", "Retell's", "disconnection_reason", "ended",
     "voicemail answered the call"},
    {"user_hangup", "Retell's", "disconnection_reason", "ended",
     "the call was answered and the callee hung up: a normal end"},
    {"no-answer", "ElevenLabs'", "failure_reason", "failed", "the call rang out: nobody answered"},
    {"busy", "ElevenLabs'", "failure_reason", "failed",
     "the line was busy, or the callee declined"},
};

size_t vocab_outcomes(const char *word, const struct vocab_outcome **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; word && i < sizeof outcomes / sizeof *outcomes && n < max; i++)
        if (!strcmp(outcomes[i].word, word))
            out[n++] = &outcomes[i];
    return n;
}

/* A provider's key and dialsim's: what their APIs and dashboards call the
 * thing a scenario's key holds. */
static const struct {
    const char *theirs, *ours, *whose;
} keys[] = {
    {"agent_id", "assistant_id", "Retell's and ElevenLabs'"},
    {"assistantId", "assistant_id", "Vapi's"},
    {"phoneNumberId", "phone_number_id", "Vapi's"},
    {"agent_phone_number_id", "phone_number_id", "ElevenLabs'"},
    {"from_number", "contact_number", "Retell's"},
    {"to_number", "phone_number", "Retell's"},
    {"api_key", "provider_api_key", "the providers'"},
    {"endedReason", "ended_reason", "Vapi's"},
    {"disconnection_reason", "ended_reason", "Retell's"},
    {"failure_reason", "ended_reason", "ElevenLabs'"},
    {"call_status", "status", "Retell's"},
};

const char *vocab_key(const char *key, const char *const *cands, size_t n, const char **whose)
{
    for (size_t i = 0; key && i < sizeof keys / sizeof *keys; i++) {
        if (strcmp(keys[i].theirs, key) != 0)
            continue;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(cands[k], keys[i].ours)) {
                *whose = keys[i].whose;
                return cands[k];
            }
    }
    return NULL;
}

int vocab_reason_hint(const char *word, char *buf, size_t bn)
{
    const struct vocab_outcome *o;
    if (vocab_outcomes(word, &o, 1) == 0)
        return 0;
    snprintf(buf, bn,
             " (%s is %s %s, the provider's side of the call: it goes in provider_call."
             "ended_reason; a run's reason is the core's cause, `dialsim explain %s` lists "
             "the ones seen with it)",
             word, o->provider, o->field, word);
    return 1;
}
