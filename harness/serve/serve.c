/* dialsim serve: the server's life (start, stop) and the plumbing every route
 * shares: reading bodies, answering JSON, the request log. The routes are in
 * serve_routes.c, the objects in serve_model.c. */
#include "serve/serve_internal.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/json_depth.h"
#include "core/timefmt.h"
#include "util/mem_trim.h"
#include "util/civet_stop.h"
#include "util/http_guard.h"
#include "util/json_write.h"

/* ---- answers -------------------------------------------------------------- */

void srv_reply_json(struct srv_resp *rs, int status, json_t *body)
{
    free(rs->body);
    rs->status = status;
    size_t n = 0;
    rs->body = body ? json_write(body, &n) : NULL; /* jansson's compact bytes (util/json_write.h) */
    rs->body_len = rs->body ? n : 0;
    json_decref(body);
}

static json_t *error_entry(const char *path, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    json_t *e = json_object();
    if (path)
        json_object_set_new(e, "path", json_string(path));
    json_object_set_new(e, "message", json_string(msg));
    return e;
}

void srv_error_add(json_t *errors, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_array_append_new(errors, error_entry(path, fmt, ap));
    va_end(ap);
}

void srv_reply_errors(struct srv_resp *rs, int status, json_t *errors)
{
    srv_reply_json(rs, status, json_pack("{s:o}", "errors", errors));
}

void srv_reply_error(struct srv_resp *rs, int status, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *e = error_entry(path, fmt, ap);
    va_end(ap);
    srv_reply_errors(rs, status, json_pack("[o]", e));
}

/* ---- bodies ---------------------------------------------------------------- */

const char *srv_header(const struct srv_req *rq, const char *name)
{
    return mg_get_header(rq->conn, name);
}

int srv_read_body(struct srv_req *rq, size_t max)
{
    long long cl = rq->ri->content_length;
    if (cl > (long long)max)
        return 1; /* not a byte read: the connection is closed after the answer */
    size_t cap = cl >= 0 ? (size_t)cl + 1 : 16384, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max + 1) { /* chunked and over the limit */
                free(buf);
                return 1;
            }
            size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        int got = mg_read(rq->conn, buf + len, cap - 1 - len);
        if (got < 0) {
            free(buf);
            return -1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    rq->body_read = true;
    if (len > max) {
        free(buf);
        return 1;
    }
    buf[len] = '\0';
    free(rq->body);
    rq->body = buf;
    rq->body_len = len;
    return 0;
}

/* strcasestr is a GNU extension. */
static const char *find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* application/json, any case, parameters allowed; a charset must be utf-8. */
static bool json_media_type(const char *ct, char *why, size_t n)
{
    if (!ct) {
        snprintf(why, n, "is missing; send application/json");
        return false;
    }
    size_t k = strcspn(ct, ";");
    while (k && (ct[k - 1] == ' ' || ct[k - 1] == '\t'))
        k--;
    if (k != 16 || strncasecmp(ct, "application/json", 16) != 0) {
        snprintf(why, n, "must be application/json, got \"%.60s\"", ct);
        return false;
    }
    const char *cs = find_nocase(ct + k, "charset=");
    if (cs) {
        cs += 8;
        if (*cs == '"')
            cs++;
        if (strncasecmp(cs, "utf-8", 5) != 0) {
            snprintf(why, n, "charset must be utf-8, got \"%.20s\"", cs);
            return false;
        }
    }
    return true;
}

