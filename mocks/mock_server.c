#include "mock_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "util/json_write.h"
#include "util/mem_trim.h"
#include "journal_match.h"
#include "mock_build.h"
#include "mock_account.h"
#include "faults.h"
#include "mock_access.h"
#include "catalogue.h"
#include "catalogue_serve.h"
#include "mock_route.h"
#include "mock_provider.h"
#include "util/civet_stop.h"
#include "util/http_guard.h"
#include "trigger_endpoint.h"
#include "sim/http_curl.h"
#include "tls_front.h"

#define MOCK_MAX_BODY (1 << 20)
/* With keep-alive (serve), answers say how long an idle connection is kept
 * (util/http_guard.h), so clients let go of it first. */
#define KEEP_HDR(s) ((s)->keep_alive ? HTTP_KEEP_ALIVE_HDR : "")

struct mock_server {
    struct mg_context *ctx;
    int port;
    char url[96];
    /* read-held while a request uses world, write-held to rebind: requests
     * of one world run side by side, a rebind waits for them */
    pthread_rwlock_t bind_lk;
    atomic_uint served; /* requests, for give_back */
    struct mock_world *world;
    struct tls_front *tls; /* NULL: plain HTTP */
    bool real_time;        /* wait the stated latency before answering */
    double time_scale;     /* ... times this (serve --time-scale) */
    bool keep_alive;       /* connections are reused (dialsim serve) */
    char host[64];
    char *admin_token; /* /_dialsim/ needs it; NULL: open (mock_access.h) */
    bool check_host;   /* on loopback: refuse a Host that is not (DNS rebinding) */
    /* stopping wakes the answers still waiting out their latency */
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    bool stopping;
};

const json_t *mock_json_path(const json_t *j, const char *path)
{
    char seg[128];
    const char *p = path;
    while (j && *p) {
        size_t k = 0;
        while (*p && *p != '.' && k + 1 < sizeof seg)
            seg[k++] = *p++;
        seg[k] = '\0';
        if (*p == '.')
            p++;
        j = json_is_array(j) ? json_array_get(j, strtoul(seg, NULL, 10)) : json_object_get(j, seg);
    }
    return j;
}

void mock_response_clear(struct mock_response *rs)
{
    free(rs->headers);
    rs->headers = NULL;
    free(rs->body);
    rs->body = NULL;
    rs->body_len = 0;
    json_decref(rs->json);
    rs->json = NULL;
}

void mock_reply_json(struct mock_response *rs, int status, json_t *body)
{
    mock_response_clear(rs);
    rs->status = status;
    rs->json = body;
    rs->content_type = "application/json; charset=utf-8";
}

void mock_reply_out(struct mock_response *rs, int status, struct json_out *o)
{
    char *text = jo_finish(o, NULL);
    if (!text) {
        mock_reply_json(rs, 500, json_pack("{s:s}", "message", "could not write the answer"));
        return;
    }
    mock_response_clear(rs);
    rs->status = status;
    rs->body = text;
    rs->content_type = "application/json; charset=utf-8";
}

void mock_response_finish(struct mock_response *rs)
{
    if (!rs->json)
        return;
    free(rs->body);
    /* util/json_write.h: jansson's compact bytes, without its encoder's cost */
    rs->body = json_write(rs->json, NULL);
    rs->body_len = 0;
    json_decref(rs->json);
    rs->json = NULL;
}

/* The journal's name for the mock a path belongs to: a provider's (through
 * its ops), the customers' trigger endpoints, or "none". */
static const char *mock_name_for(const struct mock_request *rq)
{
    const struct mock_provider_ops *ops = rq->provider;
    if (ops)
        return ops->name;
    if (strncmp(rq->path, "/trigger/", 9) == 0)
        return "trigger";
    return "none";
}

static int dispatch_provider(struct mock_world *w, const struct mock_request *rq,
                             const struct route_plan *p, struct mock_response *rs)
{
    const struct mock_provider_ops *ops = rq->provider;
    struct mock_provider_slot *slot = ops ? mock_world_slot(w, ops->name) : NULL;
    if (!slot || p->kind == PLAN_NONE)
        return 0;
    switch (p->kind) {
    case PLAN_GENERIC:
        catalogue_serve(w, slot, p->route, &p->params, rq, rs);
        return 1;
    case PLAN_405:
        ops->method_not_allowed(rs);
        return 1;
    default:
        return ops->handle(slot->m, rq, rs);
    }
}

