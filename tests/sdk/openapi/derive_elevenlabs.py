#!/usr/bin/python3
"""Derive the response schemas of the routes dialsim's ElevenLabs mock serves
from ElevenLabs' published OpenAPI description (issue 11).

Usage: derive_elevenlabs.py OPENAPI_JSON > elevenlabs.answers.json

Source: ../shared/reference/openapi/elevenlabs.openapi.json, the tryAGI/ElevenLabs
mirror (src/libs/ElevenLabs/openapi.json, 5e75192, 2026-08-22). The output,
committed next to this script, holds for each "METHOD /path/{template}" the
JSON schema of every documented status, and the components they reference
(the closure of their $refs), so that check_answers.py can validate an answer
without the 300-path document. Rerun it when the description is updated.
"""
import json
import sys

ROUTES = [
    ("post", "/v1/convai/twilio/outbound-call"),
    ("post", "/v1/convai/sip-trunk/outbound-call"),
    ("get", "/v1/convai/conversations"),
    ("get", "/v1/convai/conversations/{conversation_id}"),
    ("delete", "/v1/convai/conversations/{conversation_id}"),
    ("get", "/v1/convai/phone-numbers"),
    ("post", "/v1/convai/phone-numbers"),
    ("get", "/v1/convai/phone-numbers/{phone_number_id}"),
    ("patch", "/v1/convai/phone-numbers/{phone_number_id}"),
    ("delete", "/v1/convai/phone-numbers/{phone_number_id}"),
    ("post", "/v1/convai/batch-calling/submit"),
    ("get", "/v1/convai/batch-calling/workspace"),
    ("get", "/v1/convai/batch-calling/{batch_id}"),
]


def refs(node, out):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            out.add(r.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    routes, names = {}, set()
    for method, path in ROUTES:
        op = doc["paths"][path][method]
        per = {}
        for status, resp in op["responses"].items():
            js = resp.get("content", {}).get("application/json", {}).get("schema")
            if js is not None:
                per[status] = js
                refs(js, names)
        routes[f"{method.upper()} {path}"] = per
    todo, seen = list(names), set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        more = set()
        refs(schemas[n], more)
        todo.extend(more - seen)
    out = {
        "source": "elevenlabs.openapi.json (tryAGI/ElevenLabs 5e75192, 2026-08-22), "
                  "derived by tests/sdk/openapi/derive_elevenlabs.py",
        "routes": routes,
        "components": {"schemas": {n: schemas[n] for n in sorted(seen)}},
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
