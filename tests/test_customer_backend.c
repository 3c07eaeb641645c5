/* Unit tests for mocks/customer_backend: the customer's system of the custom
 * integration (seed 001), which posts each answered call's transcript to the
 * project's webhook after the call ends. The world is built by hand: an evq as
 * the clock, a journal, a PSTN whose core side is a fake that answers (or
 * not), and a fake transcript sink that records every post — headers, body,
 * virtual time, whether the world's mutex was free — and answers from a
 * script. What the backend sends is checked against the webhook's own
 * validator (tx_validate), so a body that drifts from seed 001 fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/transcript.h"
#include "customer_backend.h"
#include "fake_lines.h"
#include "journal.h"
#include "mock.h"
#include "pstn.h"
#include "sim/evq.h"

#define T0 INT64_C(1767268800000) /* 2026-01-01T12:00:00Z */
#define PLACE_MS 1000             /* the provider places the call */
#define DURATION_MS 45000
#define END_MS (PLACE_MS + DURATION_MS) /* 12:00:46Z */
#define RING_MS 30000
#define LINE "+15557654321"  /* the evaluator's number: a core line */
#define AGENT "+15551234567" /* the agent's contact_number, the ANI */
#define KEY "ck_live_acme"   /* the project's key */
#define RUN "run_7"          /* what the sink's run_for says of LINE */
#define MAX_POSTS 8

/* ---- a fake transcript sink ------------------------------------------------ */

struct post_seen {
    size_t n_headers;
    char names[4][64];
    char values[4][300];
    char content_type[64];
    char *body; /* owned */
    json_t *json;
    int64_t at;
    bool mutex_free;
};

struct sink {
    struct evq *q;
    pthread_mutex_t *mu;
    int n;
    struct post_seen p[MAX_POSTS];
    int status;         /* what the webhook answers */
    const char *answer; /* its body; NULL: none */
    int run_for_calls;
};

static int sink_post(void *ctx, const struct ds_header *headers, size_t n_headers,
                     const char *content_type, const char *body, size_t body_len, char **answer)
{
    struct sink *s = ctx;
    assert_true(s->n < MAX_POSTS);
    struct post_seen *p = &s->p[s->n++];
    for (size_t i = 0; i < n_headers && i < 4; i++) {
        snprintf(p->names[i], sizeof p->names[i], "%s", headers[i].name);
        snprintf(p->values[i], sizeof p->values[i], "%s", headers[i].value);
        p->n_headers = i + 1;
    }
    snprintf(p->content_type, sizeof p->content_type, "%s", content_type ? content_type : "");
    p->body = strndup(body, body_len);
    p->json = json_loadb(body, body_len, 0, NULL);
    p->at = evq_now(s->q);
    int rc = pthread_mutex_trylock(s->mu);
    if (rc == 0)
        pthread_mutex_unlock(s->mu);
    p->mutex_free = rc == 0;
    *answer = s->answer ? strdup(s->answer) : NULL;
    return s->status;
}

static const char *sink_run_for(void *ctx, const char *to)
{
    struct sink *s = ctx;
    s->run_for_calls++;
    return strcmp(to, LINE) == 0 ? RUN : NULL;
}