/* The request's journal entry, made before the lock (journal_entry_new). */
static struct journal_entry *entry_for(const struct mock_request *rq)
{
    /* the body's text only: its tree goes with the request, while it is in
     * this thread's cache (decisions.md#call-request); journal_entry_body
     * parses it again for the rare reader */
    return journal_entry_new(mock_name_for(rq), rq->method, rq->path, rq->headers, rq->headers_len,
                             rq->body, rq->body_len, NULL);
}

/* With w->mu held; e is the request's entry (taken), *dropped what the
 * journal let go of (to free after the lock). The answer stays a tree
 * (mock_response_finish). */
static void dispatch_locked(struct mock_world *w, const struct mock_request *rq,
                            const struct route_plan *plan, struct mock_response *rs,
                            struct journal_entry *e, struct journal_entry **dropped)
{
    long ji = journal_push(w->journal, e, ds_now(&w->clock), dropped);
    struct fault_action fa;
    mock_faults_decide(w->faults, rq, &fa);
    int handled = 0;
    if (fa.kind == FAULT_REPLY || fa.kind == FAULT_CLOSE)
        handled = 1; /* the fault answers instead of the mock */
    else if (w->triggers && strncmp(rq->path, "/trigger/", 9) == 0)
        handled = mock_triggers_handle(w->triggers, rq, rs);
    else
        handled = dispatch_provider(w, rq, plan, rs);
    if (!handled) {
        /* NestJS-style 404, as an unknown route on a real API answers. */
        char msg[300];
        snprintf(msg, sizeof msg, "Cannot %s %s", rq->method, rq->path);
        mock_reply_json(
            rs, 404,
            json_pack("{s:s,s:s,s:i}", "message", msg, "error", "Not Found", "statusCode", 404));
    }
    mock_faults_apply(&fa, rs);
    json_decref(fa.body);
    json_decref(fa.headers);
    journal_set_status(w->journal, ji, rs->close ? 0 : rs->status);
    if (w->keep_answers && rs->body && !rs->body_len && !rs->close) /* text answers, for -v */
        journal_set_answer(w->journal, ji, rs->body);
}

void mock_world_dispatch(struct mock_world *w, const struct mock_request *rq,
                         struct mock_response *rs)
{
    /* a request nobody parsed yet (a unit test's) is parsed here */
    struct mock_request r = *rq;
    if (!r.provider_known) {
        r.provider = mock_provider_for_path(r.path);
        r.provider_known = true;
    }
    json_error_t je;
    json_t *own = NULL;
    if (!r.parsed) {
        own = journal_parse(r.body, r.body_len, &je);
        r.json = own;
        r.json_error = own ? NULL : &je;
        r.parsed = true;
    }
    struct journal_entry *dropped;
    struct route_plan plan;
    mock_route_plan(r.provider, r.method, r.path, &plan);
    dispatch_locked(w, &r, &plan, rs, entry_for(&r), &dropped);
    journal_entry_free(dropped);
    mock_response_finish(rs);
    json_decref(own);
}

bool mock_world_call_outcome(const struct mock_world *w, const char *provider, const char *id,
                             char *status, size_t sn, char *ended, size_t en)
{
    const char *st = NULL, *er = NULL;
    bool found = false;
    for (size_t i = 0; i < w->n_providers && !found; i++)
        if (!strcmp(w->providers[i].ops->name, provider) && w->providers[i].ops->call_outcome)
            found = w->providers[i].ops->call_outcome(w->providers[i].m, id, &st, &er);
    if (!found)
        return false;
    snprintf(status, sn, "%s", st ? st : "");
    snprintf(ended, en, "%s", er ? er : "");
    return true;
}

/* The head's pieces, appended without printf (two snprintf passes over a
 * format cost more than the rest of a small answer's head). */
struct head {
    char *p;
    size_t len, cap;
};

static void head_putn(struct head *h, const char *s, size_t n)
{
    if (h->len + n < h->cap)
        memcpy(h->p + h->len, s, n);
    h->len += n;
}

