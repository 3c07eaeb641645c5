#include "runner/world.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/core.h"
#include "core/timefmt.h"
#include "journal.h"
#include "mock_build.h"
#include "mock_server.h"
#include "customer_backend.h"
#include "faults.h"
#include "ingest/ingest.h"
#include "mock_elevenlabs.h"
#include "mock_retell.h"
#include "mock_vapi.h"
#include "tls/testpki.h"
#include "trigger_endpoint.h"
#include "webhook.h"
#include "pstn.h"
#include "runner/expect.h"
#include "runner/jsonpos.h"
#include "runner/strbuf.h"
#include "runner/verbose.h"
#include "sim/evq.h"
#include "sim/http_curl.h"

/* A runaway scenario (a bug, not a slow test) stops here. */
#define WORLD_MAX_EVENTS 1000000
#define WORLD_DEFAULT_HORIZON_MS (7LL * 24 * 3600 * 1000)

/* HTTPS mock servers, made when a scenario first asks for one: one per
 * certificate of the test PKI (harness/tls), so that "{mock+tls:expired}"
 * reaches a server whose certificate has expired (TU-3 trigger_tls_failed). */
static const char *const tls_certs[] = {PKI_GOOD, PKI_WRONG_HOST, PKI_EXPIRED, PKI_OTHER_CA};
#define N_TLS (sizeof tls_certs / sizeof tls_certs[0])

struct worker {
    struct evq *q;
    struct http_curl *http;
    struct mock_server *server;
    struct mock_server *tls[N_TLS];
    bool pki_ready;
    struct mock_world *bound; /* the scenario being run, for servers made mid-run */
    int closed_fd;            /* bound, never listening: connections are refused */
    char closed_url[64];      /* "{closed}" in scenario URLs */
    char tmpdir[64];          /* generated recordings and the test PKI live here */
};

/* A loopback port nobody listens on and nobody else can take: bound, never
 * listen()ed, so a connection is refused at once ("{closed}" in scenarios). */
static int reserve_closed_port(char *url, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        if (fd >= 0)
            close(fd);
        url[0] = '\0';
        return -1;
    }
    snprintf(url, n, "http://127.0.0.1:%d", ntohs(a.sin_port));
    return fd;
}

int worker_create(struct worker **out)
{
    struct worker *wk = calloc(1, sizeof *wk);
    *out = NULL;
    if (!wk)
        return -1;
    snprintf(wk->tmpdir, sizeof wk->tmpdir, "%s/dialsim-XXXXXX",
             getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 40 ? getenv("TMPDIR") : "/tmp");
    wk->closed_fd = reserve_closed_port(wk->closed_url, sizeof wk->closed_url);
    if (!mkdtemp(wk->tmpdir) || evq_create(&wk->q, 0) ||
        http_curl_create(&wk->http, evq_clock(wk->q), true) || mock_server_create(&wk->server)) {
        worker_destroy(wk);
        return -1;
    }
    *out = wk;
    return 0;
}

void worker_destroy(struct worker *wk)
{
    if (!wk)
        return;
    /* The client first: a CivetWeb worker parked on a kept-alive connection
     * would hold mg_stop for hundreds of milliseconds. */
    http_curl_destroy(wk->http);
    mock_server_destroy(wk->server);
    for (size_t i = 0; i < N_TLS; i++)
        mock_server_destroy(wk->tls[i]);
    if (wk->closed_fd >= 0)
        close(wk->closed_fd);
    if (wk->pki_ready) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -f %s/*.pem", wk->tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "dialsim: could not remove the test PKI in %s\n", wk->tmpdir);
    }
    if (wk->tmpdir[0])
        rmdir(wk->tmpdir);
    evq_destroy(wk->q);
    free(wk);
}

void scenario_result_clear(struct scenario_result *res)
{
    free(res->report);
    free(res->failures);
    json_decref(res->runs);
    memset(res, 0, sizeof *res);
}

struct world;

struct step_rec {
    struct world *w;
    size_t index;
    const json_t *step;
    bool errored;
    char err[512];
};

struct world {
    const struct scenario *s;
    struct worker *wk;
    struct mock_world mw;
    bool mocks_built; /* mock_world_build succeeded: unbuild at teardown */
    bool positioned;  /* the build error already says file:line:column */
    struct core *core;
    struct step_rec *steps;
    size_t n_steps;
    struct expect_run *labels; /* label → run */
    size_t n_labels, cap_labels;
    unsigned long next_id;
    struct store *store; /* transcripts (:memory:), when there is a customer backend */
    const char *project;
    const char *project_key;
    struct strbuf fail;
    unsigned n_fail;
};

