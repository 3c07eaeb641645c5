/* The schema checker (mocks/schema_check.h) as a filter for
 * tests/check_schema_subset.py, which runs python3-jsonschema on the same
 * cases and wants the same verdicts.
 *
 * usage: schema_tool CASES.json
 * CASES.json: {"doc": {"components": {"schemas": {...}}}, "cases": [{"schema": ...,
 * "instance": ...}, ...]}; prints one JSON array: per case {"valid": bool,
 * "paths": [the first errors' paths]}. */
#include <stdio.h>

#include "schema_check.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: schema_tool CASES.json\n");
        return 2;
    }
    json_error_t je;
    json_t *in = json_load_file(argv[1], 0, &je);
    if (!in) {
        fprintf(stderr, "%s:%d:%d: %s\n", argv[1], je.line, je.column, je.text);
        return 2;
    }
    const json_t *doc = json_object_get(in, "doc");
    json_t *out = json_array();
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(in, "cases"), i, c)
    {
        struct schema_errors errs;
        bool ok = schema_check(doc, json_object_get(c, "schema"), json_object_get(c, "instance"),
                               "", NULL, &errs);
        json_t *paths = json_array();
        for (size_t k = 0; k < errs.n; k++)
            json_array_append_new(paths, json_string(errs.e[k].path));
        json_array_append_new(out, json_pack("{s:b,s:o}", "valid", ok, "paths", paths));
    }
    json_dumpf(out, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(out);
    json_decref(in);
    return 0;
}