static void head_put(struct head *h, const char *s)
{
    head_putn(h, s, strlen(s));
}

/* a string literal: its length the compiler's */
#define head_lit(h, s) head_putn((h), "" s "", sizeof(s) - 1)

static void head_num(struct head *h, long long v)
{
    char b[JSON_WRITE_INT_MAX];
    json_write_int(b, v);
    head_put(h, b);
}

static void put_head(struct head *h, const struct mock_response *rs, const char *reason,
                     size_t olen, const char *conn_hdr)
{
    head_lit(h, "HTTP/1.1 ");
    head_num(h, rs->status);
    head_lit(h, " ");
    head_put(h, reason);
    head_lit(h, "\r\nContent-Type: ");
    head_put(h, rs->content_type ? rs->content_type : "application/json");
    if (rs->chunks > 1) {
        head_lit(h, "\r\nTransfer-Encoding: chunked\r\n");
    } else {
        head_lit(h, "\r\nContent-Length: ");
        head_num(h, (long long)olen);
        head_lit(h, "\r\n");
    }
    /* a fault's own headers (Retry-After, ...) come after the framing ones */
    if (rs->headers)
        head_put(h, rs->headers);
    head_put(h, conn_hdr);
    head_lit(h, DIALSIM_LATENCY_HEADER ": ");
    head_num(h, (long long)rs->latency_ms);
    head_lit(h, "\r\n\r\n");
}

/* One write per answer: header and body in two writes meet Nagle and delayed
 * ACKs and cost ~40 ms per request on loopback. With keep-alive on (serve),
 * an answer that ends the connection says so: a truncated body is then a real
 * one, as it is with keep-alive off (run), where every answer ends with a
 * close. "Keep-Alive: timeout" tells a pooling client (Node's fetch) to drop
 * an idle socket before the server does, so it never writes into a close. */
static void write_answer(struct mg_connection *conn, const struct mock_response *rs,
                         const char *conn_hdr)
{
    const char *out = rs->body ? rs->body : "";
    size_t olen = rs->body_len ? rs->body_len : strlen(out);
    size_t send = rs->truncate && rs->truncate_at < olen ? rs->truncate_at : olen;
    const char *reason = mg_get_response_code_text(conn, rs->status);
    size_t body_part = rs->chunks > 1 ? 0 : send;
    /* head and body in one heap block: one write. The head is written into
     * a small stack buffer first (within the stack a worker keeps,
     * util/mem_trim.h); one longer than it (a fault's headers) is written
     * again into the block. */
    char small[384];
    struct head h = {small, 0, sizeof small};
    put_head(&h, rs, reason, olen, conn_hdr);
    size_t head_len = h.len, need = head_len + body_part + 1;
    char *block = malloc(need);
    if (!block)
        return;
    if (head_len < sizeof small) {
        memcpy(block, small, head_len);
    } else {
        h = (struct head){block, 0, need};
        put_head(&h, rs, reason, olen, conn_hdr);
    }
    memcpy(block + head_len, out, body_part);
    mg_write(conn, block, head_len + body_part);
    free(block);
    if (rs->chunks > 1) {
        size_t per = olen / (size_t)rs->chunks + 1;
        for (size_t off = 0; off < olen; off += per)
            mg_send_chunk(conn, out + off, (unsigned)(olen - off < per ? olen - off : per));
        mg_send_chunk(conn, "", 0);
    }
}

static json_t *account_stats(const struct mock_account *a)
{
    struct mock_account_stats st;
    if (!a)
        return json_null();
    mock_account_get_stats(a, &st);
    return json_pack("{s:I,s:I,s:I,s:I}", "live", (json_int_t)st.live, "ended",
                     (json_int_t)st.ended, "evicted", (json_int_t)st.evicted, "max_ended",
                     (json_int_t)st.max_ended);
}

/* GET /_dialsim/stats: what the world keeps and what it let go of (the
 * journal ring's drops, the ended calls evicted), docs/mocks.md. */
