/* A customer's trigger endpoint, good and broken, for the real-time tests of
 * `dialsim conform` (tests/check_conform_trigger.sh). One process serves
 * every behaviour: the path chooses it (as curl's test server takes its
 * behaviour from the test), and each certificate of the test PKI has its own
 * HTTPS port in front of the same plain CivetWeb server.
 *
 * usage: conform_endpoint DIR
 *   writes the test PKI into DIR (harness/tls/testpki.h), then prints
 *   "NAME URL" lines: ca (the CA file), http, good, wrong-host, expired,
 *   other-ca, refused (a port where nothing listens), then "ready"; serves
 *   until SIGTERM or SIGINT (or 120 s, should the test die first).
 *
 * Paths:
 *   /good             201 to a TU-1 body ({"from_number","to_number",
 *                     "dynamic_variables"} and nothing else); 400 otherwise
 *   /slow/MS          as /good, after MS ms
 *   /status/N         N to everything
 *   /rejects-unicode  as /good, but 400 when the body has a non-ASCII byte
 *   /5xx-on-malformed as /good, but 500 when the body is not JSON
 *   /accepts-garbage  201 to everything
 *   /dedupe           as /good, but 409 to a body it has already seen
 *   /rate-limit       as /good, holding each request 100 ms; 429 when more
 *                     than 2 are in flight
 *   /ov               Coval style: 401 without "Authorization: Bearer t0k";
 *                     200 to {"recipient_phone": E.164, "campaign_id": ...};
 *                     400 otherwise */
#include <arpa/inet.h>
#include <civetweb.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tls/testpki.h"
#include "util/civet_stop.h"
#include "tls_front.h"

#define MAX_BODY (1 << 20)
#define MAX_SEEN 256

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t seen[MAX_SEEN];
static size_t n_seen;
static atomic_int in_flight;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void answer(struct mg_connection *conn, int status, const char *body)
{
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n%s",
              status, mg_get_response_code_text(conn, status), strlen(body), body);
}

/* The whole body, NUL-terminated (malloc), or NULL when larger than MAX_BODY. */
static char *read_body(struct mg_connection *conn, size_t *len)
{
    size_t cap = 8192, n = 0;
    char *b = malloc(cap);
    int got;
    while (b && (got = mg_read(conn, b + n, cap - n - 1)) > 0) {
        n += (size_t)got;
        if (n + 1 == cap) {
            char *nb = cap < MAX_BODY ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
            cap *= 2;
        }
    }
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

/* TU-1's body, exactly: three keys, two strings and an object. */
static bool tu1_body(const json_t *j)
{
    return json_is_object(j) && json_object_size(j) == 3 &&
           json_is_string(json_object_get(j, "from_number")) &&
           json_is_string(json_object_get(j, "to_number")) &&
           json_is_object(json_object_get(j, "dynamic_variables"));
}

static bool seen_before(const char *body)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)body; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    pthread_mutex_lock(&seen_mu);
    bool found = false;
    for (size_t i = 0; i < n_seen && !found; i++)
        found = seen[i] == h;
    if (!found && n_seen < MAX_SEEN)
        seen[n_seen++] = h;
    pthread_mutex_unlock(&seen_mu);
    return found;
}

static bool has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

static void ov(struct mg_connection *conn, const json_t *j)
{
    const char *auth = mg_get_header(conn, "Authorization");
    if (!auth || strcmp(auth, "Bearer t0k")) {
        answer(conn, 401, "{\"error\":\"unauthorized\"}");
        return;
    }
    const char *phone = json_string_value(json_object_get(j, "recipient_phone"));
    if (!phone || phone[0] != '+' || !json_object_get(j, "campaign_id")) {
        answer(conn, 400, "{\"error\":\"recipient_phone and campaign_id are required\"}");
        return;
    }
    answer(conn, 200, "{\"queued\":true}");
}

