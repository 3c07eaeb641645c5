#!/usr/bin/python3
"""`dialsim serve` with "mocks" in its config (docs/mocks.md): the provider
mocks in real time, on a port of their own, for a user's own test suite.

- runs through the mocked Vapi end to end: a phone number that dials from the
  agent's contact_number completes (AO-1, AO-3); one that dials from another
  number ends `timeout caller_id_mismatch` with Vapi's no-answer in the
  diagnosis (AO-3, DW-2), and the provider webhooks reached the core;
- the mocks answer a user's own requests as the providers do: POST /call and
  GET /call/{id} follow the call to `ended, customer-did-not-answer` for a
  number that is no evaluator's line; a wrong key gets Vapi's 401 body; a
  provider without an account (Retell here) refuses every key;
- faults apply (the first POST /call answers 500, the next passes), and the
  mock really waits its latency (a lower bound only: no timing goal);
- GET /_dialsim/journal on the mocks' port lists what they received (the
  user's requests and the core's), with ?since=N to page; PUT
  /_dialsim/faults replaces the fault rules while the server runs;
- bad "mocks" in the config stop the start with exit 2 and the JSON path;
- SIGTERM with calls still ringing exits 0.

Everything here is real time by nature (serve has no simulated clock); the
timings are tens of milliseconds and every wait is a poll with a deadline.

usage: check_serve_mocks.py DIALSIM
"""

import json
import functools
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


poll = functools.partial(serve_util.poll, timeout=10.0, failures=failures)


CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "good", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn-good",
         "webhook_secret": "whsec"},
        {"id": "bad", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn-bad",
         "webhook_secret": "whsec", "dial_window_seconds": 1},
        {"id": "ret", "project": "acme", "contact_number": "+15551234567", "provider": "retell",
         "provider_api_key": "rk", "assistant_id": "ragent"},
        {"id": "el", "project": "acme", "contact_number": "+15551234567", "provider": "elevenlabs",
         "provider_api_key": "xk", "assistant_id": "elagent", "phone_number_id": "elpn",
         "webhook_secret": "elsec"},
    ],
    "evaluators": [
        {"id": "e1", "project": "acme", "phone_number": "+15557654321"},
        {"id": "e2", "project": "acme", "phone_number": "+15557654322"},
        {"id": "e3", "project": "acme", "phone_number": "+15557654323"},
        {"id": "e4", "project": "acme", "phone_number": "+15557654324"},
    ],
    "mocks": {
        "vapi": {
            "keys": ["vk"], "agents": ["asst"],
            "phone_numbers": [{"id": "pn-good", "number": "+15551234567"},
                              {"id": "pn-bad", "number": "+15551234568"}],
            "latency": 0.05, "dial_delay": 0.05, "ring_timeout": 0.2,
            "webhooks": {"secret": "whsec", "delay": 0.02},
        },
        "retell": {"keys": ["rk"], "agents": ["ragent"],
                   "phone_numbers": [{"id": "rn", "number": "+15551234567"}],
                   "latency": 0, "dial_delay": 0.05, "webhooks": {"delay": 0.02}},
        "elevenlabs": {"keys": ["xk"], "agents": ["elagent"],
                       "phone_numbers": [{"id": "elpn", "number": "+15551234567"}],
                       "latency": 0, "dial_delay": 0.05,
                       "webhooks": {"secret": "elsec", "delay": 0.02}},
        "pstn": {"call_duration": 0.1},
        "faults": [{"method": "POST", "path": "/call",
                    "header": {"x-test": "fault"},
                    "then": [{"status": 500, "body": {"message": "boom"}}]}],
    },
}