static void ids_next(void *ctx, const char *kind, char *buf, size_t n)
{
    struct world *w = ctx;
    snprintf(buf, n, "%s_%04lu", kind, ++w->next_id);
}
static const struct ds_ids_ops world_ids_ops = {ids_next};

static bool line_offer(void *ctx, const char *from, const char *to, uint64_t *token)
{
    return core_inbound_offer(ctx, from, to, token);
}
static void line_hangup(void *ctx, uint64_t token)
{
    core_inbound_hangup(ctx, token);
}
static const struct pstn_line_ops core_lines = {line_offer, line_hangup};

static void fail(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct world *w, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sb_printf(&w->fail, "%s\n", buf);
    w->n_fail++;
}

/* The HTTPS mock server with the named certificate, made on first use; its
 * URL, or NULL when it cannot be had. */
static const char *tls_url(struct worker *wk, const char *cert)
{
    size_t i = 0;
    while (i < N_TLS && strcmp(tls_certs[i], cert) != 0)
        i++;
    if (i == N_TLS)
        return NULL;
    char err[256], crt[128], key[128], ca[128];
    if (!wk->pki_ready) {
        if (pki_generate(wk->tmpdir, err, sizeof err) != 0 ||
            pki_cert_path(ca, sizeof ca, wk->tmpdir, PKI_CA) != 0 ||
            http_curl_set_cafile(wk->http, ca) != 0)
            return NULL;
        wk->pki_ready = true;
    }
    if (!wk->tls[i]) {
        if (pki_cert_path(crt, sizeof crt, wk->tmpdir, cert) != 0 ||
            pki_key_path(key, sizeof key, wk->tmpdir, cert) != 0 ||
            mock_server_create_tls(&wk->tls[i], crt, key) != 0)
            return NULL;
        if (wk->bound)
            mock_server_bind(wk->tls[i], wk->bound);
    }
    return mock_server_url(wk->tls[i]);
}

/* habit 2: scenarios name the mocks, the runner fills in the addresses —
 * "{mock}/trigger/x" becomes "http://127.0.0.1:PORT/trigger/x", and
 * "{mock+tls:expired}/trigger/x" an https:// URL of the server with that
 * certificate ("{mock+tls}" is the good one). */
static json_t *with_mock_urls(struct worker *wk, const json_t *o)
{
    json_t *c = json_deep_copy(o);
    static const char *keys[] = {"trigger_url", "trigger_call_endpoint"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = json_string_value(json_object_get(c, keys[i]));
        if (!v || v[0] != '{')
            continue;
        const char *end = strchr(v, '}');
        char name[64] = "", url[512];
        const char *base = NULL;
        if (end && (size_t)(end - v) < sizeof name)
            snprintf(name, sizeof name, "%.*s", (int)(end - v - 1), v + 1);
        if (!strcmp(name, "mock"))
            base = mock_server_url(wk->server);
        else if (!strcmp(name, "closed") && wk->closed_url[0])
            base = wk->closed_url;
        else if (!strcmp(name, "mock+tls"))
            base = tls_url(wk, PKI_GOOD);
        else if (!strncmp(name, "mock+tls:", 9))
            base = tls_url(wk, name + 9);
        if (!base)
            continue; /* left as written: the core will refuse it */
        snprintf(url, sizeof url, "%s%s", base, end + 1);
        json_object_set_new(c, keys[i], json_string(url));
    }
    return c;
}

