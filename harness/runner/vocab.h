/* The providers' own words, so that a user who thinks in Vapi's, Retell's or
 * ElevenLabs' terms is pointed to where the word belongs in dialsim: the
 * names the providers give a call's fate (Retell's "dial_no_answer"), and the
 * names they give what dialsim's scenario keys hold (Retell's "agent_id" is
 * an agent's "assistant_id"). Tables only: explain and the scenario loader
 * decide what to say. */
#ifndef DIALSIM_VOCAB_H
#define DIALSIM_VOCAB_H

#include <stddef.h>

/* One provider word for a call's fate (docs/scenario-format.md, "How each
 * provider names the call's fate"). All strings are static. */
struct vocab_outcome {
    const char *word;     /* "dial_no_answer" */
    const char *provider; /* possessive, for sentences: "Retell's", "ElevenLabs'" */
    const char *field;    /* where the provider says it: "disconnection_reason" */
    const char *status;   /* the call status that goes with it: "not_connected" */
    const char *meaning;  /* "the call rang out: nobody answered" */
};

/* Every provider's entries for word, in table order (a word such as "busy"
 * can be one provider's only, "voicemail" Vapi's): up to max into out;
 * returns how many. */
size_t vocab_outcomes(const char *word, const struct vocab_outcome **out, size_t max);

/* When key is a provider's name for one of the n candidate keys (Retell's
 * "agent_id" for "assistant_id"), that candidate, and in *whose the
 * provider(s) that use the word, possessive ("Retell's and ElevenLabs'"); else NULL. */
const char *vocab_key(const char *key, const char *const *cands, size_t n, const char **whose);

/* When word is a provider's word for a call's fate, where it belongs instead of
 * a run's reason, as " (dial_no_answer is Retell's disconnection_reason ...)"
 * into buf, and 1; else 0 and buf untouched. */
int vocab_reason_hint(const char *word, char *buf, size_t bn);

#endif