/* The value of header `name` (exact spelling) in a post, or NULL. */
static const char *header(const struct post_seen *p, const char *name)
{
    for (size_t i = 0; i < p->n_headers; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->values[i];
    return NULL;
}

/* ---- fixture ------------------------------------------------------------- */

struct fx {
    struct mock_world w;
    struct evq *q;
    struct fake_core core;
    struct sink sink;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(pthread_mutex_init(&f->w.mu, NULL), 0);
    assert_int_equal(evq_create(&f->q, T0), 0);
    f->w.clock = evq_clock(f->q);
    assert_int_equal(journal_create(&f->w.journal), 0);
    struct pstn_config pc = {.call_duration_ms = DURATION_MS};
    assert_int_equal(pstn_create(&f->w.pstn, f->w.clock, &pc), 0);
    f->core.q = f->q;
    f->core.answer = true;
    pstn_set_core(f->w.pstn, &core_ops, &f->core);
    assert_int_equal(pstn_add_line(f->w.pstn, LINE), 0);
    f->sink = (struct sink){.q = f->q, .mu = &f->w.mu, .status = 200, .answer = "{\"ok\":true}"};
    f->w.transcripts = (struct mock_transcript_sink){sink_post, sink_run_for, &f->sink};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < f->sink.n; i++) {
        free(f->sink.p[i].body);
        json_decref(f->sink.p[i].json);
    }
    mock_customer_backend_destroy(f->w.backend);
    pstn_destroy(f->w.pstn);
    journal_destroy(f->w.journal);
    evq_destroy(f->q);
    pthread_mutex_destroy(&f->w.mu);
    free(f);
    return 0;
}

/* The backend for the mocks.customer_backend config in JSON, listening to the PSTN. */
static void backend(struct fx *f, const char *cfg_json)
{
    json_error_t e;
    json_t *cfg = json_loads(cfg_json, 0, &e);
    if (!cfg)
        fail_msg("bad config %s: %s", cfg_json, e.text);
    assert_int_equal(mock_customer_backend_create(&f->w.backend, &f->w, cfg, KEY, 1), 0);
    json_decref(cfg); /* borrowed during the call only */
    pstn_set_listener(f->w.pstn, mock_customer_backend_listener(f->w.backend));
}

/* One call from AGENT to `to` placed at PLACE_MS; then run the clock to rel_ms. */
static void call_and_run(struct fx *f, const char *to, int64_t rel_ms)
{
    evq_run_until(f->q, T0 + PLACE_MS);
    assert_int_equal(pstn_place_call(f->w.pstn, AGENT, to, RING_MS, (struct pstn_observer){0}), 0);
    evq_run_until(f->q, T0 + rel_ms);
}

