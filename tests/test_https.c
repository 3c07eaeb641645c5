/* HTTPS for real on loopback (TU-2, TU-3): mocks/mock_server serving TLS with
 * certificates from harness/tls/testpki, requested by the core's libcurl
 * transport (harness/sim/http_curl) trusting the test CA. The good certificate
 * gets an answer; the wrong-host, expired and foreign-CA ones each fail with
 * DS_HTTP_TLS_FAILED and curl's own reason, and nothing reaches the mock.
 * Without a CA file the system's store is used: a store that does not know
 * the CA gives curl's reason, a store with no CA certificates (no
 * ca-certificates package; $CURL_CA_BUNDLE stands in for it) a sentence that
 * says what to install, in the transport's error and in a run's detail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "core_fixture.h"
#include "journal.h"
#include "mock_server.h"
#include "pki_dir.h"
#include "sim/evq.h"
#include "sim/http_curl.h"
#include "tls/testpki.h"

#define T0 INT64_C(1767269100000)

enum { GOOD, WRONG_HOST, EXPIRED, OTHER_CA, N_SERVERS };
static const char *const cert_names[N_SERVERS] = {PKI_GOOD, PKI_WRONG_HOST, PKI_EXPIRED,
                                                  PKI_OTHER_CA};

/* Started once for the file: a TLS server costs a few milliseconds. */
static char pki[4096];
static char ca_path[4200];
static struct mock_server *servers[N_SERVERS];
static struct mock_server *plain;

struct fx {
    struct mock_world w;
    struct evq *q;
    struct http_curl *h;
};

struct got {
    int calls;
    enum ds_http_outcome outcome;
    long status;
    char body[4096];
    char error[256];
};

static void on_done(void *arg, const struct ds_http_response *resp)
{
    struct got *g = arg;
    g->calls++;
    g->outcome = resp->outcome;
    g->status = resp->status;
    snprintf(g->body, sizeof g->body, "%s", resp->body ? resp->body : "");
    snprintf(g->error, sizeof g->error, "%s", resp->error);
}

static int group_setup(void **state)
{
    (void)state;
    if (pki_dir_create(pki, sizeof pki) || pki_cert_path(ca_path, sizeof ca_path, pki, PKI_CA))
        return -1;
    for (int i = 0; i < N_SERVERS; i++) {
        char cert[4200], key[4200];
        pki_cert_path(cert, sizeof cert, pki, cert_names[i]);
        pki_key_path(key, sizeof key, pki, cert_names[i]);
        if (mock_server_create_tls(&servers[i], cert, key) != 0) {
            fprintf(stderr, "mock_server_create_tls(%s) failed\n", cert_names[i]);
            return -1;
        }
    }
    return mock_server_create(&plain);
}

static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_SERVERS; i++)
        mock_server_destroy(servers[i]);
    mock_server_destroy(plain);
    pki_dir_remove(pki, NULL);
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    pthread_mutex_init(&f->w.mu, NULL);
    if (evq_create(&f->q, T0) || journal_create(&f->w.journal))
        return -1;
    f->w.clock = evq_clock(f->q);
    if (http_curl_create(&f->h, evq_clock(f->q), true) || http_curl_set_cafile(f->h, ca_path))
        return -1;
    for (int i = 0; i < N_SERVERS; i++)
        mock_server_bind(servers[i], &f->w);
    mock_server_bind(plain, &f->w);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    unsetenv(HTTP_CURL_CA_ENV);
    for (int i = 0; i < N_SERVERS; i++)
        mock_server_bind(servers[i], NULL);
    mock_server_bind(plain, NULL);
    http_curl_destroy(f->h);
    journal_destroy(f->w.journal);
    evq_destroy(f->q);
    pthread_mutex_destroy(&f->w.mu);
    free(f);
    return 0;
}

static const char trigger_body[] =
    "{\"from_number\":\"+15550001111\",\"to_number\":\"+15557770000\",\"dynamic_variables\":{}}";

