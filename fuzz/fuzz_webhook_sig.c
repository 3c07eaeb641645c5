/* Fuzz target: the provider webhooks' authentication headers and their
 * verification (core/provider_*.c verify_webhook: Vapi's Authorization /
 * X-Vapi-Secret, Retell's x-retell-signature "v=..,d=..", ElevenLabs'
 * elevenlabs-signature "t=..,v0=..") and the webhook body parsers, for every
 * adapter on the same input. Input: headers, an empty line, the body. */
#include <stddef.h>
#include <stdint.h>

#include "core/provider.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct provider_ops *const adapters[] = {&provider_vapi, &provider_retell,
                                                      &provider_elevenlabs};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_msg m;
    if (fuzz_msg_split(data, size, &m) != 0)
        return 0;
    struct ds_header hs[FUZZ_MAX_HEADERS];
    for (size_t i = 0; i < m.nh; i++) {
        hs[i].name = m.h[i].name;
        hs[i].value = m.h[i].value;
    }
    for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++) {
        char err[256];
        /* now: 2026-01-01T12:00:00Z, so timestamps near it pass the age check */
        (void)adapters[i]->verify_webhook(hs, m.nh, m.body, m.body_len, "whsec", 1767268800000,
                                          err, sizeof err);
        struct provider_webhook wh;
        (void)adapters[i]->parse_webhook(m.body, m.body_len, &wh, err, sizeof err);
    }
    fuzz_msg_free(&m);
    return 0;
}
