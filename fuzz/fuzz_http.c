/* Fuzz targets: raw HTTP into `dialsim serve`'s API (fuzz_http_api) and into
 * its provider mocks (fuzz_http_mocks, built from this file with
 * FUZZ_HTTP_MOCKS=1).
 *
 * The handlers must run the way the server runs them: on CivetWeb's worker
 * threads, whose stack is 100 KB (Debian's CivetWeb 1.15 is built with
 * USE_STACK_SIZE=102400). A body nested ~900 levels deep once overflowed that
 * stack while the same handler called on the main thread (8 MB) survived it.
 * So the target starts one real server in-process (serve_create with a
 * config that has "mocks", an in-memory store) the first time it is called,
 * and again every FUZZ_HTTP_RESTART inputs, and sends every input as it is
 * over a loopback connection to 127.0.0.1, then reads the answer until the
 * server closes or 2 s pass. A crash on a worker kills this process, and
 * libFuzzer keeps the input.
 *
 * The server keeps its state between inputs (projects created, runs started),
 * as a real one does; an input is then not always replayed exactly, which
 * libFuzzer tolerates. Outbound traffic stays on the loopback: the providers'
 * URLs point at the mocks, and any other URL an input names (a trigger URL, a
 * recording URL) goes through a proxy at 127.0.0.1:9 that refuses. */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve.h"

#ifndef FUZZ_HTTP_MOCKS
#define FUZZ_HTTP_MOCKS 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The config of tests/check_serve_depth.py: one project, key "k1"; one agent
 * per provider, each with its mock account; a fault rule that matches on the
 * body's JSON, so that the mocks parse every body. No latency: the mocks
 * answer at once. */
static const char config_json[] =
    "{\"projects\":[{\"id\":\"acme\",\"api_key\":\"k1\"}],"
    "\"agents\":["
    "{\"id\":\"good\",\"project\":\"acme\",\"contact_number\":\"+15551234567\","
    "\"provider\":\"vapi\",\"provider_api_key\":\"vk\",\"assistant_id\":\"asst\","
    "\"phone_number_id\":\"pn-good\",\"webhook_secret\":\"whsec\"},"
    "{\"id\":\"r\",\"project\":\"acme\",\"contact_number\":\"+15551234567\","
    "\"provider\":\"retell\",\"provider_api_key\":\"rk\",\"assistant_id\":\"ragent\","
    "\"phone_number_id\":\"rn\",\"webhook_secret\":\"whsec\"},"
    "{\"id\":\"x\",\"project\":\"acme\",\"contact_number\":\"+15551234567\","
    "\"provider\":\"elevenlabs\",\"provider_api_key\":\"xk\",\"assistant_id\":\"elagent\","
    "\"phone_number_id\":\"elpn\",\"webhook_secret\":\"whsec\"}],"
    "\"evaluators\":[{\"id\":\"e1\",\"project\":\"acme\",\"phone_number\":\"+15557654321\"}],"
    "\"mocks\":{"
    "\"vapi\":{\"keys\":[\"vk\"],\"agents\":[\"asst\"],\"latency\":0,"
    "\"phone_numbers\":[{\"id\":\"pn-good\",\"number\":\"+15551234567\"}]},"
    "\"retell\":{\"keys\":[\"rk\"],\"agents\":[\"ragent\"],\"latency\":0,"
    "\"phone_numbers\":[{\"id\":\"rn\",\"number\":\"+15551234567\"}]},"
    "\"elevenlabs\":{\"keys\":[\"xk\"],\"agents\":[\"elagent\"],\"latency\":0,"
    "\"phone_numbers\":[{\"id\":\"elpn\",\"number\":\"+15551234567\"}]},"
    "\"faults\":[{\"method\":\"POST\",\"path\":\"/nowhere\",\"json\":{\"a\":1},"
    "\"then\":[{\"status\":500}]}]}}";

static struct serve *srv;
static int srv_port;

static void stop_server(void)
{
    serve_destroy(srv);
    srv = NULL;
}

