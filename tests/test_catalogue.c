/* Unit tests for the catalogue's generic side: mocks/catalogue_store (objects
 * by collection and id, newest first), catalogue_op (what a route does, from
 * its template) and the provider list (mock_providers.c: which provider a
 * path belongs to, which routes a module keeps). The routes end to end:
 * tests/check_catalogue_walk.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "catalogue.h"
#include "catalogue_serve.h"
#include "catalogue_store.h"
#include "mock_provider.h"

static void store_keeps_order_and_forgets(void **state)
{
    (void)state;
    struct cat_store *s;
    assert_int_equal(cat_store_create(&s), 0);
    assert_int_equal(cat_store_put(s, "/agent", "a", json_pack("{s:i}", "n", 1), 10), 0);
    assert_int_equal(cat_store_put(s, "/agent", "b", json_pack("{s:i}", "n", 2), 20), 0);
    assert_int_equal(cat_store_put(s, "/other", "a", json_object(), 30), 0);
    assert_int_equal(cat_store_count(s), 3);
    json_t *ids = cat_store_ids(s, "/agent");
    assert_int_equal(json_array_size(ids), 2);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), "b"); /* newest first */
    json_decref(ids);
    assert_int_equal(cat_store_created(s, "/agent", "a"), 10);
    /* the same id again replaces, keeps its place */
    assert_int_equal(cat_store_put(s, "/agent", "a", json_pack("{s:i}", "n", 3), 40), 0);
    assert_int_equal(cat_store_count(s), 3);
    assert_int_equal(json_integer_value(json_object_get(cat_store_get(s, "/agent", "a"), "n")), 3);
    json_t *f = cat_store_remove(s, "/agent", "a");
    assert_non_null(f);
    json_decref(f);
    assert_null(cat_store_get(s, "/agent", "a"));
    assert_null(cat_store_remove(s, "/agent", "a"));
    assert_non_null(cat_store_get(s, "/other", "a")); /* collections are apart */
    char id1[96], id2[96];
    cat_store_new_id(s, "", id1, sizeof id1);
    cat_store_new_id(s, "", id2, sizeof id2);
    assert_int_equal(strlen(id1), 36); /* UUID-shaped */
    assert_string_not_equal(id1, id2);
    cat_store_destroy(s);
    cat_store_destroy(NULL);
}

static const struct mock_provider_ops *provider(const char *name)
{
    for (size_t i = 0; mock_provider_list[i]; i++)
        if (!strcmp(mock_provider_list[i]->name, name))
            return mock_provider_list[i];
    fail_msg("no provider %s", name);
    return NULL;
}

/* What a route does, and its collection, for each provider's idiom. */
static void ops_from_templates(void **state)
{
    (void)state;
    static const struct {
        const char *provider, *method, *path, *op, *collection;
    } cases[] = {
        {"vapi", "POST", "/assistant", "create", "/assistant"},
        {"vapi", "GET", "/assistant", "list", "/assistant"},
        {"vapi", "GET", "/assistant/a1", "read", "/assistant"},
        {"vapi", "PATCH", "/assistant/a1", "update", "/assistant"},
        {"vapi", "DELETE", "/assistant/a1", "delete", "/assistant"},
        {"vapi", "POST", "/analytics", "action", "/analytic"}, /* a plural "s", naively */
        {"retell", "POST", "/create-conversation-flow", "create", "/conversation-flow"},
        {"retell", "GET", "/list-conversation-flows", "list", "/conversation-flow"},
        {"retell", "GET", "/get-conversation-flow/f1", "read", "/conversation-flow"},
        {"retell", "POST", "/publish-agent/a1", "action", "/publish-agent"},
        {"elevenlabs", "POST", "/v1/convai/agents/create", "create", "/convai/agent"},
        {"elevenlabs", "GET", "/v1/convai/agents", "list", "/convai/agent"},
        {"elevenlabs", "GET", "/v1/convai/agents/ag1/branches/b1", "read",
         "/convai/agents/ag1/branche"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct catalogue *c = provider(cases[i].provider)->catalogue();
        struct cat_params p;
        const struct cat_route *r = catalogue_match(c, cases[i].method, cases[i].path, &p, NULL);
        if (!r)
            fail_msg("%s %s: no route", cases[i].method, cases[i].path);
        char col[256];
        enum cat_op op = catalogue_op(c, r, &p, col, sizeof col);
        if (strcmp(catalogue_op_name(op), cases[i].op) || strcmp(col, cases[i].collection))
            fail_msg("%s %s: %s in %s, want %s in %s", cases[i].method, cases[i].path,
                     catalogue_op_name(op), col, cases[i].op, cases[i].collection);
    }
}

static void paths_find_their_provider(void **state)
{
    (void)state;
    assert_string_equal(mock_provider_for_path("/call/x")->name, "vapi");
    assert_string_equal(mock_provider_for_path("/assistant")->name, "vapi");
    assert_string_equal(mock_provider_for_path("/v2/phone-number")->name, "vapi");
    assert_string_equal(mock_provider_for_path("/v2/create-phone-call")->name, "retell");
    assert_string_equal(mock_provider_for_path("/list-conversation-flows")->name, "retell");
    assert_string_equal(mock_provider_for_path("/v1/convai/agents")->name, "elevenlabs");
    assert_null(mock_provider_for_path("/trigger/acme"));
    assert_null(mock_provider_for_path("/nothing"));
    assert_true(mock_provider_takes(provider("vapi"), "GET", "/call/{id}"));
    assert_false(mock_provider_takes(provider("vapi"), "GET", "/assistant/{id}"));
    assert_false(mock_provider_takes(provider("vapi"), "PUT", "/call/{id}"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_keeps_order_and_forgets),
        cmocka_unit_test(ops_from_templates),
        cmocka_unit_test(paths_find_their_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
