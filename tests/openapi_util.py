"""Shared by the catalogue tests (check_catalogue_walk.py, check_schema_subset.py):
the catalogue's OpenAPI 3.0/3.1 schemas as JSON Schema for python3-jsonschema,
and request bodies made from them. Standard library and Debian's
python3-jsonschema only.
"""

import datetime
import json
import os
import re

import jsonschema

PROVIDERS = ("vapi", "retell", "elevenlabs")


def load_catalogue(src, provider):
    with open(os.path.join(src, "mocks", "data", provider + ".json"), encoding="utf-8") as f:
        return json.load(f)


def to_json_schema(s):
    """OpenAPI 3.0's nullable and boolean exclusive bounds as JSON Schema says
    them (a copy); 3.1's schemas pass unchanged."""
    if isinstance(s, list):
        return [to_json_schema(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k == "properties":
            out[k] = {p: to_json_schema(x) for p, x in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            out[k] = to_json_schema(v)
        elif k == "oneOf":
            # checked as anyOf, as mocks/schema_check.c does (docs/catalogue.md)
            out["anyOf"] = [to_json_schema(x) for x in v]
        elif k in ("anyOf", "allOf"):
            out[k] = [to_json_schema(x) for x in v]
        elif k in ("discriminator", "example", "nullable", "exclusiveMinimum", "exclusiveMaximum"):
            continue
        elif k == "schemas" and isinstance(v, dict):
            out[k] = {n: to_json_schema(x) for n, x in v.items()}
        elif k == "components":
            out[k] = to_json_schema(v)
        else:
            out[k] = v
    if s.get("nullable") is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
    for k, base in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        v = s.get(k)
        if v is True and base in out:
            out[k] = out.pop(base)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = v
    return out


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


def is_date_time(v):
    """RFC 3339's date-time: its shape, and a real instant (datetime checks
    the calendar). Debian's python3-jsonschema checks date-time only with
    rfc3339-validator, which Debian 12 does not package; this is
    independent of the C checker all the same."""
    if not isinstance(v, str):
        return True
    if not RFC3339.match(v):
        return False
    t = v.upper().replace("Z", "+00:00")
    t = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], t)
    try:
        datetime.datetime.fromisoformat(t.replace(":60", ":59"))
        return True
    except ValueError:
        return False


def format_checker():
    fc = jsonschema.FormatChecker(formats=[])
    fc.checks("date-time")(is_date_time)
    return fc


class Validator:
    """Validates values against schemas of one catalogue (its $refs resolved)."""

    def __init__(self, cat):
        self.components = to_json_schema(cat["components"])
        self.checker = format_checker()

    def errors(self, schema, value):
        root = dict(to_json_schema(schema))
        root["components"] = self.components
        v = jsonschema.Draft202012Validator(root, format_checker=self.checker)
        return sorted(v.iter_errors(value), key=lambda e: list(e.absolute_path))

    def valid(self, schema, value):
        return not self.errors(schema, value)


def deref(cat, s):
    for _ in range(32):
        if not isinstance(s, dict) or "$ref" not in s:
            return s
        s = cat["components"]["schemas"][s["$ref"].rsplit("/", 1)[-1]]
    return s


def flatten(cat, s):
    """allOf's branches as one object schema: properties and required merged."""
    props, req, other = {}, [], {}
    for b in s.get("allOf", []) + [{k: v for k, v in s.items() if k != "allOf"}]:
        b = deref(cat, b)
        if "allOf" in b:
            b = flatten(cat, b)
        props.update(b.get("properties", {}))
        req += [r for r in b.get("required", []) if r not in req]
        other.update({k: v for k, v in b.items() if k not in ("properties", "required", "allOf")})
    out = dict(other)
    if props:
        out["properties"] = props
    if req:
        out["required"] = req
    if props or req:
        out["type"] = "object"
    return out


def make(cat, s, depth=0, name=""):
    """A small value valid against s: required properties only, the first
    branch of a oneOf/anyOf that is not null, examples where they fit."""
    s = deref(cat, s)
    if not isinstance(s, dict):
        return {}
    if "const" in s:
        return s["const"]
    if s.get("enum"):
        return next((e for e in s["enum"] if e is not None), s["enum"][0])
    if "allOf" in s:
        flat = flatten(cat, s)
        if flat.get("properties") or flat.get("required"):
            return make(cat, flat, depth + 1, name)
        return make(cat, s["allOf"][0], depth + 1, name)
    for key in ("oneOf", "anyOf"):
        if s.get(key):
            for b in s[key]:
                d = deref(cat, b)
                if d.get("type") != "null":
                    return make(cat, b, depth + 1, name)
            return None
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "null")
    if t is None:
        t = "object" if "properties" in s or "required" in s else "array" if "items" in s else None
    ex = s.get("example", s.get("default"))
    if t == "object":
        return {p: make(cat, s.get("properties", {}).get(p, {}), depth + 1, p)
                for p in s.get("required", []) if depth < 24}
    if t == "array":
        return [make(cat, s.get("items", {}), depth + 1) for _ in range(s.get("minItems", 0))]
    if t == "string":
        if s.get("format") == "date-time":
            return "2026-01-01T00:00:00Z"
        if isinstance(ex, str):
            return ex
        n = s.get("minLength", 0)
        v = "x" * n if n > 6 else "string"
        return v[: s["maxLength"]] if "maxLength" in s else v
    if t in ("integer", "number"):
        if isinstance(ex, (int, float)) and not isinstance(ex, bool):
            return ex
        lo = s.get("minimum", 0)
        em = s.get("exclusiveMinimum")
        if isinstance(em, (int, float)) and not isinstance(em, bool):
            lo = max(lo, int(em) + 1)
        elif em is True:
            lo += 1
        return int(lo) if t == "integer" else lo
    if t == "boolean":
        return ex if isinstance(ex, bool) else False
    if t == "null":
        return None
    return ex if ex is not None else "string"