/* POSTs a trigger to base + /trigger and runs the clock until the answer. */
static void post(struct fx *f, const char *base, struct got *g)
{
    char url[256];
    snprintf(url, sizeof url, "%s/trigger", base);
    static const struct ds_header headers[] = {{"Content-Type", "application/json"}};
    struct ds_http_request rq = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .n_headers = 1,
        .body = trigger_body,
        .body_len = strlen(trigger_body),
        .timeout_ms = 30000,
    };
    assert_int_equal(http_curl_port(f->h).ops->send(f->h, &rq, on_done, g), 0);
    assert_int_equal(g->calls, 0); /* never from inside send */
    while (evq_run_next(f->q, T0 + 60000))
        ;
    assert_int_equal(g->calls, 1);
}

static void urls_say_https_on_ephemeral_ports(void **state)
{
    (void)state;
    int port = 0;
    for (int i = 0; i < N_SERVERS; i++) {
        assert_int_equal(sscanf(mock_server_url(servers[i]), "https://127.0.0.1:%d", &port), 1);
        assert_true(port > 0 && port < 65536);
    }
    assert_int_equal(sscanf(mock_server_url(plain), "http://127.0.0.1:%d", &port), 1);
}

/* TU-2: a certificate that verifies against the trusted CA, for 127.0.0.1:
 * the request crosses TLS and the mock answers it (404: no mock has the
 * route) and journals it byte for byte. */
static void good_certificate_gets_an_answer(void **state)
{
    struct fx *f = *state;
    struct got g = {0};
    post(f, mock_server_url(servers[GOOD]), &g);
    assert_int_equal(g.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(g.status, 404);
    assert_non_null(strstr(g.body, "Cannot POST /trigger"));
    assert_int_equal(journal_count(f->w.journal), 1);
    const struct journal_entry *e = journal_at(f->w.journal, 0);
    assert_string_equal(e->path, "/trigger");
    assert_string_equal(e->body, trigger_body);
}

static void expect_tls_failure(struct fx *f, int which, const char *reason)
{
    struct got g = {0};
    post(f, mock_server_url(servers[which]), &g);
    assert_int_equal(g.outcome, DS_HTTP_TLS_FAILED);
    assert_int_equal(g.status, 0);
    if (!strstr(g.error, reason))
        fail_msg("%s: error \"%s\" does not say \"%s\"", cert_names[which], g.error, reason);
    assert_int_equal(journal_count(f->w.journal), 0); /* refused before any byte of HTTP */
}

/* TU-3: a TLS failure fails the trigger with a reason that names it. */
static void wrong_host_is_tls_failed(void **state)
{
    expect_tls_failure(*state, WRONG_HOST,
                       "no alternative certificate subject name matches target host name");
}

static void expired_is_tls_failed(void **state)
{
    expect_tls_failure(*state, EXPIRED, "certificate has expired");
}

static void other_ca_is_tls_failed(void **state)
{
    expect_tls_failure(*state, OTHER_CA, "unable to get local issuer certificate");
}

/* Without the test CA the system's store is used, and it does not know ours:
 * even the good certificate is refused (nothing trusts it by accident). The
 * store is libcurl's bundle, which .ci/install-deps installs (ca-certificates);
 * without it this would be the missing-store case below. */
static void system_store_does_not_trust_the_test_ca(void **state)
{
    struct fx *f = *state;
    const char *bundle = http_curl_system_cafile();
    assert_non_null(bundle);
    if (access(bundle, R_OK) != 0)
        fail_msg("no CA bundle at %s: install ca-certificates (.ci/install-deps does)", bundle);
    assert_int_equal(http_curl_set_cafile(f->h, NULL), 0);
    struct got g = {0};
    post(f, mock_server_url(servers[GOOD]), &g);
    assert_int_equal(g.outcome, DS_HTTP_TLS_FAILED);
    assert_non_null(strstr(g.error, "SSL certificate problem: unable to get local issuer"));
}

/* $CURL_CA_BUNDLE names the system's store, as for curl(1): one that holds
 * another CA (ca2) still refuses the good certificate, with curl's words. */
static void untrusted_ca_in_the_system_store(void **state)
{
    struct fx *f = *state;
    char ca2[4200];
    assert_int_equal(pki_cert_path(ca2, sizeof ca2, pki, PKI_CA2), 0);
    assert_int_equal(setenv(HTTP_CURL_CA_ENV, ca2, 1), 0);
    assert_int_equal(http_curl_set_cafile(f->h, NULL), 0);
    assert_string_equal(http_curl_system_cafile(), ca2);
    struct got g = {0};
    post(f, mock_server_url(servers[GOOD]), &g);
    assert_int_equal(g.outcome, DS_HTTP_TLS_FAILED);
    assert_non_null(strstr(g.error, "SSL certificate problem: unable to get local issuer"));
    assert_null(strstr(g.error, "ca-certificates"));
}

/* No CA certificates where the system's store should be (a minimal Debian
 * without ca-certificates): the error says so and what to do, instead of
 * curl's "error setting certificate file"; an empty bundle is the same. */
static void missing_system_store_says_what_to_do(void **state)
{
    struct fx *f = *state;
    assert_int_equal(http_curl_set_cafile(f->h, NULL), 0);
    char empty[4200];
    snprintf(empty, sizeof empty, "%s/empty-bundle.crt", pki);
    FILE *e = fopen(empty, "w");
    assert_non_null(e);
    fclose(e);
    const char *bundles[] = {"/nonexistent/ca-certificates.crt", empty};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(setenv(HTTP_CURL_CA_ENV, bundles[i], 1), 0);
        struct got g = {0};
        post(f, mock_server_url(servers[GOOD]), &g);
        char want[512];
        snprintf(want, sizeof want,
                 "no CA certificates found at %s: install ca-certificates, or set "
                 "CURL_CA_BUNDLE to a PEM file of CA certificates (CURL_CA_BUNDLE names that "
                 "path)",
                 bundles[i]);
        assert_int_equal(g.outcome, DS_HTTP_TLS_FAILED);
        assert_string_equal(g.error, want);
        assert_int_equal(journal_count(f->w.journal), 0);
    }
    unlink(empty);
}