json_t *srv_read_json(struct srv_req *rq, struct srv_resp *rs)
{
    char why[160];
    if (!json_media_type(srv_header(rq, "Content-Type"), why, sizeof why)) {
        json_t *e = json_pack("{s:s,s:s}", "header", "Content-Type", "message", why);
        srv_reply_errors(rs, 415, json_pack("[o]", e));
        return NULL;
    }
    int rc = srv_read_body(rq, SRV_MAX_BODY);
    if (rc == 1) {
        srv_reply_error(rs, 413, NULL, "the body is over the limit of %d bytes", SRV_MAX_BODY);
        return NULL;
    }
    if (rc < 0) {
        srv_reply_error(rs, 400, NULL, "the body could not be read");
        return NULL;
    }
    json_error_t je;
    json_t *j = json_depth_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        /* too deep is refused before jansson recurses (core/json_depth.h) */
        json_t *e = json_pack("{s:i,s:i,s:s+}", "line", je.line, "column", je.column, "message",
                              json_depth_exceeded(&je) ? "body: " : "invalid JSON: ", je.text);
        srv_reply_errors(rs, 400, json_pack("[o]", e));
        return NULL;
    }
    if (!json_is_object(j)) {
        srv_reply_error(rs, 400, "", "the body must be a JSON object");
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---- one request ----------------------------------------------------------- */

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Did the request come with a body? (Content-Length > 0, or chunked.) */
static bool has_body(const struct srv_req *rq)
{
    if (rq->ri->content_length > 0)
        return true;
    const char *te = srv_header(rq, "Transfer-Encoding");
    return te && find_nocase(te, "chunked");
}

static int split_path(struct srv_req *rq, char *buf, size_t n)
{
    snprintf(buf, n, "%s", rq->path);
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (rq->n_seg == SRV_MAX_SEGMENTS)
            return -1;
        rq->seg[rq->n_seg++] = t;
    }
    return 0;
}

/* One write for head and body (no Nagle round trip on loopback). */
static void write_answer(struct mg_connection *conn, const struct srv_resp *rs)
{
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: "
                      "%zu\r\n%s%s%s%s\r\n",
                      rs->status, mg_get_response_code_text(conn, rs->status), rs->body_len,
                      *rs->allow ? "Allow: " : "", rs->allow, *rs->allow ? "\r\n" : "",
                      rs->close ? "Connection: close\r\n" : HTTP_KEEP_ALIVE_HDR);
    char *msg = malloc((size_t)hl + rs->body_len);
    if (!msg)
        return;
    memcpy(msg, head, (size_t)hl);
    memcpy(msg + hl, rs->body, rs->body_len);
    mg_write(conn, msg, (size_t)hl + rs->body_len);
    free(msg);
}

static void worker_trim(const struct mg_connection *conn)
{
    (void)conn;
    mem_trim_thread();
}

static int handle(struct mg_connection *conn, void *cbdata)
{
    struct serve *s = cbdata;
    int64_t t0 = mono_us();
    const struct mg_request_info *ri = mg_get_request_info(conn);
    struct srv_req rq = {
        .conn = conn,
        .ri = ri,
        .method = ri->request_method,
        .path = ri->local_uri ? ri->local_uri : "/",
    };
    struct srv_resp rs = {0};
    char path_buf[2048], guard_msg[300];
    bool guard_close = false;
    int guard;
    /* counted before draining is read; serve_destroy sets draining before it
     * reads the count: one of the two sees the other (seq_cst) */
    atomic_fetch_add(&s->inflight, 1);
    if (atomic_load(&s->draining)) {
        srv_reply_error(&rs, 503, NULL, "the server is stopping");
        rs.close = true;
    } else if ((guard = http_guard_check(ri, guard_msg, sizeof guard_msg, &guard_close))) {
        srv_reply_error(&rs, guard, guard == 431 ? "headers" : NULL, "%s", guard_msg);
        rs.close = guard_close;
    } else if (strlen(rq.path) >= sizeof path_buf ||
               split_path(&rq, path_buf, sizeof path_buf) != 0) {
        srv_reply_error(&rs, 404, NULL, "no route %s %.200s", rq.method, rq.path);
    } else if (srv_access_allowed(s, &rq, &rs)) {
        srv_route(s, &rq, &rs);
    }
    if (!rs.body) {
        rs.status = 500;
        rs.body = strdup("{\"errors\":[{\"message\":\"out of memory\"}]}");
        rs.body_len = rs.body ? strlen(rs.body) : 0;
    }
    /* A body left unread would be taken for the next request: close instead. */
    if ((!rq.body_read && has_body(&rq)) || atomic_load(&s->draining))
        rs.close = true;
    if (rs.close)
        mg_disable_connection_keep_alive(conn); /* and CivetWeb skips draining the body */
    write_answer(conn, &rs);
    if (!s->quiet) {
        char ts[32];
        ts_iso(clock_real_now(), ts, sizeof ts);
        double ms = (double)(mono_us() - t0) / 1000.0;
        char path[600]; /* a path can hold anything once decoded: one line per request */
        fprintf(s->log, "%s %s %s %d %.2fms\n", ts, rq.method,
                http_guard_escape(rq.path, path, sizeof path), rs.status, ms);
    }
    int status = rs.status;
    free(rs.body);
    free(rq.body);
    atomic_fetch_sub(&s->inflight, 1);
    return status;
}

