/* Unit tests for harness/tls/testpki: the certificates it writes are checked
 * by the openssl command-line tool, an oracle that shares no code with ours
 * but the library: a good chain verifies, the expired and foreign-CA ones
 * fail for the reason a TLS client gives, the host names are the ones asked
 * for, and each key belongs to its certificate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pki_dir.h"
#include "tls/testpki.h"

static char dir[4096];

/* Runs a shell command in dir; its stdout and stderr into out. Returns the
 * exit status, or -1 when it could not run. */
static int run(char *out, size_t n, const char *fmt, ...)
{
    char cmd[12288], body[6000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s 2>&1", dir, body);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void good_verifies_against_ca(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run(out, sizeof out,
                         "openssl verify -x509_strict -purpose sslserver "
                         "-CAfile ca.pem good.pem"),
                     0);
    assert_non_null(strstr(out, "good.pem: OK"));
    assert_int_equal(
        run(out, sizeof out, "openssl verify -CAfile ca.pem -verify_hostname localhost good.pem"),
        0);
    assert_int_equal(
        run(out, sizeof out, "openssl verify -CAfile ca.pem -verify_ip 127.0.0.1 good.pem"), 0);
}

static void expired_fails_as_expired(void **state)
{
    (void)state;
    char out[4096];
    assert_int_not_equal(run(out, sizeof out, "openssl verify -CAfile ca.pem expired.pem"), 0);
    assert_non_null(strstr(out, "certificate has expired"));
    /* expired for the right reason only: its chain and names are fine */
    assert_int_equal(run(out, sizeof out,
                         "openssl verify -no_check_time -CAfile ca.pem -verify_ip 127.0.0.1 "
                         "expired.pem"),
                     0);
}

/* expires-soon verifies today and is gone within 10 days (openssl x509
 * -checkend: non-zero when it will have expired that many seconds on). */
static void expires_soon_verifies_now_and_expires_within_10_days(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(
        run(out, sizeof out, "openssl verify -CAfile ca.pem -verify_ip 127.0.0.1 expires-soon.pem"),
        0);
    assert_int_equal(
        run(out, sizeof out, "openssl x509 -in expires-soon.pem -noout -checkend %d", 8 * 86400),
        0);
    assert_int_not_equal(
        run(out, sizeof out, "openssl x509 -in expires-soon.pem -noout -checkend %d", 11 * 86400),
        0);
}

static void other_ca_fails_against_ca_and_verifies_against_ca2(void **state)
{
    (void)state;
    char out[4096];
    assert_int_not_equal(run(out, sizeof out, "openssl verify -CAfile ca.pem other-ca.pem"), 0);
    assert_non_null(strstr(out, "unable to get local issuer certificate"));
    assert_int_equal(
        run(out, sizeof out, "openssl verify -CAfile ca2.pem -verify_ip 127.0.0.1 other-ca.pem"),
        0);
    /* and the two CAs really are two */
    assert_int_not_equal(run(out, sizeof out, "openssl verify -CAfile ca2.pem good.pem"), 0);
}

static void wrong_host_names_only_wrong_example(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run(out, sizeof out,
                         "openssl x509 -in wrong-host.pem -noout -ext "
                         "subjectAltName"),
                     0);
    assert_non_null(strstr(out, "DNS:wrong.example"));
    assert_null(strstr(out, "localhost"));
    assert_null(strstr(out, "127.0.0.1"));
    /* a good chain, refused only for its name */
    assert_int_equal(run(out, sizeof out, "openssl verify -CAfile ca.pem wrong-host.pem"), 0);
    assert_int_not_equal(
        run(out, sizeof out,
            "openssl verify -CAfile ca.pem -verify_hostname localhost wrong-host.pem"),
        0);
    assert_non_null(strstr(out, "hostname mismatch"));
    assert_int_equal(run(out, sizeof out, "openssl x509 -in good.pem -noout -ext subjectAltName"),
                     0);
    assert_non_null(strstr(out, "DNS:localhost"));
    assert_non_null(strstr(out, "IP Address:127.0.0.1"));
}

static void every_key_is_its_certificates_and_private(void **state)
{
    (void)state;
    static const char *const names[] = {PKI_CA,         PKI_CA2,      PKI_GOOD,        PKI_EXPIRED,
                                        PKI_WRONG_HOST, PKI_OTHER_CA, PKI_EXPIRES_SOON};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char out[4096];
        assert_int_equal(run(out, sizeof out,
                             "test \"$(openssl x509 -in %s.pem -noout -pubkey)\" = "
                             "\"$(openssl pkey -in %s-key.pem -pubout)\"",
                             names[i], names[i]),
                         0);
        char p[4200];
        struct stat st;
        assert_int_equal(pki_key_path(p, sizeof p, dir, names[i]), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    char out[4096];
    assert_int_equal(run(out, sizeof out, "openssl x509 -in ca.pem -noout -text"), 0);
    assert_non_null(strstr(out, "CA:TRUE"));
    assert_non_null(strstr(out, "prime256v1"));
}

static void regenerating_rewrites_and_errors_say_where(void **state)
{
    (void)state;
    char before[4096], after[4096], err[512];
    assert_int_equal(run(before, sizeof before, "openssl x509 -in good.pem -noout -serial"), 0);
    assert_int_equal(pki_generate(dir, err, sizeof err), 0);
    assert_int_equal(run(after, sizeof after, "openssl x509 -in good.pem -noout -serial"), 0);
    assert_string_not_equal(before, after);
    assert_int_equal(run(after, sizeof after, "openssl verify -CAfile ca.pem good.pem"), 0);

    assert_int_equal(pki_generate("/nonexistent/dialsim", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/dialsim/ca-key.pem"));
    assert_non_null(strstr(err, "No such file"));
    char small[8];
    assert_int_equal(pki_cert_path(small, sizeof small, "/tmp", "good"), -1);
}

static int setup(void **state)
{
    (void)state;
    return pki_dir_create(dir, sizeof dir);
}

static int teardown(void **state)
{
    (void)state;
    pki_dir_remove(dir, NULL);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_verifies_against_ca),
        cmocka_unit_test(expired_fails_as_expired),
        cmocka_unit_test(expires_soon_verifies_now_and_expires_within_10_days),
        cmocka_unit_test(other_ca_fails_against_ca_and_verifies_against_ca2),
        cmocka_unit_test(wrong_host_names_only_wrong_example),
        cmocka_unit_test(every_key_is_its_certificates_and_private),
        cmocka_unit_test(regenerating_rewrites_and_errors_say_where),
    };
    return cmocka_run_group_tests_name("testpki", tests, setup, teardown);
}