static void stats(struct mock_world *w, const struct mock_request *rq, struct mock_response *rs)
{
    if (strcmp(rq->method, "GET") != 0) {
        mock_reply_json(rs, 405, json_pack("{s:s}", "message", "GET only"));
        return;
    }
    size_t n = journal_count(w->journal), first = journal_first(w->journal);
    json_t *calls = json_object();
    for (size_t i = 0; mock_provider_list[i]; i++) {
        const struct mock_provider_ops *ops = mock_provider_list[i];
        struct mock_provider_slot *slot = mock_world_slot(w, ops->name);
        json_object_set_new(calls, ops->name,
                            account_stats(slot && ops->account ? ops->account(slot->m) : NULL));
    }
    json_t *j = json_pack("{s:{s:I,s:I,s:I,s:I,s:I},s:o}", "journal", "size",
                          (json_int_t)journal_max(w->journal), "kept", (json_int_t)(n - first),
                          "first", (json_int_t)first, "next", (json_int_t)n, "dropped",
                          (json_int_t)(first - journal_cleared(w->journal)), "calls", calls);
    /* long-polls (serve's POST /_dialsim/wait) waiting now, and how many may */
    json_object_set_new(j, "waits",
                        json_pack("{s:i,s:i}", "waiting", w->waiters, "max",
                                  w->limits.max_waiters > 0 ? w->limits.max_waiters : 1));
    mock_reply_json(rs, 200, j);
}

/* GET /_dialsim/journal[?since=N]: what the mocks received, for a user's own
 * suite against `dialsim serve` (docs/mocks.md). Not journalled itself;
 * no provider has a path under /_dialsim/. Call with w->mu held. */
static void introspect(struct mock_world *w, const struct mock_request *rq, const char *query,
                       struct mock_response *rs)
{
    /* whoever serves the world answers first (serve: the journal's
     * filters, verify, wait, faults, reset...: docs/mocks.md#admin) */
    if (w->admin.handle && w->admin.handle(w->admin.ctx, w, rq, rs))
        return;
    if (strcmp(rq->path, "/_dialsim/stats") == 0) {
        stats(w, rq, rs);
        return;
    }
    if (strcmp(rq->path, "/_dialsim/journal") != 0) {
        mock_reply_json(rs, 404,
                        json_pack("{s:s}", "message",
                                  w->admin.handle ? "no such route: GET /_dialsim/journal, GET "
                                                    "/_dialsim/stats, PUT /_dialsim/faults"
                                                  : "no such route: GET /_dialsim/journal, GET "
                                                    "/_dialsim/stats"));
        return;
    }
    if (strcmp(rq->method, "GET") != 0) {
        mock_reply_json(rs, 405, json_pack("{s:s}", "message", "GET only"));
        return;
    }
    long since = 0;
    char v[32];
    int got = query ? mg_get_var(query, strlen(query), "since", v, sizeof v) : -1;
    if (got == -2 || got == 0) { /* too long for any index, or empty */
        mock_reply_json(rs, 400,
                        json_pack("{s:s}", "message", "since: expected an entry index >= 0"));
        return;
    }
    if (got > 0) {
        char *end;
        since = strtol(v, &end, 10);
        if (*end || since < 0) {
            mock_reply_json(rs, 400,
                            json_pack("{s:s}", "message", "since: expected an entry index >= 0"));
            return;
        }
    }
    json_t *list = json_array();
    size_t n = journal_count(w->journal), first = journal_first(w->journal);
    /* entries before `first` were dropped from the ring: what is kept is
     * answered, and "missed" says how many of those asked for are gone */
    size_t from = (size_t)since > first ? (size_t)since : first;
    for (size_t i = from; i < n; i++)
        json_array_append_new(list, journal_entry_json(journal_at(w->journal, i), i));
    size_t missed = (size_t)since < first ? first - (size_t)since : 0;
    mock_reply_json(rs, 200,
                    json_pack("{s:o,s:I,s:I,s:I,s:I}", "requests", list, "next", (json_int_t)n,
                              "first", (json_int_t)first, "dropped",
                              (json_int_t)(first - journal_cleared(w->journal)), "missed",
                              (json_int_t)missed));
}

/* The request's head is refused before anything is read or journalled
 * (util/http_guard.h): the mocks' own NestJS-style error, as for a 404.
 * Returns the status it answered, 0 when the head is fine. */
