/* Unit tests for harness/serve/serve_http.c: the core's HTTP client in
 * `dialsim serve` (libcurl on worker threads, answers through the real clock).
 * Every answer accepted is delivered exactly once, also when the server stops
 * with answers still waiting on the clock; the stop order of serve_destroy
 * (srv_http_stop, clock_real_stop, srv_http_destroy) leaves nothing pointing
 * at freed handles (the SIGABRT of a serve stopped under load, 2026-11-23).
 * Requests go to a loopback port nobody listens on: refused at once, no
 * server needed, nothing sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/serve_internal.h"

struct got {
    atomic_int calls;
    atomic_int outcome;
    char error[256];
};

static void on_done(void *arg, const struct ds_http_response *r)
{
    struct got *g = arg;
    atomic_store(&g->outcome, (int)r->outcome);
    snprintf(g->error, sizeof g->error, "%s", r->error);
    atomic_fetch_add(&g->calls, 1);
}

/* A loopback port that was free a moment ago and has no listener. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int send_to(struct srv_http *h, const char *url, struct got *g)
{
    struct ds_http port = srv_http_port(h);
    struct ds_http_request req = {
        .method = "POST", .url = url, .body = "{}", .body_len = 2, .timeout_ms = 5000};
    return port.ops->send(port.ctx, &req, on_done, g);
}

/* The real clock and the HTTP client with `workers` threads on it; url is
 * a loopback address nobody listens on. */
struct pair {
    struct clock_real *c;
    struct srv_http *h;
    char url[64];
};

static struct pair open_pair(int workers)
{
    struct pair p;
    snprintf(p.url, sizeof p.url, "http://127.0.0.1:%d/call", closed_port());
    assert_int_equal(clock_real_create(&p.c), 0);
    assert_int_equal(srv_http_create(&p.h, clock_real_port(p.c), workers), 0);
    return p;
}

/* serve_destroy's order: the queued request is performed, its answer waits on
 * the clock (the core lock is held, as a busy core would), the clock delivers
 * it when it stops, and only then are the handles freed. */
static void test_stop_order_delivers_the_waiting_answer(void **state)
{
    (void)state;
    struct pair p = open_pair(2);
    struct clock_real *c = p.c;
    struct srv_http *h = p.h;
    const char *url = p.url;
    struct got g = {0};
    clock_real_lock(c);
    assert_int_equal(send_to(h, url, &g), 0);
    srv_http_stop(h); /* the worker performed it; the answer is on the clock */
    assert_int_equal(atomic_load(&g.calls), 0);
    clock_real_unlock(c);
    clock_real_stop(c); /* runs what is due: the answer */
    assert_int_equal(atomic_load(&g.calls), 1);
    assert_int_equal(atomic_load(&g.outcome), DS_HTTP_CONNECT_FAILED);
    srv_http_destroy(h);
    assert_int_equal(atomic_load(&g.calls), 1);
    clock_real_destroy(c);
}

/* Destroyed while the answer still waits on the clock: delivered once, as
 * abandoned, and the clock's timer for it is gone. */
static void test_destroy_abandons_what_the_clock_holds(void **state)
{
    (void)state;
    struct pair p = open_pair(1);
    struct clock_real *c = p.c;
    struct srv_http *h = p.h;
    const char *url = p.url;
    struct got g = {0};
    clock_real_lock(c);
    assert_int_equal(send_to(h, url, &g), 0);
    srv_http_stop(h);
    srv_http_destroy(h);
    assert_int_equal(atomic_load(&g.calls), 1);
    assert_int_equal(atomic_load(&g.outcome), DS_HTTP_PROTOCOL_ERROR);
    assert_non_null(strstr(g.error, "abandoned"));
    assert_int_equal(clock_real_pending(c), 0);
    clock_real_unlock(c);
    clock_real_destroy(c);
    assert_int_equal(atomic_load(&g.calls), 1);
}

/* After stop nothing new is accepted; done is then not called. */
static void test_send_after_stop_is_refused(void **state)
{
    (void)state;
    struct pair p = open_pair(1);
    struct clock_real *c = p.c;
    struct srv_http *h = p.h;
    srv_http_stop(h);
    struct got g = {0};
    assert_int_equal(send_to(h, "http://127.0.0.1:9/", &g), -1);
    clock_real_stop(c);
    srv_http_destroy(h);
    clock_real_destroy(c);
    assert_int_equal(atomic_load(&g.calls), 0);
}

