/* dialsim conform transcripts: the project's transcript webhook, in real time,
 * for a customer's sender. Each request gets the core's own answer
 * (tx_validate: status and body; nothing is stored) and a report block:
 *
 *   request 2: POST /hook -> 400 Bad Request
 *     error CI-3 agent_id: must be an integer, got a string ("42")
 *     error CI-8 (request): 1 invalid field, listed with every other in one 400 answer; ...
 *     warning CI-2 key_header_spelling: the API key header was sent as "x-cekura-api-key"; ...
 *     rules broken: CI-3, CI-8
 *
 * The mapping from an error to its rule is in docs/conformance.md. */
#include "conform/conform_transcripts.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/json_depth.h"
#include "core/transcript.h"
#include "util/civet_stop.h"
#include "util/http_guard.h"
#include "util/junit.h"
#include "util/xml_escape.h"
#include "util/json_print.h"

#define CT_DRAIN_MAX (16u << 20) /* bytes read (and dropped) past the body limit */
#define CT_MAX_BODY_ARG (64L << 20)
#define CT_MAX_COUNT 1000000L
#define CT_RULES 9 /* CI-1..CI-9 */

/* What one request got. */
struct ct_record {
    long number;
    char what[192]; /* "POST /hook", printable ASCII */
    int status;
    unsigned rules; /* bit k: CI-k broken */
    char *block;    /* the report block, owned */
    double seconds;
};

struct ct_listener {
    const struct ct_options *o;
    FILE *out;
    struct mg_context *ctx;
    const char *host;
    int port;
    char url[128];
    pthread_t main_thread;
    pthread_mutex_t mu;
    long started; /* requests numbered so far */
    long finished;
    struct ct_record *recs;
    size_t n_recs, cap_recs;
    bool oom;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- rules ---------------------------------------------------------------- */

/* CI-3: the top level (agent_id, calls, a call that is not an object, run_id
 * and the agent_id/run_id mix); CI-4: a call's fields, `messages` itself
 * included; CI-5: anything inside a message. */
const char *ct_rule_for_path(const char *path)
{
    if (!path || strncmp(path, "calls[", 6) != 0)
        return "CI-3"; /* "", agent_id, calls, unknown top-level fields */
    const char *p = path + 6;
    while (isdigit((unsigned char)*p))
        p++;
    if (p[0] != ']' || p[1] != '.')
        return "CI-3"; /* calls[i] itself: not an object */
    p += 2;
    if (!strcmp(p, "run_id"))
        return "CI-3";
    if (!strncmp(p, "messages[", 9))
        return "CI-5";
    return "CI-4";
}

static unsigned rule_bit(const char *rule)
{
    int k = rule[0] == 'C' && rule[1] == 'I' && rule[2] == '-' ? atoi(rule + 3) : 0;
    return k >= 1 && k <= CT_RULES ? 1u << k : 0;
}

/* "CI-3, CI-8" or "none" into buf. sep: ", " or " ". */
static const char *rules_list(unsigned rules, const char *sep, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 1; k <= CT_RULES; k++)
        if (rules & (1u << k))
            len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%sCI-%d", len ? sep : "", k);
    if (!len)
        snprintf(buf, n, "none");
    return buf;
}

