#!/usr/bin/python3
"""The live mocks port of `dialsim serve` against docs/openapi-mocks.json (the
admin API under /_dialsim/, docs/mocks.md#admin), as check_serve_openapi.py
checks the API port against docs/openapi.json: every answer's status is
documented for its route, it is JSON, and its body validates against the
schema documented for that route and status (JSON Schema 2020-12, as OpenAPI
3.1 uses). Every operation of the document must have been called, with a 2xx
at least once. The server runs with an admin token, so that the 401s are real.

usage: check_serve_admin_openapi.py DIALSIM OPENAPI_JSON
"""

import json
import os
import shutil
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_live  # noqa: E402
import serve_util  # noqa: E402

failures = []

CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [{"id": "good", "project": "acme", "contact_number": "+15551234567",
                "provider": "vapi", "provider_api_key": "vk", "assistant_id": "asst",
                "phone_number_id": "pn-good", "webhook_secret": "whsec"}],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"}],
    "mocks": {
        "vapi": {"keys": ["vk"], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn-good", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": 0.01, "ring_timeout": 0.2,
                 "webhooks": {"secret": "whsec", "delay": 0.01}},
        "pstn": {"call_duration": 0.05,
                 "outcomes": [{"to": "+15550009999", "outcome": "busy"}]},
        "faults": [{"path": "/never", "then": [{"status": 500}]}],
    },
}
TOKEN = "adm-token"
AUTH = {"Authorization": "Bearer " + TOKEN}


