#!/usr/bin/python3
"""Validate scenario files against docs/scenario.schema.json.

Usage:
  /usr/bin/python3 tests/schema/check_schema.py SCHEMA FILE...
  /usr/bin/python3 tests/schema/check_schema.py --expect-invalid SCHEMA FILE...

Needs Debian's python3-jsonschema (>= 4.10, Draft 2020-12), hence /usr/bin/python3.

Prints `ok FILE`, or `invalid FILE: <json path>: <message>` once per error.
Exit codes: 0 all valid; 1 some file invalid; 2 usage error, unreadable schema
or file, a file that is not JSON, or a schema that is not a valid schema.
With --expect-invalid the test is reversed: exit 0 only if EVERY file is
invalid, 1 if some file is valid.
"""
import json
import re
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

USAGE = "usage: check_schema.py [--expect-invalid] SCHEMA FILE..."
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_MESSAGE = 200  # jsonschema quotes the whole offending value; keep lines readable


class Unusable(Exception):
    pass


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f, parse_constant=reject_constant)
    except (OSError, UnicodeDecodeError) as e:
        raise Unusable(f"cannot read: {e}")
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        raise Unusable(f"not JSON: {e}")


def json_path(parts):
    """deque(['steps', 0, 'agent']) -> $.steps[0].agent"""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif IDENT.match(p):
            out += f".{p}"
        else:
            out += "[" + json.dumps(p) + "]"
    return out


def describe(error):
    """The error's message, shortened, with the reasons of each anyOf/oneOf branch."""
    msg = error.message
    if len(msg) > MAX_MESSAGE:
        msg = msg[:MAX_MESSAGE] + "..."
    if error.validator in ("anyOf", "oneOf") and error.context:
        reasons = sorted({e.message for e in error.context})
        msg += " (" + "; ".join(reasons) + ")"
    return msg


def main(argv):
    expect_invalid = bool(argv) and argv[0] == "--expect-invalid"
    if expect_invalid:
        argv = argv[1:]
    if len(argv) < 2 or any(a.startswith("--") for a in argv):
        print(USAGE, file=sys.stderr)
        return 2

    try:
        schema = load(argv[0])
        Draft202012Validator.check_schema(schema)
    except Unusable as e:
        print(f"error {argv[0]}: {e}", file=sys.stderr)
        return 2
    except SchemaError as e:
        print(f"error {argv[0]}: not a valid schema: {json_path(e.absolute_path)}: {e.message}",
              file=sys.stderr)
        return 2
    validator = Draft202012Validator(schema)

    n_valid = n_invalid = n_unusable = 0
    for path in argv[1:]:
        try:
            doc = load(path)
        except Unusable as e:
            print(f"error {path}: {e}")
            n_unusable += 1
            continue
        # A set: the step's if/then branches can repeat an error of the step itself.
        errors = sorted({(json_path(e.absolute_path), describe(e))
                         for e in validator.iter_errors(doc)})
        if not errors:
            print(f"ok {path}")
            n_valid += 1
            continue
        n_invalid += 1
        for where, msg in errors:
            print(f"invalid {path}: {where}: {msg}")

    if n_unusable:
        return 2
    if expect_invalid:
        return 1 if n_valid else 0
    return 1 if n_invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
