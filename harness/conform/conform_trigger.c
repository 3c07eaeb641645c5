/* `dialsim conform trigger URL`: the checks, in real time, of a customer's
 * trigger endpoint against the contract of seed 000 (TU-1..TU-4), and the
 * command line of `dialsim conform`. docs/conformance.md lists every check,
 * its rule and its pass/warn/fail criteria; keep the two in step.
 *
 * Requests are sent in this order, each waiting for the previous one: the
 * normal trigger (dynamic_variables {}), the same again (repeat), the payload
 * variants, N at once (concurrency), a malformed body. When the first gets no
 * answer at all, the checks that need one are skipped: the endpoint is not
 * reachable, and N more timeouts would only make the report slower. */
#include "conform/conform_trigger.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/commands.h"
#include "conform/conform_transcripts.h"
#include "core/e164.h"

#define LARGE_BYTES (100 * 1024)

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* TU-1: {"from_number","to_number","dynamic_variables"}. dv is stolen. */
static char *trigger_body(const char *from, const char *to, json_t *dv)
{
    json_t *b = json_pack("{s:s,s:s,s:o}", "from_number", from, "to_number", to,
                          "dynamic_variables", dv ? dv : json_object());
    char *s = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    return s;
}

/* ~100 KiB of test-profile data, as a long evaluator profile would be. */
static json_t *large_variables(void)
{
    json_t *turns = json_array();
    size_t bytes = 0;
    for (int i = 0; bytes < LARGE_BYTES; i++) {
        char line[128];
        int k = snprintf(line, sizeof line,
                         "turn %04d: the caller asks about invoice INV-%06d and is transferred", i,
                         i * 7919 % 1000000);
        json_array_append_new(turns, json_string(line));
        bytes += (size_t)k + 3;
    }
    return json_pack("{s:s,s:o}", "profile", "long history", "history", turns);
}

struct variant {
    const char *name;
    json_t *(*make)(void);
};

static json_t *nested_variables(void)
{
    return json_pack("{s:{s:s,s:{s:i,s:s,s:[b,b,n]},s:[{s:s,s:s}]},s:f,s:[s,s],s:b}", "customer",
                     "name", "Ada Lovelace", "account", "id", 42, "tier", "gold", "flags", 1, 0,
                     "addresses", "city", "Paris", "zip", "75001", "score", 0.75, "tags", "vip",
                     "renewal", "callback", 1);
}

static json_t *unicode_variables(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "Zoë Ångström-Nuñez", "city", "Kraków",
                     "greeting", "こんにちは", "arabic", "مرحبا بك", "emoji", "📞 ✅ 🇫🇷");
}

/* The variants of TU-1's dynamic_variables besides the empty object. */
static const struct variant variants[] = {
    {"nested", nested_variables},
    {"unicode", unicode_variables},
    {"large", large_variables},
};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

/* What the core would call the failure, so the report speaks as a run does. */
static const char *core_reason(const struct conform_answer *a)
{
    switch (a->outcome) {
    case CONFORM_ANSWERED:
        return conform_answer_ok(a) ? "" : "trigger_bad_status";
    case CONFORM_TIMEOUT:
        return "trigger_timeout";
    case CONFORM_TLS:
        return "trigger_tls_failed";
    case CONFORM_CONNECT:
    case CONFORM_TRANSPORT:
        return "trigger_connect_failed";
    }
    return "";
}

/* A certificate that expires sooner than this is a warning: renewals that
 * fail are noticed too late otherwise. */
#define CONFORM_CERT_WARN_DAYS 30

