#!/usr/bin/env python3
"""Derive tests/sdk/vapi.schema.json from Vapi's published OpenAPI description
(/work/shared/reference/openapi/vapi.openapi.yaml, tryAGI/Vapi 377f175; see
its README): the response schemas the Vapi mock's answers are checked against
in tests/sdk/vapi.test.mjs (Call, CallBatchResponse, TwilioPhoneNumber, PhoneNumberPaginatedResponse,
Campaign, CampaignPaginatedResponse), with
what they reference DEPTH levels deep. Deeper references, descriptions and
examples are dropped (a reference beyond the depth accepts anything): the
check is of the members an SDK user reads, not of the assistant's whole
configuration tree. Run: python3 tests/sdk/derive_vapi_schema.py [yaml]."""
import json, sys, yaml

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference/openapi/vapi.openapi.yaml"
ROOTS = ["Call", "CallBatchResponse", "TwilioPhoneNumber", "PhoneNumberPaginatedResponse",
         "Campaign", "CampaignPaginatedResponse"]
DEPTH = 2
KEEP = {"type", "required", "properties", "items", "enum", "oneOf", "anyOf", "allOf", "$ref",
        "nullable", "additionalProperties", "format"}

spec = yaml.safe_load(open(SRC))
schemas = spec["components"]["schemas"]
out = {}

def strip(node, depth, todo):
    if isinstance(node, list):
        return [strip(x, depth, todo) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        if depth >= DEPTH:
            return {}
        todo.append((name, depth + 1))
        return {"$ref": "#/$defs/" + name}
    res = {}
    for k, v in node.items():
        if k not in KEEP:
            continue
        if k == "properties":
            res[k] = {p: strip(s, depth, todo) for p, s in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            res[k] = strip(v, depth, todo)
        elif k in ("oneOf", "anyOf", "allOf"):
            res[k] = strip(v, depth, todo)
        else:
            res[k] = v
    return res

todo = [(r, 0) for r in ROOTS]
best = {}
while todo:
    name, depth = todo.pop()
    if name in best and best[name] <= depth:
        continue
    best[name] = depth
    more = []
    out[name] = strip(schemas[name], depth, more)
    todo.extend(more)

json.dump({"source": "vapi.openapi.yaml (tryAGI/Vapi 377f175), derived by tests/sdk/derive_vapi_schema.py",
           "roots": ROOTS, "$defs": dict(sorted(out.items()))}, sys.stdout if False else open(
               __file__.replace("derive_vapi_schema.py", "vapi.schema.json"), "w"), indent=1, sort_keys=False)
