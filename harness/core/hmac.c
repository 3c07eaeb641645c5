#include "core/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hmac_sha256_hex(const char *key, const void *msg1, size_t len1, const void *msg2, size_t len2,
                    char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t n = len1 + (msg2 ? len2 : 0);
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf)
        return -1;
    memcpy(buf, msg1, len1);
    if (msg2)
        memcpy(buf + len1, msg2, len2);
    unsigned char *ok = HMAC(EVP_sha256(), key, (int)strlen(key), buf, n, md, &mdlen);
    free(buf);
    if (!ok)
        return -1;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[2 * mdlen] = '\0';
    return 0;
}

bool secret_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return CRYPTO_memcmp(a, b, la) == 0;
}