static void check_https(struct conform_check *c, const struct conform_plan *p,
                        const struct conform_answer *first)
{
    char d[400];
    if (strncasecmp(p->url, "https://", 8) != 0) {
        conform_set(c, CONFORM_FAIL,
                    "the URL is http://: a trigger endpoint must be HTTPS (trigger_not_https); "
                    "the other checks ran over plain HTTP");
    } else if (first->tls_done) {
        const char *store = p->target.cacert ? "trusting --cacert" : "system CA store";
        int64_t left = first->cert_expires ? first->cert_expires - (int64_t)time(NULL) : -1;
        char until[40] = "";
        if (first->cert_expires) {
            time_t t = (time_t)first->cert_expires;
            struct tm tm;
            strftime(until, sizeof until, "%Y-%m-%d", gmtime_r(&t, &tm));
        }
        if (first->cert_expires && left < CONFORM_CERT_WARN_DAYS * 86400LL)
            conform_set(c, CONFORM_WARN,
                        "certificate and host name verified (%s), but the certificate expires in "
                        "%lld day%s (%s): after that every run fails with trigger_tls_failed",
                        store, (long long)(left / 86400), left / 86400 == 1 ? "" : "s", until);
        else if (first->cert_expires)
            conform_set(c, CONFORM_PASS,
                        "certificate and host name verified (%s); it expires %s, in %lld days",
                        store, until, (long long)(left / 86400));
        else
            conform_set(c, CONFORM_PASS, "certificate and host name verified (%s)", store);
    } else if (first->outcome == CONFORM_TLS) {
        conform_set(c, CONFORM_FAIL, "%s (trigger_tls_failed)%s",
                    conform_answer_describe(first, d, sizeof d),
                    p->target.cacert || first->no_ca_store
                        ? ""
                        : "; signed by a private CA? pass --cacert FILE");
    } else {
        conform_set(c, CONFORM_SKIP, "no TLS handshake to judge: %s",
                    conform_answer_describe(first, d, sizeof d));
    }
}

static void check_status(struct conform_check *c, const struct conform_answer *first)
{
    char d[400];
    conform_answer_describe(first, d, sizeof d);
    if (conform_answer_ok(first))
        conform_set(c, CONFORM_PASS, "%s", d);
    else if (first->outcome == CONFORM_ANSWERED)
        conform_set(c, CONFORM_FAIL, "%s: only 200 or 201 counts (%s)%s%s", d, core_reason(first),
                    first->body_head[0] ? "; body: " : "", first->body_head);
    else
        conform_set(c, CONFORM_FAIL, "%s (%s)", d, core_reason(first));
}

/* Requests sent one after another, for the latency check. */
struct timed {
    const char *name;
    struct conform_answer a;
};

static void check_latency(struct conform_check *c, const struct timed *t, size_t n, long warn,
                          long timeout)
{
    const struct timed *slow = NULL;
    size_t answered = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].a.outcome == CONFORM_TIMEOUT) {
            conform_set(c, CONFORM_FAIL,
                        "%s: no answer within %ld ms (trigger_timeout): the contract is an answer "
                        "within 30 s",
                        t[i].name, timeout);
            return;
        }
        if (t[i].a.outcome != CONFORM_ANSWERED)
            continue;
        answered++;
        if (!slow || t[i].a.ms > slow->a.ms)
            slow = &t[i];
    }
    if (!slow)
        conform_set(c, CONFORM_SKIP, "no answer to time");
    else if (slow->a.ms > warn)
        conform_set(c, CONFORM_WARN,
                    "slowest of %zu answers %lld ms (%s), above %ld ms: the dial window opened "
                    "before the trigger was sent, so this time is lost from it",
                    answered, (long long)slow->a.ms, slow->name, warn);
    else
        conform_set(c, CONFORM_PASS,
                    "slowest of %zu answers %lld ms (%s); warn above %ld ms, fail at %ld ms",
                    answered, (long long)slow->a.ms, slow->name, warn, timeout);
}

/* Appends "; name: description" for an answer that is not 200/201. */
static void add_bad(char *buf, size_t n, const char *name, const struct conform_answer *a)
{
    char d[400];
    size_t used = strlen(buf);
    if (used + 4 >= n)
        return;
    snprintf(buf + used, n - used, "; %s: %s%s%.40s", name, conform_answer_describe(a, d, sizeof d),
             a->body_head[0] ? " " : "", a->body_head);
}