/* Agent fields from a scenario object onto a, keeping what `o` leaves out. */
static void agent_apply(struct core_agent *a, const json_t *o)
{
    a->name = (char *)mock_jstr(o, "name", a->name);
    a->inbound = mock_jbool(o, "inbound", a->inbound);
    json_t *cn = json_object_get(o, "contact_number");
    if (cn)
        a->contact_number = (char *)json_string_value(cn); /* null → NULL */
    const char *p = mock_jstr(o, "provider", NULL);
    if (p)
        a->provider = (enum ds_provider)provider_from_name(p);
    a->provider_api_key = (char *)mock_jstr(o, "provider_api_key", a->provider_api_key);
    a->assistant_id = (char *)mock_jstr(o, "assistant_id", a->assistant_id);
    a->phone_number_id = (char *)mock_jstr(o, "phone_number_id", a->phone_number_id);
    a->phone_number_type = (char *)mock_jstr(o, "phone_number_type", a->phone_number_type);
    a->webhook_secret = (char *)mock_jstr(o, "webhook_secret", a->webhook_secret);
    a->trigger_url = (char *)mock_jstr(o, "trigger_url", a->trigger_url);
    a->trigger_call_endpoint =
        (char *)mock_jstr(o, "trigger_call_endpoint", a->trigger_call_endpoint);
    a->trigger_call_headers = (char *)mock_jstr(o, "trigger_call_headers", a->trigger_call_headers);
    a->phone_number_key = (char *)mock_jstr(o, "phone_number_key", a->phone_number_key);
    a->trigger_call_payload = (char *)mock_jstr(o, "trigger_call_payload", a->trigger_call_payload);
    const char *tp = mock_jstr(o, "transcript_provider", NULL);
    if (tp)
        a->custom_transcripts = !strcmp(tp, "custom");
    a->auto_outbound = mock_jbool(o, "auto_outbound", a->auto_outbound);
    const char *dp = mock_jstr(o, "dispatch", NULL);
    if (dp)
        a->dispatch_batch = !strcmp(dp, "batch");
    json_t *dw = json_object_get(o, "dial_window_seconds");
    if (dw)
        a->dial_window_seconds = (int)json_integer_value(dw);
}

static void add_label(struct world *w, const char *label, const struct core_run *r)
{
    if (w->n_labels == w->cap_labels) {
        size_t cap = w->cap_labels ? w->cap_labels * 2 : 16;
        struct expect_run *nl = realloc(w->labels, cap * sizeof *nl);
        if (!nl)
            return;
        w->labels = nl;
        w->cap_labels = cap;
    }
    w->labels[w->n_labels++] = (struct expect_run){strdup(label), r};
}

static const struct core_run *run_by_label(const struct world *w, const char *label)
{
    for (size_t i = 0; i < w->n_labels; i++)
        if (strcmp(w->labels[i].label, label) == 0)
            return w->labels[i].run;
    return NULL;
}

static int do_start_runs(struct step_rec *sr)
{
    struct world *w = sr->w;
    const json_t *evs = json_object_get(sr->step, "evaluators");
    size_t n = json_array_size(evs);
    const char **ids = calloc(n, sizeof *ids);
    const struct core_run **runs = calloc(n, sizeof *runs);
    int rc = -1;
    if (!ids || !runs)
        goto out;
    for (size_t i = 0; i < n; i++)
        ids[i] = json_string_value(json_array_get(evs, i));
    rc = core_start_runs(w->core, mock_jstr(sr->step, "agent", ""), ids, n, runs, sr->err,
                         sizeof sr->err);
    if (rc == 0) {
        const char *as = mock_jstr(sr->step, "as", NULL);
        for (size_t i = 0; i < n; i++) {
            char label[256];
            if (as)
                snprintf(label, sizeof label, "%s/%s", as, ids[i]);
            else
                snprintf(label, sizeof label, "%s", ids[i]);
            add_label(w, label, runs[i]);
        }
    }
out:
    free(ids);
    free(runs);
    return rc;
}

