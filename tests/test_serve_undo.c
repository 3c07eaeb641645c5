/* Unit tests for harness/serve/serve_undo.c: a create or update of
 * `dialsim serve` that the database refuses is not in effect either
 * (docs/api.md#durability). The store fails on its Nth statement from the
 * write on (store_fail_after), N counting up until the write goes through:
 * after every failure the model (projects, agents, evaluators, the id lists,
 * the automatic id counters) and the database are exactly as before, and the
 * same request then succeeds, with the same automatic id. Run under ASan,
 * nothing leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_internal.h"
#include "sim/evq.h"

struct fixture {
    struct serve s;
    struct evq *q;
    int idc;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(evq_create(&f->q, 1767268800000), 0);
    struct core_env env = {.clock = evq_clock(f->q), .ids = {&srv_ids_ops, &f->s}};
    assert_int_equal(core_create(&f->s.core, &env), 0);
    char err[256];
    assert_int_equal(store_open(&f->s.store, ":memory:", NULL, err, sizeof err), STORE_OK);
    f->s.log = fopen("/dev/null", "w");
    f->s.db_path = strdup(":memory:");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    struct serve *s = &f->s;
    core_destroy(s->core);
    evq_destroy(f->q);
    store_close(s->store);
    srv_model_free(s);
    fclose(s->log);
    free(s->db_path);
    free(f);
    return 0;
}

static int stored_cb(void *ctx, const char *id, const char *body)
{
    json_t *o = ctx;
    json_object_set_new(o, id, json_string(body));
    return 0;
}

/* Everything a write could touch: the model as the API shows it (secrets
 * included), the lists, the counters, and the database's rows. */
static char *snapshot(struct serve *s)
{
    json_t *j = json_object(), *p = json_array(), *a = json_array(), *e = json_array();
    for (size_t i = 0; i < s->n_projects; i++)
        json_array_append_new(p, json_pack("{s:s,s:s?,s:b}", "id", s->projects[i].id, "api_key",
                                           s->projects[i].api_key, "fetch",
                                           s->projects[i].fetch_recordings));
    for (size_t i = 0; i < s->agents.n; i++) {
        const struct core_agent *ag = core_agent_get(s->core, s->agents.v[i]);
        assert_non_null(ag);
        json_t *x = srv_agent_json(ag);
        json_object_set_new(x, "secret", json_string(ag->webhook_secret ? ag->webhook_secret : ""));
        json_array_append_new(a, x);
    }
    for (size_t i = 0; i < s->evaluators.n; i++) {
        const struct core_evaluator *ev = core_evaluator_get(s->core, s->evaluators.v[i]);
        assert_non_null(ev);
        json_array_append_new(e, srv_evaluator_json(ev));
    }
    json_object_set_new(j, "projects", p);
    json_object_set_new(j, "agents", a);
    json_object_set_new(j, "evaluators", e);
    json_object_set_new(
        j, "next", json_pack("[I,I]", (json_int_t)s->next_agent, (json_int_t)s->next_evaluator));
    /* what the core finds, beside the lists: a create undone is gone there too */
    json_object_set_new(j, "core",
                        json_pack("[b,b,b]", core_agent_get(s->core, "1") != NULL,
                                  core_evaluator_get(s->core, "e2") != NULL,
                                  srv_project_find(s, "p2") != NULL));
    static const char *const kinds[] = {"project", "agent", "evaluator"};
    for (size_t k = 0; k < 3; k++) {
        json_t *rows = json_object();
        assert_int_equal(store_config_list(s->store, kinds[k], stored_cb, rows), STORE_OK);
        json_object_set_new(j, kinds[k], rows);
    }
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return text;
}

static int put_json(struct serve *s, const char *kind, const char *id, const char *body,
                    bool create, char *id_out, size_t n)
{
    json_t *o = json_loads(body, 0, NULL), *errors = json_array();
    assert_non_null(o);
    int rc = srv_put_stored(s, kind, id, o, create, errors, id_out, n);
    if (rc == 500) /* only the store fails here */
        assert_non_null(
            strstr(json_string_value(json_object_get(json_array_get(errors, 0), "message")),
                   "could not be stored in the database"));
    json_decref(errors);
    json_decref(o);
    return rc;
}

