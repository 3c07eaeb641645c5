#!/usr/bin/python3
"""No body can crash `dialsim serve` (issue 10): JSON nested 100,000 levels
deep, sent to every route that reads a JSON body, on both ports.

jansson parses recursively and CivetWeb 1.15's workers have a 100 KB stack,
so ~900 levels of "[" used to kill the server (SIGSEGV). Now every body is
scanned first (harness/core/json_depth.c) and refused above 64 levels with a
400 in the route's own error shape (docs/api.md#depth):

- API port: POST/PATCH projects, agents, evaluators, POST /runs
  ({"errors":[{line, column, message}]}), POST /webhooks/{provider}
  ({"errors":[{message}]}), the transcript webhook after its key check
  ({"errors":[{line, column, message}]}, docs/transcripts.md), and a
  trigger_call_headers string that holds deep JSON (the core parses it);
- mocks' port: each provider's create-call route in that provider's error
  shape and PUT /_dialsim/faults (trigger endpoints are not served by
  `dialsim serve`: tests/test_faults.c covers mocks/trigger_endpoint.c); the journal still records
  every one of them (the body as text) and a fault rule that matches on JSON
  sees them without crashing.

After each request the server must answer the next ordinary one; at the end
it must still be alive and stop with exit 0. Two bodies per route: "[" *
100000 and '{"a":' * 100000; the 65th bracket is the one refused.

usage: check_serve_depth.py DIALSIM
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

LIMIT = 64
LEVELS = 100000
# (body, column of the bracket that opens level LIMIT + 1)
BODIES = [("[" * LEVELS, LIMIT + 1), ('{"a":' * LEVELS, 5 * LIMIT + 1)]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def sentence(column):
    return "body: JSON nested deeper than %d levels at line 1, column %d" % (LIMIT, column)


CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "good", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn-good",
         "webhook_secret": "whsec"},
    ],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"}],
    "mocks": {
        "vapi": {"keys": ["vk"], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn-good", "number": "+15551234567"}]},
        "retell": {"keys": ["rk"], "agents": ["ragent"],
                   "phone_numbers": [{"id": "rn", "number": "+15551234567"}]},
        "elevenlabs": {"keys": ["xk"], "agents": ["elagent"],
                       "phone_numbers": [{"id": "elpn", "number": "+15551234567"}]},
        # a rule that matches on the body's JSON makes every request's body parsed
        "faults": [{"method": "POST", "path": "/nowhere", "json": {"a": 1},
                    "then": [{"status": 500}]}],
    },
}

JSON_CT = {"Content-Type": "application/json"}


def errors_with_position(column):
    """The API's and the transcript webhook's shape for a body too deep."""
    def ok(j):
        return j == {"errors": [{"line": 1, "column": column, "message": sentence(column)}]}
    return ok


def errors_message_only(column):
    def ok(j):
        return j == {"errors": [{"message": sentence(column)}]}
    return ok


def api_routes():
    """(method, path, headers, expected shape given the column)."""
    auth = dict(JSON_CT, **{"X-CEKURA-API-KEY": "k1"})
    return [
        ("POST", "/projects", JSON_CT, errors_with_position),
        ("PATCH", "/projects/acme", JSON_CT, errors_with_position),
        ("POST", "/agents", JSON_CT, errors_with_position),
        ("PATCH", "/agents/good", JSON_CT, errors_with_position),
        ("POST", "/evaluators", JSON_CT, errors_with_position),
        ("PATCH", "/evaluators/e1", JSON_CT, errors_with_position),
        ("POST", "/runs", JSON_CT, errors_with_position),
        ("POST", "/webhooks/vapi", JSON_CT, errors_message_only),
        ("POST", "/webhooks/retell", JSON_CT, errors_message_only),
        ("POST", "/webhooks/elevenlabs", JSON_CT, errors_message_only),
        ("POST", "/projects/acme/transcripts", auth, errors_with_position),
    ]


def mock_routes():
    def vapi(column):
        return lambda j: j == {"message": sentence(column), "error": "Bad Request",
                               "statusCode": 400}

    def retell(column):
        return lambda j: j == {"status": "error", "message": sentence(column)}

    def elevenlabs(column):
        return lambda j: j == {"detail": {"status": "json_too_deep", "message": sentence(column)}}

    def faults(column):
        return lambda j: j == {"message": sentence(column)}

    return [
        ("POST", "/call", dict(JSON_CT, Authorization="Bearer vk"), vapi),
        ("POST", "/v2/create-phone-call", dict(JSON_CT, Authorization="Bearer rk"), retell),
        ("POST", "/v1/convai/twilio/outbound-call", dict(JSON_CT, **{"xi-api-key": "xk"}),
         elevenlabs),
        ("POST", "/v1/convai/sip-trunk/outbound-call", dict(JSON_CT, **{"xi-api-key": "xk"}),
         elevenlabs),
        ("PUT", "/_dialsim/faults", JSON_CT, faults),
    ]


def alive(srv):
    """Both ports answer an ordinary request."""
    try:
        st, _, h = srv.request("GET", "/health")
        st2, _, _ = srv.request("GET", "/_dialsim/journal?since=0", port=srv.mock_port)
    except OSError as e:
        return "no answer: %s" % e
    if srv.proc.poll() is not None:
        return "the server exited %s" % srv.proc.returncode
    return None if st == 200 and st2 == 200 else "GET /health %s, journal %s" % (st, st2)


def send(srv, method, path, body, headers, port=None):
    try:
        return srv.request(method, path, body=body, headers=headers, port=port)
    except OSError as e:  # the old code: the connection dies with the server
        return None, {}, "no answer (%s)" % e


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-depth-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    try:
        for body, column in BODIES:
            kind = body[:5]
            for method, path, headers, shape in api_routes():
                st, _, j = send(srv, method, path, body, headers)
                check(st == 400 and shape(column)(j), "%s %s (%s...): 400 in the API's shape, got "
                      "%s %.300s" % (method, path, kind, st, json.dumps(j)))
                why = alive(srv)
                if not check(why is None, "after %s %s (%s...): %s" % (method, path, kind, why)):
                    return
            for method, path, headers, shape in mock_routes():
                st, _, j = send(srv, method, path, body, headers, port=srv.mock_port)
                check(st == 400 and shape(column)(j), "%s %s (%s...) on the mocks' port: 400 in "
                      "the route's shape, got %s %.300s" % (method, path, kind, st,
                                                            json.dumps(j)))
                why = alive(srv)
                if not check(why is None, "after %s %s (%s...) on the mocks' port: %s"
                             % (method, path, kind, why)):
                    return

        # deep JSON inside a string field: the core parses trigger_call_headers (OV-2)
        deep = "[" * LEVELS
        st, _, j = send(srv, "PATCH", "/agents/good", json.dumps(
            {"trigger_call_endpoint": "https://example.com/t", "trigger_call_headers": deep}),
            JSON_CT)
        msgs = json.dumps(j)
        check(st == 400 and "trigger_call_headers: JSON nested deeper than 64 levels at line 1, "
              "column 65" in msgs, "PATCH /agents/good with a deep trigger_call_headers: 400 "
              "naming the field, got %s %.300s" % (st, msgs))
        why = alive(srv)
        if not check(why is None, "after a deep trigger_call_headers: %s" % why):
            return

        # the journal kept every mock request, the body as the text it was
        st, _, jr = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
        deep_entries = [e for e in (jr or {}).get("requests", [])
                        if isinstance(e.get("body"), str) and e["body"].startswith(("[[[", '{"a":{'))]
        journalled = [e for e in deep_entries if e["path"] != "/_dialsim/faults"]
        check(len(journalled) == 2 * 4, "the journal records the 4 provider routes twice, "
              "bodies as text: %d" % len(journalled))
        check(all(e["status"] == 400 and len(e["body"]) in (LEVELS, 5 * LEVELS)
                  for e in journalled), "journal entries: status 400, the whole body kept")

        # ordinary requests still work on both ports
        st, _, _ = srv.request("POST", "/projects", {"id": "after", "api_key": "k9"})
        check(st == 201, "POST /projects after the deep bodies: %s" % st)
        st, _, c = srv.request("POST", "/call", {"assistantId": "asst", "phoneNumberId": "pn-good",
                                                  "customer": {"number": "+15550001111"}},
                               headers={"Authorization": "Bearer vk"}, port=srv.mock_port)
        check(st == 201 and c.get("id"), "POST /call after the deep bodies: %s %s" % (st, c))
        # exactly at the limit is JSON like any other: syntax, not depth, is refused
        at = "[" * LIMIT + "]" * LIMIT
        st, _, j = srv.request("POST", "/projects", at, headers=JSON_CT)
        check(st == 400 and j["errors"][0]["message"] == "the body must be a JSON object",
              "64 levels parse: %s %s" % (st, j))
    finally:
        rc = srv.stop()
        check(rc == 0, "dialsim serve exits 0 on SIGTERM after the deep bodies: %s" % rc)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1])
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("ok")