/* Writes s with control characters as '?', so one error stays one line. */
static void put_clean(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* The lines for a validated request; returns the rules broken. */
static unsigned report_result(FILE *f, const struct tx_result *r)
{
    unsigned rules = 0;
    json_t *body = json_depth_loadb(r->body, r->body_len, 0, NULL);
    if (r->status == 200) {
        size_t n = json_integer_value(json_object_get(body, "accepted"));
        fprintf(f, "  accepted %zu call%s\n", n, n == 1 ? "" : "s");
    }
    size_t n_fields = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(body, "errors"), i, e)
    {
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *path = json_string_value(json_object_get(e, "path"));
        const char *header = json_string_value(json_object_get(e, "header"));
        json_t *line = json_object_get(e, "line");
        const char *rule = "CI-2"; /* 401, 413, 415 and JSON syntax: transport (CI-2) */
        fputs("  error ", f);
        if (path) {
            rule = ct_rule_for_path(path);
            n_fields++;
            fprintf(f, "%s ", rule);
            put_clean(f, *path ? path : "(root)");
        } else if (header) {
            fprintf(f, "%s header ", rule);
            put_clean(f, header);
        } else if (line) {
            fprintf(f, "%s body line %lld, column %lld", rule, (long long)json_integer_value(line),
                    (long long)json_integer_value(json_object_get(e, "column")));
        } else if (r->status == 400) {
            rule = "CI-8"; /* "N more errors are not listed" */
            fprintf(f, "%s (request)", rule);
        } else {
            fprintf(f, "%s body", rule);
        }
        fputs(": ", f);
        put_clean(f, msg);
        fputc('\n', f);
        rules |= rule_bit(rule);
    }
    if (n_fields) {
        /* CI-8: every offending field at once, and nothing of the request kept */
        fprintf(f,
                "  error CI-8 (request): %zu invalid field%s, all listed in one 400 answer; "
                "nothing of this request would be stored (all or nothing)\n",
                n_fields, n_fields == 1 ? "" : "s");
        rules |= rule_bit("CI-8");
    }
    json_decref(body);
    for (i = 0; i < r->n_warnings; i++) {
        const struct tx_warning *w = &r->warnings[i];
        const char *rule = w->code == TX_WARN_KEY_HEADER_SPELLING ? "CI-2"
                           : w->code == TX_WARN_TIME_IN_SECONDS   ? "CI-5"
                                                                  : ct_rule_for_path(w->path);
        fprintf(f, "  warning %s %s", rule, tx_warning_name(w->code));
        if (w->path) {
            fputc(' ', f);
            put_clean(f, *w->path ? w->path : "(root)");
        }
        fputs(": ", f);
        put_clean(f, w->message);
        fputc('\n', f);
    }
    return rules;
}

/* ---- one request ------------------------------------------------------------ */

struct ct_body {
    char *buf; /* the first max bytes */
    size_t len;
    size_t total; /* every byte read */
    bool failed;
};

/* Reads the body: keeps up to max bytes, reads and drops up to CT_DRAIN_MAX
 * more, so that a sender of a too-large body still reads its 413 (closing
 * with unread data would reset the connection). */
static void read_body(struct mg_connection *conn, size_t max, struct ct_body *b)
{
    char chunk[16384];
    size_t cap = 0;
    for (;;) {
        int got = mg_read(conn, chunk, sizeof chunk);
        if (got < 0) {
            b->failed = true;
            return;
        }
        if (got == 0)
            return;
        b->total += (size_t)got;
        if (b->len + (size_t)got <= max) {
            if (b->len + (size_t)got > cap) {
                size_t ncap = cap ? cap * 2 : sizeof chunk;
                while (ncap < b->len + (size_t)got)
                    ncap *= 2;
                char *nb = realloc(b->buf, ncap);
                if (!nb) {
                    b->failed = true;
                    return;
                }
                b->buf = nb;
                cap = ncap;
            }
            memcpy(b->buf + b->len, chunk, (size_t)got);
            b->len += (size_t)got;
        }
        if (b->total > max + CT_DRAIN_MAX)
            return;
    }
}

/* One write for head and body (no Nagle round trip on loopback). */
static void write_answer(struct mg_connection *conn, int status, const char *body)
{
    size_t blen = strlen(body);
    char head[320];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: "
                      "%zu\r\n%sConnection: close\r\n\r\n",
                      status, mg_get_response_code_text(conn, status), blen,
                      status == 405 ? "Allow: POST\r\n" : "");
    char *msg = malloc((size_t)hl + blen);
    if (!msg)
        return;
    memcpy(msg, head, (size_t)hl);
    memcpy(msg + hl, body, blen);
    mg_write(conn, msg, (size_t)hl + blen);
    free(msg);
}

/* "POST /hook" with anything not printable ASCII as '?'. */
static void describe(char *buf, size_t n, const char *method, const char *uri)
{
    snprintf(buf, n, "%.15s %.160s", method ? method : "?", uri ? uri : "/");
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
}