static void check_payload(struct conform_check *c, const struct timed *t, size_t n,
                          size_t large_bytes)
{
    char bad[512] = "";
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        if (conform_answer_ok(&t[i].a))
            ok++;
        else
            add_bad(bad, sizeof bad, t[i].name, &t[i].a);
    }
    if (ok == n)
        conform_set(c, CONFORM_PASS,
                    "%zu/%zu dynamic_variables variants answered 200/201: empty, nested, unicode, "
                    "large (%zu KiB)",
                    ok, n, large_bytes / 1024);
    else
        conform_set(c, CONFORM_FAIL, "%zu/%zu variants answered 200/201%s", ok, n, bad);
}

static void check_repeat(struct conform_check *c, const struct conform_answer *first,
                         const struct conform_answer *again)
{
    char d1[400], d2[400];
    conform_answer_describe(first, d1, sizeof d1);
    conform_answer_describe(again, d2, sizeof d2);
    if (conform_answer_ok(first) && conform_answer_ok(again))
        conform_set(c, CONFORM_PASS, "the same trigger twice: %s, then %s", d1, d2);
    else if (conform_answer_ok(first))
        conform_set(c, CONFORM_FAIL,
                    "the same trigger sent again: %s%s%.40s; a re-run sends the same numbers and "
                    "variables and must place a call too",
                    d2, again->body_head[0] ? " " : "", again->body_head);
    else
        conform_set(c, CONFORM_FAIL, "the same trigger twice: %s, then %s", d1, d2);
}

static void check_concurrency(struct conform_check *c, const struct conform_answer *a, int n,
                              long warn)
{
    char bad[512] = "";
    int ok = 0, listed = 0;
    int64_t slowest = 0;
    for (int i = 0; i < n; i++) {
        if (a[i].ms > slowest)
            slowest = a[i].ms;
        if (conform_answer_ok(&a[i])) {
            ok++;
        } else if (listed++ < 3) {
            char name[16];
            snprintf(name, sizeof name, "#%d", i + 1);
            add_bad(bad, sizeof bad, name, &a[i]);
        }
    }
    if (ok < n)
        conform_set(c, CONFORM_FAIL, "%d/%d triggers sent at once answered 200/201%s", ok, n, bad);
    else if (slowest > warn)
        conform_set(c, CONFORM_WARN,
                    "%d/%d sent at once answered 200/201, but the slowest took %lld ms (above %ld "
                    "ms eats the dial window)",
                    ok, n, (long long)slowest, warn);
    else
        conform_set(c, CONFORM_PASS,
                    "%d/%d triggers sent at once answered 200/201, slowest %lld ms", ok, n,
                    (long long)slowest);
}

static void check_malformed(struct conform_check *c, const struct conform_answer *a)
{
    char d[400];
    conform_answer_describe(a, d, sizeof d);
    if (a->outcome != CONFORM_ANSWERED)
        conform_set(c, CONFORM_FAIL, "a malformed JSON body got %s: it should get a 4xx", d);
    else if (a->status >= 400 && a->status < 500)
        conform_set(c, CONFORM_PASS, "a malformed JSON body got %s", d);
    else if (a->status >= 500)
        conform_set(c, CONFORM_FAIL,
                    "a malformed JSON body got %s: a server error, where a 4xx was due%s%.40s", d,
                    a->body_head[0] ? "; body: " : "", a->body_head);
    else if (a->status >= 200 && a->status < 300)
        conform_set(c, CONFORM_WARN,
                    "a malformed JSON body got %s: it accepted garbage (does it place a call for "
                    "it?)",
                    d);
    else
        conform_set(c, CONFORM_WARN, "a malformed JSON body got %s: a 4xx was expected", d);
}