/* A CA file the caller named and that is not there is the caller's mistake,
 * not a missing system store: curl's words, with the path. */
static void missing_ca_file_is_tls_failed(void **state)
{
    struct fx *f = *state;
    assert_int_equal(http_curl_set_cafile(f->h, "/nonexistent/ca.pem"), 0);
    struct got g = {0};
    post(f, mock_server_url(servers[GOOD]), &g);
    assert_int_equal(g.outcome, DS_HTTP_TLS_FAILED);
    assert_non_null(strstr(g.error, "/nonexistent/ca.pem"));
    assert_null(strstr(g.error, "install ca-certificates"));
}

/* The same through the core: a run whose trigger URL is https and whose host
 * has no CA bundle fails trigger_tls_failed, and its detail and diagnosis say
 * what to install. */
static void run_detail_names_the_missing_store(void **state)
{
    struct fx *f = *state;
    assert_int_equal(http_curl_set_cafile(f->h, NULL), 0);
    assert_int_equal(setenv(HTTP_CURL_CA_ENV, "/nonexistent/ca-certificates.crt", 1), 0);
    int idc = 0;
    struct core_env env = core_fixture_env(f->q, http_curl_port(f->h).ops, f->h, &idc);
    struct core *core;
    char err[256], url[256];
    assert_int_equal(core_create(&core, &env), 0);
    core_project_put(core, "p", "k");
    assert_int_equal(core_evaluator_put(core, "e", "p", "+15557654321", NULL, err, sizeof err), 0);
    snprintf(url, sizeof url, "%s/trigger", mock_server_url(servers[GOOD]));
    struct core_agent a = {.id = "a",
                           .project = "p",
                           .auto_outbound = true,
                           .contact_number = "+15551234567",
                           .trigger_url = url};
    assert_int_equal(core_agent_put(core, &a, err, sizeof err), 0);
    const char *ids[] = {"e"};
    const struct core_run *r;
    assert_int_equal(core_start_runs(core, "a", ids, 1, &r, err, sizeof err), 0);
    while (evq_run_next(f->q, T0 + 60000))
        ;
    assert_int_equal(r->status, DS_RUN_FAILED);
    assert_int_equal(r->reason, DS_REASON_TRIGGER_TLS_FAILED);
    const char *want = "no CA certificates found at /nonexistent/ca-certificates.crt: install "
                       "ca-certificates, or set CURL_CA_BUNDLE";
    if (!strstr(r->detail, want))
        fail_msg("detail \"%s\" does not say \"%s\"", r->detail, want);
    if (!r->diagnosis || !strstr(r->diagnosis, want))
        fail_msg("diagnosis \"%s\" does not say \"%s\"", r->diagnosis ? r->diagnosis : "(none)",
                 want);
    assert_int_equal(journal_count(f->w.journal), 0);
    while (evq_run_next(f->q, INT64_MAX))
        ;
    core_destroy(core);
}