/* Validates one request the way the core does; fills the answer and writes
 * the report lines on f. */
static unsigned check_request(struct ct_listener *l, struct mg_connection *conn, FILE *f,
                              int *status, char **answer)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    size_t max = l->o->max_body ? l->o->max_body : TX_MAX_BODY_DEFAULT;
    struct ct_body b = {0};
    read_body(conn, max, &b);
    unsigned rules = 0;
    char msg[160];
    if (strcmp(ri->request_method, "POST") != 0) {
        /* CI-2: the webhook takes POST only; the core answers 405 */
        snprintf(msg, sizeof msg, "%.15s is not allowed; the transcript webhook takes POST",
                 ri->request_method);
        *status = 405;
        *answer = tx_error_body(msg);
        fputs("  error CI-2 method: must be POST, got ", f);
        put_clean(f, ri->request_method);
        fputc('\n', f);
        rules |= rule_bit("CI-2");
    } else if (b.failed) {
        *status = 400;
        *answer = tx_error_body("the body could not be read");
        fputs("  error CI-2 body: could not be read (fewer bytes than Content-Length, or a "
              "broken chunked encoding)\n",
              f);
        rules |= rule_bit("CI-2");
    } else {
        struct tx_header hs[MG_MAX_HEADERS];
        size_t nh = 0;
        for (int i = 0; i < ri->num_headers && nh < MG_MAX_HEADERS; i++)
            hs[nh++] = (struct tx_header){ri->http_headers[i].name, ri->http_headers[i].value};
        struct tx_request tr = {
            .headers = hs,
            .n_headers = nh,
            .content_type = mg_get_header(conn, "Content-Type"),
            .body = b.buf,
            .body_len = b.len,
            .api_key = l->o->api_key,
            .max_body = max,
        };
        if (b.total > max) {
            /* only the size is handed over, as the core does; when the rest
             * was not read, Content-Length tells it */
            tr.body = NULL;
            tr.body_len =
                ri->content_length > (long long)b.total ? (size_t)ri->content_length : b.total;
        }
        struct tx_result *r = NULL;
        if (tx_validate(&r, &tr) != 0 || !(*answer = strdup(r->body))) {
            *status = 500;
            *answer = tx_error_body("out of memory");
            fputs("  not checked: out of memory\n", f);
            pthread_mutex_lock(&l->mu);
            l->oom = true;
            pthread_mutex_unlock(&l->mu);
        } else {
            *status = r->status;
            rules |= report_result(f, r);
        }
        tx_result_destroy(r);
    }
    free(b.buf);
    return rules;
}

static int handle(struct mg_connection *conn, void *cbdata)
{
    struct ct_listener *l = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    double t0 = now_s();
    long n = 0;
    pthread_mutex_lock(&l->mu);
    if (!l->o->count || l->started < l->o->count)
        n = ++l->started;
    pthread_mutex_unlock(&l->mu);
    if (!n) {
        char *b = tx_error_body("this conformance listener has had its requests and is stopping");
        write_answer(conn, 503, b ? b : "{}");
        free(b);
        return 503;
    }

    struct ct_record rec = {.number = n};
    describe(rec.what, sizeof rec.what, ri->request_method, ri->local_uri);
    char *lines = NULL;
    size_t lines_len = 0;
    FILE *f = open_memstream(&lines, &lines_len);
    char *answer = NULL;
    int status = 500;
    rec.rules = f ? check_request(l, conn, f, &status, &answer) : 0;
    write_answer(conn, status, answer ? answer : "{}");
    free(answer);
    rec.status = status;
    rec.seconds = now_s() - t0;

    char rb[64];
    if (f) {
        fprintf(f, "  rules broken: %s\n", rules_list(rec.rules, ", ", rb, sizeof rb));
        fclose(f);
    }
    size_t hn = strlen(rec.what) + 96 + lines_len;
    rec.block = malloc(hn);
    if (rec.block)
        snprintf(rec.block, hn, "request %ld: %s -> %d %s\n%s", n, rec.what, status,
                 mg_get_response_code_text(conn, status), lines ? lines : "");
    free(lines);

    pthread_mutex_lock(&l->mu);
    if (rec.block && !l->o->json) { /* JSON: every request in one document at the end */
        fputs(rec.block, l->out);
        fflush(l->out);
    }
    if (l->n_recs == l->cap_recs) {
        size_t nc = l->cap_recs ? l->cap_recs * 2 : 16;
        struct ct_record *nr = realloc(l->recs, nc * sizeof *nr);
        if (nr) {
            l->recs = nr;
            l->cap_recs = nc;
        }
    }
    if (l->n_recs < l->cap_recs && rec.block)
        l->recs[l->n_recs++] = rec;
    else {
        free(rec.block);
        l->oom = true;
    }
    bool last = l->o->count && ++l->finished == l->o->count;
    pthread_mutex_unlock(&l->mu);
    if (last)
        pthread_kill(l->main_thread, SIGUSR1); /* wakes sigwait in conform_transcripts_run */
    return status;
}

