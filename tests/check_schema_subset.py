#!/usr/bin/env python3
"""The catalogue's hand-written schema checker (mocks/schema_check.c) against
python3-jsonschema on the same cases (issue 12).

Cases: hand-written ones for each keyword of the subset, and, for every
request body and query parameter of the three catalogues, a valid value
(openapi_util.make) and its mutations: a required field left out, a wrong
type, a value outside an enum, a bad date-time, a string too long. Each case
goes to tests/schema_tool (the C checker) and to Draft 2020-12 in
python3-jsonschema (after openapi_util.to_json_schema: OpenAPI 3.0's
nullable and boolean bounds, oneOf as anyOf as the C checker reads it); the
verdicts must agree, and where Python names a field (required, type, enum,
format, bounds) the C checker must name the same path.

usage: check_schema_subset.py SCHEMA_TOOL SOURCE_DIR
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_util as ou  # noqa: E402

HAND_DOC = {"components": {"schemas": {
    "Item": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string", "minLength": 2}, "n": {"type": "number", "maximum": 10},
        "kind": {"type": "string", "enum": ["a", "b"], "nullable": True}},
        "additionalProperties": False},
    "Map": {"type": "object", "additionalProperties": {"type": "integer"}},
}}}
R = {"$ref": "#/components/schemas/Item"}
HAND = [
    (R, {"id": "ab"}), (R, {"id": "a"}), (R, {}), (R, {"id": "ab", "x": 1}), (R, {"id": 3}),
    (R, {"id": "ab", "n": 10}), (R, {"id": "ab", "n": 10.5}), (R, {"id": "ab", "kind": None}),
    (R, {"id": "ab", "kind": "c"}), (R, []), (R, None),
    ({"$ref": "#/components/schemas/Map"}, {"a": 1, "b": 2}),
    ({"$ref": "#/components/schemas/Map"}, {"a": 1.5}),
    ({"type": "integer"}, 3), ({"type": "integer"}, 3.0), ({"type": "integer"}, 3.5),
    ({"type": "integer"}, True), ({"type": "number"}, False), ({"type": "boolean"}, 0),
    ({"type": ["string", "null"]}, None), ({"type": ["string", "null"]}, 1),
    ({"type": "string", "nullable": True}, None), ({"type": "string"}, None),
    ({"type": "string", "maxLength": 3}, "héé"), ({"type": "string", "maxLength": 3}, "héééé"),
    ({"type": "string", "format": "date-time"}, "2026-01-01T00:00:00Z"),
    ({"type": "string", "format": "date-time"}, "2026-01-01T00:00:00.123+05:30"),
    ({"type": "string", "format": "date-time"}, "2026-01-01"),
    ({"type": "string", "format": "date-time"}, "2026-02-30T00:00:00Z"),
    ({"type": "string", "format": "uri"}, "not a uri"),
    ({"type": "array", "items": {"type": "string"}, "minItems": 1}, []),
    ({"type": "array", "items": {"type": "string"}, "maxItems": 1}, ["a", "b"]),
    ({"type": "array", "items": {"type": "string"}}, ["a", 2]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, None),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 4),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, 4),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, 4.5),
    ({"allOf": [R, {"required": ["n"]}]}, {"id": "ab"}),
    ({"allOf": [R, {"required": ["n"]}]}, {"id": "ab", "n": 1}),
    ({"const": "x"}, "x"), ({"const": "x"}, "y"), ({"enum": [1, "a"]}, 1), ({"enum": [1, "a"]}, 2),
    ({"type": "number", "minimum": 0, "exclusiveMinimum": True}, 0),
    ({"type": "number", "exclusiveMinimum": 0}, 0), ({"type": "number", "exclusiveMaximum": 5}, 4.9),
    ({"type": "object", "properties": {"a": {"type": "object", "required": ["b"]}}}, {"a": {}}),
]


def py_path(e):
    """The C checker's path for a jsonschema error."""
    p = ""
    for x in e.absolute_path:
        p += "[%d]" % x if isinstance(x, int) else ("." if p else "") + x
    if e.validator == "required":
        name = e.message.split("'")[1]
        p += ("." if p else "") + name
    return p


