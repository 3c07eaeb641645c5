#!/usr/bin/python3
"""Check a provider mock's answers against the response schemas derived from
the provider's OpenAPI description (issue 11).

Usage: /usr/bin/python3 check_answers.py DERIVED_JSON ANSWERS_JSON

ANSWERS_JSON: [{"method", "path", "status", "body"}] as the SDK suite
recorded them. An answer whose route or status the description does not
document is counted as unchecked (ElevenLabs documents 200 and 422 only).
Prints one line per mismatch and a summary; exit 0 when all checked answers
match, 1 otherwise. Needs Debian's python3-jsonschema (Draft 2020-12, as
OpenAPI 3.1 schemas are).
"""
import json
import re
import sys

from jsonschema import Draft202012Validator


def template_re(t):
    return re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(t)) + "$")


def main():
    derived = json.load(open(sys.argv[1], encoding="utf-8"))
    answers = json.load(open(sys.argv[2], encoding="utf-8"))
    # literal paths before templates: /batch-calling/workspace is not
    # /batch-calling/{batch_id}
    routes = sorted(((k.split(" ", 1)[0], template_re(k.split(" ", 1)[1]), v, "{" in k)
                     for k, v in derived["routes"].items()), key=lambda r: r[3])
    routes = [r[:3] for r in routes]
    bad = checked = unchecked = 0
    for a in answers:
        per = None
        for m, rx, v in routes:
            if m == a["method"].upper() and rx.match(a["path"]):
                per = v
                break
        schema = per.get(str(a["status"])) if per else None
        if schema is None:
            unchecked += 1
            continue
        checked += 1
        root = dict(schema)
        root["components"] = derived["components"]
        errs = sorted(Draft202012Validator(root).iter_errors(a["body"]), key=lambda e: list(e.path))
        for e in errs[:5]:
            bad += 1
            where = "/".join(str(p) for p in e.path)
            print(f"{a['method']} {a['path']} {a['status']}: at /{where}: {e.message[:300]}")
    print(f"{checked} answers checked, {unchecked} not described, {bad} mismatches")
    sys.exit(1 if bad or not checked else 0)


main()
