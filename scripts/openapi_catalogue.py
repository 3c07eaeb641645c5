#!/usr/bin/env python3
"""Derive the mocks' route catalogue from the providers' OpenAPI descriptions.

usage: scripts/openapi_catalogue.py OPENAPI_DIR OUT_DIR

Reads ../shared/reference/openapi/{vapi.openapi.yaml, retell.openapi.yaml,
elevenlabs.openapi.json} (python3-yaml for the YAML: the binary has no YAML
parser) and writes OUT_DIR/<provider>.json, one per provider, holding only
what the mocks serve: the routes in scope (all of Vapi's and Retell's, and
ElevenLabs' /v1/convai/*), each with its path and query parameters, its JSON
request body schema and its first 2xx answer, and only the component schemas
those reference (transitively). Descriptions, titles and examples other than
the first are dropped to keep the data small; the checker and the answer
builder (mocks/catalogue*.c) read nothing else. docs/catalogue.md names the
sources and their dates.

Where the provider's official SDK disagrees with its description, the SDK
wins: scripts/catalogue_sdk_overrides.json patches the component schemas after
they are read (each patch says which SDK file requires it).

The output is deterministic (sorted keys, compact), so a re-run over the same
descriptions changes no byte.
"""
import json
import os
import sys

import yaml

SOURCES = {
    # provider: (file, path prefix in scope or "", source note)
    "vapi": ("vapi.openapi.yaml", "",
             "tryAGI/Vapi src/libs/Vapi/openapi.yaml 377f175 (2026-06-12)"),
    "retell": ("retell.openapi.yaml", "",
               "tryAGI/RetellAI src/libs/RetellAI/openapi.yaml 4772174 (2026-04-03)"),
    "elevenlabs": ("elevenlabs.openapi.json", "/v1/convai/",
                   "tryAGI/ElevenLabs src/libs/ElevenLabs/openapi.json 5e75192 (2026-08-22)"),
}
METHODS = ("get", "post", "put", "patch", "delete")
# The keywords of the JSON Schema subset mocks/schema_check.c implements;
# anything else is dropped here (and listed on stderr, so a new description
# that uses more is noticed).
KEEP = {"type", "properties", "required", "items", "enum", "const", "format", "$ref",
        "oneOf", "anyOf", "allOf", "additionalProperties", "nullable", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
        "maxItems", "default", "example", "examples", "discriminator"}
# Dropped on purpose (docs/catalogue.md): annotations, and `pattern` (the
# descriptions' patterns are ECMA-262 regexes; POSIX regex.h differs, and a
# mock that refuses what the provider accepts is worse than one that lets a
# malformed string through).
DROP_QUIET = {"description", "title", "deprecated", "readOnly", "writeOnly", "x-stainless-",
              "externalDocs", "xml", "pattern"}


