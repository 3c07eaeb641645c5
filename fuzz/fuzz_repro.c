/* Fuzz target: `dialsim repro`'s report reader (runner/repro.c): a support
 * ticket's JSON turned into a scenario. Seeds: fixtures/repro/. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "runner/repro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strdup(data, size);
    if (!text)
        return 0;
    char symptom[32], err[512];
    json_t *sc = repro_scenario("report.json", text, size, symptom, sizeof symptom, err, sizeof err);
    json_decref(sc);
    free(text);
    return 0;
}
