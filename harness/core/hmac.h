/* HMAC-SHA256 (OpenSSL) and constant-time comparison, shared by the core
 * (verifying provider webhooks) and the mocks (signing them). */
#ifndef DIALSIM_HMAC_H
#define DIALSIM_HMAC_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case hex of HMAC-SHA256(key, msg1 || msg2) into out (65 bytes). msg2
 * may be NULL. Returns 0, or -1 when OpenSSL fails. */
int hmac_sha256_hex(const char *key, const void *msg1, size_t len1, const void *msg2, size_t len2,
                    char out[65]);
/* Compare two strings in time that depends on their lengths only (CRYPTO_memcmp). */
bool secret_equal(const char *a, const char *b);

#endif
