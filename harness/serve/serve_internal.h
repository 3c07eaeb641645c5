/* Shared by the files of harness/serve/; not an API. */
#ifndef DIALSIM_SERVE_INTERNAL_H
#define DIALSIM_SERVE_INTERNAL_H

#include <civetweb.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "mock.h"
#include "serve/serve.h"
#include "sim/clock_real.h"
#include "store/store.h"

#define SRV_MAX_BODY (1024 * 1024) /* every route; the transcript webhook says 413 above it */
#define SRV_MAX_SEGMENTS 6

struct srv_project {
    char *id;
    char *api_key; /* NULL: the webhook accepts nothing (CI-2) */
    bool fetch_recordings;
};

/* A list of ids in creation order: the core can look an agent or an
 * evaluator up, but not list them. */
struct srv_ids {
    char **v;
    size_t n, cap;
};

struct serve {
    struct mg_context *ctx;
    int port;
    int mock_threads; /* CivetWeb workers of the mocks' server */
    char host[64];
    bool loopback;     /* bound to loopback: the Host header is checked */
    char *admin_token; /* NULL: the management routes are open */
    struct clock_real *clock;
    double time_scale; /* --time-scale (1: the wall clock); the mocks' latencies too */
    struct srv_http *http;
    struct core *core;
    struct store *store;
    char *db_path;
    char *provider_url[DS_PROVIDER__COUNT];
    FILE *log;
    bool quiet;
    int64_t started_ms;
    atomic_int inflight;  /* handlers running now */
    atomic_bool draining; /* stopping: new requests get 503 */
    /* The provider mocks (docs/mocks.md), when the config has "mocks". */
    bool mocks_on;
    struct mock_world mw; /* on the real clock; mw.mu guards mock state */
    struct mock_server *mock_srv;
    struct webhook_out *webhook_out; /* provider webhooks to users' servers */
    char *mock_tmpdir;               /* generated recordings */
    /* the mocks' base URL, the world's copy: the mock server is stopped and
     * freed before the clock, whose timers still build webhooks with it */
    char mock_url[96];
    json_t *mock_cfg; /* the config's "mocks": what POST /_dialsim/reset goes back to */
    /* Everything below is guarded by the core lock (clock_real_lock). */
    struct srv_ids dirty; /* runs changed since the last flush (serve_runs.c) */
    bool flush_scheduled;
    json_t *written;       /* run id → the JSON last written for it (runs in the core) */
    size_t max_final_runs; /* final runs kept in the core; the rest are read from the file */
    uint64_t runs_evicted; /* this server's runs let go of (in the file only) */
    size_t n_restored;     /* runs of earlier servers, in the file */
    struct srv_project *projects;
    size_t n_projects;
    struct srv_ids agents, evaluators;
    uint64_t next_agent, next_evaluator; /* automatic ids: "1", "2", ... */
    uint64_t id_rng;                     /* run ids */
};

/* One request as the routes see it. */
struct srv_req {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    const char *method;
    const char *path;
    char *seg[SRV_MAX_SEGMENTS]; /* path segments, percent-decoded */
    size_t n_seg;
    char *body; /* read by the route (srv_read_json / the webhook); owned */
    size_t body_len;
    bool body_read; /* the whole body was consumed (else the connection closes) */
};

struct srv_resp {
    int status;
    char *body; /* JSON, malloc'ed */
    size_t body_len;
    bool close;     /* the request body was not read: close the connection */
    char allow[64]; /* 405: the Allow header; "" otherwise */
};

