/* Unit tests for mocks/schema_check (the JSON Schema subset of the providers'
 * descriptions), mocks/schema_sample (answers that fit a schema) and
 * mocks/catalogue (route matching). tests/check_schema_subset.py compares
 * the checker with python3-jsonschema on many more cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_data.h"
#include "schema_check.h"
#include "schema_sample.h"

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j)
        fail_msg("bad test JSON: %s: %s", text, je.text);
    return j;
}

static const char *DOC =
    "{\"components\":{\"schemas\":{"
    "\"Customer\":{\"type\":\"object\",\"required\":[\"number\"],"
    "\"properties\":{\"number\":{\"type\":\"string\",\"maxLength\":15},"
    "\"name\":{\"type\":\"string\",\"nullable\":true}}},"
    "\"Call\":{\"type\":\"object\",\"required\":[\"customer\"],"
    "\"properties\":{\"customer\":{\"$ref\":\"#/components/schemas/Customer\"},"
    "\"kind\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
    "\"at\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"n\":{\"type\":\"integer\",\"minimum\":1,\"exclusiveMinimum\":true},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"maxItems\":2}}}}}}";

/* Check text against the Call schema; the first error's path, or "" when valid. */
static const char *first_error(const char *text, bool refuse_unknown, enum schema_err_kind *kind)
{
    static char path[192];
    json_t *doc = J(DOC), *v = J(text);
    json_t *schema = J("{\"$ref\":\"#/components/schemas/Call\"}");
    struct schema_errors errs;
    struct schema_opts o = {refuse_unknown};
    bool ok = schema_check(doc, schema, v, "", &o, &errs);
    snprintf(path, sizeof path, "%s", ok ? "" : errs.e[0].path);
    if (!ok && kind)
        *kind = errs.e[0].kind;
    assert_true(ok == (errs.total == 0));
    json_decref(doc);
    json_decref(v);
    json_decref(schema);
    return path;
}

static void names_the_field(void **state)
{
    (void)state;
    enum schema_err_kind k;
    assert_string_equal(first_error("{\"customer\":{\"number\":\"+1555\"}}", false, NULL), "");
    assert_string_equal(first_error("{}", false, &k), "customer");
    assert_int_equal(k, SE_REQUIRED);
    assert_string_equal(first_error("{\"customer\":{}}", false, &k), "customer.number");
    assert_string_equal(first_error("{\"customer\":{\"number\":5}}", false, &k), "customer.number");
    assert_int_equal(k, SE_TYPE);
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1234567890123456\"}}", false, &k),
                        "customer.number");
    assert_int_equal(k, SE_LENGTH);
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\"},\"kind\":\"c\"}", false, &k),
                        "kind");
    assert_int_equal(k, SE_ENUM);
    assert_string_equal(
        first_error("{\"customer\":{\"number\":\"1\"},\"tags\":[\"x\",3]}", false, &k), "tags[1]");
    assert_string_equal(
        first_error("{\"customer\":{\"number\":\"1\"},\"tags\":[\"x\",\"y\",\"z\"]}", false, &k),
        "tags");
}

static void formats_bounds_nullable(void **state)
{
    (void)state;
    enum schema_err_kind k;
    assert_string_equal(
        first_error("{\"customer\":{\"number\":\"1\"},\"at\":\"2026-12-04T21:31:57.5+01:00\"}",
                    false, NULL),
        "");
    assert_string_equal(
        first_error("{\"customer\":{\"number\":\"1\"},\"at\":\"yesterday\"}", false, &k), "at");
    assert_int_equal(k, SE_FORMAT);
    /* OpenAPI 3.0's boolean exclusiveMinimum: 1 itself is out */
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\"},\"n\":1}", false, &k), "n");
    assert_int_equal(k, SE_RANGE);
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\"},\"n\":2.0}", false, NULL),
                        "");
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\"},\"n\":2.5}", false, NULL),
                        "n");
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\",\"name\":null}}", false, NULL),
                        "");
    assert_false(schema_is_date_time("2026-13-01T00:00:00Z"));
    assert_false(schema_is_date_time("2026-01-01 00:00:00Z"));
    assert_true(schema_is_date_time("2026-01-01T00:00:00z"));
    assert_false(schema_is_date_time("2026-02-29T00:00:00Z"));
    assert_true(schema_is_date_time("2028-02-29T00:00:00Z"));
}

static void unknown_fields_when_refused(void **state)
{
    (void)state;
    enum schema_err_kind k;
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\"},\"bogus\":1}", false, NULL),
                        "");
    assert_string_equal(first_error("{\"customer\":{\"number\":\"1\"},\"bogus\":1}", true, &k),
                        "bogus");
    assert_int_equal(k, SE_UNKNOWN);
}