def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            return json.load(f)
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def slim(schema, refs, dropped):
    """The schema with only the kept keywords; every $ref name into refs."""
    if isinstance(schema, list):
        return [slim(s, refs, dropped) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "$ref":
            name = v.rsplit("/", 1)[-1]
            refs.add(name)
            out[k] = "#/components/schemas/" + name
        elif k == "properties":
            out[k] = {p: slim(s, refs, dropped) for p, s in v.items()}
        elif k in ("items", "additionalProperties", "not"):
            out[k] = slim(v, refs, dropped) if isinstance(v, dict) else v
        elif k in ("oneOf", "anyOf", "allOf"):
            out[k] = [slim(s, refs, dropped) for s in v]
        elif k == "examples":
            if isinstance(v, list) and v:
                out["example"] = v[0]
        elif k == "discriminator":
            out[k] = {"propertyName": v.get("propertyName")}
            if "mapping" in v:
                out[k]["mapping"] = {m: "#/components/schemas/" + r.rsplit("/", 1)[-1]
                                     for m, r in v["mapping"].items()}
                refs.update(r.rsplit("/", 1)[-1] for r in v["mapping"].values())
        elif k in KEEP:
            out[k] = v
        elif not any(k.startswith(d) for d in DROP_QUIET) and not k.startswith("x-"):
            dropped.add(k)
    return out


def resolve(doc, obj, kind):
    """A parameter or response given by $ref, resolved once."""
    while isinstance(obj, dict) and "$ref" in obj and not obj["$ref"].startswith(
            "#/components/schemas/"):
        obj = doc["components"][kind][obj["$ref"].rsplit("/", 1)[-1]]
    return obj


def json_schema_of(content):
    """The JSON schema of a content map, and its media type."""
    for ct in ("application/json", "application/json; charset=utf-8"):
        if ct in (content or {}):
            return content[ct].get("schema", {}), ct
    for ct, v in (content or {}).items():
        return v.get("schema", {}), ct
    return None, None


def route(doc, path, method, op, shared_params, refs, dropped):
    r = {"method": method.upper(), "path": path, "operationId": op.get("operationId", "")}
    params = [resolve(doc, p, "parameters") for p in shared_params + op.get("parameters", [])]
    r["pathParams"] = [p["name"] for p in params if p.get("in") == "path"]
    r["query"] = {p["name"]: {"required": bool(p.get("required")),
                              "schema": slim(p.get("schema", {}), refs, dropped)}
                  for p in params if p.get("in") == "query"}
    rb = resolve(doc, op.get("requestBody"), "requestBodies")
    if rb:
        schema, ct = json_schema_of(rb.get("content"))
        r["body"] = {"contentType": ct, "required": bool(rb.get("required")),
                     "schema": slim(schema, refs, dropped)}
    for status in sorted(op.get("responses", {})):
        if not str(status).startswith("2"):
            continue
        resp = resolve(doc, op["responses"][status], "responses")
        schema, ct = json_schema_of(resp.get("content"))
        r["response"] = {"status": int(status), "contentType": ct}
        if schema is not None:
            r["response"]["schema"] = slim(schema, refs, dropped)
        break
    if "response" not in r:
        r["response"] = {"status": 200, "contentType": None}
    return r


def build(provider, src_dir):
    fname, prefix, note = SOURCES[provider]
    doc = load(os.path.join(src_dir, fname))
    refs, dropped = set(), set()
    routes = []
    for path in sorted(doc["paths"]):
        if prefix and not path.startswith(prefix):
            continue
        item = doc["paths"][path]
        for m in METHODS:
            if m in item:
                routes.append(route(doc, path, m, item[m], item.get("parameters", []), refs,
                                    dropped))
    all_schemas = doc.get("components", {}).get("schemas", {})
    schemas, todo = {}, sorted(refs)
    while todo:
        name = todo.pop()
        if name in schemas:
            continue
        more = set()
        schemas[name] = slim(all_schemas[name], more, dropped)
        todo.extend(sorted(more - set(schemas)))
    overrides_path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "catalogue_sdk_overrides.json")
    with open(overrides_path, encoding="utf-8") as f:
        overrides = json.load(f).get(provider, {}).get("schemas", {})
    for name, patch in overrides.items():
        target = schemas[name]  # a patch of a schema not in scope is a mistake: KeyError
        target.setdefault("properties", {}).update(patch.get("properties", {}))
        req = target.setdefault("required", [])
        req.extend(k for k in patch.get("required_add", []) if k not in req)
    if dropped:
        print(f"{provider}: keywords dropped: {sorted(dropped)}", file=sys.stderr)
    return {"provider": provider, "source": note, "openapi": doc.get("openapi"),
            "routes": routes, "components": {"schemas": dict(sorted(schemas.items()))}}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for provider in SOURCES:
        cat = build(provider, src)
        with open(os.path.join(out, provider + ".json"), "w", encoding="utf-8") as f:
            json.dump(cat, f, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
        print(f"{provider}: {len(cat['routes'])} routes, "
              f"{len(cat['components']['schemas'])} schemas", file=sys.stderr)


if __name__ == "__main__":
    main()
