#!/usr/bin/python3
"""Retell's response schemas, from the provider's published OpenAPI description,
for checking every answer the Retell mock gives in tests/sdk/retell.test.mjs.

  retell_schemas.py derive OPENAPI.yaml > tests/sdk/retell.schemas.json
  retell_schemas.py check tests/sdk/retell.schemas.json ANSWERS.json

derive: the routes the mock serves, each with its answers' JSON Schemas by
status, their $refs gathered under $defs, OpenAPI 3.0's `nullable` turned into
JSON Schema's null type. Source: /work/shared/reference/openapi/retell.openapi.yaml
(tryAGI/RetellAI, src/libs/RetellAI/openapi.yaml, 4772174). Where retell-sdk
5.66.1 and the description disagree the SDK wins (docs/providers-confirmed.md):
POST /v3/list-calls (the SDK's; absent from the description) is given as the
SDK's CallListResponse over the description's call object.

check: ANSWERS is [{"route": "POST /v2/create-phone-call", "status": 201,
"body": ...}]; every answer must validate against its route's schema for its
status (an error status the description does not list: Retell's error shape).
Needs Debian's python3-jsonschema; derive needs python3-yaml.
"""
import json
import re
import sys

SERVED = [
    ("post", "/v2/create-phone-call"),
    ("post", "/create-batch-call"),
    ("get", "/v2/get-call/{call_id}"),
    ("post", "/v2/list-calls"),
    ("patch", "/v2/update-call/{call_id}"),
    ("delete", "/v2/delete-call/{call_id}"),
    ("post", "/create-phone-number"),
    ("get", "/get-phone-number/{phone_number}"),
    ("patch", "/update-phone-number/{phone_number}"),
    ("delete", "/delete-phone-number/{phone_number}"),
    ("get", "/v2/list-phone-numbers"),
    ("get", "/list-phone-numbers"),
    ("get", "/get-agent/{agent_id}"),
    ("patch", "/update-agent/{agent_id}"),
    # generic routes of the catalogue (issue 12) the SDK test calls
    ("post", "/create-retell-llm"),
    ("get", "/get-retell-llm/{llm_id}"),
    ("patch", "/update-retell-llm/{llm_id}"),
    ("delete", "/delete-retell-llm/{llm_id}"),
]
# The SDK's /v2 lists (retell-sdk 5.66.1): the description's /list-x array as
# {items, has_more, pagination_key?} (LlmListResponse and its siblings).
V2_LISTS = [
    ("GET /v2/list-retell-llms", "/list-retell-llms"),
    ("POST /v2/list-agents", "/list-agents"),
    ("GET /v2/list-conversation-flows", "/list-conversation-flows"),
]


def fix(node, refs):
    """Rewrite refs to #/$defs/..., nullable to a null type; note refs used."""
    if isinstance(node, list):
        return [fix(x, refs) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("example", "examples", "description"):
            continue
        if k == "$ref":
            name = v.rsplit("/", 1)[1]
            refs.add(name)
            out[k] = "#/$defs/" + name
        else:
            out[k] = fix(v, refs)
    # OpenAPI 3.0's boolean exclusiveMinimum/Maximum: JSON Schema's numbers
    for ex, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if out.get(ex) is True and bound in out:
            out[ex] = out.pop(bound)
        elif out.get(ex) is False:
            del out[ex]
    if out.pop("nullable", False):
        if "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def derive(path):
    import yaml

    doc = yaml.safe_load(open(path))
    comps = doc["components"]
    refs, defs, routes = set(), {}, {}
    for method, p in SERVED:
        op = doc["paths"][p][method]
        answers = {}
        for status, r in op["responses"].items():
            if "$ref" in r:
                r = comps["responses"][r["$ref"].rsplit("/", 1)[1]]
            schema = (r.get("content") or {}).get("application/json", {}).get("schema")
            answers[status] = fix(schema, refs) if schema else None
        routes[method.upper() + " " + p] = answers
    routes["POST /v3/list-calls"] = {
        "200": {
            "type": "object",
            "required": ["items", "has_more"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/$defs/V2CallResponse"}},
                "has_more": {"type": "boolean"},
                "pagination_key": {"type": "string"},
                "total": {"type": "number"},
            },
        }
    }
    refs.add("V2CallResponse")
    for key, base in V2_LISTS:
        items = fix(doc["paths"][base]["get"]["responses"]["200"]["content"]["application/json"]
                    ["schema"]["items"], refs)
        routes[key] = {"200": {"type": "object", "required": ["items", "has_more"],
                               "properties": {"items": {"type": "array", "items": items},
                                              "has_more": {"type": "boolean"},
                                              "pagination_key": {"type": "string"}}}}
    error = fix(comps["responses"]["NotFound"]["content"]["application/json"]["schema"], refs)
    error = dict(error, required=["status", "message"])
    while refs - defs.keys():
        for name in sorted(refs - defs.keys()):
            defs[name] = fix(comps["schemas"][name], refs)
    out = {
        "source": "retell.openapi.yaml (tryAGI/RetellAI src/libs/RetellAI/openapi.yaml 4772174)",
        "error": error,
        "routes": routes,
        "$defs": dict(sorted(defs.items())),
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


def route_of(key, routes):
    method, path = key.split(" ", 1)
    for r in routes:
        m, tmpl = r.split(" ", 1)
        rx = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(tmpl)) + "$"
        if m == method and re.match(rx, path):
            return r
    return None


def check(schemas_path, answers_path):
    from jsonschema import Draft202012Validator

    s = json.load(open(schemas_path))
    bad = 0
    n = 0
    for a in json.load(open(answers_path)):
        r = route_of(a["route"], s["routes"])
        status = str(a["status"])
        if a["status"] >= 400:
            sch = (s["routes"].get(r) or {}).get(status) or s["error"]
        elif r is None:
            print("no route in the description for", a["route"])
            bad += 1
            continue
        else:
            sch = s["routes"][r].get(status)
            if status not in s["routes"][r]:
                print(f"{a['route']}: status {status} not in the description")
                bad += 1
                continue
        n += 1
        if sch is None:
            continue
        v = Draft202012Validator(dict(sch, **{"$defs": s["$defs"]}))
        for e in v.iter_errors(a["body"]):
            print(f"{a['route']} {status}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
            bad += 1
    print(f"{n} answers checked, {bad} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "derive":
        derive(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: retell_schemas.py derive OPENAPI | check SCHEMAS ANSWERS")