def final_run(srv, run_id):
    def get():
        st, _, r = srv.request("GET", "/runs/" + run_id)
        return r if st == 200 and r["status"] in ("completed", "failed", "timeout") else None
    return poll("run %s to end" % run_id, get)


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-mocks-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    check(srv.mock_port and srv.mock_port != srv.port, "the mocks have a port of their own")

    # --- runs through the mocks, end to end ---
    st, _, a = srv.request("POST", "/runs", {"agent": "good", "evaluators": ["e1"]})
    st2, _, b = srv.request("POST", "/runs", {"agent": "bad", "evaluators": ["e2"]})
    check(st == 201 and st2 == 201, "POST /runs: %s %s" % (st, st2))
    good = final_run(srv, a["runs"][0]["id"]) if st == 201 else None
    bad = final_run(srv, b["runs"][0]["id"]) if st2 == 201 else None
    if good:
        check(good["status"] == "completed" and good["dials"] and good["dials"][0]["answered"],
              "AO-3: a call from the contact_number is answered and the run completes: %s"
              % json.dumps(good))
        check(good["provider_call_id"], "the run names the mocked Vapi call")
    if bad:
        check(bad["status"] == "timeout" and bad["reason"] == "caller_id_mismatch",
              "AO-3: another caller ID: %s" % json.dumps(bad))
        check("customer-did-not-answer" in (bad["diagnosis"] or ""),
              "the diagnosis names Vapi's symptom: %s" % bad["diagnosis"])
        check("+15551234568" in (bad["diagnosis"] or ""), "the diagnosis names the caller ID")

    # --- Retell and ElevenLabs through their mocks, with their signed webhooks ---
    for agent, ev in (("ret", "e3"), ("el", "e4")):
        st, _, r = srv.request("POST", "/runs", {"agent": agent, "evaluators": [ev]})
        run = final_run(srv, r["runs"][0]["id"]) if st == 201 else None
        check(run and run["status"] == "completed" and run["provider"] in ("retell", "elevenlabs"),
              "a %s run through its mock completes: %s" % (agent, json.dumps(run)[:400]))
    # their webhooks reached the core, signed as each provider signs them, and were taken
    for mock in ("retell-webhook", "elevenlabs-webhook"):
        def taken():
            s2, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
            got = [r["status"] for r in j["requests"] if r["mock"] == mock]
            # 200s, and never a refused signature (401)
            return got if 200 in got and 401 not in got else None
        check(poll(mock + " answered 200", taken), "%s: webhooks taken, none refused" % mock)

    # --- a user's own code against the mocks ---
    V = {"Authorization": "Bearer vk"}
    call = {"assistantId": "asst", "phoneNumberId": "pn-good",
            "customer": {"number": "+15550001111"}}
    t0 = time.monotonic()
    st, _, c = srv.request("POST", "/call", call, V, port=srv.mock_port)
    took = time.monotonic() - t0
    check(st == 201 and c.get("status") == "queued", "POST /call: %s %s" % (st, c))
    check(took >= 0.05, "the mock waits its 0.05 s latency (took %.3f s)" % took)
    if st == 201:
        def ended():
            s2, _, cc = srv.request("GET", "/call/" + c["id"], None, V, port=srv.mock_port)
            return cc if s2 == 200 and cc.get("status") == "ended" else None
        cc = poll("the mocked call to end", ended)
        if cc:
            check(cc.get("endedReason") == "customer-did-not-answer",
                  "a number that is no line rings out: %s" % cc.get("endedReason"))
    st, _, e = srv.request("POST", "/call", call, {"Authorization": "Bearer nope"},
                           port=srv.mock_port)
    check(st == 401 and isinstance(e, dict) and "Invalid Key" in e.get("message", ""),
          "a wrong key gets Vapi's 401: %s %s" % (st, e))
    st, _, e = srv.request("POST", "/v2/create-phone-call",
                           {"from_number": "+15551234567", "to_number": "+15557654321"},
                           {"Authorization": "Bearer any"}, port=srv.mock_port)
    check(st == 401 and isinstance(e, dict) and e.get("status") == "error",
          "Retell without an account refuses every key: %s %s" % (st, e))
    # faults: a rule on a header the test sends
    st, _, e = srv.request("POST", "/call", call, dict(V, **{"X-Test": "fault"}),
                           port=srv.mock_port)
    check(st == 500 and e == {"message": "boom"}, "the fault answers first: %s %s" % (st, e))
    st, _, e = srv.request("POST", "/call", call, dict(V, **{"X-Test": "fault"}),
                           port=srv.mock_port)
    check(st == 201, "past its script the fault passes: %s" % st)
    # the journal: what the mocks received, for the user's own assertions
    st, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
    reqs = j.get("requests", []) if isinstance(j, dict) else []
    mine = [r for r in reqs if r["method"] == "POST" and r["path"] == "/call"
            and isinstance(r["body"], dict)
            and r["body"].get("customer", {}).get("number") == "+15550001111"]
    check(st == 200 and [r["status"] for r in mine] == [201, 401, 500, 201],
          "journal: the user's POST /call with their statuses: %s"
          % [(r["status"], r["headers"].get("authorization")) for r in mine])
    check(any(r["path"] == "/call" and r["body"].get("customer", {}).get("number")
              == "+15557654321" for r in reqs if isinstance(r["body"], dict)),
          "journal: the core's own POST /call for run e1")
    check(all(not r["path"].startswith("/_dialsim") for r in reqs), "the journal route is not journalled")
    st, _, j2 = srv.request("GET", "/_dialsim/journal?since=%d" % j.get("next", 0),
                            port=srv.mock_port)
    # only what came after: a webhook of a call still ringing may arrive
    # between the two reads (it did under ThreadSanitizer on a loaded machine)
    nxt = j.get("next", 0)
    later = j2.get("requests", [])
    check(st == 200 and j2.get("next") == nxt + len(later)
          and [r["index"] for r in later] == list(range(nxt, nxt + len(later)))
          and all(r["mock"].endswith("-webhook") for r in later),
          "journal?since=next lists only what came after: %s" % j2)
    st, _, _ = srv.request("GET", "/_dialsim/journal?since=-1", port=srv.mock_port)
    check(st == 400, "journal?since=-1: %s" % st)
    # faults changed while the server runs: PUT /_dialsim/faults
    F = "/_dialsim/faults"
    st, _, r = srv.request("PUT", F, [{"method": "POST", "path": "/call",
                                       "then": [{"status": 503, "body": {"message": "later"}}]}],
                           port=srv.mock_port)
    check(st == 200 and r == {"rules": 1}, "PUT faults: %s %s" % (st, r))
    st1 = srv.request("POST", "/call", call, V, port=srv.mock_port)[0]
    st2 = srv.request("POST", "/call", call, V, port=srv.mock_port)[0]
    check((st1, st2) == (503, 201), "the new rule answers once, then passes: %s %s" % (st1, st2))
    st, _, r = srv.request("PUT", F, '[{"path": "/call", "then": [{"status": 503, "close": true}]}]',
                           {"Content-Type": "application/json"}, port=srv.mock_port)
    check(st == 400 and "body:1:" in r.get("message", "") and
          "[0].then[0]: a step needs exactly one of" in r.get("message", ""),
          "a bad rule: 400 with where and what: %s %s" % (st, r))
    st, _, r = srv.request("PUT", F, '[{"then": ', {"Content-Type": "application/json"},
                           port=srv.mock_port)
    check(st == 400 and r.get("message", "").startswith("body:1:"), "bad JSON: %s %s" % (st, r))
    st, _, r = srv.request("GET", F, port=srv.mock_port)
    check(st == 200 and [x["rule"]["then"][0]["status"] for x in r["rules"]] == [503],
          "GET faults lists the rules PUT set (issue 13): %s %s" % (st, r))
    st, _, r = srv.request("PUT", F, [], port=srv.mock_port)
    check(st == 200 and r == {"rules": 0}, "PUT [] clears: %s %s" % (st, r))
    st = srv.request("POST", "/call", call, dict(V, **{"X-Test": "fault"}), port=srv.mock_port)[0]
    check(st == 201, "the config's rules are gone too after PUT []: %s" % st)

    # SIGTERM with calls still ringing (ring_timeout 0.2 s, just placed)
    rc = srv.stop()
    check(rc == 0, "SIGTERM with calls ringing: exit %s" % rc)

    # --- SIGTERM while a mock waits out a long latency: it answers at once, the
    # server stops (the stop would otherwise wait the 60 s out; stop() gives 10)
    slow = json.loads(json.dumps(CONFIG))
    slow["mocks"]["vapi"]["latency"] = 60
    slow_cfg = serve_util.write_json(os.path.join(work, "slow.json"), slow)
    srv = serve_util.Server(dialsim, work, config=slow_cfg, mocks=True).start()
    got = {}

    def slow_call():
        try:
            got["answer"] = srv.request("POST", "/call", call, V, port=srv.mock_port)[0]
        except Exception as e:  # the connection may be cut: that is fine
            got["answer"] = repr(e)

    t = threading.Thread(target=slow_call)
    t.start()
    poll("the slow request to reach the mock", lambda: any(
        r["path"] == "/call" for r in
        srv.request("GET", "/_dialsim/journal", port=srv.mock_port)[2]["requests"]))
    try:
        rc = srv.stop()
        check(rc == 0, "SIGTERM during a 60 s mock latency: exit %s" % rc)
    except RuntimeError as e:
        failures.append("SIGTERM during a 60 s mock latency: %s" % e)
    t.join(15)
    check("answer" in got, "the slow request was answered or cut, not left hanging")

    # --- bad "mocks": exit 2, and where ---
    for mocks, want in [
        ({"vapi": {"kyes": []}}, 'at mocks.vapi.kyes: unknown key "kyes" (did you mean "keys"?)'),
        ({"pstn": {"faults": [{"to": "+1"}]}}, "at mocks.pstn.faults[0]: a fault needs"),
        ({"customer_backend": {}}, "at mocks.customer_backend: not available in serve mode"),
        ([], "at mocks: expected an object"),
    ]:
        bad_cfg = serve_util.write_json(os.path.join(work, "bad.json"),
                                        dict(CONFIG, mocks=mocks))
        p = subprocess.run([dialsim, "serve", "--port", "0", "--db", ":memory:", "--config",
                            bad_cfg], capture_output=True, text=True, timeout=10)
        check(p.returncode == 2 and want in p.stderr and bad_cfg in p.stderr,
              "bad mocks %s: exit %s, stderr %r" % (json.dumps(mocks), p.returncode, p.stderr))
    p = subprocess.run([dialsim, "serve", "--mock-port", "x"], capture_output=True, text=True,
                       timeout=10)
    check(p.returncode == 2 and "--mock-port needs a number" in p.stderr,
          "--mock-port x: %s %r" % (p.returncode, p.stderr))

    for f in failures:
        print("FAIL: " + f)
    print("serve mocks: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
