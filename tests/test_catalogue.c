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

#include <stdio.h>
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

/* The reference the segment tree must agree with: every route compared
 * with the path, segment by segment (the scan catalogue_match once was). */
static bool scan_fits(const struct cat_route *r, const char *path, struct cat_params *params)
{
    const char *p = path;
    params->n = 0;
    for (size_t k = 0; k < r->n_segs; k++) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (!len ||
            (r->segs[k][0] != '{' && (len != r->seg_len[k] || memcmp(p, r->segs[k], len) != 0)))
            return false;
        if (r->segs[k][0] == '{' && params->n < CAT_MAX_PARAMS) {
            params->p[params->n].name = r->segs[k];
            snprintf(params->p[params->n++].value, sizeof params->p[0].value, "%.*s",
                     (int)(len < 159 ? len : 159), p);
        }
        p += len;
    }
    while (*p == '/')
        p++;
    return !*p;
}

static void check_path(const struct catalogue *c, const char *method, const char *path)
{
    const struct cat_route *want = NULL, *at[64];
    struct cat_params want_p = {0}, scanned;
    size_t n_want = 0;
    for (size_t i = 0; i < c->n_routes; i++) {
        const struct cat_route *r = &c->routes[i];
        if (!scan_fits(r, path, &scanned))
            continue;
        if (n_want < 64)
            at[n_want] = r;
        n_want++;
        if (!strcmp(r->method, method) && (!want || r->n_literal > want->n_literal)) {
            want = r;
            want_p = scanned;
        }
    }
    bool known;
    struct cat_params p;
    const struct cat_route *got = catalogue_match(c, method, path, &p, &known);
    if (got != want)
        fail_msg("%s %s %s: %s, want %s", c->provider, method, path, got ? got->path : "none",
                 want ? want->path : "none");
    assert_int_equal(known, n_want > 0);
    if (want) { /* the template's parameters, cut to fit as before */
        assert_int_equal(p.n, want_p.n);
        for (size_t i = 0; i < p.n; i++) {
            assert_ptr_equal(p.p[i].name, want_p.p[i].name);
            assert_string_equal(p.p[i].value, want_p.p[i].value);
        }
    }
    const struct cat_route *got_at[64];
    assert_int_equal(catalogue_routes_at(c, path, got_at, 64), n_want);
    for (size_t i = 0; i < n_want && i < 64; i++)
        assert_ptr_equal(got_at[i], at[i]);
}

/* Every template of every provider, its parameters filled with a value and
 * with each literal other templates have in that place (the overlaps: "GET
 * /v1/convai/agents/create" against ".../agents/{agent_id}"), in each
 * method, and with slashes doubled: the tree finds what a scan finds. */
static void tree_finds_what_a_scan_finds(void **state)
{
    (void)state;
    static const char *methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT"};
    size_t checked = 0;
    for (size_t pi = 0; mock_provider_list[pi]; pi++) {
        const struct catalogue *c =
            mock_provider_list[pi]->catalogue ? mock_provider_list[pi]->catalogue() : NULL;
        if (!c)
            continue;
        for (size_t i = 0; i < c->n_routes; i++) {
            const struct cat_route *r = &c->routes[i];
            for (size_t alt = 0; alt <= c->n_routes; alt++) {
                /* alt == n_routes: "x7" for every parameter; else the
                 * literals of route alt where r has parameters */
                const struct cat_route *o = alt < c->n_routes ? &c->routes[alt] : NULL;
                if (o && (o->n_segs != r->n_segs || o == r))
                    continue;
                char path[600] = "";
                size_t len = 0;
                bool changed = !o;
                for (size_t k = 0; k < r->n_segs; k++) {
                    const char *seg = r->segs[k];
                    if (seg[0] == '{') {
                        seg = o && o->segs[k][0] != '{' ? o->segs[k] : "x7";
                        changed |= o && o->segs[k][0] != '{';
                    }
                    len += (size_t)snprintf(path + len, sizeof path - len, "%s/%s",
                                            (k == 1 && i % 3 == 0) ? "/" : "", seg);
                }
                if (!changed)
                    continue;
                for (size_t m = 0; m < 5; m++) {
                    check_path(c, methods[m], path);
                    checked++;
                }
            }
        }
        check_path(c, "GET", "/");
        char longp[400] = "/call/";
        memset(longp + 6, 'q', 300);
        check_path(c, "GET", longp);
        check_path(c, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o");
    }
    print_message("checked %zu paths\n", checked);
    assert_true(checked > 1000);
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
        cmocka_unit_test(tree_finds_what_a_scan_finds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