static int do_update_agent(struct step_rec *sr)
{
    struct world *w = sr->w;
    const struct core_agent *cur = core_agent_get(w->core, mock_jstr(sr->step, "agent", ""));
    if (!cur) {
        snprintf(sr->err, sizeof sr->err, "no agent '%s'", mock_jstr(sr->step, "agent", ""));
        return -1;
    }
    struct core_agent a = *cur;
    json_t *set = with_mock_urls(w->wk, json_object_get(sr->step, "set"));
    agent_apply(&a, set);
    int rc = core_agent_put(w->core, &a, sr->err, sizeof sr->err);
    json_decref(set);
    return rc;
}

static void step_event(void *arg)
{
    struct step_rec *sr = arg;
    const char *act = mock_jstr(sr->step, "do", "");
    int rc = 0;
    if (!strcmp(act, "start_runs"))
        rc = do_start_runs(sr);
    else if (!strcmp(act, "update_agent"))
        rc = do_update_agent(sr);
    else if (!strcmp(act, "redial")) {
        const struct core_run *r = run_by_label(sr->w, mock_jstr(sr->step, "run", ""));
        rc = r ? core_run_redial(sr->w->core, r->id, sr->err, sizeof sr->err) : -1;
        if (!r)
            snprintf(sr->err, sizeof sr->err, "no run labelled '%s' yet",
                     mock_jstr(sr->step, "run", ""));
    }
    sr->errored = rc != 0;
}

static void check_steps(struct world *w)
{
    char tb[32];
    for (size_t i = 0; i < w->n_steps; i++) {
        struct step_rec *sr = &w->steps[i];
        const char *want = mock_jstr(sr->step, "expect_error", NULL);
        const char *act = mock_jstr(sr->step, "do", "");
        ts_secs(scenario_ms(json_object_get(sr->step, "at")), tb, sizeof tb);
        if (want && !sr->errored)
            fail(w, "step %zu (%s at %s): expected an error containing \"%s\", but it succeeded", i,
                 act, tb, want);
        else if (want && !strstr(sr->err, want))
            fail(w, "step %zu (%s at %s): error \"%s\" does not contain \"%s\"", i, act, tb,
                 sr->err, want);
        else if (!want && sr->errored)
            fail(w, "step %zu (%s at %s) failed: %s", i, act, tb, sr->err);
    }
}

/* The customer's backend posts to the project's transcript webhook: the same
 * ingest path `dialsim serve` answers with (harness/ingest). */
static int post_transcript(void *ctx, const struct ds_header *h, size_t nh, const char *ctype,
                           const char *body, size_t len, char **answer)
{
    struct world *w = ctx;
    struct tx_header th[8];
    size_t n = nh < 8 ? nh : 8;
    for (size_t i = 0; i < n; i++)
        th[i] = (struct tx_header){h[i].name, h[i].value};
    struct tx_request rq = {th, n, ctype, body, len, w->project_key, 0};
    struct ingest_answer a;
    ingest_handle(w->core, w->store, w->project, &rq, evq_now(w->wk->q), &a);
    *answer = a.body;
    return a.status;
}

static const char *run_for_number(void *ctx, const char *to)
{
    struct world *w = ctx;
    for (size_t i = core_run_count(w->core); i-- > 0;) {
        const struct core_run *r = core_run_at(w->core, i);
        if (r->answered_at && !strcmp(r->to_number, to))
            return r->id;
    }
    return NULL;
}

static int build_backend(struct world *w, const json_t *root)
{
    const json_t *cfg = json_object_get(json_object_get(root, "mocks"), "customer_backend");
    if (!cfg)
        return 0;
    char err[256];
    if (store_open(&w->store, ":memory:", NULL, err, sizeof err) != 0 ||
        mock_customer_backend_create(&w->mw.backend, &w->mw, cfg, w->project_key, w->s->seed) != 0)
        return -1;
    pstn_set_listener(w->mw.pstn, mock_customer_backend_listener(w->mw.backend));
    w->mw.transcripts = (struct mock_transcript_sink){post_transcript, run_for_number, w};
    return 0;
}

/* Provider webhooks go to the core's handler, in-process: the same bytes and
 * headers a provider sends over the wire (docs/architecture.md). */
static int deliver_webhook(void *ctx, const char *provider, const struct ds_header *h, size_t nh,
                           const char *body, size_t len)
{
    char err[300];
    return core_provider_webhook(ctx, (enum ds_provider)provider_from_name(provider), h, nh, body,
                                 len, err, sizeof err);
}

