/* Masking secrets before they are shown: the mocks' journal dump
 * (GET /_dialsim/journal) and the agents' trigger headers in `dialsim serve`'s
 * answers (docs/api.md#secrets). What is stored is never masked: a scenario's
 * `expect` reads the journal as received.
 *
 * The form (decision, docs/decisions.md): a value of 12 characters or more
 * keeps its last 4, "***abcd"; a shorter one is "***" (4 of 8 characters would
 * give half of it away). An authorization scheme stays readable: "Bearer
 * ***abcd", so a reader still sees how the client authenticated. */
#ifndef DIALSIM_REDACT_H
#define DIALSIM_REDACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A header whose value is a credential: authorization, proxy-authorization,
 * cookie, set-cookie, and any name with "api-key", "apikey", "secret",
 * "token" or "password" in it (x-api-key, xi-api-key, x-vapi-secret,
 * x-cekura-api-key, ...). Any case. Signatures are not secrets (an HMAC
 * does not give its key away) and stay readable. */
bool redact_header_name(const char *name);
/* A JSON body key whose string value is a credential: with "secret",
 * "password", "api_key", "apikey" or "api-key" in it, or ending in "token"
 * ("token", "access_token", "authToken"; not "max_tokens"). Any case. */
bool redact_key_name(const char *key);
/* value masked into out (n bytes), as the header says; scheme: the value is
 * an Authorization header's, whose first word ("Bearer") stays. */
void redact_value(const char *value, bool scheme, char *out, size_t n);
/* A copy of a header object (name → string) with the credentials masked;
 * new reference. NULL in, NULL out. */
json_t *redact_headers(const json_t *headers);
/* A copy of a JSON value in which every string under a secret key, at any
 * depth, is masked; new reference. Deeper than 64 levels the rest is
 * replaced by a string saying so (nothing below is shown unmasked). */
json_t *redact_json(const json_t *v);

#endif
