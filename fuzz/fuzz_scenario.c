/* Fuzz target: the scenario loader (runner/scenario.c, runner/jsonpos.c) on
 * any text: strict validation, positions, did-you-mean. Seeds: scenarios/,
 * fixtures/scenario-example.json, tests/invalid/. */
#include <stddef.h>
#include <stdint.h>

#include "runner/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario *s = NULL;
    char err[512];
    if (scenario_parse("fuzz.json", (const char *)data, size, &s, err, sizeof err) == 0)
        scenario_free(s);
    return 0;
}
