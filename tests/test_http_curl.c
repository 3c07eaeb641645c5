/* Unit tests for harness/sim/http_curl against a real mocks/mock_server on an
 * ephemeral loopback port (habit 2: no fixed ports). In simulated mode the
 * exchange goes over the socket at once, but the answer reaches the caller
 * only through the clock, at now + the latency the mock states (H-2), or as a
 * timeout at now + timeout_ms when the mock is slower than the caller waits
 * (TU-3's "no answer within"). A failed connection is reported through the
 * clock too, never from inside send. */
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
#include <unistd.h>

#include "journal.h"
#include "mock_provider.h"
#include "mock_server.h"
#include "mock_vapi.h"
#include "pstn.h"
#include "sim/evq.h"
#include "sim/http_curl.h"

#define T0 INT64_C(1767269100000)
#define KEY "sk-good-0001"
#define LATENCY_MS 300
#define DIAL_DELAY_MS 5000

/* One server for the whole file: starting one per test would cost nothing in
 * virtual time but real milliseconds. */
static struct mock_server *server;

struct fx {
    struct mock_world w;
    struct mock_vapi *vapi; /* attached to w */
    struct evq *q;
    struct http_curl *h;
    struct ds_http http;
};

/* What the done callback saw. */
struct got {
    struct evq *q;
    int calls;
    int64_t at;
    enum ds_http_outcome outcome;
    long status;
    int64_t elapsed;
    char body[4096];
    char error[256];
};

static void on_done(void *arg, const struct ds_http_response *resp)
{
    struct got *g = arg;
    g->calls++;
    g->at = evq_now(g->q);
    g->outcome = resp->outcome;
    g->status = resp->status;
    g->elapsed = resp->elapsed_ms;
    snprintf(g->body, sizeof g->body, "%s", resp->body ? resp->body : "");
    snprintf(g->error, sizeof g->error, "%s", resp->error);
}

static int group_setup(void **state)
{
    (void)state;
    return mock_server_create(&server);
}

static int group_teardown(void **state)
{
    (void)state;
    mock_server_destroy(server);
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    pthread_mutex_init(&f->w.mu, NULL);
    if (evq_create(&f->q, T0) != 0)
        return -1;
    f->w.clock = evq_clock(f->q);
    struct pstn_config pc = {.call_duration_ms = 60000};
    if (journal_create(&f->w.journal) != 0 || pstn_create(&f->w.pstn, f->w.clock, &pc) != 0)
        return -1;
    json_t *keys = json_pack("[s]", KEY);
    json_t *assistants = json_pack("[s]", "asst-1");
    json_t *numbers = json_pack("[{s:s,s:s}]", "id", "pn-1", "number", "+15550001111");
    struct mock_provider_config vc = {
        .keys = keys,
        .agents = assistants,
        .credits = -1,
        .call_cost = 1,
        .phone_numbers = numbers,
        .latency_ms = LATENCY_MS,
        .dial_delay_ms = DIAL_DELAY_MS,
        .ring_timeout_ms = 30000,
        .seed = 7,
    };
    int rc = mock_vapi_create(&f->vapi, &f->w, &vc);
    if (rc == 0)
        rc = mock_world_attach(&f->w, &mock_vapi_ops, f->vapi);
    json_decref(keys);
    json_decref(assistants);
    json_decref(numbers);
    if (rc != 0 || http_curl_create(&f->h, evq_clock(f->q), true) != 0)
        return -1;
    f->http = http_curl_port(f->h);
    mock_server_bind(server, &f->w);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    mock_server_bind(server, NULL);
    http_curl_destroy(f->h);
    mock_world_detach(&f->w, f->vapi);
    mock_vapi_destroy(f->vapi);
    pstn_destroy(f->w.pstn);
    journal_destroy(f->w.journal);
    evq_destroy(f->q);
    pthread_mutex_destroy(&f->w.mu);
    free(f);
    return 0;
}

static const char call_body[] = "{\"assistantId\":\"asst-1\",\"phoneNumberId\":\"pn-1\","
                                "\"customer\":{\"number\":\"+15557770000\"}}";
static const struct ds_header call_headers[] = {
    {"Authorization", "Bearer " KEY},
    {"Content-Type", "application/json"},
};

static int send_to(struct fx *f, const char *method, const char *path, const char *body,
                   int64_t timeout_ms, struct got *g)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", mock_server_url(server), path);
    struct ds_http_request rq = {
        .method = method,
        .url = url,
        .headers = call_headers,
        .n_headers = 2,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .timeout_ms = timeout_ms,
    };
    g->q = f->q;
    return f->http.ops->send(f->http.ctx, &rq, on_done, g);
}

static void run_until(struct evq *q, int64_t until)
{
    while (evq_run_next(q, until))
        ;
}

