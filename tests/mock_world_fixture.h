/* A struct mock_world built by hand for the provider-mock tests
 * (test_mock_vapi.c, test_mock_retell.c, test_mock_elevenlabs.c): an evq as
 * the clock, a journal, a PSTN whose core side is a fake (fake_lines.h), and
 * optionally a webhook queue whose sink records deliveries (fake_sink.h); and
 * requests sent through mock_world_dispatch with the world's mutex held, as
 * the server does. The provider mock itself is the test's to create. */
#ifndef DIALSIM_TEST_MOCK_WORLD_FIXTURE_H
#define DIALSIM_TEST_MOCK_WORLD_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "mock_server.h"
#include "pstn.h"
#include "sim/evq.h"
#include "webhook.h"
#include "fake_lines.h"
#include "fake_sink.h"

/* Open w's mutex, *q at t0 as w's clock, its journal and its PSTN (config pc)
 * with core as the core side and one line, line. Asserts each step. */
static inline void mock_world_open(struct mock_world *w, struct evq **q, int64_t t0,
                                   const struct pstn_config *pc, struct fake_core *core,
                                   const char *line)
{
    assert_int_equal(pthread_mutex_init(&w->mu, NULL), 0);
    assert_int_equal(evq_create(q, t0), 0);
    w->clock = evq_clock(*q);
    assert_int_equal(journal_create(&w->journal), 0);
    assert_int_equal(pstn_create(&w->pstn, w->clock, pc), 0);
    core->q = *q;
    pstn_set_core(w->pstn, &core_ops, core);
    assert_int_equal(pstn_add_line(w->pstn, line), 0);
}

/* Give w a webhook queue whose sink is sink (on q, checking w's mutex). */
static inline void mock_world_open_webhooks(struct mock_world *w, struct evq *q,
                                            struct fake_sink *sink)
{
    assert_int_equal(mock_webhooks_create(&w->webhooks), 0);
    sink->q = q;
    sink->mu = &w->mu;
    w->sink = (struct mock_webhook_sink){.deliver = fake_sink_deliver, .ctx = sink};
}

/* Undo mock_world_open (and mock_world_open_webhooks, if called); the
 * provider mocks must be destroyed first. */
static inline void mock_world_close(struct mock_world *w, struct evq *q)
{
    mock_webhooks_destroy(w->webhooks); /* NULL-safe */
    pstn_destroy(w->pstn);
    journal_destroy(w->journal);
    evq_destroy(q);
    pthread_mutex_destroy(&w->mu);
}

/* An answer of the world: status, the body as sent and parsed (both owned), latency. */
struct mock_reply {
    int status;
    char *raw;
    json_t *body;
    int64_t latency_ms;
};

static inline void mock_reply_free(struct mock_reply *r)
{
    free(r->raw);
    json_decref(r->body);
}

/* Dispatch method path to w under its mutex, with header auth_name: auth when
 * auth is set, and a JSON content-type when body is set. Asserts the answer is
 * JSON and parses. */
static inline struct mock_reply mock_world_request(struct mock_world *w, const char *method,
                                                   const char *path, const char *auth_name,
                                                   const char *auth, const char *body)
{
    json_t *h = json_object();
    if (auth)
        json_object_set_new(h, auth_name, json_string(auth));
    if (body)
        json_object_set_new(h, "content-type", json_string("application/json"));
    size_t hl;
    char *packed = mock_headers_pack_json(h, &hl);
    struct mock_request rq = {
        .method = method,
        .path = path,
        .headers = packed,
        .headers_len = hl,
        .body = body ? body : "",
        .body_len = body ? strlen(body) : 0,
    };
    struct mock_response rs = {0};
    pthread_mutex_lock(&w->mu);
    mock_world_dispatch(w, &rq, &rs);
    pthread_mutex_unlock(&w->mu);
    json_decref(h);
    free(packed);
    assert_non_null(rs.body);
    if (rs.status == 204) { /* No Content (Retell's deletes): no JSON to parse */
        assert_string_equal(rs.body, "");
        return (struct mock_reply){rs.status, rs.body, NULL, rs.latency_ms};
    }
    assert_non_null(rs.content_type);
    assert_non_null(strstr(rs.content_type, "application/json"));
    struct mock_reply r = {rs.status, rs.body, json_loads(rs.body, 0, NULL), rs.latency_ms};
    assert_non_null(r.body);
    return r;
}

#endif
