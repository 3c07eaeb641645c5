/* A test PKI in a fresh temporary folder, for tests that need certificates
 * (harness/tls/testpki.h says which files it holds). */
#ifndef DIALSIM_TEST_PKI_DIR_H
#define DIALSIM_TEST_PKI_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls/testpki.h"

/* Makes a folder under $TMPDIR (or /tmp) into dir (n bytes) and writes the
 * PKI in it. Returns 0, or -1 after printing why. */
static inline int pki_dir_create(char *dir, size_t n)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, n, "%s/dialsim-pki-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        perror(dir);
        return -1;
    }
    char err[512];
    if (pki_generate(dir, err, sizeof err)) {
        fprintf(stderr, "pki_generate: %s\n", err);
        return -1;
    }
    return 0;
}

/* Removes the files pki_generate writes, extra (NULL-terminated names in dir,
 * may be NULL), and the folder. */
static inline void pki_dir_remove(const char *dir, const char *const *extra)
{
    static const char *const names[] = {PKI_CA,      PKI_CA2,        PKI_GOOD,
                                        PKI_EXPIRED, PKI_WRONG_HOST, PKI_OTHER_CA};
    char p[4096];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!pki_cert_path(p, sizeof p, dir, names[i]))
            unlink(p);
        if (!pki_key_path(p, sizeof p, dir, names[i]))
            unlink(p);
    }
    for (size_t i = 0; extra && extra[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, extra[i]);
        unlink(p);
    }
    rmdir(dir);
}

#endif
