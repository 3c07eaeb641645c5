/* A fake core for the PSTN's line ops, shared by the mock tests: it records
 * every offer and hang-up with its virtual time and answers when told to. */
#ifndef DIALSIM_TEST_FAKE_LINES_H
#define DIALSIM_TEST_FAKE_LINES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pstn.h"
#include "sim/evq.h"

struct fake_core {
    struct evq *q;
    bool answer;
    int offers;
    char from[64], to[64];
    int64_t offered_at;
    int hangups;
    uint64_t hung_token;
    int64_t hangup_at;
    uint64_t next_token;
};

static inline bool core_offer(void *ctx, const char *from, const char *to, uint64_t *token)
{
    struct fake_core *c = ctx;
    c->offers++;
    snprintf(c->from, sizeof c->from, "%s", from);
    snprintf(c->to, sizeof c->to, "%s", to);
    c->offered_at = evq_now(c->q);
    if (c->answer)
        *token = ++c->next_token + 1000;
    return c->answer;
}

static inline void core_hangup(void *ctx, uint64_t token)
{
    struct fake_core *c = ctx;
    c->hangups++;
    c->hung_token = token;
    c->hangup_at = evq_now(c->q);
}

static const struct pstn_line_ops core_ops = {core_offer, core_hangup};

#endif