/* Does `msg` name `key` as a word of its own ("id", not the "id" of "invalid")? */
static bool names_key(const char *msg, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = strstr(msg, key); p; p = strstr(p + 1, key)) {
        bool before = p == msg || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool after = !(isalnum((unsigned char)p[kl]) || p[kl] == '_');
        if (before && after)
            return true;
    }
    return false;
}

/* The core refused agents[i] (a trigger URL that is not HTTPS, headers that are
 * not JSON…): the loader could not see it, but the user still gets the file,
 * line and column of the value, as for every loader error (issue 14). The
 * core's message names the field; the longest key it names is the one. */
static void agent_error(const struct scenario *s, size_t i, const json_t *agent, char *err,
                        size_t n)
{
    struct jsonpos_error e = {.failed = true};
    const char *k, *best = NULL;
    json_t *v;
    json_object_foreach((json_t *)agent, k, v)
    {
        if (names_key(err, k) && (!best || strlen(k) > strlen(best)))
            best = k;
    }
    if (best)
        snprintf(e.path, sizeof e.path, "agents[%zu].%s", i, best);
    else
        snprintf(e.path, sizeof e.path, "agents[%zu]", i);
    snprintf(e.msg, sizeof e.msg, "the core refuses this agent: %s", err);
    jsonpos_format(&e, s->path, s->text, s->text_len, err, n);
}

static int build_core(struct world *w, const json_t *root, char *err, size_t n)
{
    struct core_env env = {
        .clock = evq_clock(w->wk->q),
        .http = http_curl_port(w->wk->http),
        .ids = {&world_ids_ops, w},
        .test_mode = true, /* TU-2: http:// trigger URLs to the loopback mocks */
    };
    env.provider_base_url[DS_PROVIDER_VAPI] = mock_server_url(w->wk->server);
    env.provider_base_url[DS_PROVIDER_RETELL] = mock_server_url(w->wk->server);
    env.provider_base_url[DS_PROVIDER_ELEVENLABS] = mock_server_url(w->wk->server);
    if (core_create(&w->core, &env))
        return -1;
    /* `project`, or several `projects` (issue 14: AO-3 across projects); the
     * first is the default of agents and evaluators, and the customer
     * backend's project */
    size_t i;
    json_t *x;
    const json_t *many = json_object_get(root, "projects");
    const json_t *proj = many ? json_array_get(many, 0) : json_object_get(root, "project");
    const char *pid = mock_jstr(proj, "id", "default");
    w->project = pid;
    w->project_key = mock_jstr(proj, "api_key", NULL);
    core_project_put(w->core, pid, mock_jstr(proj, "api_key", NULL));
    core_project_fetch_recordings(w->core, pid, mock_jbool(proj, "fetch_recordings", false));
    json_array_foreach(many, i, x)
    {
        const char *id = mock_jstr(x, "id", "");
        core_project_put(w->core, id, mock_jstr(x, "api_key", NULL));
        core_project_fetch_recordings(w->core, id, mock_jbool(x, "fetch_recordings", false));
    }
    json_array_foreach(json_object_get(root, "agents"), i, x)
    {
        json_t *ax = with_mock_urls(w->wk, x);
        struct core_agent a = {.id = (char *)mock_jstr(ax, "id", ""),
                               .project = (char *)mock_jstr(ax, "project", pid),
                               .provider = DS_PROVIDER_VAPI,
                               .auto_outbound = true};
        agent_apply(&a, ax);
        int rc = core_agent_put(w->core, &a, err, n);
        json_decref(ax);
        if (rc) {
            agent_error(w->s, i, x, err, n);
            w->positioned = true;
            return -1;
        }
    }
    json_array_foreach(json_object_get(root, "evaluators"), i, x)
    {
        const char *num = mock_jstr(x, "phone_number", "");
        if (core_evaluator_put(w->core, mock_jstr(x, "id", ""), mock_jstr(x, "project", pid), num,
                               json_object_get(x, "dynamic_variables"), err, n))
            return -1;
        pstn_add_line(w->mw.pstn, num); /* the core's inbound lines */
    }
    pstn_set_core(w->mw.pstn, &core_lines, w->core);
    w->mw.sink = (struct mock_webhook_sink){.deliver = deliver_webhook, .ctx = w->core};
    return 0;
}

