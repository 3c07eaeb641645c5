#include "tls/testpki.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define DAY (24L * 60 * 60)

/* One certificate to make: who it is, who signs it, for when, for whom. */
struct cert_spec {
    const char *name;  /* file stem and CN */
    bool ca;           /* a CA certificate (self-signed when issuer is NULL) */
    const char *san;   /* subjectAltName, NULL for none */
    long not_before_s; /* relative to now */
    long not_after_s;  /* relative to now */
};

/* First error wins: later failures during cleanup do not overwrite it. */
static void fail(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n || err[0])
        return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    unsigned long e = ERR_peek_last_error();
    if (e) {
        char why[256];
        ERR_error_string_n(e, why, sizeof why);
        snprintf(err, n, "%s: %s", what, why);
    } else {
        snprintf(err, n, "%s", what);
    }
    ERR_clear_error();
}

int pki_cert_path(char *out, size_t n, const char *dir, const char *name)
{
    int k = snprintf(out, n, "%s/%s.pem", dir, name);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

int pki_key_path(char *out, size_t n, const char *dir, const char *name)
{
    int k = snprintf(out, n, "%s/%s-key.pem", dir, name);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* A random positive 63-bit serial: two runs never issue the same serial, so a
 * client that caches certificates by issuer and serial cannot mix them up. */
static int set_serial(X509 *x)
{
    unsigned char b[8];
    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    b[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(b, sizeof b, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : -1;
}

/* The extensions a verifier expects of a CA or of a TLS server certificate. */
static int add_exts(X509 *x, X509 *issuer, const struct cert_spec *sp)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    if (add_ext(x, &ctx, NID_subject_key_identifier, "hash"))
        return -1;
    if (add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always"))
        return -1;
    if (sp->ca)
        return add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") ||
                       add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign")
                   ? -1
                   : 0;
    if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
        add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") ||
        add_ext(x, &ctx, NID_ext_key_usage, "serverAuth"))
        return -1;
    return sp->san ? add_ext(x, &ctx, NID_subject_alt_name, sp->san) : 0;
}

/* A certificate for key, signed by issuer/issuer_key (itself when NULL). */
static X509 *make_cert(const struct cert_spec *sp, EVP_PKEY *key, X509 *issuer,
                       EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();
    X509_NAME *name = NULL;
    if (!x || !X509_set_version(x, X509_VERSION_3) || set_serial(x))
        goto fail;
    char cn[128];
    snprintf(cn, sizeof cn, sp->ca ? "dialsim test CA %s" : "dialsim test %s", sp->name);
    name = X509_NAME_new();
    if (!name ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"dialsim", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0) ||
        !X509_set_subject_name(x, name) ||
        !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name))
        goto fail;
    if (!X509_gmtime_adj(X509_getm_notBefore(x), sp->not_before_s) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), sp->not_after_s) || !X509_set_pubkey(x, key))
        goto fail;
    if (add_exts(x, issuer, sp))
        goto fail;
    if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
        goto fail;
    X509_NAME_free(name);
    return x;
fail:
    X509_NAME_free(name);
    X509_free(x);
    return NULL;
}

/* Writes through a file opened 0600 (a key) or 0644 (a certificate), and
 * replaces what was there. */
static int write_pem(const char *path, EVP_PKEY *key, X509 *cert)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, key ? 0600 : 0644);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    int ok =
        key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* Makes one key and certificate and writes both. The key and certificate are
 * returned (new references) when the caller wants them, to sign others. */
static int issue(const char *dir, const struct cert_spec *sp, X509 *issuer, EVP_PKEY *issuer_key,
                 X509 **cert_out, EVP_PKEY **key_out, char *err, size_t n)
{
    char cpath[4096], kpath[4096];
    int rc = -1;
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    if (pki_cert_path(cpath, sizeof cpath, dir, sp->name) ||
        pki_key_path(kpath, sizeof kpath, dir, sp->name)) {
        fail(err, n, "%s: the folder name is too long", dir);
        goto out;
    }
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) {
        fail(err, n, "%s: generating an EC P-256 key", sp->name);
        goto out;
    }
    x = make_cert(sp, key, issuer, issuer_key);
    if (!x) {
        fail(err, n, "%s: building the certificate", sp->name);
        goto out;
    }
    errno = 0;
    if (write_pem(kpath, key, NULL)) {
        fail(err, n, "%s: %s", kpath, errno ? strerror(errno) : "writing the key");
        goto out;
    }
    errno = 0;
    if (write_pem(cpath, NULL, x)) {
        fail(err, n, "%s: %s", cpath, errno ? strerror(errno) : "writing the certificate");
        goto out;
    }
    rc = 0;
    if (cert_out) {
        *cert_out = x;
        x = NULL;
    }
    if (key_out) {
        *key_out = key;
        key = NULL;
    }
out:
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

int pki_generate(const char *dir, char *err, size_t n)
{
    static const char *const localhost = "DNS:localhost,IP:127.0.0.1";
    const struct cert_spec ca = {PKI_CA, true, NULL, -DAY, 3 * 365 * DAY};
    const struct cert_spec ca2 = {PKI_CA2, true, NULL, -DAY, 3 * 365 * DAY};
    const struct cert_spec leaves[] = {
        {PKI_GOOD, false, localhost, -DAY, 365 * DAY},
        {PKI_WRONG_HOST, false, "DNS:wrong.example", -DAY, 365 * DAY},
        {PKI_EXPIRED, false, localhost, -30 * DAY, -DAY},
        {PKI_EXPIRES_SOON, false, localhost, -DAY, 10 * DAY},
    };
    const struct cert_spec other = {PKI_OTHER_CA, false, localhost, -DAY, 365 * DAY};
    X509 *ca_cert = NULL, *ca2_cert = NULL;
    EVP_PKEY *ca_key = NULL, *ca2_key = NULL;
    int rc = -1;
    if (err && n)
        err[0] = '\0';
    ERR_clear_error();
    if (issue(dir, &ca, NULL, NULL, &ca_cert, &ca_key, err, n))
        goto out;
    for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++)
        if (issue(dir, &leaves[i], ca_cert, ca_key, NULL, NULL, err, n))
            goto out;
    if (issue(dir, &ca2, NULL, NULL, &ca2_cert, &ca2_key, err, n) ||
        issue(dir, &other, ca2_cert, ca2_key, NULL, NULL, err, n))
        goto out;
    rc = 0;
out:
    X509_free(ca_cert);
    X509_free(ca2_cert);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(ca2_key);
    return rc;
}