struct write {
    const char *kind, *id, *body;
    bool create;
    const char *want_id;
};

static void undone_until_stored(struct fixture *f, const struct write *w)
{
    struct serve *s = &f->s;
    char id[300];
    for (unsigned long n = 1;; n++) {
        assert_true(n < 50);
        char *before = snapshot(s);
        store_fail_after(s->store, n);
        int rc = put_json(s, w->kind, w->id, w->body, w->create, id, sizeof id);
        store_fail_after(s->store, 0);
        char *after = snapshot(s);
        if (rc == 0) {
            assert_true(n > 1); /* the write failed at least once before */
            assert_string_not_equal(before, after);
            assert_string_equal(id, w->want_id);
            free(before);
            free(after);
            return;
        }
        assert_int_equal(rc, 500);
        assert_string_equal(before, after); /* nothing half-applied */
        free(before);
        free(after);
    }
}

static void test_failed_writes_are_undone(void **state)
{
    struct fixture *f = *state;
    struct serve *s = &f->s;
    char id[300];
    assert_int_equal(
        put_json(s, "project", NULL, "{\"id\":\"acme\",\"api_key\":\"k1\"}", true, id, sizeof id),
        0);
    assert_int_equal(put_json(s, "agent", NULL,
                              "{\"id\":\"a1\",\"contact_number\":\"+15551230000\","
                              "\"webhook_secret\":\"w1\",\"dial_window_seconds\":60}",
                              true, id, sizeof id),
                     0);
    assert_int_equal(put_json(s, "evaluator", NULL,
                              "{\"id\":\"e1\",\"phone_number\":\"+15557650000\","
                              "\"dynamic_variables\":{\"k\":\"v\"}}",
                              true, id, sizeof id),
                     0);
    static const struct write writes[] = {
        {"project", NULL, "{\"id\":\"p2\",\"api_key\":\"k2\"}", true, "p2"},
        {"project", "acme", "{\"api_key\":null,\"fetch_recordings\":true}", false, "acme"},
        {"agent", NULL, "{\"project\":\"acme\",\"contact_number\":\"+15551239999\"}", true, "1"},
        {"agent", "a1",
         "{\"contact_number\":\"+15551238888\",\"webhook_secret\":null,\"dial_window_seconds\":5,"
         "\"provider\":\"retell\"}",
         false, "a1"},
        {"evaluator", NULL,
         "{\"id\":\"e2\",\"project\":\"acme\",\"phone_number\":\"+15557659999\"}", true, "e2"},
        {"evaluator", "e1", "{\"phone_number\":\"+15557658888\",\"dynamic_variables\":{}}", false,
         "e1"},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        undone_until_stored(f, &writes[i]);
}

/* A refusal of the model (409, 400) is not a failed write: nothing to undo,
 * and the object that is there stays. */
static void test_refusals_touch_nothing(void **state)
{
    struct fixture *f = *state;
    struct serve *s = &f->s;
    char id[300];
    assert_int_equal(
        put_json(s, "project", NULL, "{\"id\":\"acme\",\"api_key\":\"k1\"}", true, id, sizeof id),
        0);
    assert_int_equal(put_json(s, "agent", NULL, "{\"id\":\"a1\"}", true, id, sizeof id), 0);
    char *before = snapshot(s);
    assert_int_equal(put_json(s, "project", NULL, "{\"id\":\"acme\"}", true, id, sizeof id), 409);
    assert_int_equal(put_json(s, "agent", NULL, "{\"id\":\"a1\"}", true, id, sizeof id), 409);
    assert_int_equal(put_json(s, "agent", "a1", "{\"inbound\":\"yes\"}", false, id, sizeof id),
                     400);
    assert_int_equal(put_json(s, "agent", "nope", "{}", false, id, sizeof id), 404);
    char *after = snapshot(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failed_writes_are_undone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_touch_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
