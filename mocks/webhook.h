/* Provider webhooks, as the provider mocks send them: built by the provider
 * module, then signed at the instant they leave (so a delayed webhook carries
 * its sending time) the way the real provider signs:
 *   Vapi        Authorization: Bearer <secret>, or X-Vapi-Secret: <secret>
 *   Retell      x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(api key, body + ms)>
 *   ElevenLabs  ElevenLabs-Signature: t=<unix s>,v0=<hex HMAC-SHA256(secret, "t.body")>
 * A scenario can delay them, drop them, forge the signature, replay them, or
 * sign them as if sent long ago (stale). A webhook the core does not answer
 * 2xx is sent again, re-signed, `retries` times at most, `retry_after` apart
 * (Retell retries up to 3 times, providers.md §4.2; Vapi's default backoff
 * plan has none; ElevenLabs' is undocumented). Each delivery is journalled as
 * mock "<provider>-webhook". */
#ifndef DIALSIM_MOCK_WEBHOOK_H
#define DIALSIM_MOCK_WEBHOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock.h"

enum wh_auth { WH_AUTH_BEARER, WH_AUTH_VAPI_SECRET, WH_AUTH_RETELL, WH_AUTH_ELEVENLABS };

struct mock_webhook_config {
    bool enabled;
    enum wh_auth auth;
    char secret[256];
    int64_t delay_ms;
    bool drop;
    bool forge;
    int64_t replay_after_ms; /* 0: no replay */
    int64_t stale_by_ms;     /* sign as if sent this long before */
    int retries;             /* send again when not answered 2xx, this many times at most */
    int64_t retry_after_ms;  /* between attempts */
    char url[512];           /* "url": the user's own server for every call; "": the core */
};

/* Read mocks.<provider>.webhooks (NULL: disabled). default_secret signs when
 * the object gives none (Retell: the account's first key); default_retries
 * when it gives no "retries". */
void mock_webhook_config_read(struct mock_webhook_config *cfg, const json_t *j,
                              enum wh_auth default_auth, const char *default_secret,
                              int default_retries);

int mock_webhooks_create(struct mock_webhooks **out);
void mock_webhooks_destroy(struct mock_webhooks *q);

/* Send body (taken) after the configured delay to cfg->url, or to the core
 * when the config names no URL. Call with the world's mutex held. */
void mock_webhook_send(struct mock_world *w, const char *provider,
                       const struct mock_webhook_config *cfg, char *body);
/* The same to url (copied): the server the user named for this call the way
 * the provider lets them (Vapi's assistant or phone number server.url,
 * Retell's agent webhook_url, ElevenLabs' workspace webhook); NULL or "": the
 * core. A URL is sent to over real HTTP through w->sink.post (dialsim serve:
 * docs/mocks.md#webhooks-to-your-server), signed and retried as the provider
 * does, and journalled as "<provider>-webhook" with the URL as its path, the
 * status and the answer's body. */
void mock_webhook_send_to(struct mock_world *w, const char *provider,
                          const struct mock_webhook_config *cfg, const char *url, char *body);

/* The signature header value a provider would send at time at_ms ("v=..,d=.."
 * or "t=..,v0=.."); exposed for tests. */
int mock_webhook_sign(enum wh_auth auth, const char *secret, int64_t at_ms, const char *body,
                      char *out, size_t n);

#endif