static const json_t *call0(const struct post_seen *p)
{
    assert_non_null(p->json);
    const json_t *c = json_array_get(json_object_get(p->json, "calls"), 0);
    assert_non_null(c);
    assert_int_equal(json_array_size(json_object_get(p->json, "calls")), 1);
    return c;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The post as the webhook would judge it with the project's key (CI-2..CI-5). */
static int validate(const struct post_seen *p, struct tx_result **out)
{
    struct tx_header h[4];
    for (size_t i = 0; i < p->n_headers; i++)
        h[i] = (struct tx_header){p->names[i], p->values[i]};
    struct tx_request rq = {h, p->n_headers, p->content_type, p->body, strlen(p->body), KEY, 0};
    assert_int_equal(tx_validate(out, &rq), 0);
    return (*out)->status;
}

static int validate_status(const struct post_seen *p)
{
    struct tx_result *r = NULL;
    int st = validate(p, &r);
    tx_result_destroy(r);
    return st;
}

static void assert_journal_post(struct fx *f, size_t i, const struct post_seen *p, int status)
{
    const struct journal_entry *e = journal_at(f->w.journal, i);
    assert_non_null(e);
    assert_string_equal(e->mock, "customer-backend");
    assert_string_equal(e->method, "POST");
    assert_string_equal(e->path, "/transcripts");
    assert_string_equal(e->body, p->body);
    assert_int_equal(e->at, p->at);
    assert_int_equal(e->status, status);
    assert_string_equal(mock_header_in(e->headers, e->headers_len, "x-cekura-api-key"),
                        header(p, "X-CEKURA-API-KEY") ? header(p, "X-CEKURA-API-KEY")
                                                      : header(p, "x-cekura-api-key"));
}

/* ---- the normal post ------------------------------------------------------- */

static void test_posts_at_end_plus_delay_seed_001_body(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"delay\": 12}");
    call_and_run(f, LINE, END_MS + 12000 - 1);
    assert_int_equal(f->core.hangups, 1);
    assert_int_equal(f->sink.n, 0); /* not before end + delay */
    evq_run_until(f->q, T0 + END_MS + 12000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    assert_int_equal(p->at, T0 + END_MS + 12000);
    assert_true(p->mutex_free); /* mock.h: the sink is called without the mutex */
    /* CI-2: POST, JSON, the documented key header with the project's key */
    assert_string_equal(p->content_type, "application/json");
    assert_string_equal(header(p, "Content-Type"), "application/json");
    assert_string_equal(header(p, "X-CEKURA-API-KEY"), KEY);
    assert_null(header(p, "x-cekura-api-key"));
    /* seed 001: {"calls": [{id, startedAt, endedAt, to/from, messages, endedReason}]} */
    assert_null(json_object_get(p->json, "agent_id")); /* none configured */
    const json_t *c = call0(p);
    assert_string_equal(str(c, "id"), "backend-call-1");
    char b[40];
    assert_string_equal(str(c, "startedAt"), ts_iso(T0 + PLACE_MS, b, sizeof b));
    assert_string_equal(str(c, "endedAt"), ts_iso(T0 + END_MS, b, sizeof b));
    assert_string_equal(str(c, "endedAt"), "2026-01-01T12:00:46.000Z");
    assert_string_equal(str(c, "to_phone_number"), LINE);
    assert_string_equal(str(c, "from_phone_number"), AGENT);
    assert_string_equal(str(c, "endedReason"), "customer-ended-call");
    assert_null(json_object_get(c, "run_id"));
    const json_t *msgs = json_object_get(c, "messages");
    assert_true(json_array_size(msgs) >= 2);
    size_t i;
    const json_t *m;
    json_array_foreach(msgs, i, m)
    {
        assert_non_null(str(m, "role"));
        assert_non_null(str(m, "content"));
    }
    assert_string_equal(str(json_array_get(msgs, 0), "role"), "bot");
    assert_string_equal(str(json_array_get(msgs, 1), "role"), "user");
    /* the webhook accepts it as it is (CI-3..CI-5: run_id-less calls without
     * agent_id are refused, so it names the missing agent_id and nothing else) */
    struct tx_result *r = NULL;
    assert_int_equal(validate(p, &r), 400);
    assert_non_null(strstr(r->body, "agent_id"));
    assert_null(strstr(r->body, "calls["));
    tx_result_destroy(r);
    /* journalled with the sink's status and answer */
    assert_int_equal(journal_count(f->w.journal), 1);
    assert_journal_post(f, 0, p, 200);
    assert_string_equal(journal_at(f->w.journal, 0)->answer, "{\"ok\":true}");
}

static void test_default_delay_is_5_s(void **state)
{
    struct fx *f = *state;
    backend(f, "{}");
    call_and_run(f, LINE, END_MS + 4999);
    assert_int_equal(f->sink.n, 0);
    evq_run_until(f->q, T0 + END_MS + 5000);
    assert_int_equal(f->sink.n, 1);
    assert_int_equal(f->sink.p[0].at, T0 + END_MS + 5000);
}

static void test_agent_id_when_configured_valid_request(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"delay\": 0}");
    call_and_run(f, LINE, END_MS + 1000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    const json_t *aid = json_object_get(p->json, "agent_id");
    assert_true(json_is_integer(aid)); /* CI-3: an integer, never "42" */
    assert_int_equal(json_integer_value(aid), 42);
    assert_int_equal(p->at, T0 + END_MS);
    /* a complete, valid seed-001 request (CI-2..CI-5) */
    struct tx_result *r = NULL;
    assert_int_equal(validate(p, &r), 200);
    assert_int_equal(r->n_calls, 1);
    assert_string_equal(r->calls[0].to_phone_number, LINE);
    assert_int_equal(r->calls[0].ended_at_ms, T0 + END_MS);
    assert_int_equal(r->calls[0].n_messages, 2);
    assert_false(r->key_header_misspelled);
    tx_result_destroy(r);
}

static void test_identify_by_run_id(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"identify_by\": \"run_id\", \"agent_id\": 42}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    assert_true(f->sink.run_for_calls >= 1);
    assert_string_equal(str(call0(p), "run_id"), RUN);
    /* CI-3, SIP style: run_id on the call, no agent_id at the top */
    assert_null(json_object_get(p->json, "agent_id"));
    assert_int_equal(validate_status(p), 200);
}

static void test_header_spelling_lower_case(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"defects\": [\"header_spelling\"]}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    assert_null(header(p, "X-CEKURA-API-KEY"));
    assert_string_equal(header(p, "x-cekura-api-key"), KEY); /* the key itself is right */
    struct tx_result *r = NULL;
    assert_int_equal(validate(p, &r), 200); /* CI-2 decision: accepted, flagged */
    assert_true(r->key_header_misspelled);
    tx_result_destroy(r);
    assert_journal_post(f, 0, p, 200);
}

static void test_api_key_from_config(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"api_key\": \"ck_other\"}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(f->sink.n, 1);
    assert_string_equal(header(&f->sink.p[0], "X-CEKURA-API-KEY"), "ck_other");
}

/* ---- defects ------------------------------------------------------------- */

static void test_defect_wrong_key(void **state)
{
    struct fx *f = *state;
    f->sink.status = 401;
    f->sink.answer = "{\"errors\":[{\"header\":\"X-CEKURA-API-KEY\"}]}";
    backend(f, "{\"agent_id\": 42, \"defects\": [\"wrong_key\"]}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    const char *k = header(p, "X-CEKURA-API-KEY");
    assert_non_null(k);
    assert_string_not_equal(k, KEY);
    assert_int_equal(validate_status(p), 401); /* CI-2 */
    /* the body is otherwise fine: only the key is the defect */
    assert_non_null(str(call0(p), "endedAt"));
    assert_journal_post(f, 0, p, 401);
    assert_string_equal(journal_at(f->w.journal, 0)->answer, f->sink.answer);
}

static void test_defect_missing_field(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"defects\": [\"missing_field\"]}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    const json_t *c = call0(p);
    assert_null(json_object_get(c, "endedAt"));
    assert_non_null(str(c, "id"));
    assert_non_null(str(c, "startedAt"));
    assert_string_equal(str(c, "to_phone_number"), LINE);
    assert_string_equal(header(p, "X-CEKURA-API-KEY"), KEY);
    struct tx_result *r = NULL;
    assert_int_equal(validate(p, &r), 400); /* CI-4, CI-8 */
    assert_non_null(strstr(r->body, "calls[0].endedAt"));
    tx_result_destroy(r);
}

static void test_defect_late(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"delay\": 5, \"defects\": [\"late\"]}");
    int64_t due = END_MS + 5000 + 6 * 60 * 1000;
    call_and_run(f, LINE, due - 1);
    assert_int_equal(f->sink.n, 0);
    assert_int_equal(journal_count(f->w.journal), 0);
    evq_run_until(f->q, T0 + due);
    assert_int_equal(f->sink.n, 1);
    assert_int_equal(f->sink.p[0].at, T0 + due); /* CI-6: past the 5 minutes */
    /* late, but otherwise a valid request with the call's true endedAt */
    assert_int_equal(validate_status(&f->sink.p[0]), 200);
    char b[40];
    assert_string_equal(str(call0(&f->sink.p[0]), "endedAt"), ts_iso(T0 + END_MS, b, sizeof b));
}

static void test_defect_duplicate(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"defects\": [\"duplicate\"]}");
    call_and_run(f, LINE, END_MS + 60000);
    assert_int_equal(f->sink.n, 2);
    const struct post_seen *a = &f->sink.p[0], *b = &f->sink.p[1];
    assert_int_equal(a->at, T0 + END_MS + 5000);
    assert_int_equal(b->at, a->at + 1000); /* CI-9: the same request 1 s later */
    assert_string_equal(a->body, b->body);
    assert_int_equal(a->n_headers, b->n_headers);
    for (size_t i = 0; i < a->n_headers; i++) {
        assert_string_equal(a->names[i], b->names[i]);
        assert_string_equal(a->values[i], b->values[i]);
    }
    assert_int_equal(journal_count(f->w.journal), 2);
    assert_journal_post(f, 0, a, 200);
    assert_journal_post(f, 1, b, 200);
}

