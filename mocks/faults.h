/* Faults on any mock route, from the scenario's mocks.faults:
 *
 *   {"method": "POST", "path": "/v2/create-phone-call",      exact, or an fnmatch glob
 *    "header": {"authorization": "Bearer k"},                 all must match (names any case)
 *    "json": {"to_number": "+15557654321"},                  dotted paths into the body
 *    "then": [ {"times": 2, "status": 500, "body": {...}},    scripted by hit count
 *              {"pass": true, "latency": {"uniform": [0.1, 0.9]}} ]}
 *
 * The first rule that matches a request takes it; its hit count picks the step
 * (each step lasts `times` hits, default 1; "repeat": true lasts for ever);
 * after the last step the request passes untouched. A step either answers
 * itself (status + body, or close: the connection is closed before any answer)
 * or lets the real mock answer and then spoils the answer (malformed: the body
 * cut into invalid JSON; truncate: N bytes of a longer Content-Length, then
 * close; dribble: chunked transfer in k chunks `interval` seconds apart).
 * latency replaces the virtual latency: seconds, {"uniform": [a, b]} or
 * {"lognormal": {"median": m, "sigma": s}}, drawn from the scenario's seed so
 * a "random" run is reproducible. Hit counts live in the world: every scenario
 * starts from zero. */
#ifndef DIALSIM_MOCK_FAULTS_H
#define DIALSIM_MOCK_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock.h"

struct mock_faults;

/* rules is borrowed during the call (copied). */
int mock_faults_create(struct mock_faults **out, const json_t *rules, uint64_t seed);
void mock_faults_destroy(struct mock_faults *f);

/* The rules at run time (serve's /_dialsim/faults). Each rule has an id
 * ("f1", "f2", ...: never reused by these rules) and a hit count. add appends
 * a copy of rule (checked by the caller, as a scenario's are), its id into
 * id (idn bytes; NULL: not wanted): 0 or -1 (out of memory). remove: 0, or
 * -1 when no rule has that id. clear returns how many went. list: a new
 * array of {"id", "hits", "rule"} in matching order (the rules shared: do not
 * change them). World mutex held for all. */
int mock_faults_add(struct mock_faults *f, const json_t *rule, char *id, size_t idn);
int mock_faults_remove(struct mock_faults *f, const char *id);
size_t mock_faults_clear(struct mock_faults *f);
json_t *mock_faults_list(const struct mock_faults *f);

enum fault_kind {
    FAULT_NONE = 0, /* no rule took the request */
    FAULT_PASS,     /* the mock answers; then the spoilers below apply */
    FAULT_REPLY,    /* answer with status/body */
    FAULT_CLOSE,    /* close the connection, answer nothing */
};

struct fault_action {
    enum fault_kind kind;
    int status;
    json_t *body; /* REPLY: JSON value, or a string sent as raw text; owned */
    bool has_latency;
    int64_t latency_ms; /* replaces the mock's latency when has_latency */
    bool malformed;
    long truncate_at; /* >= 0: send only this many body bytes, then close */
    int chunks;       /* > 1: chunked transfer */
    int64_t chunk_interval_ms;
    int rule; /* index of the rule that matched, -1 for none */
    json_t *headers; /* the step's "headers" (name -> value) the answer carries; owned, may be NULL */
};

/* Decide what happens to rq (hit counts advance). Call with the world's mutex
 * held. Free out->body and out->headers with json_decref. */
void mock_faults_decide(struct mock_faults *f, const struct mock_request *rq,
                        struct fault_action *out);
/* Apply an action's spoilers to a mock's answer (body replaced, fields set). */
void mock_faults_apply(const struct fault_action *a, struct mock_response *rs);

#endif
