/* `dialsim repro`: a customer's "the provider says Busy / NoAnswer" report
 * turned into a scenario, replayed against the real core on the simulated
 * clock, and answered with both halves of the story: what the provider
 * showed and what the core did (docs/repro.md).
 *
 * The report is a small JSON file: the provider, the agent's contact_number
 * as configured on the platform, the number the provider dialled from and
 * the evaluator's number (given, or read from the provider's own call record
 * pasted in as provider_call), the symptom, the dial delay and the window. */
#ifndef DIALSIM_REPRO_H
#define DIALSIM_REPRO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The scenario a report describes (steps and mocks, an empty expect), from
 * the report's text; `label` names it in messages, which say
 * "label:line:col: at path: what was expected". The reported symptom
 * ("busy", "no-answer", "failed" or "") goes to symptom. Returns NULL with err. */
json_t *repro_scenario(const char *label, const char *text, size_t len, char *symptom,
                       size_t symptom_n, char *err, size_t n);

/* Fill scenario.expect.runs.<label> from a replay's res->runs (status,
 * reason, diagnosis, provider_call), so that the scenario pins what was
 * seen. Returns 0, or -1 when a run is missing. */
int repro_pin(json_t *scenario, const json_t *runs);

/* Two lines in plain words for the replay's run (res->runs.<label>): the
 * provider-side symptom, and whether it is the reported one (with trigger:
 * what the customer's system's dials did instead); the core-side cause, or
 * that the core answered (so the cause lies outside it). malloc'd. */
char *repro_verdict(const char *reported_symptom, const json_t *run, bool trigger);

/* dialsim repro REPORT.json [-o FILE] [-v]: 0 replayed, 2 unusable input. */
int cmd_repro(int argc, char **argv);

#endif