/* Start the server (again after a restart); abort when it cannot start:
 * then the harness is broken, not the input. */
static void start_server(void)
{
    /* any URL that is not the loopback's goes to a port that refuses */
    setenv("http_proxy", "http://127.0.0.1:9", 1);
    setenv("https_proxy", "http://127.0.0.1:9", 1);
    setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
    setenv("no_proxy", "127.0.0.1", 1);
    signal(SIGPIPE, SIG_IGN);

    char path[] = "/tmp/dialsim-fuzz-http-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, config_json, sizeof config_json - 1) != (ssize_t)(sizeof config_json - 1))
        abort();
    close(fd);
    static FILE *devnull; /* one for every server: the request log is off anyway */
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    struct serve_options o = {
        .config_path = path,
        .db_path = ":memory:",
        .port = 0,
        .threads = 4,
        .mock_threads = 4,
        .log = devnull,
        .quiet = true,
    };
    char err[512];
    if (serve_create(&srv, &o, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_http: serve_create: %s\n", err);
        abort();
    }
    unlink(path);
    if (FUZZ_HTTP_MOCKS) {
        const char *url = serve_mocks_url(srv); /* "http://127.0.0.1:PORT" */
        const char *colon = url ? strrchr(url, ':') : NULL;
        if (!colon)
            abort();
        srv_port = atoi(colon + 1);
    } else {
        srv_port = serve_port(srv);
    }
    static bool registered;
    if (!registered && atexit(stop_server) == 0)
        registered = true;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send the request, half-close, read until the server closes or the
 * deadline. The answer itself is not checked: a crash or a sanitizer report
 * on a worker is what this target looks for. */
static int exchange(const uint8_t *data, size_t size)
{
    int status = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto out;
    int64_t deadline = now_ms() + 2000;
    size_t sent = 0;
    while (sent < size) {
        ssize_t k = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            break; /* the server answered early (431, 413) and closed */
        }
        sent += (size_t)k;
    }
    shutdown(fd, SHUT_WR);
    char buf[4096];
    bool first = true;
    static int echo = -1;
    if (echo < 0)
        echo = getenv("FUZZ_HTTP_ECHO") != NULL;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t k = recv(fd, buf, sizeof buf - 1, 0);
        if (k <= 0)
            break;
        if (first && k >= 12 && memcmp(buf, "HTTP/1.", 7) == 0) {
            /* the first answer's status ("HTTP/1.1 400 ..."), when a handler
             * wrote it: JSON */
            buf[k] = '\0';
            if (strcasestr(buf, "\ncontent-type: application/json"))
                status = atoi(buf + 9);
        }
        first = false;
        if (echo) /* FUZZ_HTTP_ECHO=1: see the answers when writing seeds */
            fwrite(buf, 1, (size_t)k, stderr);
    }
out:
    close(fd);
    return status;
}

/* jansson is a system library, not instrumented: how deep it recursed gives
 * libFuzzer no coverage, so an input nested deeper than the last one is not
 * kept and the fuzzer never climbs towards the worker stack's limit. Under
 * libFuzzer (FUZZ_LIBFUZZER), the nesting of the request's body (after the
 * head, within its Content-Length) is one extra feature per level: a body one
 * level deeper than any before is new "coverage", and is kept. It counts only when a
 * handler answered in JSON with 2xx or 400 (CivetWeb's own 400 is text), so
 * the depth grows in bodies that reach a JSON parser. */
#ifdef FUZZ_LIBFUZZER
__attribute__((section("__libfuzzer_extra_counters"))) static uint8_t depth_seen[4096];

/* Where the body starts (after the head's empty line) and how long it is
 * (within its Content-Length); NULL when the request has no empty line. */
