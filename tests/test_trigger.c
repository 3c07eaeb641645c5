/* Trigger dispatch (harness/core/trigger.c): configuration checks (TU-2,
 * OV-1..OV-4), the bodies and headers sent (TU-1, OV-3..OV-5), and the
 * outcome of each answer (TU-3) — on a real event queue with a fake HTTP port
 * that records what was sent and answers from a script. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "sim/evq.h"

#include "core_fixture.h"
#include "fake_http.h"

#define T0 1767268800000LL

struct fake {
    struct evq *q;
    int sent;
    char url[256], body[2048];
    char hnames[8][64], hvalues[8][128];
    size_t nh;
    enum ds_http_outcome outcome;
    long status;
    int64_t latency;
};

static int fake_send(void *ctx, const struct ds_http_request *rq, ds_http_done_fn done, void *arg)
{
    struct fake *f = ctx;
    f->sent++;
    snprintf(f->url, sizeof f->url, "%s", rq->url);
    snprintf(f->body, sizeof f->body, "%.*s", (int)rq->body_len, rq->body);
    f->nh = rq->n_headers < 8 ? rq->n_headers : 8;
    for (size_t i = 0; i < f->nh; i++) {
        snprintf(f->hnames[i], sizeof f->hnames[i], "%s", rq->headers[i].name);
        snprintf(f->hvalues[i], sizeof f->hvalues[i], "%s", rq->headers[i].value);
    }
    struct ds_http_response resp = {.outcome = f->outcome, .status = f->status};
    resp.body = "{}";
    resp.body_len = 2;
    int64_t lat = f->latency < rq->timeout_ms ? f->latency : rq->timeout_ms;
    resp.elapsed_ms = lat;
    if (f->outcome == DS_HTTP_TIMEOUT)
        resp.elapsed_ms = rq->timeout_ms;
    snprintf(resp.error, sizeof resp.error, "fake transport error");
    fake_http_schedule(f->q, evq_now(f->q) + resp.elapsed_ms, done, arg, &resp);
    return 0;
}
static const struct ds_http_ops fake_ops = {fake_send};

struct fx {
    struct evq *q;
    struct fake http;
    struct core *core;
    int idc;
};

static struct fx *fx_new(bool test_mode)
{
    struct fx *f = calloc(1, sizeof *f);
    evq_create(&f->q, T0);
    f->http = (struct fake){.q = f->q, .outcome = DS_HTTP_RESPONSE, .status = 200, .latency = 300};
    struct core_env env = core_fixture_env(f->q, &fake_ops, &f->http, &f->idc);
    env.test_mode = test_mode;
    core_create(&f->core, &env);
    char err[256];
    core_project_put(f->core, "p", "k");
    json_t *dv = json_pack("{s:{s:s},s:i}", "profile", "name", "Zoë", "tier", 2);
    assert_int_equal(core_evaluator_put(f->core, "e", "p", "+15557654321", dv, err, sizeof err), 0);
    json_decref(dv);
    return f;
}

static void fx_free(struct fx *f)
{
    core_fixture_close(f->q, f->core);
    free(f);
}

static struct core_agent agent(void)
{
    return (struct core_agent){
        .id = "a", .project = "p", .auto_outbound = true, .contact_number = "+15551234567"};
}

static int put(struct fx *f, struct core_agent a, char *err)
{
    return core_agent_put(f->core, &a, err, 256);
}

static const struct core_run *start(struct fx *f)
{
    const char *ids[] = {"e"};
    const struct core_run *r;
    char err[256];
    assert_int_equal(core_start_runs(f->core, "a", ids, 1, &r, err, sizeof err), 0);
    return r;
}

/* TU-2: https only; http for loopback in test mode */
static void test_tu2_url_scheme(void **state)
{
    (void)state;
    char err[256];
    struct fx *f = fx_new(false);
    struct core_agent a = agent();
    a.trigger_url = "http://127.0.0.1:9/t";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "trigger_not_https: trigger_url must be an https:// URL"));
    a.trigger_url = "https://hooks.example.com/t";
    assert_int_equal(put(f, a, err), 0);
    a.trigger_url = "ftp://x";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "trigger_not_https"));
    fx_free(f);
    f = fx_new(true);
    a.trigger_url = "http://127.0.0.1:9/t";
    assert_int_equal(put(f, a, err), 0);
    a.trigger_url = "http://localhost/t";
    assert_int_equal(put(f, a, err), 0);
    a.trigger_url = "http://hooks.example.com/t"; /* not loopback: refused even in test mode */
    assert_int_equal(put(f, a, err), -1);
    fx_free(f);
}