/* ---- answers (serve.c) ---- */
/* body is stolen. */
void srv_reply_json(struct srv_resp *rs, int status, json_t *body);
/* errors is stolen: {"errors": errors}. */
void srv_reply_errors(struct srv_resp *rs, int status, json_t *errors);
/* One error; path may be NULL. */
void srv_reply_error(struct srv_resp *rs, int status, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Append {"path"?, "message"} to errors. */
void srv_error_add(json_t *errors, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Read and parse the JSON object body of a management request: 415, 413 and
 * 400 (with line/column, or the path "" when not an object) are answered
 * here and NULL is returned. New reference otherwise. */
json_t *srv_read_json(struct srv_req *rq, struct srv_resp *rs);
/* Read at most max bytes of the body into rq->body. 0: read; 1: longer than
 * max (what was read is dropped); -1: the connection failed. */
int srv_read_body(struct srv_req *rq, size_t max);
const char *srv_header(const struct srv_req *rq, const char *name);

/* ---- who may ask (serve_access.c) ---- */
/* The admin token and the loopback flag from the options; -1 with why in err
 * for a host beyond loopback without a token, or an empty token. */
int srv_access_init(struct serve *s, const struct serve_options *o, char *err, size_t n);
/* The Host check (loopback only: 421) and the admin token of a management
 * route (401): false once the refusal is answered in rs. */
bool srv_access_allowed(struct serve *s, const struct srv_req *rq, struct srv_resp *rs);
/* What answers show of an agent's trigger settings (docs/api.md#secrets):
 * trigger_call_headers with credentials masked, trigger_call_payload with
 * secret keys masked, a URL without its password. New references; NULL in,
 * JSON null out. */
json_t *srv_masked_headers(const char *text);
json_t *srv_masked_payload(const char *text);
json_t *srv_masked_url(const char *url);

/* ---- routes (serve_routes.c) ---- */
void srv_route(struct serve *s, struct srv_req *rq, struct srv_resp *rs);

/* ---- the model: JSON <-> core (serve_model.c); call with the core lock ---- */
const struct srv_project *srv_project_find(const struct serve *s, const char *id);
/* Validate o as a project (create: the whole object; else a PATCH) and apply
 * it. Errors go to errors with prefix before each path ("projects[0]").
 * Returns 0, or -1 when errors were added. */
int srv_project_put(struct serve *s, const char *id, const json_t *o, bool create,
                    const char *prefix, json_t *errors);
json_t *srv_project_json(struct serve *s, const struct srv_project *p);

int srv_agent_put(struct serve *s, const char *id, const json_t *o, bool create, const char *prefix,
                  json_t *errors, char *id_out, size_t id_n);
json_t *srv_agent_json(const struct core_agent *a);

int srv_evaluator_put(struct serve *s, const char *id, const json_t *o, bool create,
                      const char *prefix, json_t *errors, char *id_out, size_t id_n);
json_t *srv_evaluator_json(const struct core_evaluator *e);

/* The config file (docs/api.md#config), in two steps because the providers'
 * base URLs are needed before the core exists. srv_config_read parses the file
 * and checks its top level; urls[p] then points into the result (new
 * reference) for each provider it names. srv_config_apply creates the
 * projects, agents and evaluators (core lock held). Both return NULL / -1
 * with "FILE:LINE:COL: ..." or "FILE: at PATH: message" in err. */
json_t *srv_config_read(const char *path, const char **urls, char *err, size_t n);
int srv_config_apply(struct serve *s, const json_t *root, const char *path, char *err, size_t n);

/* Durability (docs/api.md#durability). srv_persist writes the object (kind
 * "project", "agent" or "evaluator") as it is now, secrets included, to the
 * database and returns once it is committed: 0, or -1 when it could not be.
 * srv_restore applies what the database holds, after the config file:
 * projects, then agents, then evaluators, each in the order first stored; a
 * stored object replaces the config file's object of the same id. */
int srv_persist(struct serve *s, const char *kind, const char *id, char *why, size_t n);

/* Undoing a change that could not be stored (serve_undo.c; core lock held).
 * srv_undo_save before the change: what the object (kind, id) is now, or that
 * it does not exist (id NULL: a create with an automatic id). After a failed
 * write, srv_undo_rollback(id: the object's id as applied) puts it back, or
 * removes the object a create made. srv_undo_clear frees either way. */
struct srv_undo {
    const char *kind;
    bool existed;
    uint64_t next_agent, next_evaluator;
    char *api_key; /* project */
    bool fetch_recordings;
    struct core_agent *agent; /* agent, owned */
    char *phone_number;       /* evaluator */
    json_t *vars;
};
int srv_undo_save(struct serve *s, struct srv_undo *u, const char *kind, const char *id);
/* Create or update (kind, id) from body and store it before returning 0, or
 * leave everything as it was: the HTTP status with errors added (400, 404,
 * 409, 500 when it could not be stored: "nothing was changed"). id is NULL
 * for a create; id_out gets the object's id. */
int srv_put_stored(struct serve *s, const char *kind, const char *id, const json_t *body,
                   bool create, json_t *errors, char *id_out, size_t n);
void srv_undo_rollback(struct serve *s, struct srv_undo *u, const char *id);
void srv_undo_clear(struct srv_undo *u);
int srv_restore(struct serve *s, char *err, size_t n);

int srv_ids_add(struct srv_ids *l, const char *id);
void srv_ids_free(struct srv_ids *l);
/* The model's own lists (projects, agent and evaluator ids, dirty runs);
 * the core's objects are the core's. */
void srv_model_free(struct serve *s);

/* The run ids of the core (ds_ids). */
extern const struct ds_ids_ops srv_ids_ops;

/* ---- runs in the database (serve_runs.c; core lock held) ---- */
struct ds_run_observer srv_runs_observer(struct serve *s);
/* Mark the runs of an earlier server "restored" in the file; those still
 * open become failed, serve_restarted (written back). */
int srv_runs_restore(struct serve *s, char *err, size_t n);
/* A run as the file has it (an earlier server's, or one the core let go
 * of): new reference, or NULL. */
json_t *srv_runs_stored(struct serve *s, const char *id);
/* GET /runs: up to limit runs after the run `after` (NULL: from the first),
 * oldest first, filtered by agent and status (NULL: any), appended to runs;
 * next is the last one's id when more follow, else "". 0, or -1: the file
 * could not be read. */
int srv_runs_page(struct serve *s, const char *agent, const char *status, const char *after,
                  size_t limit, json_t *runs, char *next, size_t nn);
/* Write what changed and is not written yet, now: before POST /runs answers
 * (an acknowledged run survives kill -9), and at the stop. */
int srv_runs_flush(struct serve *s); /* 0, or -1: not stored (tried again later) */
/* srv_runs_flush as core_start_runs_committed's commit (ctx: the serve): new
 * runs are stored before any call is asked for, or taken back. */
int srv_runs_commit(void *ctx);

/* ---- the provider mocks in real time (serve_mocks.c) ---- */
/* Check cfg.mocks (NULL: none): 0, or -1 with "FILE: at mocks.…: …". */
int srv_mocks_check(const json_t *mocks, const char *file, char *err, size_t n);
/* Build the mocks on the real clock and start their server (before the core
 * exists): urls[p] of every provider the config's "providers" does not name
 * then points at it. */
int srv_mocks_start(struct serve *s, const json_t *cfg, const char *host, int port,
                    const char **urls, const char *const *default_urls, char *err, size_t n);
/* Wire the PSTN's lines and the webhooks to the core (once it exists). */
void srv_mocks_attach(struct serve *s);
/* An evaluator's number becomes one of the core's lines (core lock held). */
void srv_mocks_add_line(struct serve *s, const char *number);
/* Stop the mocks' server (no request reaches the mocks any more). */
void srv_mocks_stop_server(struct serve *s);
/* Free the mocks: after the clock has stopped. */
void srv_mocks_free(struct serve *s);

/* ---- the provider HTTP client, off the core lock (serve_http.c) ---- */
struct srv_http;
int srv_http_create(struct srv_http **out, struct ds_clock clock, int workers);
/* Refuse new requests, finish the queued ones, join the workers. */
void srv_http_stop(struct srv_http *h);
/* Stops if not stopped; answers still on the clock are abandoned; frees. */
void srv_http_destroy(struct srv_http *h);
struct ds_http srv_http_port(struct srv_http *h);

#endif