static const uint8_t *request_body(const uint8_t *data, size_t size, size_t *len)
{
    const uint8_t *body = memmem(data, size, "\r\n\r\n", 4);
    if (!body)
        return NULL;
    body += 4;
    *len = size - (size_t)(body - data);
    char head[2048];
    size_t hn = (size_t)(body - data) < sizeof head - 1 ? (size_t)(body - data) : sizeof head - 1;
    memcpy(head, data, hn);
    head[hn] = '\0';
    const char *cl = strcasestr(head, "\ncontent-length:");
    if (cl) {
        long v = atol(cl + 16);
        if (v >= 0 && (size_t)v < *len)
            *len = (size_t)v;
    }
    return body;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The nesting a parser reaches before its first value: "[" and '{"key":'
 * one after the other, whitespace between (jansson recurses on each before it
 * can fail on anything else). *end: where that opening stops. */
static size_t opening_depth(const uint8_t *body, size_t len, size_t *end)
{
    size_t depth = 0, i = 0;
    for (;;) {
        while (i < len && is_space(body[i]))
            i++;
        *end = i;
        if (i < len && body[i] == '[') {
            i++;
        } else if (i < len && body[i] == '{') {
            i++;
            while (i < len && is_space(body[i]))
                i++;
            if (i >= len || body[i] != '"')
                break;
            const uint8_t *q = memchr(body + i + 1, '"', len - i - 1);
            if (!q)
                break;
            i = (size_t)(q - body) + 1;
            while (i < len && is_space(body[i]))
                i++;
            if (i >= len || body[i] != ':')
                break;
            i++;
        } else {
            break;
        }
        depth++;
    }
    return depth;
}

static void note_depth(const uint8_t *data, size_t size, int status)
{
    if (status != 400 && (status < 200 || status > 299))
        return;
    size_t len, end;
    const uint8_t *body = request_body(data, size, &len);
    if (!body)
        return;
    size_t d = opening_depth(body, len, &end);
    depth_seen[d < sizeof depth_seen ? d : sizeof depth_seen - 1] = 1;
}

/* After the body grew: a Content-Length written with leading zeros
 * ("00100", as the seeds write it) is rewritten in the same width when the
 * new length fits, so that the server reads the deeper body whole. */
static void fix_length(uint8_t *data, size_t head_len, size_t body_len)
{
    char head[2048];
    size_t hn = head_len < sizeof head - 1 ? head_len : sizeof head - 1;
    memcpy(head, data, hn);
    head[hn] = '\0';
    char *cl = strcasestr(head, "\ncontent-length:");
    if (!cl)
        return;
    char *d = cl + 16;
    while (*d == ' ')
        d++;
    int w = 0;
    while (d[w] >= '0' && d[w] <= '9')
        w++;
    char num[32];
    if (w < 2 || d[0] != '0' || snprintf(num, sizeof num, "%0*zu", w, body_len) != w)
        return;
    memcpy(data + (d - head), num, (size_t)w);
}

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* libFuzzer's own mutations add a byte or a dictionary word at a time, and
 * climbing a thousand levels that way takes minutes. One move in eight
 * repeats the body's opening instead (the "[" and '{"key":' before its first
 * value), doubling how deep it nests; the rest are libFuzzer's. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (seed % 8 == 0) {
        size_t len, end;
        uint8_t *body = (uint8_t *)request_body(data, size, &len);
        if (body && opening_depth(body, len, &end) > 0 && size + end <= max_size) {
            size_t at = (size_t)(body - data);
            memmove(body + end, body, size - at);
            fix_length(data, at, len + end);
            return size + end;
        }
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
#else
static void note_depth(const uint8_t *data, size_t size, int status)
{
    (void)data;
    (void)size;
    (void)status;
}
#endif

/* A fresh server every FUZZ_HTTP_RESTART inputs: the mocks journal every
 * request and serve keeps every run, so one server's memory grows with the
 * run (~500 MB in 30 s) and long runs on demand would end on libFuzzer's RSS
 * limit instead of a finding. */
#define FUZZ_HTTP_RESTART 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned long inputs;
    if (srv && ++inputs % FUZZ_HTTP_RESTART == 0)
        stop_server();
    if (!srv)
        start_server();
    note_depth(data, size, exchange(data, size));
    return 0;
}