static void skip_rest(struct conform_check **cs, size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++)
        if (cs[i])
            conform_set(cs[i], CONFORM_SKIP, "not run: %s", why);
}

int conform_run_plan(struct conform_plan *p, struct conform_report *r, const char *junit, FILE *out)
{
    const int concurrency = p->concurrency;
    const long warn_after = p->warn_after_ms;
    double t0 = wall_s();
    r->url = p->url;
    r->suite = p->suite;
    struct conform_check *c_https = conform_add(r, "https", p->https_rule);
    struct conform_check *c_status = conform_add(r, "status", "TU-3");
    struct conform_check *c_latency = conform_add(r, "latency", "TU-3,TU-4");
    struct conform_check *c_payload = p->variants ? conform_add(r, "payload", "TU-1") : NULL;
    struct conform_check *c_repeat = conform_add(r, "repeat", "TU-3");
    struct conform_check *c_conc = conform_add(r, "concurrency", "TU-3");
    /* a body that is not JSON: no rule allows it (TU-1, OV-4 say what one is) */
    struct conform_check *c_malformed = conform_add(r, "malformed", p->variants ? "TU-1" : "OV-4");

    struct timed seq[2 + N_VARIANTS] = {{.name = "first trigger"}, {.name = "repeat"}};
    size_t nseq = 0, large_bytes = 0;
    const char *body = p->body;
    conform_post(&p->target, body, strlen(body), &seq[nseq++].a);
    const struct conform_answer *first = &seq[0].a;
    check_https(c_https, p, first);
    check_status(c_status, first);
    if (first->outcome != CONFORM_ANSWERED) {
        check_latency(c_latency, seq, nseq, warn_after, p->target.timeout_ms);
        struct conform_check *rest[] = {c_payload, c_repeat, c_conc, c_malformed};
        skip_rest(rest, 4, "the first trigger got no answer");
        goto report;
    }

    conform_post(&p->target, body, strlen(body), &seq[nseq++].a);
    check_repeat(c_repeat, first, &seq[1].a);

    if (p->variants) {
        struct timed pay[1 + N_VARIANTS] = {{.name = "empty", .a = *first}};
        for (size_t i = 0; i < N_VARIANTS; i++) {
            char *vb = trigger_body(p->from, p->to, variants[i].make());
            if (!vb)
                return 2;
            if (!strcmp(variants[i].name, "large"))
                large_bytes = strlen(vb);
            pay[1 + i].name = variants[i].name;
            conform_post(&p->target, vb, strlen(vb), &pay[1 + i].a);
            free(vb);
            seq[nseq].name = variants[i].name;
            seq[nseq++].a = pay[1 + i].a;
        }
        check_payload(c_payload, pay, 1 + N_VARIANTS, large_bytes);
    }
    check_latency(c_latency, seq, nseq, warn_after, p->target.timeout_ms);

    struct conform_answer *many = calloc((size_t)concurrency, sizeof *many);
    if (!many || conform_post_many(&p->target, body, strlen(body), concurrency, many)) {
        free(many);
        return 2;
    }
    check_concurrency(c_conc, many, concurrency, warn_after);
    free(many);

    /* Cut off mid-document: a JSON parser must refuse it. */
    char bad[300];
    if (p->phone_key)
        snprintf(bad, sizeof bad, "{\"%.200s\": \"%s\", ", p->phone_key, p->to);
    else
        snprintf(bad, sizeof bad, "{\"from_number\": \"%s\", \"to_number\": ", p->from);
    struct conform_answer ma;
    conform_post(&p->target, bad, strlen(bad), &ma);
    check_malformed(c_malformed, &ma);

report:
    conform_print(out, r);
    if (junit && conform_junit(junit, r, wall_s() - t0) != 0) {
        fprintf(stderr, "dialsim conform: cannot write %s\n", junit);
        return 2;
    }
    return conform_exit_code(r);
}