static int refuse_head(struct mock_server *s, struct mg_connection *conn,
                       const struct mg_request_info *ri)
{
    char msg[300];
    bool close_after;
    int st = http_guard_check(ri, msg, sizeof msg, &close_after);
    if (!st)
        return 0;
    struct mock_response rs = {0};
    mock_reply_json(&rs, st,
                    json_pack("{s:s,s:s,s:i}", "message", msg, "error",
                              st == 431 ? "Request Header Fields Too Large" : "Bad Request",
                              "statusCode", st));
    if (close_after || !s->keep_alive)
        mg_disable_connection_keep_alive(conn);
    mock_response_finish(&rs);
    write_answer(conn, &rs, close_after && s->keep_alive ? "Connection: close\r\n" : KEEP_HDR(s));
    mock_response_clear(&rs);
    return st;
}

/* Every 65,536 requests, hand the pages malloc holds free back to the
 * system (util/mem_trim.h): a burst of live calls would otherwise stay in
 * RSS as the allocator's high-water mark. A few ms, rarely. */
static void give_back(struct mock_server *s)
{
    if ((atomic_fetch_add_explicit(&s->served, 1, memory_order_relaxed) & 0xffff) == 0xffff)
        mem_trim();
}

static void worker_trim(const struct mg_connection *conn)
{
    (void)conn;
    mem_trim_thread();
}