/* ---- the listener's life ------------------------------------------------------ */

static pthread_once_t mg_once = PTHREAD_ONCE_INIT;
static void mg_init_once(void)
{
    mg_init_library(0);
}

/* mg_stop waits for the workers to finish their requests (civet_stop). */
static void stop_http(struct ct_listener *l)
{
    civet_stop(l->ctx, l->host, l->port);
}

static int by_number(const void *a, const void *b)
{
    long x = ((const struct ct_record *)a)->number, y = ((const struct ct_record *)b)->number;
    return (x > y) - (x < y);
}

/* One testcase per request: a <failure> naming the rules it broke (type: "CI-3 CI-8")
 * with the report block as its text. Ant's schema allows no <system-out> in a
 * testcase, so a passing request's block (its warnings) goes to the suite's. */
static int write_junit(const struct ct_listener *l, const char *path, double seconds)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t failures = 0;
    for (size_t i = 0; i < l->n_recs; i++)
        failures += l->recs[i].rules != 0;
    junit_suite_open(f, "dialsim conform transcripts", l->n_recs, failures, 0, seconds);
    fputs("    <properties><property name=\"url\" value=\"", f);
    xml_escape(f, l->url);
    fputs("\"/></properties>\n", f);
    char *out = NULL;
    size_t out_n = 0;
    FILE *mem = open_memstream(&out, &out_n);
    for (size_t i = 0; i < l->n_recs; i++) {
        const struct ct_record *r = &l->recs[i];
        char rb[64], rt[64];
        fputs("    <testcase classname=\"conform transcripts\" name=\"", f);
        fprintf(f, "request %ld: ", r->number);
        xml_escape(f, r->what);
        fprintf(f, "\" time=\"%.3f\">\n", r->seconds);
        if (r->rules) {
            fprintf(f, "      <failure type=\"%s\" message=\"breaks %s (answered %d)\">",
                    rules_list(r->rules, " ", rt, sizeof rt),
                    rules_list(r->rules, ", ", rb, sizeof rb), r->status);
            xml_escape(f, r->block);
            fputs("</failure>\n", f);
        } else if (mem && r->block) {
            fprintf(mem, "request %ld: %s\n%s", r->number, r->what, r->block);
        }
        fputs("    </testcase>\n", f);
    }
    if (mem)
        fclose(mem);
    junit_suite_close(f, out);
    free(out);
    return fclose(f) == 0 ? 0 : -1;
}

/* Takes any stop signal still pending, so restoring the mask kills nothing. */
static void drain_signals(const sigset_t *set)
{
    struct timespec zero = {0, 0};
    while (sigtimedwait(set, NULL, &zero) > 0) {
    }
}