static void report_runs(struct world *w, struct strbuf *out, bool logs)
{
    char tb[32];
    for (size_t i = 0; i < w->n_labels; i++) {
        const struct core_run *r = w->labels[i].run;
        sb_printf(out, "    run '%s' (%s): %s%s%s\n", w->labels[i].label, r->id,
                  run_status_name(r->status), r->reason ? " " : "", reason_name(r->reason));
        if (r->diagnosis)
            sb_printf(out, "      diagnosis: %s\n", r->diagnosis);
        if (!logs)
            continue;
        for (size_t k = 0; k < r->n_events; k++) {
            int64_t rel = r->events[k].at - w->s->start_ms;
            snprintf(tb, sizeof tb, "%" PRId64 ".%03" PRId64, rel / 1000, rel % 1000);
            sb_printf(out, "      t=%9s  %s\n", tb, r->events[k].text);
        }
    }
}

/* Seconds since the scenario's start, for the HTML timeline. */
static json_t *rel_s(const struct world *w, bool set, int64_t at)
{
    return set ? json_real((double)(at - w->s->start_ms) / 1000.0) : json_null();
}

/* The run on the scenario's clock, in seconds from its start: the dial window,
 * each dial, when it ended, and the event log (what `run -v` prints). */
static json_t *run_timeline(const struct world *w, const struct core_run *r)
{
    json_t *dials = json_array(), *events = json_array();
    for (size_t i = 0; i < r->n_dials; i++)
        json_array_append_new(
            dials, json_pack("{s:o, s:s, s:b, s:s?}", "t", rel_s(w, true, r->dials[i].at), "from",
                             r->dials[i].from, "answered", r->dials[i].answered, "dropped_because",
                             r->dials[i].answered ? NULL : reason_name(r->dials[i].drop)));
    for (size_t k = 0; k < r->n_events; k++)
        json_array_append_new(events, json_pack("{s:o, s:s}", "t", rel_s(w, true, r->events[k].at),
                                                "text", r->events[k].text));
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "window_opens",
                     rel_s(w, r->window_set, r->opens_at), "window_closes",
                     rel_s(w, r->window_set, r->closes_at), "ended",
                     rel_s(w, r->ended_at != 0, r->ended_at), "dials", dials, "events", events);
}

static json_t *runs_json(struct world *w)
{
    json_t *all = json_object();
    for (size_t i = 0; all && i < w->n_labels; i++) {
        const struct core_run *r = w->labels[i].run;
        json_t *j = core_run_to_json(r);
        char st[64] = "", er[160] = "";
        pthread_mutex_lock(&w->mw.mu);
        bool call = r->provider_call_id &&
                    mock_world_call_outcome(&w->mw, provider_name(r->provider), r->provider_call_id,
                                            st, sizeof st, er, sizeof er);
        pthread_mutex_unlock(&w->mw.mu);
        json_object_set_new(
            j, "provider_call",
            call ? json_pack("{s:s,s:s?}", "status", st, "ended_reason", er[0] ? er : NULL)
                 : json_null());
        json_object_set_new(j, "timeline", run_timeline(w, r));
        json_object_set_new(all, w->labels[i].label, j);
    }
    return all;
}

static void world_teardown(struct world *w)
{
    mock_server_bind(w->wk->server, NULL);
    w->wk->bound = NULL;
    for (size_t i = 0; i < N_TLS; i++)
        if (w->wk->tls[i])
            mock_server_bind(w->wk->tls[i], NULL);
    /* A scenario stopped by `until` may have answers in flight: they are
     * handed back (as abandoned) so the core frees its requests; then every
     * event not run is dropped before what it points to is freed. */
    if (w->core)
        http_curl_abandon(w->wk->http);
    evq_reset(w->wk->q, 0);
    core_destroy(w->core);
    if (w->mocks_built)
        mock_world_unbuild(&w->mw);
    store_close(w->store);
    for (size_t i = 0; i < w->n_labels; i++)
        free(w->labels[i].label);
    free(w->labels);
    free(w->steps);
    sb_free(&w->fail);
}