# ---- what the generic handler does with a route (mocks/catalogue_serve.c) ----

VERBS = ("create-", "get-", "list-", "update-", "delete-")


def collection_of(path, params=None):
    """(collection, item, verb) as catalogue_serve.c's collection_of."""
    segs = [x for x in path.split("/") if x]
    item = bool(segs) and segs[-1].startswith("{")
    last = len(segs) - 1 if item else len(segs)
    verb, out, pi = "", "", 0
    for k in range(last):
        seg = segs[k]
        if k == 0 and seg[0] == "v" and seg[1:].isdigit():
            continue
        if k == last - 1 and not item and seg == "create":
            verb = "create-"
            break
        buf = seg
        if seg.startswith("{"):
            if params is not None and pi < len(params):
                buf = params[pi]
            pi += 1
        elif k == last - 1:
            for v in VERBS:
                if buf.startswith(v) and len(buf) > len(v):
                    verb, buf = v, buf[len(v):]
                    break
        if (k == last - 1 or (k == last - 2 and segs[last - 1] == "create")) and len(buf) > 1 and buf.endswith("s"):
            buf = buf[:-1]
        out += "/" + buf
    return out, item, verb


def op_of(cat, route):
    key, item, verb = collection_of(route["path"])
    m = route["method"]
    if verb == "list-":
        return "list"
    if item:
        return {"GET": "read", "PATCH": "update", "PUT": "update", "DELETE": "delete"}.get(m, "action")
    if m == "POST" and verb in ("create-", ""):
        for r in cat["routes"]:
            k2, it2, _ = collection_of(r["path"])
            if it2 and k2 == key and r["method"] == "GET":
                return "create"
    if m == "GET" and verb in ("", "get-"):
        return "list"
    return "action"


def creatable(cat, route):
    key = collection_of(route["path"])[0]
    return any(r["method"] == "POST" and op_of(cat, r) == "create" and collection_of(r["path"])[0] == key
               for r in cat["routes"])


def taken_over(src, provider):
    """The routes a provider module serves itself (its ops' routes[] list)."""
    import re
    with open(os.path.join(src, "mocks", "mock_%s_ops.c" % provider), encoding="utf-8") as f:
        text = f.read()
    block = text[text.index("routes[] = {"):]
    block = block[: block.index("NULL}")]
    return set(re.findall(r'"([A-Z]+ /[^"]*)"', block))
