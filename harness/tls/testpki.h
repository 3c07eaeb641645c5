/* A throw-away test PKI, made with the OpenSSL 3 C API (no openssl CLI):
 * one test CA and server certificates signed by it, good and broken, so that
 * HTTPS tests can exercise certificate verification for real (TU-2, TU-3).
 * Keys are EC P-256 (milliseconds to generate). Nothing here is secret: the
 * keys are written unencrypted, for tests only.
 *
 * pki_generate(dir) always (re)writes these files in dir (which must exist):
 *
 *   ca.pem, ca-key.pem                   the test CA ("dialsim test CA")
 *   good.pem, good-key.pem               DNS:localhost, IP:127.0.0.1; valid from
 *                                        a day ago for a year; signed by the CA
 *   wrong-host.pem, wrong-host-key.pem   DNS:wrong.example only; signed by the CA
 *   expired.pem, expired-key.pem         localhost/127.0.0.1; notAfter a day ago
 *   expires-soon.pem, expires-soon-key.pem  localhost/127.0.0.1; valid, but only
 *                                        for 10 more days (conform warns)
 *   ca2.pem, ca2-key.pem                 a second, unrelated CA
 *   other-ca.pem, other-ca-key.pem       localhost/127.0.0.1, signed by ca2: a
 *                                        client that trusts ca.pem refuses it
 *
 * Server certificates are leaf certificates only (no chain in the file): the
 * client is given ca.pem (curl --cacert). */
#ifndef DIALSIM_TLS_TESTPKI_H
#define DIALSIM_TLS_TESTPKI_H

#include <stddef.h>

/* The server certificates, by the names their files carry. */
#define PKI_GOOD "good"
#define PKI_WRONG_HOST "wrong-host"
#define PKI_EXPIRED "expired"
#define PKI_EXPIRES_SOON "expires-soon"
#define PKI_OTHER_CA "other-ca"
/* The CAs. */
#define PKI_CA "ca"
#define PKI_CA2 "ca2"

/* Writes every file listed above into dir. Returns 0, or -1 with a sentence in
 * err (n bytes) naming the file or step and OpenSSL's reason. */
int pki_generate(const char *dir, char *err, size_t n);

/* "<dir>/<name>.pem" and "<dir>/<name>-key.pem" into out (n bytes). Return 0,
 * or -1 when out is too small. */
int pki_cert_path(char *out, size_t n, const char *dir, const char *name);
int pki_key_path(char *out, size_t n, const char *dir, const char *name);

#endif