/* --format json (docs/output-formats.md): every request with the rules it broke. */
static void print_json(const struct ct_listener *l, FILE *out)
{
    json_t *reqs = json_array();
    size_t broke = 0;
    for (size_t i = 0; i < l->n_recs; i++) {
        const struct ct_record *r = &l->recs[i];
        char rt[64];
        json_t *rules = json_array();
        for (int k = 1; k <= CT_RULES; k++)
            if (r->rules & (1u << k)) {
                snprintf(rt, sizeof rt, "CI-%d", k);
                json_array_append_new(rules, json_string(rt));
            }
        broke += r->rules != 0;
        json_array_append_new(reqs, json_pack("{s:I, s:s, s:i, s:o, s:f, s:s}", "number",
                                              (json_int_t)r->number, "request", r->what, "status",
                                              r->status, "rules", rules, "time", r->seconds,
                                              "text", r->block ? r->block : ""));
    }
    json_t *j = json_pack("{s:s, s:s, s:{s:I, s:I, s:I}, s:o}", "format",
                          "dialsim-conform-transcripts/1", "url", l->url, "summary", "requests",
                          (json_int_t)l->n_recs, "conform", (json_int_t)(l->n_recs - broke),
                          "broke", (json_int_t)broke, "requests", reqs);
    json_print_doc(out, j, 0, "dialsim conform transcripts");
}

int conform_transcripts_run(const struct ct_options *o, FILE *out)
{
    struct ct_listener l = {
        .o = o,
        .out = out,
        .host = o->host ? o->host : CT_DEFAULT_HOST,
        .main_thread = pthread_self(),
    };
    bool v6 = strchr(l.host, ':') != NULL;
    char listen[128];
    snprintf(listen, sizeof listen, v6 ? "[%s]:%d" : "%s:%d", l.host, o->port);

    /* Every thread started from here on inherits the mask: the stop signals
     * (and the handler's SIGUSR1 after the last request) reach only sigwait. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_mutex_init(&l.mu, NULL);

    const char *opts[] = {"listening_ports",    listen,  "num_threads", "4",
                          "enable_keep_alive",  "no",    "tcp_nodelay", "1",
                          "request_timeout_ms", "10000", NULL};
    pthread_once(&mg_once, mg_init_once);
    l.ctx = mg_start(NULL, NULL, opts);
    struct mg_server_port ports[2];
    if (!l.ctx || mg_get_server_ports(l.ctx, 2, ports) < 1) {
        fprintf(stderr,
                "dialsim conform transcripts: cannot listen on %s (in use, or not an address of "
                "this machine?)\n",
                listen);
        if (l.ctx)
            mg_stop(l.ctx);
        pthread_mutex_destroy(&l.mu);
        drain_signals(&set);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return 2;
    }
    l.port = ports[0].port;
    snprintf(l.url, sizeof l.url, v6 ? "http://[%s]:%d" : "http://%s:%d", l.host, l.port);
    double t0 = now_s();
    http_guard_no_password_files(l.ctx);
    mg_set_request_handler(l.ctx, "/", handle, &l);
    /* with --format json stdout holds the document alone: the URL goes to stderr */
    fprintf(o->json ? stderr : out, "listening on %s\n", l.url);
    fflush(o->json ? stderr : out);

    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR1)
        fprintf(stderr, "dialsim conform transcripts: %s: finishing requests in flight\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    stop_http(&l);
    drain_signals(&set);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    qsort(l.recs, l.n_recs, sizeof *l.recs, by_number);
    unsigned all = 0;
    size_t broke = 0;
    for (size_t i = 0; i < l.n_recs; i++) {
        all |= l.recs[i].rules;
        broke += l.recs[i].rules != 0;
    }
    char rb[64];
    if (o->json)
        print_json(&l, out);
    else
        fprintf(out, "%zu request%s: %zu conform, %zu broke a rule; rules broken: %s\n",
                l.n_recs, l.n_recs == 1 ? "" : "s", l.n_recs - broke, broke,
                rules_list(all, ", ", rb, sizeof rb));
    fflush(out);

    int rc = broke ? 1 : 0;
    if (o->junit && write_junit(&l, o->junit, now_s() - t0) != 0) {
        fprintf(stderr, "dialsim conform transcripts: cannot write %s\n", o->junit);
        rc = 2;
    }
    if (l.oom) {
        fprintf(stderr, "dialsim conform transcripts: out of memory; the report is incomplete\n");
        rc = 2;
    }
    for (size_t i = 0; i < l.n_recs; i++)
        free(l.recs[i].block);
    free(l.recs);
    pthread_mutex_destroy(&l.mu);
    return rc;
}