/* Many answers delivered by the timer thread while the workers are still
 * scheduling others: each exactly once (under ASan, a delivery freed before
 * its sender had written its timer id was a use after free). */
static void test_every_answer_exactly_once_under_load(void **state)
{
    (void)state;
    enum { N = 300 };
    struct pair p = open_pair(4);
    struct clock_real *c = p.c;
    struct srv_http *h = p.h;
    const char *url = p.url;
    static struct got g[N];
    memset(g, 0, sizeof g);
    for (int i = 0; i < N; i++)
        assert_int_equal(send_to(h, url, &g[i]), 0);
    srv_http_stop(h);
    clock_real_stop(c);
    srv_http_destroy(h);
    clock_real_destroy(c);
    for (int i = 0; i < N; i++) {
        assert_int_equal(atomic_load(&g[i].calls), 1);
        assert_int_equal(atomic_load(&g[i].outcome), DS_HTTP_CONNECT_FAILED);
    }
}

/* A listening socket that accepts and never answers: a provider that is
 * slow to answer. */
static int silent_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static int done_pipe[2];
static void on_done_signal(void *arg, const struct ds_http_response *r)
{
    on_done(arg, r);
    char c = 1;
    (void)!write(done_pipe[1], &c, 1);
}

/* An answer is delivered (on the clock's thread, with the core lock held)
 * while the same handle's next request is still waiting for its provider:
 * delivering must not wait for that request, or every API request of
 * `dialsim serve` would stall behind a slow provider. One worker, so both
 * requests share one libcurl handle. */
static void test_delivery_does_not_wait_for_a_request_in_progress(void **state)
{
    (void)state;
    int port, lfd = silent_listener(&port);
    char fast[64], slow[64];
    snprintf(fast, sizeof fast, "http://127.0.0.1:%d/call", closed_port());
    snprintf(slow, sizeof slow, "http://127.0.0.1:%d/call", port);
    assert_int_equal(pipe(done_pipe), 0);
    struct pair p = open_pair(1);
    struct clock_real *c = p.c;
    struct srv_http *h = p.h;
    struct got a = {0}, b = {0};
    struct ds_http port_ops = srv_http_port(h);
    struct ds_http_request ra = {.method = "GET", .url = fast, .timeout_ms = 5000};
    struct ds_http_request rb = {.method = "GET", .url = slow, .timeout_ms = 10000};
    clock_real_lock(c); /* A's answer waits until B is under way */
    assert_int_equal(port_ops.ops->send(port_ops.ctx, &ra, on_done_signal, &a), 0);
    assert_int_equal(port_ops.ops->send(port_ops.ctx, &rb, on_done, &b), 0);
    int conn = accept(lfd, NULL, NULL); /* B is being performed now */
    assert_true(conn >= 0);
    clock_real_unlock(c);
    struct pollfd pf = {.fd = done_pipe[0], .events = POLLIN};
    int ready = poll(&pf, 1, 3000); /* B would hold it for 10 s */
    assert_int_equal(ready, 1);
    assert_int_equal(atomic_load(&a.calls), 1);
    assert_int_equal(atomic_load(&a.outcome), DS_HTTP_CONNECT_FAILED);
    assert_int_equal(atomic_load(&b.calls), 0);
    close(conn); /* B ends: the peer closed */
    srv_http_stop(h);
    clock_real_stop(c);
    srv_http_destroy(h);
    clock_real_destroy(c);
    assert_int_equal(atomic_load(&b.calls), 1);
    close(lfd);
    close(done_pipe[0]);
    close(done_pipe[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_order_delivers_the_waiting_answer),
        cmocka_unit_test(test_destroy_abandons_what_the_clock_holds),
        cmocka_unit_test(test_send_after_stop_is_refused),
        cmocka_unit_test(test_every_answer_exactly_once_under_load),
        cmocka_unit_test(test_delivery_does_not_wait_for_a_request_in_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