/* Plain HTTP still works on the same handle (the CA file does not matter). */
static void plain_http_unchanged(void **state)
{
    struct fx *f = *state;
    struct got g = {0};
    post(f, mock_server_url(plain), &g);
    assert_int_equal(g.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(g.status, 404);
}

/* A TLS client on the plain server, and a plain client on the TLS server:
 * neither hangs, both fail as the protocol mismatch they are. */
static void scheme_mismatch_fails_fast(void **state)
{
    struct fx *f = *state;
    char url[256];
    struct got g = {0};
    snprintf(url, sizeof url, "https://%s", mock_server_url(plain) + strlen("http://"));
    post(f, url, &g);
    assert_int_equal(g.outcome, DS_HTTP_TLS_FAILED);
    assert_non_null(strstr(g.error, "wrong version number"));
    struct got g2 = {0};
    snprintf(url, sizeof url, "http://%s", mock_server_url(servers[GOOD]) + strlen("https://"));
    post(f, url, &g2);
    assert_int_equal(g2.outcome, DS_HTTP_PROTOCOL_ERROR);
}

/* A client that connects and never starts TLS holds a relay thread in its
 * handshake; destroying the server cuts it instead of waiting for it. */
static void idle_client_does_not_hold_destroy(void **state)
{
    (void)state;
    char cert[4200], key[4200];
    pki_cert_path(cert, sizeof cert, pki, PKI_GOOD);
    pki_key_path(key, sizeof key, pki, PKI_GOOD);
    struct mock_server *s;
    assert_int_equal(mock_server_create_tls(&s, cert, key), 0);
    int port = 0;
    assert_int_equal(sscanf(mock_server_url(s), "https://127.0.0.1:%d", &port), 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    usleep(20000); /* let the front accept it */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mock_server_destroy(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(fd);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms < 1000);
}

/* A key that is not the certificate's, or a missing file: no server. */
static void bad_key_or_file_is_refused(void **state)
{
    (void)state;
    char cert[4200], key[4200];
    pki_cert_path(cert, sizeof cert, pki, PKI_GOOD);
    pki_key_path(key, sizeof key, pki, PKI_EXPIRED);
    struct mock_server *s = (struct mock_server *)1;
    assert_int_equal(mock_server_create_tls(&s, cert, key), -1);
    assert_null(s);
    assert_int_equal(mock_server_create_tls(&s, "/nonexistent/cert.pem", key), -1);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urls_say_https_on_ephemeral_ports),
        cmocka_unit_test_setup_teardown(good_certificate_gets_an_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_host_is_tls_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(expired_is_tls_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(other_ca_is_tls_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(system_store_does_not_trust_the_test_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(untrusted_ca_in_the_system_store, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_system_store_says_what_to_do, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_ca_file_is_tls_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(run_detail_names_the_missing_store, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_http_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(scheme_mismatch_fails_fast, setup, teardown),
        cmocka_unit_test(idle_client_does_not_hold_destroy),
        cmocka_unit_test(bad_key_or_file_is_refused),
    };
    return cmocka_run_group_tests_name("https", tests, group_setup, group_teardown);
}
