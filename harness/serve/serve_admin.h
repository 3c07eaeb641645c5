/* The admin API of serve's mocks port (docs/mocks.md#admin): what a user's own
 * test suite asks a mock server, as it asks WireMock. Routes under
 * /_dialsim/, behind the admin token (mocks/mock_access.h), reached through
 * the world's struct mock_admin hook with the world's mutex held.
 *
 * serve_admin.c: the dispatcher, the journal (filters, count, DELETE),
 * verify (with the near-miss report), wait (a long-poll), reset.
 * serve_admin_world.c: what changes the world: faults, accounts, outcomes.
 * Everything the admin API sets, a scenario's `mocks` object sets too, and
 * both are checked by the same code (scenario_check_mocks). */
#ifndef DIALSIM_SERVE_ADMIN_H
#define DIALSIM_SERVE_ADMIN_H

#include <jansson.h>

#include "mock.h"

struct serve;

/* Longest wait of POST /_dialsim/wait, and the default (ms). */
#define SRV_WAIT_MAX_MS 60000
#define SRV_WAIT_DEFAULT_MS 10000

/* The mock_admin hook's handle (ctx: the serve). */
int srv_admin_handle(void *ctx, struct mock_world *w, const struct mock_request *rq,
                     struct mock_response *rs);

/* ---- shared by the two files ---- */
/* {"message": msg} with status. */
void srv_admin_error(struct mock_response *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The JSON body: a new reference, or NULL with the 400 answered ("body:L:C:
 * ..."). */
json_t *srv_admin_body(const struct mock_request *rq, struct mock_response *rs);
/* `what` (a part of a mocks object) checked as a scenario's mocks would be:
 * 0, or -1 with a 400 answered naming where in the body (rel: the path the
 * body has inside `mocks`, e.g. "mocks.faults[0]" for a rule POSTed alone). */
int srv_admin_check_mocks(const json_t *mocks, const char *rel, const struct mock_request *rq,
                          struct mock_response *rs);

/* serve_admin_world.c: 1 when the route was answered. */
int srv_admin_faults(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                     struct mock_response *rs);
int srv_admin_accounts(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                       struct mock_response *rs);
int srv_admin_outcomes(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                       struct mock_response *rs);
/* Back to the config: faults, accounts, outcomes (reset's part); counts into
 * out. World mutex held. */
void srv_admin_reset_world(struct serve *s, struct mock_world *w, json_t *out);

#endif
