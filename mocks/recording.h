/* Recordings as the provider mocks deliver them (providers.md §5, rule H-4).
 * Every answered call has one: written with libsndfile (harness/audio) when
 * it is fetched, from the call itself — the agent and the customer take
 * turns, each audible on their own channel for the turn's length, silence in
 * between, seeded by the call id so the same call gives the same bytes.
 * Channel order (decision; Vapi's real order is unconfirmed): 1 = the agent
 * (assistant), 2 = the customer.
 *
 * mocks.<provider>.recording in a scenario: {"format": "wav" | "flac" |
 * "ogg" | "opus" | "mp3", "sample_rate": N, "channels": 1 | 2, "defect":
 * "dead_air" | "silent_channel" | "truncated" | "wrong_rate" | "clipping" |
 * "zero_length" | "not_audio"}. */
#ifndef DIALSIM_MOCK_RECORDING_H
#define DIALSIM_MOCK_RECORDING_H

#include <jansson.h>
#include <stdbool.h>

#include "audio/recording.h"
#include "mock.h"
#include "mock_account.h"

enum mock_rec_variant {
    MOCK_REC_AS_CONFIGURED, /* the provider's main recording */
    MOCK_REC_MONO,          /* both parties mixed */
    MOCK_REC_STEREO,        /* one party per channel */
    MOCK_REC_AGENT,         /* the agent alone */
    MOCK_REC_CUSTOMER,      /* the customer alone */
};

struct mock_recording_config {
    enum rec_format format;
    int sample_rate;
    int channels;
    char defect[24]; /* "" for none */
};

/* The conversation of an answered call: who speaks when (channel 1 the agent,
 * 2 the customer), and what they say. The transcript every provider mock
 * reports and the recording it serves are both made from this list, so each
 * transcript turn is audible on its speaker's channel for its duration.
 * Returns the number of turns written (at most max). */
size_t mock_call_turns(const struct mock_call *c, struct rec_turn *turns, size_t max);
/* The words of turn i (canned lines, agent and customer alternating). */
const char *mock_turn_text(size_t i, int channel);

/* Read mocks.<provider>.recording over the provider's defaults. */
void mock_recording_config_read(struct mock_recording_config *c, const json_t *j,
                                enum rec_format format, int sample_rate, int channels);
/* MIME type a provider serves the format with. */
const char *mock_recording_mime(enum rec_format f);
/* Answer with the recording of call c (binary body), or 404 when the call
 * was never answered. Call with the world's mutex held. */
void mock_recording_reply(struct mock_world *w, const struct mock_recording_config *c,
                          const struct mock_call *call, enum mock_rec_variant v,
                          struct mock_response *rs);

#endif
