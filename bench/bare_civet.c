/* The yardstick of bench/bench_mocks.sh: a bare CivetWeb handler that reads
 * the request body and answers one fixed 201 JSON body in one write, with the
 * options mocks/mock_server.c gives CivetWeb (loopback, port 0, the same
 * thread count, TCP_NODELAY, the same request timeout; keep-alive as given).
 * Whatever the mocks do beyond this (journal, accounts, JSON) is what the
 * ratio measures.
 *
 *   bare_civet [THREADS [KEEP_ALIVE]]   (defaults: 256 yes, as serve's mocks)
 *
 * Prints "listening on http://127.0.0.1:PORT" and serves until SIGTERM or
 * SIGINT. Built by the bench script with cc; not part of the build or ctest. */
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char answer_body[] =
    "{\"id\":\"0b8a6c1e-2f43-4d7a-9c1e-5a6b7c8d9e0f\",\"status\":\"queued\","
    "\"type\":\"outboundPhoneCall\",\"assistantId\":\"asst\",\"phoneNumberId\":\"pn\","
    "\"customer\":{\"number\":\"+15557650000\"},\"createdAt\":\"2026-01-01T12:00:00.000Z\"}";

static int handle(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    char buf[8192];
    while (mg_read(conn, buf, sizeof buf) > 0)
        ;
    char msg[1024];
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 201 Created\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nX-Dialsim-Latency-Ms: 0\r\n\r\n%s",
                     sizeof answer_body - 1, answer_body);
    mg_write(conn, msg, (size_t)n);
    return 201;
}

int main(int argc, char **argv)
{
    const char *threads = argc > 1 ? argv[1] : "256";
    const char *keep_alive = argc > 2 ? argv[2] : "yes";
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* CivetWeb's threads inherit it */
    mg_init_library(0);
    int ka = strcmp(keep_alive, "yes") == 0;
    /* mock_server_create_opts' options, keep-alive on or off alike */
    const char *opts[] = {"listening_ports",
                          "127.0.0.1:0",
                          "num_threads",
                          threads,
                          "enable_keep_alive",
                          keep_alive,
                          "keep_alive_timeout_ms",
                          "5000",
                          "tcp_nodelay",
                          "1",
                          "request_timeout_ms",
                          ka ? "5000" : "10000",
                          "listen_backlog",
                          "512",
                          NULL};
    struct mg_context *ctx = mg_start(NULL, NULL, opts);
    struct mg_server_port port;
    if (!ctx || mg_get_server_ports(ctx, 1, &port) < 1) {
        fprintf(stderr, "bare_civet: cannot listen\n");
        return 1;
    }
    mg_set_request_handler(ctx, "/", handle, NULL);
    printf("listening on http://127.0.0.1:%d\n", port.port);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    mg_stop(ctx);
    return 0;
}