/* OV-1, OV-2, OV-4: refused at configuration time, with the parse position */
static void test_ov_config_checks(void **state)
{
    (void)state;
    char err[256];
    struct fx *f = fx_new(true);
    struct core_agent a = agent();
    a.trigger_call_endpoint = "http://partner.example.com/x";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "trigger_not_https: trigger_call_endpoint"));
    a.trigger_call_endpoint = "https://partner.example.com/x";
    a.trigger_call_headers = "{\"A\": \"b\",}";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "trigger_call_headers: invalid JSON at line 1, column 11"));
    a.trigger_call_headers = "[\"A\"]";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "expected a JSON object, got an array"));
    a.trigger_call_headers = "{\"X-Retries\": 3}";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "the value of \"X-Retries\" must be a string"));
    a.trigger_call_headers = "{\"Authorization\": \"Bearer t\"}";
    a.trigger_call_payload = "{campaign: 1}";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "trigger_call_payload: invalid JSON at line 1"));
    a.trigger_call_payload = "{\"campaign\": 1}";
    a.phone_number_key = "";
    assert_int_equal(put(f, a, err), -1);
    a.phone_number_key = NULL;
    assert_int_equal(put(f, a, err), 0);
    /* both kinds at once, or connection fields without an endpoint */
    a.trigger_url = "https://hooks.example.com/t";
    assert_int_equal(put(f, a, err), -1);
    assert_non_null(strstr(err, "not both"));
    struct core_agent b = agent();
    b.trigger_call_payload = "{}";
    assert_int_equal(put(f, b, err), -1);
    assert_non_null(strstr(err, "need a trigger_call_endpoint"));
    fx_free(f);
}

/* TU-1: {from_number, to_number, dynamic_variables}; no provider credentials needed */
static void test_tu1_body(void **state)
{
    (void)state;
    char err[256];
    struct fx *f = fx_new(true);
    struct core_agent a = agent();
    a.trigger_url = "http://127.0.0.1:9/t";
    assert_int_equal(put(f, a, err), 0);
    const struct core_run *r = start(f);
    assert_int_equal(r->status, DS_RUN_PENDING);
    assert_int_equal(f->http.sent, 1);
    assert_string_equal(f->http.url, "http://127.0.0.1:9/t");
    assert_string_equal(f->http.body, "{\"dynamic_variables\":{\"profile\":{\"name\":\"Zoë\"},"
                                      "\"tier\":2},\"from_number\":\"+15551234567\","
                                      "\"to_number\":\"+15557654321\"}");
    assert_string_equal(f->http.hnames[0], "Content-Type");
    /* TU-4: the window opened at pending, before the trigger answered */
    assert_int_equal(r->opens_at, T0);
    fx_free(f);
}

/* OV-3, OV-4, OV-2: payload merged, the number key wins, headers sent */
static void test_ov_body_and_headers(void **state)
{
    (void)state;
    char err[256];
    struct fx *f = fx_new(true);
    struct core_agent a = agent();
    a.trigger_call_endpoint = "http://127.0.0.1:9/c";
    a.trigger_call_headers =
        "{\"Authorization\": \"Bearer t\", \"Content-Type\": \"application/json; v=2\"}";
    a.trigger_call_payload = "{\"recipient\": \"+10000000000\", \"campaign_id\": \"s\"}";
    a.phone_number_key = "recipient";
    assert_int_equal(put(f, a, err), 0);
    start(f);
    assert_string_equal(f->http.body, "{\"campaign_id\":\"s\",\"recipient\":\"+15557654321\"}");
    assert_int_equal(f->http.nh, 2); /* the configured Content-Type is not doubled */
    assert_string_equal(f->http.hnames[0], "Authorization");
    assert_string_equal(f->http.hvalues[0], "Bearer t");
    fx_free(f);
}

static const struct core_run *outcome(enum ds_http_outcome o, long status, int64_t latency)
{
    static struct fx *f;
    if (f)
        fx_free(f);
    f = fx_new(true);
    char err[256];
    struct core_agent a = agent();
    a.trigger_url = "http://127.0.0.1:9/t";
    put(f, a, err);
    f->http.outcome = o;
    f->http.status = status;
    f->http.latency = latency;
    const struct core_run *r = start(f);
    evq_run_until(f->q, T0 + 40000);
    return r;
}

/* TU-3: only 200 or 201 within 30 s counts; each failure its own reason */
static void test_tu3_outcomes(void **state)
{
    (void)state;
    const struct core_run *r = outcome(DS_HTTP_RESPONSE, 200, 29000);
    assert_int_equal(r->status, DS_RUN_PENDING);
    r = outcome(DS_HTTP_RESPONSE, 201, 100);
    assert_int_equal(r->status, DS_RUN_PENDING);
    r = outcome(DS_HTTP_RESPONSE, 202, 100);
    assert_int_equal(r->reason, DS_REASON_TRIGGER_BAD_STATUS);
    assert_non_null(strstr(r->detail, "answered 202"));
    r = outcome(DS_HTTP_RESPONSE, 500, 100);
    assert_int_equal(r->reason, DS_REASON_TRIGGER_BAD_STATUS);
    r = outcome(DS_HTTP_TIMEOUT, 0, 31000);
    assert_int_equal(r->reason, DS_REASON_TRIGGER_TIMEOUT);
    assert_non_null(strstr(r->detail, "within 30 s"));
    r = outcome(DS_HTTP_CONNECT_FAILED, 0, 0);
    assert_int_equal(r->reason, DS_REASON_TRIGGER_CONNECT_FAILED);
    r = outcome(DS_HTTP_TLS_FAILED, 0, 0);
    assert_int_equal(r->reason, DS_REASON_TRIGGER_TLS_FAILED);
    assert_non_null(strstr(r->detail, "fake transport error"));
    assert_int_equal(r->status, DS_RUN_FAILED);
    outcome(DS_HTTP_RESPONSE, 200, 0); /* frees the last fixture */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tu2_url_scheme), cmocka_unit_test(test_ov_config_checks),
        cmocka_unit_test(test_tu1_body),       cmocka_unit_test(test_ov_body_and_headers),
        cmocka_unit_test(test_tu3_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
