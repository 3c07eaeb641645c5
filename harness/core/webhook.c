/* Provider webhooks into the core (providers.md §4): parse, find the run by
 * the provider's call id, authenticate with the run's agent's secret, drop
 * replays, apply. Nothing of a webhook that fails authentication is applied. */
#include "core/core_internal.h"

#include <stdio.h>
#include <string.h>

/* FNV-1a over the body and the authentication header: identical bytes with an
 * identical signature are a replay. */
static uint64_t webhook_digest(const struct ds_header *h, size_t nh, const char *body, size_t len)
{
    uint64_t x = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        x ^= (unsigned char)body[i];
        x *= 1099511628211ULL;
    }
    static const char *auth[] = {"authorization", "x-vapi-secret", "x-retell-signature",
                                 "elevenlabs-signature"};
    for (size_t k = 0; k < 4; k++) {
        const char *v = provider_header(h, nh, auth[k]);
        for (; v && *v; v++) {
            x ^= (unsigned char)*v;
            x *= 1099511628211ULL;
        }
    }
    return x;
}

static struct core_run *run_for_call(struct core *c, enum ds_provider p, const char *call_id)
{
    for (size_t i = 0; i < c->n_runs; i++) {
        struct core_run *r = c->runs[i];
        if (r->provider == p && r->provider_call_id && strcmp(r->provider_call_id, call_id) == 0)
            return r;
    }
    return NULL;
}

int core_provider_webhook(struct core *c, enum ds_provider p, const struct ds_header *headers,
                          size_t n_headers, const char *body, size_t body_len, char *err, size_t n)
{
    const struct provider_ops *ops = core_provider_ops(p);
    if (!ops) {
        snprintf(err, n, "no such provider");
        return 404;
    }
    struct provider_webhook wh;
    if (ops->parse_webhook(body, body_len, &wh, err, n) != 0)
        return 400;
    struct core_run *r = run_for_call(c, p, wh.call_id);
    if (!r) {
        snprintf(err, n, "no run has %s call %s", ops->display, wh.call_id);
        return 404;
    }
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    const char *secret = NULL;
    if (a)
        secret = !strcmp(ops->webhook_secret_field, "provider_api_key") ? a->provider_api_key
                                                                        : a->webhook_secret;
    char why[300];
    if (ops->verify_webhook(headers, n_headers, body, body_len, secret, core_now(c), why,
                            sizeof why) != 0) {
        core_log(r, "%s webhook %s rejected (401): %s", ops->display, wh.event, why);
        snprintf(err, n, "%s", why);
        return 401;
    }
    uint64_t dg = webhook_digest(headers, n_headers, body, body_len);
    for (int i = 0; i < CORE_WEBHOOKS_REMEMBERED; i++) {
        if (r->seen_webhooks[i] == dg) {
            core_log(r, "%s webhook %s is a replay of one already applied: ignored", ops->display,
                     wh.event);
            snprintf(err, n, "duplicate");
            return 200;
        }
    }
    r->seen_webhooks[r->webhooks % CORE_WEBHOOKS_REMEMBERED] = dg;
    r->webhooks++;
    char src[64];
    snprintf(src, sizeof src, "webhook %s", wh.event);
    if (wh.state.known)
        core_apply_provider_state(r, &wh.state, src);
    err[0] = '\0';
    return 200;
}
