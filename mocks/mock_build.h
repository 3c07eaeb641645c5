/* A mock_world from a `mocks` object (docs/scenario-format.md#mocks): the
 * journal, the provider accounts, the PSTN, HTTP faults, webhooks on their
 * way and customers' trigger endpoints. `dialsim run` builds one per scenario
 * on the simulated clock; `dialsim serve` one for its life on the wall clock
 * (docs/mocks.md). The caller sets w->clock, w->base_url and w->tmpdir
 * first, and wires the PSTN's lines and the webhook sink after. */
#ifndef DIALSIM_MOCK_BUILD_H
#define DIALSIM_MOCK_BUILD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock.h"

/* mocks may be NULL (every default). agents (an array of agent objects, or
 * NULL) set up a provider account the scenario does not describe the way its
 * agents expect it. The mutex is initialised here. Returns 0, or -1 (what was
 * made is then destroyed). */
int mock_world_build(struct mock_world *w, const json_t *mocks, const json_t *agents,
                     uint64_t seed);
/* Destroys what mock_world_build made (and the customer backend, when the
 * caller added one). No event of the world may run any more. */
void mock_world_unbuild(struct mock_world *w);

/* The server is stopping: every long-poll on w's journal answers now, and
 * none waits from now on. NULL ok. Takes w->mu. */
void mock_world_stop_waits(struct mock_world *w);

/* Small readers shared by the builders: a string member or dflt; a boolean
 * member or dflt; a member in seconds as milliseconds (rounded), or dflt_ms. */
const char *mock_jstr(const json_t *o, const char *k, const char *dflt);
bool mock_jbool(const json_t *o, const char *k, bool dflt);
int64_t mock_jsecs(const json_t *o, const char *k, int64_t dflt_ms);

#endif