static void server_url_is_loopback_ephemeral(void **state)
{
    (void)state;
    const char *u = mock_server_url(server);
    int port = 0;
    assert_int_equal(sscanf(u, "http://127.0.0.1:%d", &port), 1);
    assert_true(port > 0 && port < 65536);
}

/* H-2: the answer arrives through the clock at now + the mock's latency, never
 * from inside send. */
static void answer_arrives_at_virtual_latency(void **state)
{
    struct fx *f = *state;
    struct got g = {0};
    assert_int_equal(send_to(f, "POST", "/call", call_body, 30000, &g), 0);
    assert_int_equal(g.calls, 0);
    assert_int_equal(evq_now(f->q), T0); /* the exchange took no virtual time */
    assert_int_equal(http_curl_sent(f->h), 1);
    assert_int_equal(evq_next_time(f->q), T0 + LATENCY_MS);

    assert_int_equal(evq_run_next(f->q, T0 + LATENCY_MS - 1), 0);
    assert_int_equal(g.calls, 0);
    run_until(f->q, T0 + LATENCY_MS);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.at, T0 + LATENCY_MS);
    assert_int_equal(g.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(g.status, 201);
    assert_int_equal(g.elapsed, LATENCY_MS);
    json_t *b = json_loads(g.body, 0, NULL);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "queued");
    json_decref(b);

    /* The mock saw the request at the virtual instant it was sent. */
    pthread_mutex_lock(&f->w.mu);
    assert_int_equal(journal_count(f->w.journal), 1);
    const struct journal_entry *e = journal_at(f->w.journal, 0);
    assert_string_equal(e->method, "POST");
    assert_string_equal(e->path, "/call");
    assert_int_equal(e->at, T0);
    assert_int_equal(e->status, 201);
    assert_string_equal(mock_header_in(e->headers, e->headers_len, "authorization"), "Bearer " KEY);
    json_t *body = journal_entry_body(e);
    assert_true(json_is_object(body));
    json_decref(body);
    pthread_mutex_unlock(&f->w.mu);

    /* The rest of the scenario (the dial) runs on; done is not called again. */
    run_until(f->q, INT64_MAX);
    assert_int_equal(g.calls, 1);
    assert_int_equal(pstn_call_count(f->w.pstn), 1);
}

/* A GET without a body, sent later in virtual time, is answered later too. */
static void get_after_post(void **state)
{
    struct fx *f = *state;
    struct got post = {0}, get = {0};
    assert_int_equal(send_to(f, "POST", "/call", call_body, 30000, &post), 0);
    run_until(f->q, T0 + DIAL_DELAY_MS);
    assert_int_equal(post.status, 201);
    json_t *b = json_loads(post.body, 0, NULL);
    char path[96];
    snprintf(path, sizeof path, "/call/%s", json_string_value(json_object_get(b, "id")));
    json_decref(b);

    assert_int_equal(send_to(f, "GET", path, NULL, 30000, &get), 0);
    assert_int_equal(get.calls, 0);
    run_until(f->q, T0 + DIAL_DELAY_MS + LATENCY_MS);
    assert_int_equal(get.calls, 1);
    assert_int_equal(get.at, T0 + DIAL_DELAY_MS + LATENCY_MS);
    assert_int_equal(get.status, 200);
    b = json_loads(get.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "ringing");
    json_decref(b);
    pthread_mutex_lock(&f->w.mu);
    assert_int_equal(journal_at(f->w.journal, 1)->at, T0 + DIAL_DELAY_MS);
    assert_string_equal(journal_at(f->w.journal, 1)->method, "GET");
    pthread_mutex_unlock(&f->w.mu);
}

/* H-4: an answer longer than the request's max_body fails (the core's
 * recording download is bounded), and one within the limit passes. */
static void body_over_limit_fails(void **state)
{
    struct fx *f = *state;
    char url[256];
    snprintf(url, sizeof url, "%s/call", mock_server_url(server));
    struct got small = {0}, big = {0};
    struct ds_http_request rq = {
        .method = "POST",
        .url = url,
        .headers = call_headers,
        .n_headers = 2,
        .body = call_body,
        .body_len = strlen(call_body),
        .timeout_ms = 30000,
        .max_body = 64, /* the 201 Call object is several hundred bytes */
    };
    big.q = f->q;
    assert_int_equal(f->http.ops->send(f->http.ctx, &rq, on_done, &big), 0);
    rq.max_body = 1 << 20;
    small.q = f->q;
    assert_int_equal(f->http.ops->send(f->http.ctx, &rq, on_done, &small), 0);
    run_until(f->q, T0 + DIAL_DELAY_MS);
    assert_int_equal(big.calls, 1);
    assert_int_equal(big.outcome, DS_HTTP_PROTOCOL_ERROR);
    assert_non_null(strstr(big.error, "larger than the 64-byte limit"));
    assert_int_equal(small.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(small.status, 201);
}

/* TU-3 / AO-4: a mock slower than the caller waits is a timeout at now + timeout_ms. */
static void latency_above_timeout_times_out(void **state)
{
    struct fx *f = *state;
    struct got g = {0};
    assert_int_equal(send_to(f, "POST", "/call", call_body, LATENCY_MS - 50, &g), 0);
    assert_int_equal(g.calls, 0);
    run_until(f->q, T0 + LATENCY_MS - 51);
    assert_int_equal(g.calls, 0);
    run_until(f->q, T0 + LATENCY_MS);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.outcome, DS_HTTP_TIMEOUT);
    assert_int_equal(g.at, T0 + LATENCY_MS - 50);
    assert_int_equal(g.elapsed, LATENCY_MS - 50);
    assert_int_equal(g.status, 0);
    assert_true(strlen(g.error) > 0);
}

