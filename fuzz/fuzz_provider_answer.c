/* Fuzz target: each provider adapter's answer parsers (core/provider_*.c
 * parse_start and parse_get) on any HTTP answer. Input: the first byte picks
 * the status from a table of the ones providers send, the rest is the body.
 * Seeds: the mocks' answers (fuzz/run.sh writes a few). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/provider.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct provider_ops *const adapters[] = {&provider_vapi, &provider_retell,
                                                      &provider_elevenlabs};
static const long statuses[] = {200, 201, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 0, 99, 999};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *body = fuzz_strdup(data + 1, size - 1);
    if (!body)
        return 0;
    struct ds_http_response resp = {
        .outcome = DS_HTTP_RESPONSE,
        .status = statuses[data[0] % (sizeof statuses / sizeof *statuses)],
        .body = body,
        .body_len = size - 1,
    };
    for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++) {
        struct provider_start_result st;
        adapters[i]->parse_start(&resp, &st);
        struct provider_call_state cs;
        adapters[i]->parse_get(&resp, &cs);
    }
    free(body);
    return 0;
}