static void test_defect_no_post(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"defects\": [\"no_post\"]}");
    call_and_run(f, LINE, END_MS + 60 * 60 * 1000);
    assert_int_equal(f->core.hangups, 1); /* the call was answered and ended */
    assert_int_equal(f->sink.n, 0);
    assert_int_equal(journal_count(f->w.journal), 0);
    assert_int_equal(evq_pending(f->q), 0);
}

static void test_defects_combine(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42, \"defects\": [\"wrong_key\", \"missing_field\", "
               "\"header_spelling\"]}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(f->sink.n, 1);
    const struct post_seen *p = &f->sink.p[0];
    assert_null(header(p, "X-CEKURA-API-KEY"));
    assert_string_not_equal(header(p, "x-cekura-api-key"), KEY);
    assert_null(json_object_get(call0(p), "endedAt"));
    assert_int_equal(validate_status(p), 401); /* the key is judged first */
}

/* ---- which calls post ------------------------------------------------------ */

static void test_unanswered_call_posts_nothing(void **state)
{
    struct fx *f = *state;
    f->core.answer = false; /* the core stays silent (AO-3): rings out */
    backend(f, "{\"agent_id\": 42}");
    call_and_run(f, LINE, PLACE_MS + RING_MS + 60 * 60 * 1000);
    assert_int_equal(f->core.offers, 1);
    assert_int_equal(pstn_call_count(f->w.pstn), 1);
    assert_true(pstn_call_at(f->w.pstn, 0)->ended);
    assert_false(pstn_call_at(f->w.pstn, 0)->answered);
    assert_int_equal(f->sink.n, 0);
    assert_int_equal(journal_count(f->w.journal), 0);
}