/* ---- the command line ----------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dialsim conform transcripts --listen PORT --api-key KEY [options]\n"
            "\n"
            "Acts as the project's transcript webhook (seed 001) in real time: point a\n"
            "customer's sender at the printed URL (any path). Every request is answered\n"
            "exactly as dialsim's core answers it (nothing is stored) and reported: its\n"
            "status, every rule it breaks (CI-2..CI-8) with the JSON path or header, and\n"
            "warnings (key header spelling, unknown fields, seconds instead of ms).\n"
            "\n"
            "  --listen PORT      port to listen on; 0: any free port (the URL is printed)\n"
            "  --host ADDR        IPv4 address to listen on (default " CT_DEFAULT_HOST ")\n"
            "  --api-key KEY      the project's API key the sender must send\n"
            "  --count N          stop after N requests (default: until SIGINT/SIGTERM)\n"
            "  --junit FILE       also write JUnit XML, one testcase per request\n"
            "  --max-body BYTES   body size limit (default %d, the core's)\n"
            "  --format text|json json: one JSON document at the end (docs/output-formats.md);\n"
            "                     \"listening on URL\" then goes to stderr\n"
            "\n"
            "exit status: 0 no request broke a rule, 1 one did, 2 unusable arguments or\n"
            "a port that cannot be listened on\n",
            TX_MAX_BODY_DEFAULT);
}

static int long_arg(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

__attribute__((format(printf, 1, 2))) static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dialsim conform transcripts: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int cmd_conform_transcripts(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},  {"host", required_argument, NULL, 'H'},
        {"api-key", required_argument, NULL, 'k'}, {"count", required_argument, NULL, 'c'},
        {"junit", required_argument, NULL, 'j'},   {"max-body", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct ct_options o = {.host = CT_DEFAULT_HOST, .port = -1};
    int c;
    long v;
    optind = 0;
    /* only the long names are options: the letters are getopt_long's values */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        const char *val = optarg;
        if (c == 'h') {
            usage(stdout);
            return 0;
        } else if (c == 'l') {
            if (long_arg(val, 0, 65535, &v))
                return bad("--listen needs a port from 0 to 65535, got '%s'", val);
            o.port = (int)v;
        } else if (c == 'H') {
            if (!*val || strlen(val) > 64 || strpbrk(val, ",[] /"))
                return bad("--host needs an IP address, got '%s'", val);
            o.host = val;
        } else if (c == 'k') {
            if (!*val)
                return bad("--api-key must not be empty");
            o.api_key = val;
        } else if (c == 'c') {
            if (long_arg(val, 1, CT_MAX_COUNT, &v))
                return bad("--count needs a number from 1 to 1000000, got '%s'", val);
            o.count = v;
        } else if (c == 'j') {
            o.junit = val;
        } else if (c == 'f') {
            if (strcmp(val, "json") && strcmp(val, "text"))
                return bad("--format takes text or json, not '%s'", val);
            o.json = !strcmp(val, "json");
        } else if (c == 'm') {
            if (long_arg(val, 1, CT_MAX_BODY_ARG, &v))
                return bad("--max-body needs bytes from 1 to 67108864, got '%s'", val);
            o.max_body = (size_t)v;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return bad("unexpected argument '%s'", argv[optind]);
    }
    if (o.port < 0)
        return bad("--listen PORT is required (0: any free port)");
    if (!o.api_key)
        return bad("--api-key KEY is required (the key the sender must send)");
    if (o.junit) {
        /* fail now rather than after a long session */
        FILE *f = fopen(o.junit, "a");
        if (!f)
            return bad("cannot write --junit %s", o.junit);
        fclose(f);
    }
    signal(SIGPIPE, SIG_IGN); /* a sender closing early is not a crash */
    return conform_transcripts_run(&o, stdout);
}
