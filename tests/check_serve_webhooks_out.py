#!/usr/bin/python3
"""`dialsim serve`: the mocks send provider webhooks to the user's own server
(docs/mocks.md#webhooks-to-your-server) when `mocks.<provider>.webhooks.url`
names one:

- a call placed through the Vapi mock brings its status updates and its
  end-of-call report to a local receiver, with Vapi's secret header; the
  journal lists each delivery with the URL as its path, the status and the
  receiver's answer;
- Retell retries a webhook the receiver refuses (500, then 200), re-signed,
  as Retell does (3 times at most);
- a receiver that is not there is journalled with status 0 and the reason;
- SIGTERM with webhooks in flight to a receiver that never answers exits 0
  at once (they are cut short).

Real time by nature: every wait is a deadline, no fixed sleep.

usage: check_serve_webhooks_out.py DIALSIM
"""

import http.server
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


class Receiver:
    """A user's webhook server on 127.0.0.1; statuses: what to answer, in turn
    (the last one repeats)."""

    def __init__(self, statuses=(200,), hang=False):
        self.got = []
        self.cv = threading.Condition()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.cv:
                    outer.got.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                      "body": json.loads(body)})
                    n = len(outer.got)
                    outer.cv.notify_all()
                if hang:
                    time.sleep(30)  # a server that never answers (cut short by the stop)
                st = statuses[min(n, len(statuses)) - 1]
                out = json.dumps({"received": n}).encode()
                self.send_response(st)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.url = "http://127.0.0.1:%d/hooks" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def wait(self, pred, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cv:
            while not pred(self.got):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cv.wait(left)
        return True

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def journal(srv):
    _, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
    return j["requests"]


def poll(fn, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.01)
    return None


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-wh-")
    vapi_rx, retell_rx = Receiver(), Receiver(statuses=(500, 200))
    dead = "http://127.0.0.1:%d/nobody" % free_port()
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), {
        "projects": [{"id": "acme", "api_key": "k1"}],
        "mocks": {
            "vapi": {"keys": ["vk"], "agents": ["asst"],
                     "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                     "latency": 0, "dial_delay": 0.02, "ring_timeout": 0.1,
                     "webhooks": {"secret": "vsec", "delay": 0.01, "url": vapi_rx.url}},
            "retell": {"keys": ["rk"], "agents": ["ragent"],
                       "phone_numbers": [{"id": "rn", "number": "+15551234567"}],
                       "latency": 0, "dial_delay": 0.02, "ring_timeout": 0.1,
                       "webhooks": {"delay": 0.01, "retry_after": 0.05, "url": retell_rx.url}},
            "elevenlabs": {"keys": ["xk"], "agents": ["elagent"],
                           "phone_numbers": [{"id": "elpn", "number": "+15551234567"}],
                           "latency": 0, "dial_delay": 0.02, "ring_timeout": 0.1,
                           "webhooks": {"secret": "esec", "delay": 0.01, "url": dead}},
        },
    })
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    try:
        # Vapi: the user's call, its webhooks at the user's server
        st, _, call = srv.request("POST", "/call", {"assistantId": "asst", "phoneNumberId": "pn",
                                                    "customer": {"number": "+15557654321"}},
                                  headers={"Authorization": "Bearer vk"}, port=srv.mock_port)
        check(st == 201, "POST /call: %s" % st)
        ended = vapi_rx.wait(lambda g: any(x["body"]["message"]["type"] == "end-of-call-report" for x in g))
        check(ended, "the end-of-call report reached the user's server: %s" % json.dumps(vapi_rx.got)[:800])
        for x in vapi_rx.got:
            check(x["headers"].get("authorization") == "Bearer vsec" or x["headers"].get("x-vapi-secret") == "vsec",
                  "each Vapi webhook carries the secret: %s" % x["headers"])
            check(x["body"]["message"]["call"]["id"] == call.get("id"), "the webhook names the call")
        hooks = poll(lambda: (lambda l: l if l and all(e["status"] == 200 for e in l) else None)(
            [e for e in journal(srv) if e["mock"] == "vapi-webhook"]))
        check(hooks and all(e["path"] == vapi_rx.url for e in hooks),
              "the journal lists the deliveries with the URL as the path: %s" % json.dumps(hooks)[:600])
        # Retell: refused once, then taken (retried, re-signed)
        st, _, rc = srv.request("POST", "/v2/create-phone-call",
                                {"from_number": "+15551234567", "to_number": "+15557654321",
                                 "override_agent_id": "ragent"},
                                headers={"Authorization": "Bearer rk"}, port=srv.mock_port)
        check(st == 201, "Retell create: %s" % st)
        check(retell_rx.wait(lambda g: len(g) >= 2 and any(x["body"] == g[0]["body"] for x in g[1:])),
              "Retell sent its webhook again after a 500")
        if len(retell_rx.got) >= 2:
            first = retell_rx.got[0]
            again = [x for x in retell_rx.got[1:] if x["body"] == first["body"]]
            check(again, "the refused event came again: %s" % json.dumps([x["body"] for x in retell_rx.got])[:600])
            check(all(x["headers"].get("x-retell-signature") for x in retell_rx.got), "each sending is signed")
        # a sending is journalled as it leaves (status 0) and gets its status when answered
        statuses = poll(lambda: (lambda l: l if len(l) >= 2 and 0 not in l else None)(
            [e["status"] for e in journal(srv) if e["mock"] == "retell-webhook"
             and e["body"] == retell_rx.got[0]["body"]]))
        check(statuses == [500, 200], "the journal has the refused sending and its retry: %s" % statuses)
        # ElevenLabs: nobody listens at the URL
        st, _, _ = srv.request("POST", "/v1/convai/twilio/outbound-call",
                               {"agent_id": "elagent", "agent_phone_number_id": "elpn",
                                "to_number": "+15557654321"},
                               headers={"xi-api-key": "xk"}, port=srv.mock_port)
        check(st == 200, "ElevenLabs outbound call: %s" % st)
        miss = poll(lambda: [e for e in journal(srv) if e["mock"] == "elevenlabs-webhook"] or None)
        check(miss and miss[0]["status"] == 0 and miss[0]["path"] == dead,
              "a webhook nobody takes is journalled with status 0: %s" % json.dumps(miss)[:400])
        # nothing of this reached the core: those calls are the user's
        _, _, runs = srv.request("GET", "/runs")
        check(runs == {"runs": []} or runs.get("runs") == [], "no run was touched: %s" % runs)
    finally:
        rc = srv.stop()
    check(rc == 0, "dialsim serve exited %s" % rc)

    # a receiver that never answers: the stop cuts the POST short
    hang = Receiver(hang=True)
    cfg2 = serve_util.write_json(os.path.join(work, "cfg2.json"), {
        "mocks": {"vapi": {"keys": ["vk"], "agents": ["asst"],
                           "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                           "latency": 0, "dial_delay": 0.02, "ring_timeout": 5,
                           "webhooks": {"delay": 0, "url": hang.url}}}})
    srv = serve_util.Server(dialsim, work, config=cfg2, mocks=True).start()
    srv.request("POST", "/call", {"assistantId": "asst", "phoneNumberId": "pn",
                                  "customer": {"number": "+15557654321"}},
                headers={"Authorization": "Bearer vk"}, port=srv.mock_port)
    check(hang.wait(lambda g: len(g) >= 1), "a webhook reached the hanging receiver")
    t0 = time.monotonic()
    rc = srv.stop(timeout=8)
    took = time.monotonic() - t0
    check(rc == 0 and took < 5, "SIGTERM with a webhook in flight: exit %s in %.1f s" % (rc, took))
    for r in (vapi_rx, retell_rx):
        r.close()
    for f in failures:
        print("FAIL:", f)
    print("serve.webhooks_out: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
