/* HMAC-SHA256 computed by the openssl command-line tool, as an oracle that
 * shares no code with harness/core/hmac.c: the tests feed the same key and
 * message to `printf '%s' MSG | openssl dgst -sha256 -hmac KEY` and compare.
 * Key and message go through the shell in single quotes, so any byte but NUL
 * is fine. The openssl CLI is listed in .ci/install-deps. */
#ifndef DIALSIM_TEST_OPENSSL_CLI_H
#define DIALSIM_TEST_OPENSSL_CLI_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s as a single-quoted shell word: ' becomes '\''. Caller frees. */
static inline char *sh_quote(const char *s, size_t len)
{
    char *q = malloc(len * 4 + 3);
    if (!q)
        return NULL;
    size_t k = 0;
    q[k++] = '\'';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'') {
            memcpy(q + k, "'\\''", 4);
            k += 4;
        } else {
            q[k++] = s[i];
        }
    }
    q[k++] = '\'';
    q[k] = '\0';
    return q;
}

/* Lower-case hex of HMAC-SHA256(key, msg) from the openssl CLI into out (65
 * bytes). Returns 0, or -1 when the tool could not be run or said something
 * unexpected (the output is then in out, for the failure message). */
static inline int openssl_hmac_hex(const char *key, const char *msg, size_t len, char out[65])
{
    char *qk = sh_quote(key, strlen(key));
    char *qm = sh_quote(msg, len);
    out[0] = '\0';
    if (!qk || !qm) {
        free(qk);
        free(qm);
        return -1;
    }
    size_t n = strlen(qk) + strlen(qm) + 80;
    char *cmd = malloc(n);
    if (!cmd) {
        free(qk);
        free(qm);
        return -1;
    }
    snprintf(cmd, n, "printf '%%s' %s | openssl dgst -sha256 -hmac %s 2>&1", qm, qk);
    free(qk);
    free(qm);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return -1;
    char line[512] = "";
    size_t got = fread(line, 1, sizeof line - 1, p);
    line[got] = '\0';
    int rc = pclose(p);
    /* "SHA2-256(stdin)= <hex>" (OpenSSL 3) or "(stdin)= <hex>" (1.1) */
    const char *h = strstr(line, "= ");
    if (rc != 0 || !h) {
        snprintf(out, 65, "%.64s", line);
        return -1;
    }
    h += 2;
    for (int i = 0; i < 64; i++) {
        if (!isxdigit((unsigned char)h[i])) {
            snprintf(out, 65, "%.64s", line);
            return -1;
        }
        out[i] = (char)tolower((unsigned char)h[i]);
    }
    out[64] = '\0';
    return 0;
}

#endif
