#!/usr/bin/python3
"""The live `dialsim serve` against docs/openapi.json.

Starts the server (port 0, :memory:) with a config whose Vapi base URL is a
small fake Vapi on an ephemeral port, calls every route (success and error
cases), and checks each answer: its status is documented for the route, it is
JSON, and the body validates against the schema documented for that route and
status (python3-jsonschema, JSON Schema 2020-12 as OpenAPI 3.1 uses). Every
operation in the document must have been called, with a 2xx at least once.

usage: check_serve_openapi.py DIALSIM OPENAPI_JSON
"""

import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_live  # noqa: E402
import serve_util  # noqa: E402

failures = []


class FakeVapi(BaseHTTPRequestHandler):
    """POST /call → 201 with a call id; GET /call/{id} → the call, queued."""

    def _answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._answer(201, {"id": "call-oa-1", "status": "queued", "type": "outboundPhoneCall"})

    def do_GET(self):
        self._answer(200, {"id": self.path.rsplit("/", 1)[-1], "status": "queued"})

    def log_message(self, *args):
        pass


def main():
    dialsim, openapi = sys.argv[1], sys.argv[2]
    live = openapi_live.LiveCheck(openapi, failures, (404, 405, 503), '#/components/schemas/Errors', formats=True)
    fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeVapi)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    wd = serve_util.workdir("serve-openapi-")
    config = serve_util.write_json(os.path.join(wd, "config.json"), {
        "providers": {"vapi": "http://127.0.0.1:%d" % fake.server_address[1]},
        "projects": [{"id": "p1", "api_key": "k1"}, {"id": "p2", "api_key": "k2"}],
        "agents": [{"id": "7", "project": "p1", "name": "Support", "contact_number": "+15551234567",
                    "provider_api_key": "vapi-key", "assistant_id": "asst-1", "phone_number_id": "pn-1",
                    "webhook_secret": "whsec", "transcript_provider": "custom"}],
        "evaluators": [{"id": "e1", "project": "p1", "phone_number": "+15559870001"}],
    })
    srv = serve_util.Server(dialsim, wd, config=config).start()

    def call(method, template, path, body=None, headers=None, expect=None):
        status, h, data = srv.request(method, path, body=body, headers=headers)
        live.check(method, template, status, h, data)
        if expect is not None and status != expect:
            failures.append("%s %s: expected %d, got %d: %s" % (method, path, expect, status, json.dumps(data)[:300]))
        return data

    def oversized(method, template, path):
        """Headers announcing 2 MiB, no body: 413 at once, then the server closes."""
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "X-CEKURA-API-KEY: k1\r\nContent-Length: 2097152\r\n\r\n" % (method, path)).encode())
        raw = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            raw += d
        s.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        h = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        live.check(method, template, status, h, json.loads(body))
        if status != 413:
            failures.append("%s %s with 2 MiB: expected 413, got %d" % (method, path, status))
        if h.get("connection", "").lower() != "close":
            failures.append("%s %s with 2 MiB: the connection is not closed" % (method, path))

    J = {"Content-Type": "application/json"}
    call("GET", "/health", "/health", expect=200)
    # projects
    call("GET", "/projects", "/projects", expect=200)
    call("POST", "/projects", "/projects", {"id": "p3", "api_key": "k3"}, expect=201)
    call("POST", "/projects", "/projects", {"id": "p3"}, expect=409)
    call("POST", "/projects", "/projects", {"id": 3, "fetch_recordngs": True}, expect=400)
    call("POST", "/projects", "/projects", "id=p4", {"Content-Type": "text/plain"}, expect=415)
    call("POST", "/projects", "/projects", "{\"id\": ", J, expect=400)
    oversized("POST", "/projects", "/projects")
    call("GET", "/projects/{project}", "/projects/p1", expect=200)
    call("GET", "/projects/{project}", "/projects/nope", expect=404)
    call("PATCH", "/projects/{project}", "/projects/p3", {"fetch_recordings": True}, expect=200)
    call("PATCH", "/projects/{project}", "/projects/p3", {"id": "p9"}, expect=400)
    call("PATCH", "/projects/{project}", "/projects/nope", {}, expect=404)
    call("PATCH", "/projects/{project}", "/projects/p3", "{}", {"Content-Type": "text/plain"}, expect=415)
    oversized("PATCH", "/projects/{project}", "/projects/p3")
    # agents
    call("GET", "/agents", "/agents", expect=200)
    a = call("POST", "/agents", "/agents", {"project": "p1", "name": "Sales", "contact_number": "+15551230000",
                                            "provider_api_key": "vapi-key", "assistant_id": "asst-2",
                                            "phone_number_id": "pn-2"}, expect=201)
    agent_id = a["id"] if isinstance(a, dict) else "1"
    call("POST", "/agents", "/agents", {"id": "7", "project": "p1"}, expect=409)
    call("POST", "/agents", "/agents", {"project": "p1", "inbound": "no", "contact_numer": "+1"}, expect=400)
    call("POST", "/agents", "/agents", {"name": "no project"}, expect=400)  # two projects: project required
    call("POST", "/agents", "/agents", "{}", {"Content-Type": "text/html"}, expect=415)
    oversized("POST", "/agents", "/agents")
    call("GET", "/agents/{agent}", "/agents/" + agent_id, expect=200)
    call("GET", "/agents/{agent}", "/agents/nope", expect=404)
    call("PATCH", "/agents/{agent}", "/agents/7", {"contact_number": "+15551234568"}, expect=200)
    call("PATCH", "/agents/{agent}", "/agents/7", {"project": "p2"}, expect=400)
    call("PATCH", "/agents/{agent}", "/agents/nope", {"name": "x"}, expect=404)
    call("PATCH", "/agents/{agent}", "/agents/7", "x", {"Content-Type": "text/plain"}, expect=415)
    oversized("PATCH", "/agents/{agent}", "/agents/7")
    # evaluators
    call("GET", "/evaluators", "/evaluators", expect=200)
    e = call("POST", "/evaluators", "/evaluators", {"project": "p1", "phone_number": "+15559870002",
                                                    "dynamic_variables": {"name": "Ada"}}, expect=201)
    eval_id = e["id"] if isinstance(e, dict) else "1"
    call("POST", "/evaluators", "/evaluators", {"id": "e1", "project": "p1", "phone_number": "+1"}, expect=409)
    call("POST", "/evaluators", "/evaluators", {"project": "p1"}, expect=400)
    call("POST", "/evaluators", "/evaluators", "x", {"Content-Type": "text/plain"}, expect=415)
    oversized("POST", "/evaluators", "/evaluators")
    call("GET", "/evaluators/{evaluator}", "/evaluators/" + eval_id, expect=200)
    call("GET", "/evaluators/{evaluator}", "/evaluators/nope", expect=404)
    call("PATCH", "/evaluators/{evaluator}", "/evaluators/e1", {"dynamic_variables": {"tier": "gold"}}, expect=200)
    call("PATCH", "/evaluators/{evaluator}", "/evaluators/e1", {"dynamic_variables": []}, expect=400)
    call("PATCH", "/evaluators/{evaluator}", "/evaluators/nope", {}, expect=404)
    call("PATCH", "/evaluators/{evaluator}", "/evaluators/e1", "x", {"Content-Type": "text/plain"}, expect=415)
    oversized("PATCH", "/evaluators/{evaluator}", "/evaluators/e1")
    # runs
    r = call("POST", "/runs", "/runs", {"agent": 7, "evaluators": ["e1", eval_id]}, expect=201)
    runs = r["runs"] if isinstance(r, dict) else []
    for run in runs:
        for k in ("outbound_dial_window_opens_at", "outbound_dial_window_seconds", "outbound_dial_window_closes_at"):
            if run.get(k) is None:
                failures.append("POST /runs: %s is %r for a pending run (DW-3)" % (k, run.get(k)))
    run_id = runs[0]["id"] if runs else "none"
    call("POST", "/runs", "/runs", {"agent": "nope", "evaluators": [], "as": "x"}, expect=400)
    call("POST", "/runs", "/runs", "x", {"Content-Type": "text/plain"}, expect=415)
    oversized("POST", "/runs", "/runs")
    call("GET", "/runs", "/runs", expect=200)
    call("GET", "/runs", "/runs?agent=7&status=pending", expect=200)
    call("GET", "/runs/{run}", "/runs/" + run_id, expect=200)
    call("GET", "/runs/{run}", "/runs/nope", expect=404)
    if len(runs) > 1:  # a pending run can be dialled again
        call("POST", "/runs/{run}/redial", "/runs/%s/redial" % runs[1]["id"], expect=200)
    call("POST", "/runs/{run}/redial", "/runs/nope/redial", expect=404)
    # a failed run (inbound agent, AO-2) cannot be re-dialled
    call("PATCH", "/agents/{agent}", "/agents/" + agent_id, {"inbound": True}, expect=200)
    f = call("POST", "/runs", "/runs", {"agent": agent_id, "evaluators": ["e1"]}, expect=201)
    failed = f["runs"][0] if isinstance(f, dict) and f.get("runs") else {}
    if failed.get("status") != "failed" or failed.get("reason") != "agent_inbound_mode":
        failures.append("an inbound agent's run: %s" % json.dumps(failed)[:300])
    call("POST", "/runs/{run}/redial", "/runs/%s/redial" % failed.get("id", "none"), expect=409)
    # provider webhooks: the fake Vapi gave the call id call-oa-1. Its answer
    # reaches the core through serve's HTTP workers, after the 201 of POST
    # /runs: until then a webhook for the call is rightly a 404 (no run has
    # it yet), so wait for the run to name the call (a deadline, not a sleep).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, _, cur = srv.request("GET", "/runs/" + run_id)
        if isinstance(cur, dict) and cur.get("provider_call_id") == "call-oa-1":
            break
        time.sleep(0.005)
    hook = {"message": {"type": "status-update", "status": "in-progress", "call": {"id": "call-oa-1", "status": "in-progress"}}}
    call("POST", "/webhooks/{provider}", "/webhooks/vapi", hook, {"Authorization": "Bearer whsec"}, expect=200)
    call("POST", "/webhooks/{provider}", "/webhooks/vapi", hook, {"Authorization": "Bearer forged"}, expect=401)
    call("POST", "/webhooks/{provider}", "/webhooks/vapi", {"hello": 1}, expect=400)
    call("POST", "/webhooks/{provider}", "/webhooks/nope", hook, expect=404)
    oversized("POST", "/webhooks/{provider}", "/webhooks/vapi")
    # the transcript webhook (seed 001)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = serve_util.transcript(["oa-call-1"], agent_id=7, ended_at=now)
    body["calls"][0]["run_id"] = run_id
    K = {"X-CEKURA-API-KEY": "k1"}
    t = call("POST", "/projects/{project}/transcripts", "/projects/p1/transcripts", body, K, expect=200)
    if isinstance(t, dict) and t.get("calls") and t["calls"][0]["match"] != "matched":
        failures.append("transcript by run_id not matched: %s" % json.dumps(t))
    again = call("POST", "/projects/{project}/transcripts", "/projects/p1/transcripts", body, K, expect=200)
    if again != t:
        failures.append("CI-9: a re-sent request got another answer: %s vs %s" % (again, t))
    bad = serve_util.transcript(["x"], agent_id="7")
    bad["calls"][0]["messages"][0]["role"] = "assistant"
    call("POST", "/projects/{project}/transcripts", "/projects/p1/transcripts", bad, K, expect=400)
    call("POST", "/projects/{project}/transcripts", "/projects/p1/transcripts", body, expect=401)
    call("POST", "/projects/{project}/transcripts", "/projects/nope/transcripts", body, K, expect=404)
    call("POST", "/projects/{project}/transcripts", "/projects/p1/transcripts", "{}",
         {"X-CEKURA-API-KEY": "k1", "Content-Type": "text/plain"}, expect=415)
    oversized("POST", "/projects/{project}/transcripts", "/projects/p1/transcripts")
    call("GET", "/projects/{project}/transcripts/{call_id}", "/projects/p1/transcripts/oa-call-1", expect=200)
    call("GET", "/projects/{project}/transcripts/{call_id}", "/projects/p2/transcripts/oa-call-1", expect=404)
    # the run now carries the transcript's match
    call("GET", "/runs/{run}", "/runs/" + run_id, expect=200)
    # no such route / method
    call("GET", "/nope", "/nope", expect=404)
    call("DELETE", "/agents/{agent}", "/agents/7", expect=405)

    rc = srv.stop(signal.SIGTERM)
    fake.shutdown()
    if rc != 0:
        failures.append("dialsim serve exited %d after SIGTERM" % rc)
    log = srv.log_text()
    if "GET /health 200" not in log:
        failures.append("no request log line for GET /health: %s" % log[-500:])
    live.coverage()
    for f in failures:
        print("FAIL:", f)
    if not failures:
        shutil.rmtree(wd, ignore_errors=True)
    print(live.summary())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