/* ---- the server's life ----------------------------------------------------- */

static pthread_once_t mg_once = PTHREAD_ONCE_INIT;
static void mg_init_once(void)
{
    mg_init_library(0);
}

static const char *const default_urls[DS_PROVIDER__COUNT] = {
    [DS_PROVIDER_VAPI] = "https://api.vapi.ai",
    [DS_PROVIDER_RETELL] = "https://api.retellai.com",
    [DS_PROVIDER_ELEVENLABS] = "https://api.elevenlabs.io",
};

static int start_http(struct serve *s, int port, int threads, char *err, size_t n)
{
    char listen[128], nthreads[16];
    if (strchr(s->host, ':'))
        snprintf(listen, sizeof listen, "[%s]:%d", s->host, port);
    else
        snprintf(listen, sizeof listen, "%s:%d", s->host, port);
    snprintf(nthreads, sizeof nthreads, "%d", threads > 0 ? threads : SERVE_DEFAULT_THREADS);
    /* keep-alive: a sender posting transcripts reuses its connection. A
     * worker serves one connection at a time, so num_threads bounds the
     * connections served at once (others wait in the accept queue). An idle
     * keep-alive connection holds its worker for keep_alive_timeout_ms, and
     * answers say so ("Keep-Alive: timeout=5"), so that a pooling client
     * drops the socket first and never writes into our close. A stop waits
     * for idle ones at most CivetWeb's 2 s poll quantum. request_timeout_ms
     * bounds how long a client may take to send a request's head: a slow
     * client is cut off then (docs/api.md#limits). */
    const char *opts[] = {"listening_ports",
                          listen,
                          "num_threads",
                          nthreads,
                          "enable_keep_alive",
                          "yes",
                          "keep_alive_timeout_ms",
                          HTTP_KEEP_ALIVE_MS,
                          "tcp_nodelay",
                          "1",
                          "request_timeout_ms",
                          HTTP_HEAD_TIMEOUT_MS,
                          "listen_backlog",
                          "512",
                          NULL};
    /* a worker gives back, between connections, what one took
     * (util/mem_trim.h) */
    struct mg_callbacks cb = {.connection_close = worker_trim};
    pthread_once(&mg_once, mg_init_once);
    s->ctx = mg_start(&cb, s, opts);
    if (!s->ctx) {
        snprintf(err, n, "cannot listen on %s (in use, or not an address of this machine?)",
                 listen);
        return -1;
    }
    http_guard_no_password_files(s->ctx);
    mg_set_request_handler(s->ctx, "/", handle, s);
    struct mg_server_port ports[2];
    if (mg_get_server_ports(s->ctx, 2, ports) < 1) {
        snprintf(err, n, "cannot tell which port %s got", listen);
        return -1;
    }
    s->port = ports[0].port;
    return 0;
}