static int serve_request(struct mg_connection *conn, void *cbdata)
{
    struct mock_server *s = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    int refused = refuse_head(s, conn, ri);
    if (refused)
        return refused; /* the status, for CivetWeb's own log */
    const char *hn[64], *hv[64];
    size_t nh = 0, headers_len = 0;
    for (int i = 0; i < ri->num_headers && nh < 64; i++, nh++) {
        hn[nh] = ri->http_headers[i].name;
        hv[nh] = ri->http_headers[i].value;
    }
    char *headers = mock_headers_pack(hn, hv, nh, &headers_len);
    /* read straight into the body's buffer, sized by Content-Length when
     * there is one: no stack buffer (a worker keeps every stack page it ever
     * touched, and there are 256 of them) and no 16 KiB block per request */
    char *body = NULL;
    size_t len = 0, cap = 0;
    bool overflow = false;
    for (;;) {
        if (len + 1 >= cap) {
            if (ri->content_length >= 0 && len >= (size_t)ri->content_length)
                break; /* all of it */
            bool small = ri->content_length > 0 && ri->content_length < 16384;
            size_t ncap = cap ? cap * 2 : small ? (size_t)ri->content_length + 1 : 16384;
            if (ncap > MOCK_MAX_BODY * 2) {
                char probe;
                if (mg_read(conn, &probe, 1) > 0)
                    overflow = true; /* the rest is unread: the connection cannot be reused */
                break;
            }
            char *nb = realloc(body, ncap);
            if (!nb)
                break;
            body = nb;
            cap = ncap;
        }
        int got = mg_read(conn, body + len, cap - len - 1);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    if (body)
        body[len] = '\0';

    /* the provider and the plan: a function of the method and the path,
     * remembered per thread (mock_route.h); admin routes have none */
    bool admin = strncmp(ri->local_uri, "/_dialsim/", 10) == 0;
    struct route_plan plan = {.kind = PLAN_NONE};
    const struct mock_provider_ops *provider =
        admin ? mock_provider_for_path(ri->local_uri)
              : mock_route_for(ri->request_method, ri->local_uri, &plan);
    struct mock_request rq = {
        .method = ri->request_method,
        .path = ri->local_uri,
        .headers = headers,
        .headers_len = headers_len,
        .body = body ? body : "",
        .body_len = len,
        .query = ri->query_string,
        .provider = provider,
        .provider_known = true,
    };
    /* Parsed once, before any lock: the journal and the handler share it. */
    json_t *parsed = NULL;
    json_error_t je;
    if (!admin) {
        parsed = journal_parse(rq.body, rq.body_len, &je);
        rq.json = parsed;
        rq.json_error = parsed ? NULL : &je;
        rq.parsed = true;
    }
    struct mock_response rs = {0};
    /* The world's mutex covers mock state only: reading, parsing, copying
     * into the journal's entry (above), freeing what the journal dropped,
     * serialising and writing the answer (below) run side by side. */
    struct journal_entry *entry = admin ? NULL : entry_for(&rq), *dropped = NULL;
    pthread_rwlock_rdlock(&s->bind_lk);
    struct mock_world *w = s->world;
    /* the timers this request sets for "now" (a dial without delay) run on
     * this thread once the answer is out (ports.h, help_begin) */
    struct ds_clock helped = {0};
    if (w && w->clock.ops && w->clock.ops->help_begin) {
        helped = w->clock;
        helped.ops->help_begin(helped.ctx);
    }
    if (w) {
        mock_world_lock(w);
        if (mock_access_refused(s->admin_token, s->check_host, &rq, ri->http_version, &rs)) {
            dropped = entry; /* answered; not journalled: no mock saw it */
        } else if (admin) {
            introspect(w, &rq, ri->query_string, &rs);
            /* the journal's answer holds the entries' nodes: serialised and
             * freed here, with the mutex (mock.h) */
            mock_response_finish(&rs);
        } else {
            dispatch_locked(w, &rq, &plan, &rs, entry, &dropped);
        }
        /* the journal (and maybe a call) holds the body now: our reference
         * goes with the mutex held (mock.h); the headers it copied */
        json_decref(parsed);
        parsed = NULL;
        pthread_mutex_unlock(&w->mu);
    } else {
        dropped = entry;
        mock_reply_json(&rs, 503, json_pack("{s:s}", "message", "no scenario bound"));
    }
    pthread_rwlock_unlock(&s->bind_lk);
    journal_entry_free(dropped);
    give_back(s);
    mock_response_finish(&rs);
    json_decref(parsed);
    /* In real time the mock really takes the latency it was told to have
     * (the simulated transport reads it from the header instead); a server
     * that is stopping answers at once. */
    if (s->real_time && rs.latency_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t wait_us = (int64_t)((double)rs.latency_ms * 1000.0 * s->time_scale);
        until.tv_sec += (time_t)(wait_us / 1000000);
        until.tv_nsec += (long)(wait_us % 1000000) * 1000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&s->stop_mu);
        while (!s->stopping && pthread_cond_timedwait(&s->stop_cv, &s->stop_mu, &until) == 0)
            ;
        pthread_mutex_unlock(&s->stop_mu);
    }
    /* A fault that closes or truncates ends the connection, as it would
     * without keep-alive: that is the fault the test asked for. */
    bool ends = rs.close || rs.truncate || overflow || !s->keep_alive;
    if (ends)
        mg_disable_connection_keep_alive(conn);
    if (!rs.close)
        write_answer(conn, &rs, ends && s->keep_alive ? "Connection: close\r\n" : KEEP_HDR(s));
    if (helped.ops) /* the clock outlives the server's workers (serve.c) */
        helped.ops->help_end(helped.ctx);
    mock_response_clear(&rs);
    free(body);
    free(headers);
    /* Handled, whatever was written: CivetWeb answers 404 by itself to a
     * handler that returns 0. */
    return rs.close ? 1 : rs.status;
}

static pthread_once_t mg_once = PTHREAD_ONCE_INIT;
static void mg_init_once(void)
{
    mg_init_library(0);
}