int conform_trigger_run(const struct conform_options *o, FILE *out)
{
    struct conform_plan p = {
        .suite = "conform trigger",
        .url = o->url,
        .https_rule = "TU-2",
        .target = {.url = o->url,
                   .headers = o->headers,
                   .cacert = o->cacert,
                   .timeout_ms = o->timeout_ms},
        .body = trigger_body(o->from, o->to, NULL),
        .variants = true,
        .from = o->from,
        .to = o->to,
        .concurrency = o->concurrency,
        .warn_after_ms = o->warn_after_ms,
    };
    if (!p.body)
        return 2;
    struct conform_report r = {0};
    int rc = conform_run_plan(&p, &r, o->junit, out);
    free(p.body);
    return rc;
}

/* ---- the command line ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dialsim conform trigger URL [options]\n"
            "       dialsim conform outbound-connection --config FILE [options]\n"
            "       dialsim conform transcripts --listen PORT --api-key KEY [...]  (-h)\n"
            "\n"
            "Sends real trigger requests to a customer's endpoint, in real time, and checks\n"
            "each part of the contract (docs/conformance.md): https, status, latency,\n"
            "payload, repeat, concurrency, malformed. The endpoint's system will try to\n"
            "place a call for every trigger, to the --to number.\n"
            "\n"
            "  --header 'Name: value'  send this header with every request (repeatable)\n"
            "  --from +E164            from_number (default " CONFORM_DEFAULT_FROM ")\n"
            "  --to +E164              to_number / the number to call (default " CONFORM_DEFAULT_TO
            ")\n"
            "  --cacert FILE           trust the CAs in FILE (PEM) instead of the system's\n"
            "                          store ($CURL_CA_BUNDLE when set), as curl --cacert;\n"
            "                          verification is never off\n"
            "  --concurrency N         triggers sent at once (default %d, at most 50)\n"
            "  --junit FILE            also write JUnit XML, one testcase per check\n"
            "  --warn-after MS         latency that warns (default %d; TU-4)\n"
            "  --timeout MS            no answer within MS fails (default and most %d; TU-3)\n"
            "\n"
            "exit status: 0 no check failed (warnings allowed), 1 a check failed,\n"
            "2 unusable arguments\n",
            CONFORM_CONCURRENCY, CONFORM_WARN_AFTER_MS, CONFORM_TIMEOUT_MS);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* "Name:value" or "Name: value" as "Name: value" (malloc), or NULL with a
 * reason when the name is not an HTTP token or the value holds a line break. */
static char *header_line(const char *arg, const char **why)
{
    const char *colon = strchr(arg, ':');
    *why = "needs the form 'Name: value'";
    if (!colon || colon == arg)
        return NULL;
    for (const char *p = arg; p < colon; p++)
        if (!strchr("!#$%&'*+-.^_`|~", *p) && !(*p >= '0' && *p <= '9') &&
            !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z')) {
            *why = "has a character not allowed in a header name";
            return NULL;
        }
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (strpbrk(v, "\r\n")) {
        *why = "has a line break in its value";
        return NULL;
    }
    size_t n = (size_t)(colon - arg) + strlen(v) + 3;
    char *line = malloc(n);
    if (line)
        snprintf(line, n, "%.*s: %s", (int)(colon - arg), arg, v);
    return line;
}

static void free_headers(char **headers)
{
    for (size_t i = 0; headers && headers[i]; i++)
        free(headers[i]);
    free(headers);
}

/* Says what is wrong with the arguments, frees, and gives exit code 2. */
static int bad_args(char **headers, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "dialsim conform: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    free_headers(headers);
    return 2;
}

