/* The pieces every core-on-an-evq test fixture shares (test_core.c,
 * test_webhook.c, test_transcript_match.c, test_ingest.c, test_trigger.c):
 * an id source, the core's environment and the teardown. */
#ifndef DIALSIM_TEST_CORE_FIXTURE_H
#define DIALSIM_TEST_CORE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>

#include "core/core.h"
#include "sim/evq.h"

/* Ids "<kind>_<n>", n counting up from 1 in the int at ctx. */
static inline void fixture_ids_next(void *ctx, const char *kind, char *buf, size_t n)
{
    int *c = ctx;
    snprintf(buf, n, "%s_%d", kind, ++*c);
}
static const struct ds_ids_ops fixture_ids_ops = {fixture_ids_next};

/* A core's env: q's clock, the HTTP port (ops, http), ids counted in *idc;
 * no provider base URLs, not in test mode. */
static inline struct core_env core_fixture_env(struct evq *q, const struct ds_http_ops *ops,
                                               void *http, int *idc)
{
    return (struct core_env){
        .clock = evq_clock(q),
        .http = {ops, http},
        .ids = {&fixture_ids_ops, idc},
    };
}

/* Run q until empty (pending deliveries free themselves), then destroy core and q. */
static inline void core_fixture_close(struct evq *q, struct core *core)
{
    while (evq_run_next(q, INT64_MAX))
        ;
    core_destroy(core);
    evq_destroy(q);
}

#endif