/* Nothing listens on the port: connect failed, reported through the clock. */
static void closed_port_connect_failed(void **state)
{
    struct fx *f = *state;
    /* A port that is bound but not listening refuses connections, and stays
     * ours for the test, so no other process can start listening on it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/call", ntohs(a.sin_port));

    struct got g = {.q = f->q};
    struct ds_http_request rq = {
        .method = "POST",
        .url = url,
        .headers = call_headers,
        .n_headers = 2,
        .body = call_body,
        .body_len = strlen(call_body),
        .timeout_ms = 30000,
    };
    assert_int_equal(f->http.ops->send(f->http.ctx, &rq, on_done, &g), 0);
    close(fd);
    assert_int_equal(g.calls, 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.outcome, DS_HTTP_CONNECT_FAILED);
    assert_int_equal(g.at, T0);
    assert_true(strlen(g.error) > 0);
    pthread_mutex_lock(&f->w.mu);
    assert_int_equal(journal_count(f->w.journal), 0);
    pthread_mutex_unlock(&f->w.mu);
}

/* A server bound to no scenario answers 503 to everything. */
static void unbound_server_503(void **state)
{
    struct fx *f = *state;
    mock_server_bind(server, NULL);
    struct got g = {0};
    assert_int_equal(send_to(f, "POST", "/call", call_body, 30000, &g), 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(g.status, 503);
    assert_int_equal(g.at, T0);
    pthread_mutex_lock(&f->w.mu);
    assert_int_equal(journal_count(f->w.journal), 0);
    pthread_mutex_unlock(&f->w.mu);
}

/* Real mode: the mock's stated latency is not virtual time; the answer is
 * delivered through the clock at once, with the wall time it took. */
static void real_mode_delivers_at_once(void **state)
{
    struct fx *f = *state;
    struct http_curl *real = NULL;
    assert_int_equal(http_curl_create(&real, evq_clock(f->q), false), 0);
    struct ds_http port = http_curl_port(real);
    char url[256];
    snprintf(url, sizeof url, "%s/call", mock_server_url(server));
    struct ds_http_request rq = {
        .method = "POST",
        .url = url,
        .headers = call_headers,
        .n_headers = 2,
        .body = call_body,
        .body_len = strlen(call_body),
        .timeout_ms = 10000,
    };
    struct got g = {.q = f->q};
    assert_int_equal(port.ops->send(port.ctx, &rq, on_done, &g), 0);
    assert_int_equal(g.calls, 0);
    assert_int_equal(evq_next_time(f->q), T0);
    assert_int_equal(evq_run_next(f->q, T0), 1);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.at, T0);
    assert_int_equal(g.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(g.status, 201);
    assert_true(g.elapsed >= 0 && g.elapsed < 10000);
    http_curl_destroy(real);
}

/* Servers are independent: a second one gets its own port, and destroying it
 * (which must be quick: it wakes CivetWeb's accept loop) leaves the first serving. */
static void second_server_create_destroy(void **state)
{
    struct fx *f = *state;
    struct mock_server *other = NULL;
    assert_int_equal(mock_server_create(&other), 0);
    assert_non_null(other);
    assert_string_not_equal(mock_server_url(other), mock_server_url(server));
    mock_server_destroy(other);
    mock_server_destroy(NULL);

    struct got g = {0};
    assert_int_equal(send_to(f, "GET", "/nope", NULL, 30000, &g), 0);
    run_until(f->q, INT64_MAX);
    assert_int_equal(g.outcome, DS_HTTP_RESPONSE);
    assert_int_equal(g.status, 404);
    assert_int_equal(g.at, T0 + 0); /* unknown routes state no latency */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_url_is_loopback_ephemeral),
        T(answer_arrives_at_virtual_latency),
        T(get_after_post),
        T(body_over_limit_fails),
        T(latency_above_timeout_times_out),
        T(closed_port_connect_failed),
        T(unbound_server_503),
        T(real_mode_delivers_at_once),
        T(second_server_create_destroy),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