def main():
    dialsim, openapi = sys.argv[1], sys.argv[2]
    live = openapi_live.LiveCheck(openapi, failures, (404, 405), '#/components/schemas/Message', formats=False)
    wd = serve_util.workdir("serve-admin-openapi-")
    cfg = serve_util.write_json(os.path.join(wd, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, wd, config=cfg, mocks=True,
                            extra=["--admin-token", TOKEN]).start()

    def call(method, template, path, body=None, expect=None, auth=True):
        status, h, data = srv.request(method, path, body, AUTH if auth else None,
                                      port=srv.mock_port)
        live.check(method, template, status, h, data)
        if expect is not None and status != expect:
            failures.append("%s %s: expected %d, got %d: %s" % (method, path, expect, status,
                                                                json.dumps(data)[:300]))
        return data

    V = {"Authorization": "Bearer vk"}
    call_body = {"assistantId": "asst", "phoneNumberId": "pn-good",
                 "customer": {"number": "+15550001111"}}
    st, _, c = srv.request("POST", "/call", call_body, V, port=srv.mock_port)
    if st != 201:
        failures.append("POST /call: %s %s" % (st, c))
    J, C = "/_dialsim/journal", "/_dialsim/journal/count"
    call("GET", J, J, expect=200)
    call("GET", J, J + "?method=POST&path=/call&body.customer.number=%2B15550001111", expect=200)
    call("GET", J, J + "?nope=1", expect=400)
    call("GET", J, J, auth=False, expect=401)
    call("GET", C, C + "?provider=vapi", expect=200)
    call("GET", C, C + "?status=x", expect=400)
    call("GET", C, C, auth=False, expect=401)
    call("GET", "/_dialsim/stats", "/_dialsim/stats", expect=200)
    call("GET", "/_dialsim/stats", "/_dialsim/stats?x=1", expect=400)
    call("POST", "/_dialsim/stats", "/_dialsim/stats", expect=405)
    call("GET", "/_dialsim/stats", "/_dialsim/stats", auth=False, expect=401)
    VER = "/_dialsim/verify"
    call("POST", VER, VER, {"method": "POST", "path": "/call"}, expect=200)
    call("POST", VER, VER, {"method": "POST", "path": "/cal"}, expect=200)
    call("POST", VER, VER, {"method": "POST", "count": 5}, expect=200)
    call("POST", VER, VER, {"metod": "POST"}, expect=400)
    call("POST", VER, VER, {}, auth=False, expect=401)
    call("GET", VER, VER, expect=405)
    W = "/_dialsim/wait"
    call("POST", W, W, {"match": {"method": "POST", "path": "/call"}, "timeout_ms": 1000}, expect=200)
    call("POST", W, W, {"match": {"path": "/never"}, "timeout_ms": 10}, expect=200)
    call("POST", W, W, {"match": {}, "timeout_ms": -1}, expect=400)
    call("POST", W, W, {"match": {}}, auth=False, expect=401)
    call("GET", W, W, expect=405)
    F = "/_dialsim/faults"
    rule = {"method": "POST", "path": "/call", "then": [{"status": 503, "headers": {"Retry-After": "1"}}]}
    call("GET", F, F, expect=200)
    call("GET", F, F + "?x=1", expect=400)
    call("GET", F, F, auth=False, expect=401)
    added = call("POST", F, F, rule, expect=201)
    call("POST", F, F, {"then": []}, expect=400)
    call("POST", F, F, rule, auth=False, expect=401)
    fid = added.get("id", "f0") if isinstance(added, dict) else "f0"
    call("GET", F + "/{id}", F + "/" + fid, expect=200)
    call("GET", F + "/{id}", F + "/f999", expect=404)
    call("GET", F + "/{id}", F + "/" + fid, auth=False, expect=401)
    call("PATCH", F + "/{id}", F + "/" + fid, {}, expect=405)
    call("DELETE", F + "/{id}", F + "/" + fid, expect=200)
    call("DELETE", F + "/{id}", F + "/" + fid, expect=404)
    call("DELETE", F + "/{id}", F + "/" + fid, auth=False, expect=401)
    call("DELETE", F + "/{id}", F + "/f1", expect=200)  # the config's; reset brings it back
    call("PUT", F, F, [rule], expect=200)
    call("PUT", F, F, {"not": "an array"}, expect=400)
    call("PUT", F, F, [rule], auth=False, expect=401)
    call("DELETE", F, F, expect=200)
    call("DELETE", F, F + "?all=1", expect=400)
    call("DELETE", F, F, auth=False, expect=401)
    O = "/_dialsim/outcomes"
    call("GET", O, O, expect=200)
    call("GET", O, O + "?to=1", expect=400)
    call("GET", O, O, auth=False, expect=401)
    call("POST", O, O, {"to": "+15550001111", "outcome": "answer", "ring": 0.01, "times": 2}, expect=201)
    call("POST", O, O, {"to": "+15550001111", "outcome": "maybe"}, expect=400)
    call("POST", O, O, {}, auth=False, expect=401)
    call("PUT", O, O, [{"to": "+15550001111", "outcome": "voicemail"}], expect=200)
    call("PUT", O, O, [{"outcome": "busy"}], expect=400)
    call("PUT", O, O, [], auth=False, expect=401)
    call("DELETE", O, O, expect=200)
    call("DELETE", O, O + "?x=1", expect=400)
    call("DELETE", O, O, auth=False, expect=401)
    A = "/_dialsim/accounts"
    call("GET", A, A, expect=200)
    call("GET", A, A + "?x=1", expect=400)
    call("GET", A, A, auth=False, expect=401)
    call("POST", A, A, {}, expect=405)
    AP = A + "/{provider}"
    call("GET", AP, A + "/vapi", expect=200)
    call("GET", AP, A + "/twilio", expect=404)
    call("GET", AP, A + "/vapi", auth=False, expect=401)
    call("DELETE", AP, A + "/vapi", expect=405)
    call("PATCH", AP, A + "/vapi", {"credits": 10, "keys": [{"key": "vk", "permissions": ["calls"]}, "vk"]}, expect=200)
    call("PATCH", AP, A + "/vapi", {"credits": -1}, expect=400)
    call("PATCH", AP, A + "/retell", {"phone_numbers": [{"id": "r1", "number": "+15551239999"}]},
         expect=200)
    call("PATCH", AP, A + "/nope", {}, expect=404)
    call("PATCH", AP, A + "/vapi", {}, auth=False, expect=401)
    RS = "/_dialsim/reset"
    call("POST", RS, RS, expect=200)
    call("POST", RS, RS, {"x": 1}, expect=400)
    call("POST", RS, RS, auth=False, expect=401)
    call("GET", RS, RS, expect=405)
    call("DELETE", J, J, expect=200)
    call("DELETE", J, J + "?since=3", expect=400)
    call("DELETE", J, J, auth=False, expect=401)
    call("GET", "/_dialsim/nope", "/_dialsim/nope", expect=404)

    rc = srv.stop()
    if rc != 0:
        failures.append("dialsim serve exited %d after SIGTERM" % rc)
    live.coverage()
    for f in failures:
        print("FAIL:", f)
    if not failures:
        shutil.rmtree(wd, ignore_errors=True)
    print(live.summary())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