int cmd_conform(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[0];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "transcripts")) /* conform_transcripts.c: the webhook side */
        return cmd_conform_transcripts(argc - 1, argv + 1);
    bool ov = !strcmp(sub, "outbound-connection");
    if (!ov && strcmp(sub, "trigger")) {
        usage(stderr);
        return bad_args(NULL,
                        "unknown check set '%s'%s (trigger, outbound-connection or transcripts)",
                        sub, "");
    }
    struct conform_options o = {
        .from = CONFORM_DEFAULT_FROM,
        .to = CONFORM_DEFAULT_TO,
        .concurrency = CONFORM_CONCURRENCY,
        .warn_after_ms = CONFORM_WARN_AFTER_MS,
        .timeout_ms = CONFORM_TIMEOUT_MS,
    };
    char **headers = calloc((size_t)argc + 1, sizeof *headers);
    size_t nh = 0;
    bool warn_given = false;
    if (!headers)
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        long v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free_headers(headers);
            return 0;
        } else if (a[0] != '-') {
            if (ov || o.url)
                return bad_args(headers, "unexpected argument '%s'%s", a, "");
            o.url = a;
        } else if (!has_value) {
            return bad_args(headers, "%s needs a value%s", a, "");
        } else if (!strcmp(a, "--header")) {
            const char *why;
            if (!(headers[nh] = header_line(argv[++i], &why)))
                return bad_args(headers, "--header '%s' %s", argv[i], why);
            nh++;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
            char pb[128];
            const char *num = argv[++i];
            const char *problem = e164_problem(num, pb, sizeof pb);
            if (problem) {
                fprintf(stderr, "dialsim conform: %s '%s' is not E.164 (AO-5): %s\n", a, num,
                        problem);
                free_headers(headers);
                return 2;
            }
            *(a[2] == 'f' ? &o.from : &o.to) = num;
        } else if (!strcmp(a, "--cacert")) {
            o.cacert = argv[++i];
            FILE *f = fopen(o.cacert, "r");
            if (!f)
                return bad_args(headers, "cannot read --cacert %s%s", o.cacert, "");
            fclose(f);
        } else if (!strcmp(a, "--concurrency")) {
            if (parse_long(argv[++i], 1, 50, &v))
                return bad_args(headers, "--concurrency needs a number from 1 to 50%s%s", "", "");
            o.concurrency = (int)v;
        } else if (!strcmp(a, "--warn-after")) {
            if (parse_long(argv[++i], 0, CONFORM_TIMEOUT_MS, &v))
                return bad_args(headers, "--warn-after needs milliseconds, 0 to 30000%s%s", "", "");
            o.warn_after_ms = v;
            warn_given = true;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_long(argv[++i], 1, CONFORM_TIMEOUT_MS, &v))
                return bad_args(headers, "--timeout needs milliseconds, 1 to 30000%s%s", "", "");
            o.timeout_ms = v;
        } else if (!strcmp(a, "--junit")) {
            o.junit = argv[++i];
        } else if (!strcmp(a, "--config") && ov) {
            o.config = argv[++i];
        } else {
            return bad_args(headers, "unknown option %s for conform %s", a, sub);
        }
    }
    if (!ov && !o.url)
        return bad_args(headers, "conform trigger needs the trigger URL%s%s", "", "");
    if (!ov && conform_url_usable(o.url, NULL))
        return bad_args(headers, "'%s' is not an http(s) URL with a host%s", o.url, "");
    if (ov && !o.config)
        return bad_args(headers, "conform outbound-connection needs --config FILE%s%s", "", "");
    if (!warn_given && o.warn_after_ms >= o.timeout_ms)
        o.warn_after_ms = o.timeout_ms / 3; /* a shorter --timeout alone: keep the ratio */
    if (o.warn_after_ms >= o.timeout_ms)
        return bad_args(headers, "--warn-after must be less than --timeout%s%s", "", "");
    o.headers = (const char *const *)headers;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = ov ? conform_outbound_run(&o, stdout) : conform_trigger_run(&o, stdout);
    curl_global_cleanup();
    free_headers(headers);
    return rc;
}