static void one_of_as_any_of(void **state)
{
    (void)state;
    json_t *doc = J("{}");
    json_t *s = J("{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}},"
                  "{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"string\"}}}]}");
    json_t *both = J("{}"), *none = J("3");
    assert_true(schema_check(doc, s, both, "", NULL, NULL)); /* both branches: still accepted */
    struct schema_errors e;
    assert_false(schema_check(doc, s, none, "", NULL, &e));
    assert_int_equal(e.e[0].kind, SE_COMBO);
    json_decref(doc);
    json_decref(s);
    json_decref(both);
    json_decref(none);
}

/* The sampler's answers pass the checker, and reflect the source. */
static void samples_fit(void **state)
{
    (void)state;
    json_t *doc = J(DOC);
    json_t *schema = J("{\"$ref\":\"#/components/schemas/Call\"}");
    json_t *from = J("{\"customer\":{\"number\":\"+15551234567\",\"extra\":1},\"kind\":\"b\","
                     "\"n\":\"not a number\"}");
    json_t *v = schema_sample(doc, schema, from, 1796420000000);
    struct schema_errors e;
    assert_true(schema_check(doc, schema, v, "", NULL, &e));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(v, "customer"), "number")),
        "+15551234567");
    assert_string_equal(json_string_value(json_object_get(v, "kind")), "b");
    assert_null(json_object_get(json_object_get(v, "customer"), "extra"));
    assert_true(json_integer_value(json_object_get(v, "n")) > 1); /* the source's did not fit */
    json_decref(v);
    v = schema_sample(doc, schema, NULL, 0);
    assert_true(schema_check(doc, schema, v, "", NULL, NULL));
    json_decref(v);
    json_decref(doc);
    json_decref(schema);
    json_decref(from);
}

/* Every route of the compiled-in catalogues: its answer, made from
 * nothing, fits its own response schema. */
static void catalogue_answers_fit(void **state)
{
    (void)state;
    const struct {
        const char *name, *text, *end;
    } cats[] = {{"vapi", dialsim_catalogue_vapi, dialsim_catalogue_vapi_end},
                {"retell", dialsim_catalogue_retell, dialsim_catalogue_retell_end},
                {"elevenlabs", dialsim_catalogue_elevenlabs, dialsim_catalogue_elevenlabs_end}};
    size_t total = 0;
    for (size_t k = 0; k < 3; k++) {
        const struct catalogue *c =
            catalogue_get(cats[k].name, cats[k].text, (size_t)(cats[k].end - cats[k].text));
        assert_non_null(c);
        assert_null(c->doc); /* the index alone until a generic route needs the schemas */
        assert_null(c->routes[0].response);
        c = catalogue_full(c);
        assert_non_null(c);
        assert_non_null(c->doc);
        for (size_t i = 0; i < c->n_routes; i++) {
            const json_t *s = json_object_get(c->routes[i].response, "schema");
            if (!s)
                continue;
            json_t *v = schema_sample(c->doc, s, NULL, 1796420000000);
            struct schema_errors e;
            if (!schema_check(c->doc, s, v, "", NULL, &e))
                fail_msg("%s %s %s: %s", cats[k].name, c->routes[i].method, c->routes[i].path,
                         e.e[0].path);
            json_decref(v);
            total++;
        }
    }
    assert_true(total > 250);
}

static void literal_segments_win(void **state)
{
    (void)state;
    const struct catalogue *c =
        catalogue_get("elevenlabs", dialsim_catalogue_elevenlabs,
                      (size_t)(dialsim_catalogue_elevenlabs_end - dialsim_catalogue_elevenlabs));
    struct cat_params p;
    bool known;
    const struct cat_route *r =
        catalogue_match(c, "POST", "/v1/convai/agent-testing/create", &p, &known);
    assert_non_null(r);
    assert_string_equal(r->path, "/v1/convai/agent-testing/create");
    r = catalogue_match(c, "GET", "/v1/convai/agents/ag-1/branches/br-2", &p, &known);
    assert_non_null(r);
    assert_string_equal(cat_param(&p, "agent_id"), "ag-1");
    assert_string_equal(cat_param(&p, "branch_id"), "br-2");
    assert_null(catalogue_match(c, "PUT", "/v1/convai/agents/ag-1", &p, &known));
    assert_true(known); /* the path exists, with other methods */
    assert_null(catalogue_match(c, "GET", "/v1/convai/no-such", &p, &known));
    assert_false(known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_the_field),
        cmocka_unit_test(formats_bounds_nullable),
        cmocka_unit_test(unknown_fields_when_refused),
        cmocka_unit_test(one_of_as_any_of),
        cmocka_unit_test(samples_fit),
        cmocka_unit_test(catalogue_answers_fit),
        cmocka_unit_test(literal_segments_win),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