static void test_each_answered_call_posts_its_own_id(void **state)
{
    struct fx *f = *state;
    backend(f, "{\"agent_id\": 42}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(pstn_place_call(f->w.pstn, AGENT, LINE, RING_MS, (struct pstn_observer){0}),
                     0);
    evq_run_until(f->q, T0 + 2 * END_MS + 20000);
    assert_int_equal(f->sink.n, 2);
    assert_string_equal(str(call0(&f->sink.p[0]), "id"), "backend-call-1");
    assert_string_equal(str(call0(&f->sink.p[1]), "id"), "backend-call-2"); /* CI-4: unique */
}

static void test_no_webhook_journals_404(void **state)
{
    struct fx *f = *state;
    f->w.transcripts = (struct mock_transcript_sink){0};
    backend(f, "{\"agent_id\": 42}");
    call_and_run(f, LINE, END_MS + 10000);
    assert_int_equal(journal_count(f->w.journal), 1);
    const struct journal_entry *e = journal_at(f->w.journal, 0);
    assert_string_equal(e->mock, "customer-backend");
    assert_int_equal(e->status, 404);
    assert_null(e->answer);
    assert_int_equal(e->at, T0 + END_MS + 5000);
    assert_non_null(e->json);
    assert_int_equal(json_integer_value(json_object_get(e->json, "agent_id")), 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_posts_at_end_plus_delay_seed_001_body),
        T(test_default_delay_is_5_s),
        T(test_agent_id_when_configured_valid_request),
        T(test_identify_by_run_id),
        T(test_header_spelling_lower_case),
        T(test_api_key_from_config),
        T(test_defect_wrong_key),
        T(test_defect_missing_field),
        T(test_defect_late),
        T(test_defect_duplicate),
        T(test_defect_no_post),
        T(test_defects_combine),
        T(test_unanswered_call_posts_nothing),
        T(test_each_answered_call_posts_its_own_id),
        T(test_no_webhook_journals_404),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
