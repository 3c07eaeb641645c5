/* Running one scenario. A worker owns what is reused from scenario to
 * scenario on one thread: the event queue (the simulated clock), the libcurl
 * transport and the mock server. worker_run builds the scenario's world on it
 * (core, provider mocks, PSTN, journal), replays the steps at their virtual
 * times, checks the expectations and tears the world down again. */
#ifndef DIALSIM_WORLD_H
#define DIALSIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "runner/scenario.h"

struct scenario_result {
    bool passed;
    char *report;   /* lines to print for this scenario (deterministic); owned */
    char *failures; /* the failed expectations alone, for JUnit; owned */
    unsigned n_failures;
    unsigned n_runs;
    uint64_t events; /* events the clock ran */
    int64_t wall_us; /* wall time worker_run took (for --timing; never printed otherwise) */
    /* verbose only: label → the run as the serve API shows it (core_run_to_json)
     * plus "provider_call": {"status","ended_reason"} or null; owned */
    json_t *runs;
};

struct worker;

int worker_create(struct worker **out);
void worker_destroy(struct worker *wk);
/* Replay s. verbose adds every run's outcome and event log to the report,
 * and fills res->runs.
 * Returns 0 (res filled, passed or not) or -1 when the harness itself failed
 * (res->report says why). */
int worker_run(struct worker *wk, const struct scenario *s, bool verbose,
               struct scenario_result *res);
void scenario_result_clear(struct scenario_result *res);

#endif