int worker_run(struct worker *wk, const struct scenario *s, bool verbose,
               struct scenario_result *res)
{
    memset(res, 0, sizeof *res);
    struct world w = {.s = s, .wk = wk};
    struct strbuf out = {0};
    char err[512] = "";
    const json_t *root = s->root;
    evq_reset(wk->q, s->start_ms);
    w.mw.clock = evq_clock(wk->q);
    w.mw.base_url = mock_server_url(wk->server);
    w.mw.tmpdir = wk->tmpdir;
    w.mw.keep_answers = verbose;
    int rc = -1;
    if (mock_world_build(&w.mw, json_object_get(root, "mocks"), json_object_get(root, "agents"),
                         s->seed) == 0)
        w.mocks_built = true;
    if (!w.mocks_built || build_core(&w, root, err, sizeof err) || build_backend(&w, root)) {
        if (w.positioned) /* err is "file:line:col: at path: …" */
            sb_printf(&out, "ERROR %s\n", err);
        else
            sb_printf(&out, "ERROR %s: could not build the scenario's world: %s\n", s->path,
                      err[0] ? err : "out of memory");
        goto done;
    }
    mock_server_bind(wk->server, &w.mw);
    wk->bound = &w.mw;
    for (size_t i = 0; i < N_TLS; i++)
        if (wk->tls[i])
            mock_server_bind(wk->tls[i], &w.mw);

    const json_t *steps = json_object_get(root, "steps");
    w.n_steps = json_array_size(steps);
    w.steps = calloc(w.n_steps, sizeof *w.steps);
    if (!w.steps)
        goto done;
    for (size_t i = 0; i < w.n_steps; i++) {
        w.steps[i] = (struct step_rec){.w = &w, .index = i, .step = json_array_get(steps, i)};
        int64_t at = s->start_ms + scenario_ms(json_object_get(w.steps[i].step, "at"));
        evq_schedule(wk->q, at, step_event, &w.steps[i]);
    }
    int64_t horizon = s->start_ms + (s->has_until ? s->until_ms : WORLD_DEFAULT_HORIZON_MS);
    uint64_t ran = 0;
    while (ran < WORLD_MAX_EVENTS && evq_run_next(wk->q, horizon))
        ran++;
    if (s->has_until && ran < WORLD_MAX_EVENTS)
        evq_run_until(wk->q, horizon); /* the clock reaches `until` even when idle */
    res->events = ran;
    if (ran >= WORLD_MAX_EVENTS)
        fail(&w, "the scenario did not settle within %d events (a loop?)", WORLD_MAX_EVENTS);

    check_steps(&w);
    struct expect_input in = {
        .expect = json_object_get(root, "expect"),
        .runs = w.labels,
        .n_runs = w.n_labels,
        .world = &w.mw,
        .journal = w.mw.journal,
        .mu = &w.mw.mu,
        .file = s->path,
    };
    w.n_fail += expect_check(&in, &w.fail);

    res->passed = w.n_fail == 0;
    res->n_failures = w.n_fail;
    res->n_runs = (unsigned)w.n_labels;
    sb_printf(&out, "%s  %s  %s\n", res->passed ? "PASS" : "FAIL", s->path, s->name);
    if (!res->passed) {
        const char *p = w.fail.p ? w.fail.p : "";
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            sb_printf(&out, "    %.*s\n", (int)l, p);
            p += l + (nl ? 1 : 0);
        }
    }
    if (!res->passed || verbose)
        report_runs(&w, &out, true);
    if (verbose) {
        pthread_mutex_lock(&w.mw.mu);
        verbose_journal(w.mw.journal, s->start_ms, &out);
        pthread_mutex_unlock(&w.mw.mu);
    }
    if (verbose)
        res->runs = runs_json(&w);
    res->failures = sb_take(&w.fail);
    rc = 0;
done:
    world_teardown(&w);
    res->report = sb_take(&out);
    return rc;
}