int mock_server_create_opts(struct mock_server **out, const struct mock_server_options *o,
                            char *err, size_t n)
{
    pthread_once(&mg_once, mg_init_once);
    struct mock_server *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    pthread_rwlock_init(&s->bind_lk, NULL);
    pthread_mutex_init(&s->stop_mu, NULL);
    pthread_cond_init(&s->stop_cv, NULL);
    s->real_time = o->real_time;
    s->time_scale = o->time_scale > 0 ? o->time_scale : 1.0;
    s->check_host = o->check_host;
    if (o->admin_token && !(s->admin_token = strdup(o->admin_token))) {
        snprintf(err, n, "out of memory");
        mock_server_destroy(s);
        return -1;
    }
    snprintf(s->host, sizeof s->host, "%s", o->host ? o->host : "127.0.0.1");
    char listen[96], threads[16];
    if (strchr(s->host, ':'))
        snprintf(listen, sizeof listen, "[%s]:%d", s->host, o->port);
    else
        snprintf(listen, sizeof listen, "%s:%d", s->host, o->port);
    snprintf(threads, sizeof threads, "%d", o->threads > 0 ? o->threads : 2);
    s->keep_alive = o->keep_alive;
    /* A worker serves one connection at a time, idle keep-alive ones
     * included: num_threads is the number of connections served at once.
     * request_timeout_ms bounds how long one may take to send its head
     * (a slow client is cut off then), keep_alive_timeout_ms how long an idle
     * one is kept (docs/api.md#limits). */
    const char *opts[] = {"listening_ports",
                          listen,
                          "num_threads",
                          threads,
                          "enable_keep_alive",
                          o->keep_alive ? "yes" : "no",
                          "keep_alive_timeout_ms",
                          HTTP_KEEP_ALIVE_MS,
                          "tcp_nodelay",
                          "1",
                          "request_timeout_ms",
                          o->keep_alive ? HTTP_HEAD_TIMEOUT_MS : "10000",
                          "listen_backlog",
                          "512",
                          NULL};
    /* a worker gives back, between connections, what one took
     * (util/mem_trim.h) */
    struct mg_callbacks cb = {.connection_close = worker_trim};
    s->ctx = mg_start(&cb, NULL, opts);
    struct mg_server_port ports[2];
    if (!s->ctx || mg_get_server_ports(s->ctx, 2, ports) < 1) {
        snprintf(err, n, "cannot listen on %s (in use, or not an address of this machine?)",
                 listen);
        mock_server_destroy(s);
        return -1;
    }
    s->port = ports[0].port;
    if (strchr(s->host, ':'))
        snprintf(s->url, sizeof s->url, "http://[%s]:%d", s->host, s->port);
    else
        snprintf(s->url, sizeof s->url, "http://%s:%d", s->host, s->port);
    http_guard_no_password_files(s->ctx);
    mg_set_request_handler(s->ctx, "/", serve_request, s);
    *out = s;
    return 0;
}

int mock_server_create(struct mock_server **out)
{
    char err[160];
    struct mock_server_options o = {.host = "127.0.0.1", .port = 0, .threads = 2};
    return mock_server_create_opts(out, &o, err, sizeof err);
}

/* The plain server with a TLS front on its own port (tls_front.h says why
 * not CivetWeb's TLS). The URL names the front; the CivetWeb port stays
 * reachable in plain HTTP on loopback, which only the front uses. */
int mock_server_create_tls(struct mock_server **out, const char *cert_pem, const char *key_pem)
{
    struct mock_server *s;
    *out = NULL;
    if (mock_server_create(&s) != 0)
        return -1;
    char err[512];
    if (tls_front_create(&s->tls, s->port, cert_pem, key_pem ? key_pem : cert_pem, err,
                         sizeof err) != 0) {
        fprintf(stderr, "mock_server: %s\n", err);
        mock_server_destroy(s);
        return -1;
    }
    snprintf(s->url, sizeof s->url, "https://127.0.0.1:%d", tls_front_port(s->tls));
    *out = s;
    return 0;
}

const char *mock_server_url(const struct mock_server *s)
{
    return s->url;
}

void mock_server_bind(struct mock_server *s, struct mock_world *w)
{
    pthread_rwlock_wrlock(&s->bind_lk);
    s->world = w;
    pthread_rwlock_unlock(&s->bind_lk);
}

/* civet_stop wakes CivetWeb's 2 s accept poll: ~10 ms instead of 2 s. */
void mock_server_destroy(struct mock_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->stop_mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->stop_cv);
    pthread_mutex_unlock(&s->stop_mu);
    mock_world_stop_waits(s->world); /* long-polls (POST /_dialsim/wait) answer now */
    tls_front_destroy(s->tls);       /* first: it relays to CivetWeb */
    if (s->ctx)
        civet_stop(s->ctx, s->host[0] ? s->host : "127.0.0.1", s->port);
    pthread_rwlock_destroy(&s->bind_lk);
    pthread_cond_destroy(&s->stop_cv);
    pthread_mutex_destroy(&s->stop_mu);
    free(s->admin_token);
    free(s);
}