static int handle(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    const char *path = mg_get_request_info(conn)->local_uri;
    size_t len;
    char *body = read_body(conn, &len);
    if (!body) {
        answer(conn, 413, "{\"error\":\"too large\"}");
        return 413;
    }
    json_t *j = json_loads(body, 0, NULL);
    bool good = tu1_body(j);
    int status = good ? 201 : 400;
    if (!strcmp(path, "/ov")) {
        ov(conn, j);
        goto done;
    } else if (!strncmp(path, "/slow/", 6)) {
        sleep_ms(strtol(path + 6, NULL, 10));
    } else if (!strncmp(path, "/status/", 8)) {
        status = (int)strtol(path + 8, NULL, 10);
    } else if (!strcmp(path, "/rejects-unicode")) {
        status = has_non_ascii(body) ? 400 : status;
    } else if (!strcmp(path, "/5xx-on-malformed")) {
        status = j ? status : 500;
    } else if (!strcmp(path, "/accepts-garbage")) {
        status = 201;
    } else if (!strcmp(path, "/dedupe")) {
        status = good && seen_before(body) ? 409 : status;
    } else if (!strcmp(path, "/rate-limit")) {
        int now = atomic_fetch_add(&in_flight, 1) + 1;
        sleep_ms(100);
        atomic_fetch_sub(&in_flight, 1);
        status = now > 2 ? 429 : status;
    } else if (strcmp(path, "/good")) {
        status = 404;
    }
    answer(conn, status, status < 300 ? "{\"ok\":true}" : "{\"error\":\"refused\"}");
done:
    json_decref(j);
    free(body);
    return 1;
}

/* A loopback port where nothing listens: connecting to it is refused. The
 * socket stays bound (never listening) for the process's life, so no other
 * test's server running alongside can take the port meanwhile. */
static int refused_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    else if (fd >= 0)
        close(fd);
    return port; /* fd kept: the port stays ours */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: conform_endpoint DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char err[512];
    if (pki_generate(dir, err, sizeof err)) {
        fprintf(stderr, "conform_endpoint: %s\n", err);
        return 1;
    }
    /* Signals are taken by sigwait below, in this thread only. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    alarm(120);

    mg_init_library(0);
    const char *opts[] = {"listening_ports",   "127.0.0.1:0", "num_threads", "16",
                          "enable_keep_alive", "no",          NULL};
    struct mg_context *ctx = mg_start(NULL, NULL, opts);
    struct mg_server_port ports[2];
    if (!ctx || mg_get_server_ports(ctx, 2, ports) < 1) {
        fprintf(stderr, "conform_endpoint: CivetWeb did not start\n");
        return 1;
    }
    int port = ports[0].port;
    mg_set_request_handler(ctx, "/", handle, NULL);

    static const char *const certs[] = {PKI_GOOD, PKI_WRONG_HOST, PKI_EXPIRED, PKI_OTHER_CA,
                                        PKI_EXPIRES_SOON};
    enum { N_CERTS = sizeof certs / sizeof *certs };
    struct tls_front *fronts[N_CERTS] = {0};
    char ca[4200];
    pki_cert_path(ca, sizeof ca, dir, PKI_CA);
    printf("ca %s\nhttp http://127.0.0.1:%d\n", ca, port);
    int rc = 0;
    for (int i = 0; i < N_CERTS; i++) {
        char cert[4200], key[4200];
        pki_cert_path(cert, sizeof cert, dir, certs[i]);
        pki_key_path(key, sizeof key, dir, certs[i]);
        if (tls_front_create(&fronts[i], port, cert, key, err, sizeof err)) {
            fprintf(stderr, "conform_endpoint: %s\n", err);
            rc = 1;
            goto out;
        }
        printf("%s https://127.0.0.1:%d\n", certs[i], tls_front_port(fronts[i]));
    }
    printf("refused https://127.0.0.1:%d\nready\n", refused_port());
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
out:
    for (int i = 0; i < N_CERTS; i++)
        tls_front_destroy(fronts[i]);
    civet_stop(ctx, "127.0.0.1", port); /* wakes the 2 s accept poll */
    mg_exit_library();
    return rc;
}