int serve_create(struct serve **out, const struct serve_options *o, char *err, size_t n)
{
    *out = NULL;
    snprintf(err, n, "out of memory");
    struct serve *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->log = o->log ? o->log : stderr;
    s->quiet = o->quiet;
    snprintf(s->host, sizeof s->host, "%s", o->host ? o->host : SERVE_DEFAULT_HOST);
    s->mock_threads = o->mock_threads;
    s->max_final_runs =
        (size_t)(o->max_final_runs > 0 ? o->max_final_runs : SERVE_DEFAULT_MAX_FINAL_RUNS);
    s->db_path = strdup(o->db_path ? o->db_path : SERVE_DEFAULT_DB);
    const char *urls[DS_PROVIDER__COUNT];
    memcpy(urls, default_urls, sizeof urls);
    json_t *cfg = NULL;
    if (srv_access_init(s, o, err, n))
        goto fail; /* before anything listens */
    if (o->config_path && !(cfg = srv_config_read(o->config_path, urls, err, n)))
        goto fail;
    char serr[512];
    if (!s->db_path || store_open(&s->store, s->db_path, NULL, serr, sizeof serr) != STORE_OK) {
        snprintf(err, n, "cannot open the database: %s", serr);
        goto fail;
    }
    s->time_scale = o->time_scale > 0 ? o->time_scale : 1.0;
    if (clock_real_create_scaled(&s->clock, s->time_scale) || srv_http_create(&s->http, clock_real_port(s->clock), 4))
        goto fail;
    /* The mocks first: the providers' URLs the config leaves open point at them. */
    s->mw.limits = (struct mock_limits){
        .journal_size =
            (size_t)(o->journal_size > 0 ? o->journal_size : SERVE_DEFAULT_JOURNAL_SIZE),
        .max_ended_calls =
            (size_t)(o->max_ended_calls > 0 ? o->max_ended_calls : SERVE_DEFAULT_MAX_ENDED_CALLS)};
    if (cfg && srv_mocks_start(s, cfg, s->host, o->mock_port, urls, default_urls, err, n))
        goto fail;
    for (int p = 1; p < DS_PROVIDER__COUNT; p++) {
        free(s->provider_url[p]);
        if (!(s->provider_url[p] = strdup(urls[p])))
            goto fail;
    }
    struct core_env env = {
        .clock = clock_real_port(s->clock),
        .http = srv_http_port(s->http),
        .ids = {&srv_ids_ops, s},
        .on_run = srv_runs_observer(s),
    };
    for (int p = 1; p < DS_PROVIDER__COUNT; p++)
        env.provider_base_url[p] = s->provider_url[p];
    if (core_create(&s->core, &env))
        goto fail;
    srv_mocks_attach(s);
    /* The config file, then what the database holds (docs/api.md#durability). */
    clock_real_lock(s->clock);
    int rc = cfg ? srv_config_apply(s, cfg, o->config_path, err, n) : 0;
    if (rc == 0)
        rc = srv_restore(s, err, n);
    if (rc == 0)
        rc = srv_runs_restore(s, err, n);
    clock_real_unlock(s->clock);
    if (rc)
        goto fail;
    json_decref(cfg);
    cfg = NULL;
    s->started_ms = clock_real_now(); /* before the first request can read it */
    if (start_http(s, o->port, o->threads, err, n))
        goto fail;
    *out = s;
    return 0;
fail:
    json_decref(cfg);
    serve_destroy(s);
    return -1;
}

int serve_port(const struct serve *s)
{
    return s->port;
}

/* Stopping. CivetWeb's mg_stop makes every mg_read in progress fail, so a
 * request whose body is still arriving would be cut off. First, then, the
 * requests in flight finish (each within request_timeout_ms) while new ones
 * get 503 and a close; only then mg_stop closes the listening socket and
 * the idle keep-alive connections. CivetWeb 1.15's accept loop polls with a
 * 2 s quantum; civet_stop wakes it. */
#define SRV_DRAIN_MAX_MS 15000

static void stop_http(struct serve *s)
{
    atomic_store(&s->draining, true);
    for (int i = 0; i < SRV_DRAIN_MAX_MS && atomic_load(&s->inflight) > 0; i++)
        usleep(1000);
    civet_stop(s->ctx, s->host, s->port);
}

void serve_destroy(struct serve *s)
{
    if (!s)
        return;
    if (s->ctx)
        stop_http(s);
    srv_mocks_stop_server(s); /* no request reaches the mocks any more */
    /* Provider requests in flight end first (each within its timeout), so
     * that their answers are still delivered; then the clock runs what is due
     * (those answers among it: they point at the HTTP client's handles, freed
     * only after) and stops; only then is the core, which nobody can reach
     * any more, freed. */
    srv_http_stop(s->http);
    if (s->clock)
        clock_real_stop(s->clock);
    srv_http_destroy(s->http);
    srv_runs_flush(s); /* what changed after the last flush timer */
    srv_mocks_free(s); /* their timers will never run: the clock has stopped */
    core_destroy(s->core);
    clock_real_destroy(s->clock);
    store_close(s->store);
    srv_model_free(s);
    json_decref(s->written);
    for (int p = 0; p < DS_PROVIDER__COUNT; p++)
        free(s->provider_url[p]);
    free(s->db_path);
    free(s->admin_token);
    free(s);
}