def mutations(cat, schema, value):
    """(what, value) pairs: the valid value changed one way each."""
    s = ou.deref(cat, schema)
    if "allOf" in s:
        s = ou.flatten(cat, s)
    out = []
    if not isinstance(value, dict):
        return out
    for r in (s.get("required") or [])[:2]:
        if r in value:
            v = dict(value)
            del v[r]
            out.append(("without " + r, v))
    for name, ps in list((s.get("properties") or {}).items())[:40]:
        d = ou.deref(cat, ps)
        t = d.get("type")
        if t == "string":
            v = dict(value)
            v[name] = 12345
            out.append(("%s not a string" % name, v))
            if d.get("enum"):
                v = dict(value)
                v[name] = "not-one-of-them"
                out.append(("%s outside its enum" % name, v))
            if d.get("format") == "date-time":
                v = dict(value)
                v[name] = "yesterday"
                out.append(("%s not a date-time" % name, v))
            if "maxLength" in d:
                v = dict(value)
                v[name] = "x" * (d["maxLength"] + 1)
                out.append(("%s too long" % name, v))
        elif t in ("integer", "number", "boolean", "array", "object"):
            v = dict(value)
            v[name] = "a string"
            out.append(("%s a string" % name, v))
        if len(out) > 8:
            break
    return out


def run_tool(tool, doc, cases):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"doc": doc, "cases": [{"schema": s, "instance": i} for s, i in cases]}, f)
        name = f.name
    try:
        out = subprocess.run([tool, name], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    return json.loads(out)


def compare(tool, cat_name, doc, cases, failures):
    val = ou.Validator(doc)
    got = run_tool(tool, doc, [(s, i) for s, i, _ in cases])
    named = 0
    for (schema, inst, what), c in zip(cases, got):
        errs = val.errors(schema, inst)
        where = "%s: %s" % (cat_name, what)
        if (not errs) != c["valid"]:
            failures.append("%s: python says %s, C says %s (%s)" % (
                where, "valid" if not errs else "invalid: " + errs[0].message[:120],
                "valid" if c["valid"] else "invalid at %s" % c["paths"], json.dumps(inst)[:200]))
            continue
        for e in errs:
            if e.validator in ("required", "type", "enum", "format", "maxLength", "minLength",
                               "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                               "maxItems", "minItems", "const", "additionalProperties"):
                if e.validator == "additionalProperties":
                    continue  # C names the property, Python its object
                named += 1
                if py_path(e) not in c["paths"] and len(c["paths"]) < 16:
                    failures.append("%s: python names %r (%s), C names %s" % (
                        where, py_path(e), e.validator, c["paths"]))
                break
    return named


def main():
    tool, src = sys.argv[1], sys.argv[2]
    failures = []
    n = len(HAND)
    compare(tool, "hand", HAND_DOC, [(s, i, "hand case %d: %s" % (k, json.dumps(i)))
                                      for k, (s, i) in enumerate(HAND)], failures)
    total_named = 0
    for p in ou.PROVIDERS:
        cat = ou.load_catalogue(src, p)
        doc = {"components": cat["components"]}
        cases = []
        for r in cat["routes"]:
            key = r["method"] + " " + r["path"]
            b = r.get("body")
            if b and "json" in (b.get("contentType") or "") and b.get("schema"):
                v = ou.make(cat, b["schema"])
                cases.append((b["schema"], v, key + " body, valid"))
                for what, m in mutations(cat, b["schema"], v):
                    cases.append((b["schema"], m, key + " body " + what))
            for name, q in r["query"].items():
                cases.append((q["schema"], ou.make(cat, q["schema"]), key + " query " + name))
                cases.append((q["schema"], {"not": "a query value"}, key + " query " + name + " an object"))
        n += len(cases)
        total_named += compare(tool, p, doc, cases, failures)
    for f in failures[:60]:
        print("FAIL:", f)
    print("%d cases, %d named errors compared, %d disagreements" % (n, total_named, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
