#!/usr/bin/python3
"""The admin API of `dialsim serve`'s mocks port (docs/mocks.md#admin), every
route against a live server, as a user's own test suite uses it:

- the journal: filters (provider, method, path glob, header, body field,
  status, since), unknown parameters and bad values refused with a 400 that
  names them; its count; DELETE clears it (indices go on);
- faults: listed with ids and hit counts, one added (with a response
  header), read, removed, all removed; bad rules refused with where;
- verify: a pattern in, the count out, and the near-miss report (the
  fields that differ) when nothing matched;
- wait: a long-poll that answers when the request arrives (other requests
  are served meanwhile: the world's mutex is not held), and answers
  "matched": false at its time limit; bounds refused;
- accounts: read; credits, keys, the concurrency limit and phone numbers
  changed at run time and the mocks answer accordingly; what cannot change
  is refused;
- outcomes: the next call busy, every call answered after a ring,
  declined...; read and removed;
- reset: journal, faults, outcomes, accounts and the generic routes' objects back to the config;
- --time-scale 0.01: rings, dial delays, latencies, webhook delays and the
  dial window take hundredths of their time, the timestamps stay consistent.

No sleeping: every wait is the server's own long-poll or a poll with a
deadline.

usage: check_serve_admin.py DIALSIM
"""

import json
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "good", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn-good",
         "webhook_secret": "whsec"},
    ],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"}],
    "mocks": {
        "vapi": {
            "keys": ["vk"], "agents": ["asst"],
            "phone_numbers": [{"id": "pn-good", "number": "+15551234567"}],
            "latency": 0, "dial_delay": 0.02, "ring_timeout": 0.3,
            "webhooks": {"secret": "whsec", "delay": 0.01},
            "objects": {"/assistant": [{"id": "seeded-asst", "name": "Seeded"}]},
        },
        "pstn": {"call_duration": 0.05},
        "faults": [{"method": "GET", "path": "/call/*", "header": {"x-test": "cfg"},
                    "then": [{"status": 500, "body": {"message": "cfg"}, "repeat": True}]}],
    },
}

V = {"Authorization": "Bearer vk"}
CUSTOMER = "+15550001111"
CALL = {"assistantId": "asst", "phoneNumberId": "pn-good", "customer": {"number": CUSTOMER}}


def iso_ms(text):
    """ms since the epoch of an ISO 8601 UTC instant ("...Z", with or without ms)."""
    from datetime import datetime
    t = text.replace("Z", "+00:00")
    return int(datetime.fromisoformat(t).timestamp() * 1000)


def time_scale(dialsim, work):
    """--time-scale 0.01: a 60 s ring (Vapi's default), a 2 s dial delay, a 1 s
    latency, a 1 s webhook delay and a 60 s dial window take hundredths of
    that, and the timestamps the answers carry stay those of the scaled clock
    (consistent with each other: the call rang 62 s)."""
    cfgd = json.loads(json.dumps(CONFIG))
    cfgd["agents"].append(dict(cfgd["agents"][0], id="late", phone_number_id="pn-other",
                               dial_window_seconds=60))
    cfgd["mocks"]["vapi"] = {"keys": ["vk"], "agents": ["asst"],
                             "phone_numbers": [{"id": "pn-good", "number": "+15551234567"},
                                               {"id": "pn-other", "number": "+15551234568"}],
                             "latency": 1, "webhooks": {"secret": "whsec", "delay": 1}}
    cfg = serve_util.write_json(os.path.join(work, "scaled.json"), cfgd)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True,
                            extra=["--time-scale", "0.01"]).start()

    def m(method, path, body=None, headers=None):
        return srv.request(method, path, body, headers, port=srv.mock_port)

    t0 = time.monotonic()
    st, _, c = m("POST", "/call", CALL, V)
    took = time.monotonic() - t0
    check(st == 201 and took < 0.5, "a 1 s latency at 0.01 takes ~10 ms: %.3f s" % took)
    st, _, w = m("POST", "/_dialsim/wait",
                 {"match": {"mock": "vapi-webhook", "body": {"message.type": "end-of-call-report"}},
                  "timeout_ms": 20000})
    took = time.monotonic() - t0
    check(st == 200 and w.get("matched")
          and w["request"]["body"]["message"]["endedReason"] == "customer-did-not-answer"
          and 0.5 <= took < 10, "2 s dial delay + 60 s ring at 0.01: %.3f s (%s)" % (took, w))
    st, _, cc = m("GET", "/call/" + c.get("id", "x"), None, V)
    if st == 200:
        rang = iso_ms(cc["endedAt"]) - iso_ms(cc["createdAt"])
        check(abs(rang - 62000) < 1000, "the call's own timestamps: 62 s apart, got %d ms" % rang)
    # the dial window (a caller-ID mismatch: the run waits the window out)
    t0 = time.monotonic()
    st, _, r = srv.request("POST", "/runs", {"agent": "late", "evaluators": ["e1"]})
    run = r["runs"][0] if st == 201 else {}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and run.get("status") not in ("timeout", "completed", "failed"):
        _, _, run = srv.request("GET", "/runs/" + run.get("id", "x"))
        time.sleep(0.01)
    took = time.monotonic() - t0
    check(run.get("status") == "timeout" and took < 10,
          "a 60 s dial window at 0.01 closes in under a second or so: %.3f s %s" % (took, run))
    if run.get("outbound_dial_window_closes_at"):
        span = iso_ms(run["outbound_dial_window_closes_at"]) - iso_ms(run["outbound_dial_window_opens_at"])
        check(span == 60000 and run["outbound_dial_window_seconds"] == 60,
              "DW-3: the window's instants are 60 s apart: %s" % span)
    rc = srv.stop()
    check(rc == 0, "scaled serve exits 0: %s" % rc)


def waiters_bound(dialsim, work):
    """--mock-threads 2: at most one wait at once (half the workers); a second
    is refused at once with 429, and the other worker still serves the
    request the first one waits for."""
    cfg = serve_util.write_json(os.path.join(work, "bound.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True,
                            extra=["--mock-threads", "2"]).start()

    def m(method, path, body=None, headers=None):
        return srv.request(method, path, body, headers, port=srv.mock_port)

    got = {}

    def waiter():
        got["w"] = m("POST", "/_dialsim/wait",
                     {"match": {"headers": {"x-marker": "bound"}}, "timeout_ms": 20000})

    t = threading.Thread(target=waiter)
    t.start()
    refused = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the first wait is in: stats say so
        _, _, st = m("GET", "/_dialsim/stats")
        if st["waits"] == {"waiting": 1, "max": 1}:
            break
    st, _, refused = m("POST", "/_dialsim/wait", {"match": {"path": "/x"}, "timeout_ms": 5000})
    check(st == 429, "the second wait: %s %s" % (st, refused))
    check(refused and "too many waits at once (1" in refused.get("message", ""),
          "a second wait with one allowed: 429 at once: %s" % refused)
    st, _, _ = m("POST", "/call", CALL, dict(V, **{"X-Marker": "bound"}))
    t.join(15)
    check(st == 201 and got.get("w", (0, 0, {}))[2].get("matched"),
          "the request the wait waits for is served meanwhile: %s %s" % (st, got.get("w")))
    check(srv.stop() == 0, "exit 0")


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-admin-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()

    def m(method, path, body=None, headers=None):
        return srv.request(method, path, body, headers, port=srv.mock_port)

    def wait_for(pattern, timeout_ms=5000, since=0, count=1):
        return m("POST", "/_dialsim/wait",
                 {"match": pattern, "timeout_ms": timeout_ms, "since": since, "count": count})

    def call_end(cid):
        """The call's ended reason, waited for through the admin API: the
        end-of-call-report webhook the mocked Vapi sends when it ends."""
        st, _, w = wait_for({"mock": "vapi-webhook",
                             "body": {"message.type": "end-of-call-report",
                                      "message.call.id": cid}})
        if st != 200 or not w.get("matched"):
            return "no end-of-call-report: %s %s" % (st, w)
        return w["request"]["body"]["message"]["endedReason"]

    # --- the journal: filters, count, DELETE ---
    st, _, c1 = m("POST", "/call", CALL, V)
    check(st == 201, "POST /call: %s %s" % (st, c1))
    m("POST", "/call", CALL, {"Authorization": "Bearer wrong"})
    m("GET", "/call/" + c1.get("id", "x"), None, V)
    J = "/_dialsim/journal"
    st, _, j = m("GET", J + "?method=POST&path=/call")
    posts = j["requests"] if st == 200 else []
    check(len(posts) == 2 and all(r["method"] == "POST" and r["path"] == "/call" for r in posts)
          and j["count"] == 2, "journal?method=POST&path=/call: %s %s" % (st, j))
    st, _, j = m("GET", J + "?path=" + urllib.parse.quote("/call/*"))
    check(st == 200 and [r["method"] for r in j["requests"]] == ["GET"],
          "journal?path=/call/* (glob): %s" % j)
    st, _, j = m("GET", J + "?status=401")
    check(st == 200 and len(j["requests"]) == 1
          and j["requests"][0]["headers"]["authorization"] != "Bearer wrong",
          "journal?status=401, the key masked: %s" % j)
    st, _, j = m("GET", J + "?header.Authorization=" + urllib.parse.quote("Bearer vk")
                 + "&body.customer.number=" + urllib.parse.quote(CUSTOMER))
    check(st == 200 and len(j["requests"]) == 1, "journal?header.…&body.…: %s" % j)
    st, _, j = m("GET", J + "?provider=retell")
    check(st == 200 and j["requests"] == [], "journal?provider=retell: nothing: %s" % j)
    st, _, j = m("GET", J + "?provider=vapi&since=1")
    check(st == 200 and [r["index"] for r in j["requests"]][:1] == [1], "since=1: %s" % j)
    for q, want in (("metod=POST", 'unknown query parameter "metod"'),
                    ("since=abc", "since: expected an entry index"),
                    ("status=7000", "status: expected an HTTP status"),
                    ("method=", "method: expected a value")):
        st, _, e = m("GET", J + "?" + q)
        check(st == 400 and want in e.get("message", ""), "journal?%s: %s %s" % (q, st, e))
    st, _, n = m("GET", J + "/count?method=POST&path=/call")
    check(st == 200 and n["count"] == 2, "journal/count?method=POST&path=/call: %s %s" % (st, n))
    st, _, n = m("GET", J + "/count?nope=1")
    check(st == 400 and "nope" in n.get("message", ""), "count?nope: %s" % n)
    _, _, before = m("GET", J)
    st, _, d = m("DELETE", J)
    check(st == 200 and d["cleared"] >= 3, "DELETE journal: %s %s" % (st, d))
    st, _, j = m("GET", J)
    # (a webhook of the call still ringing may come in meanwhile: only those)
    check(st == 200 and j["first"] == d["next"] and d["next"] >= before["next"]
          and j["dropped"] == 0 and all(r["mock"] == "vapi-webhook" for r in j["requests"]),
          "after DELETE: emptied, indices go on, nothing counted as dropped: %s %s" % (d, j))
    st, _, e = m("PUT", J)
    check(st == 405, "PUT journal: %s" % st)

    # --- faults: list, add (with a header), one, remove, all ---
    F = "/_dialsim/faults"
    st, _, fl = m("GET", F)
    check(st == 200 and len(fl["rules"]) == 1 and fl["rules"][0]["id"] == "f1"
          and fl["rules"][0]["hits"] == 0, "GET faults: the config's rule: %s %s" % (st, fl))
    m("GET", "/call/" + c1.get("id", "x"), None, dict(V, **{"X-Test": "cfg"}))
    _, _, fl = m("GET", F)
    check(fl["rules"][0]["hits"] == 1, "its hit count: %s" % fl)
    rule = {"method": "POST", "path": "/call",
            "then": [{"status": 429, "body": {"message": "slow down"},
                      "headers": {"Retry-After": "7", "X-Long": "v" * 600}}]}
    st, _, r = m("POST", F, rule)
    check(st == 201 and r.get("id") == "f2" and r.get("hits") == 0 and r.get("rule") == rule,
          "POST faults: %s %s" % (st, r))
    st, h, e = m("POST", "/call", CALL, V)
    check(st == 429 and h.get("retry-after") == "7", "the rule answers with its header: %s %s" % (st, h))
    # a head longer than the one write_answer builds on the stack
    check(h.get("x-long") == "v" * 600 and e == {"message": "slow down"},
          "a 600-byte header and the body after it: %s %s" % (h.get("x-long"), e))
    st, _, r = m("GET", F + "/f2")
    check(st == 200 and r["hits"] == 1, "GET faults/f2: %s %s" % (st, r))
    st, _, r = m("DELETE", F + "/f2")
    check(st == 200 and r.get("removed") == "f2", "DELETE faults/f2: %s %s" % (st, r))
    st, _, r = m("DELETE", F + "/f2")
    check(st == 404 and "f2" in r.get("message", ""), "DELETE again: %s %s" % (st, r))
    st, _, r = m("POST", F, {"path": "/call", "then": [{"status": 503, "close": True}]})
    check(st == 400 and "then[0]: a step needs exactly one of" in r.get("message", "")
          and r["message"].startswith("body:1:"), "a bad rule: %s %s" % (st, r))
    st, _, r = m("POST", F, {"path": "/call", "then": [{"status": 503, "headers": {"Content-Length": "1"}}]})
    check(st == 400 and "headers.Content-Length" in r.get("message", ""), "a framing header: %s" % r)
    st, _, r = m("POST", F, {"pth": "/call", "then": [{"status": 503}]})
    check(st == 400 and '"pth"' in r.get("message", ""), "an unknown key: %s" % r)
    st, _, r = m("DELETE", F)
    check(st == 200 and r == {"removed": 1}, "DELETE faults: %s %s" % (st, r))
    st, _, r = m("GET", F + "?x=1")
    check(st == 400 and "takes no query" in r.get("message", ""), "faults?x: %s" % r)

    # --- verify, with near misses ---
    m("DELETE", J)
    st, _, c2 = m("POST", "/call", CALL, V)
    check(st == 201, "POST /call: %s" % st)
    st, _, v = m("POST", "/_dialsim/verify",
                 {"method": "POST", "path": "/call", "body": {"customer.number": CUSTOMER}})
    check(st == 200 and v["count"] == 1 and v["ok"] and "near_misses" not in v,
          "verify a match: %s %s" % (st, v))
    st, _, v = m("POST", "/_dialsim/verify",
                 {"method": "POST", "path": "/call", "body": {"customer.number": "+15550001112"}})
    nm = v.get("near_misses", []) if st == 200 else []
    check(st == 200 and v["count"] == 0 and not v["ok"] and nm
          and nm[0]["differences"] == [{"field": "body.customer.number",
                                        "expected": "+15550001112", "actual": CUSTOMER}],
          "verify: the near miss names the field that differs: %s %s" % (st, v))
    check('body.customer.number: expected "+15550001112", got "%s"' % CUSTOMER in v.get("report", ""),
          "the near-miss text: %r" % v.get("report"))
    st, _, v = m("POST", "/_dialsim/verify", {"method": "POST", "path": "/call", "count": 2})
    check(st == 200 and v["count"] == 1 and not v["ok"] and "expected 2" in v["report"],
          "verify with a count: %s" % v)
    st, _, v = m("POST", "/_dialsim/verify", {"methd": "POST"})
    check(st == 400 and '"methd"' in v.get("message", "") and "did you mean" in v["message"],
          "a bad pattern: %s %s" % (st, v))
    st, _, v = m("GET", "/_dialsim/verify")
    check(st == 405, "GET verify: %s" % st)

    # --- wait: a long-poll, the mutex free meanwhile ---
    got = {}

    def waiter():
        got["w"] = wait_for({"method": "POST", "path": "/call",
                             "headers": {"x-marker": "later"}}, timeout_ms=10000)

    t = threading.Thread(target=waiter)
    t.start()
    # the waiter is in before the request: the stats answer while it waits
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and t.is_alive():
        st, _, _ = m("GET", "/_dialsim/stats")
        check(st == 200, "stats while a wait waits: %s" % st)
        break
    st, _, c3 = m("POST", "/call", CALL, dict(V, **{"X-Marker": "later"}))
    t.join(15)
    st, _, w = got.get("w", (0, None, {}))
    check(st == 200 and w.get("matched") and w["request"]["headers"].get("x-marker") == "later",
          "wait answers once the request arrives: %s %s" % (st, w))
    t0 = time.monotonic()
    st, _, w = wait_for({"path": "/never"}, timeout_ms=150)
    took = time.monotonic() - t0
    check(st == 200 and w.get("matched") is False and took >= 0.15 and "report" in w,
          "wait times out with matched false after its limit (%.3f s): %s" % (took, w))
    for body, want in (({"match": {"path": "/x"}, "timeout_ms": 60001}, "body.timeout_ms"),
                       ({"timeout_ms": 10}, "body.match: required"),
                       ({"match": {"path": 3}}, "match.path"),
                       ({"match": {}, "tiemout_ms": 1}, "body.tiemout_ms: unknown key")):
        st, _, e = m("POST", "/_dialsim/wait", body)
        check(st == 400 and want in e.get("message", ""), "wait %s: %s %s" % (body, st, e))

    # --- accounts at run time ---
    st, _, a = m("GET", "/_dialsim/accounts")
    check(st == 200 and a["vapi"]["keys"] == ["vk"] and a["vapi"]["credits"] is None
          and a["retell"] is not None, "GET accounts: %s %s" % (st, a))
    st, _, a = m("PATCH", "/_dialsim/accounts/vapi", {"credits": 0})
    check(st == 200 and a["credits"] == 0, "PATCH credits 0: %s %s" % (st, a))
    st, _, e = m("POST", "/call", CALL, V)
    check(st == 400 and "credits" in json.dumps(e).lower(), "no credits: Vapi refuses: %s %s" % (st, e))
    st, _, a = m("PATCH", "/_dialsim/accounts/vapi", {"credits": None, "keys": ["vk2"],
                                                       "concurrency_limit": 1})
    check(st == 200 and a["credits"] is None and a["keys"] == ["vk2"] and a["concurrency_limit"] == 1,
          "PATCH keys, credits null, concurrency: %s %s" % (st, a))
    st, _, _ = m("POST", "/call", CALL, V)
    check(st == 401, "the old key is refused now: %s" % st)
    st, _, a = m("GET", "/_dialsim/accounts/vapi")
    check(st == 200 and a["keys"] == ["vk2"], "GET accounts/vapi: %s" % a)
    for body, want in (({"latency": 1}, "body.latency: not changed at run time"),
                       ({"credits": "x"}, "credits"),
                       ({"kyes": []}, 'did you mean "keys"')):
        st, _, e = m("PATCH", "/_dialsim/accounts/vapi", body)
        check(st == 400 and want in e.get("message", ""), "PATCH %s: %s %s" % (body, st, e))
    st, _, e = m("GET", "/_dialsim/accounts/twilio")
    check(st == 404, "accounts/twilio: %s" % st)
    m("PATCH", "/_dialsim/accounts/vapi", {"keys": ["vk"], "concurrency_limit": None})
    # phone numbers: read, replaced, and the mock dials from the new one only
    st, _, a = m("GET", "/_dialsim/accounts/vapi")
    check(st == 200 and [(n["id"], n["number"]) for n in a["phone_numbers"]]
          == [("pn-good", "+15551234567")], "the account's numbers, as Vapi lists them: %s" % a)
    st, _, a = m("PATCH", "/_dialsim/accounts/vapi",
                 {"phone_numbers": [{"id": "pn-new", "number": "+15551234569"}]})
    check(st == 200 and [n["id"] for n in a["phone_numbers"]] == ["pn-new"],
          "PATCH phone_numbers: %s %s" % (st, a))
    st, _, e = m("POST", "/call", CALL, V)
    check(st == 400 and "pn-good" in json.dumps(e), "the old number is gone: %s %s" % (st, e))
    st, _, pl = m("GET", "/phone-number", None, V)
    check(st == 200 and [n["id"] for n in pl] == ["pn-new"], "Vapi's own listing agrees: %s" % pl)
    st, _, c = m("POST", "/call", dict(CALL, phoneNumberId="pn-new"), V)
    check(st == 201, "a call from the new number: %s %s" % (st, c))
    if st == 201:  # ended before the outcomes below: its dial would take theirs
        call_end(c["id"])
    st, _, e = m("PATCH", "/_dialsim/accounts/vapi", {"phone_numbers": [{"number": "+1555"}]})
    check(st == 400 and "phone_numbers[0]" in e.get("message", ""), "a number without id: %s" % e)
    st, _, a = m("PATCH", "/_dialsim/accounts/elevenlabs",
                 {"phone_numbers": [{"id": "el1", "number": "+15551230000", "label": "x"}]})
    check(st == 200 and [n.get("phone_number_id") for n in a["phone_numbers"]] == ["el1"],
          "ElevenLabs' numbers, in its shape: %s %s" % (st, a))
    m("PATCH", "/_dialsim/accounts/vapi",
      {"phone_numbers": CONFIG["mocks"]["vapi"]["phone_numbers"]})

    # --- outcomes: the next call busy, then every call answered after a ring ---
    O = "/_dialsim/outcomes"
    st, _, o = m("POST", O, {"to": CUSTOMER, "outcome": "busy", "times": 1})
    check(st == 201 and o["outcomes"] == [{"to": CUSTOMER, "outcome": "busy", "times": 1}],
          "POST outcomes: %s %s" % (st, o))
    st, _, c = m("POST", "/call", CALL, V)
    end = call_end(c["id"]) if st == 201 else (st, c)
    check(end == "customer-busy", "the next call is busy: %s" % (end,))
    st, _, o = m("GET", O)
    check(st == 200 and o["outcomes"] == [], "a next-call outcome is spent: %s" % o)
    st, _, c = m("POST", "/call", CALL, V)
    check(st == 201 and call_end(c["id"]) == "customer-did-not-answer",
          "without an outcome the number rings out")
    st, _, o = m("PUT", O, [{"to": CUSTOMER, "outcome": "answer", "ring": 0.05}])
    check(st == 200 and len(o["outcomes"]) == 1, "PUT outcomes: %s %s" % (st, o))
    for _ in range(2):
        st, _, c = m("POST", "/call", CALL, V)
        end = call_end(c["id"]) if st == 201 else st
        check(end == "customer-ended-call",
              "every call answered after its ring, then hung up: %s" % end)
    st, _, o = m("POST", O, {"to": CUSTOMER, "outcome": "decline", "times": 1})
    st, _, c = m("POST", "/call", CALL, V)
    check(st == 201 and call_end(c["id"]) == "customer-busy", "declined: Vapi says busy (603)")
    st, _, e = m("POST", O, {"to": CUSTOMER, "outcome": "busy", "ring": 2})
    check(st == 400 and "ring" in e.get("message", ""), "ring with busy: %s %s" % (st, e))
    st, _, e = m("POST", O, {"to": CUSTOMER, "outcome": "hangup"})
    check(st == 400 and "outcome" in e.get("message", ""), "an unknown outcome: %s %s" % (st, e))
    st, _, o = m("DELETE", O)
    check(st == 200 and o == {"removed": 1}, "DELETE outcomes: %s %s" % (st, o))

    # --- reset: everything back to the config ---
    st, _, made = m("POST", "/assistant", {"name": "made before the reset"}, V)
    check(st == 201 and made.get("id"), "an assistant through the generic route: %s %s" % (st, made))
    st, _, _ = m("DELETE", "/assistant/seeded-asst", None, V)
    check(st == 200, "the seeded assistant deleted: %s" % st)
    m("POST", F, rule)
    m("POST", O, {"to": CUSTOMER, "outcome": "fail"})
    m("PATCH", "/_dialsim/accounts/vapi", {"credits": 3, "keys": ["other"],
                                            "phone_numbers": []})
    st, _, r = m("POST", "/_dialsim/reset")
    check(st == 200 and r["faults"] == 1 and r["outcomes"] == 1 and r["journal"] > 0
          and r["ended_calls"] > 0 and r.get("objects", 0) >= 1, "POST reset: %s %s" % (st, r))
    _, _, fl = m("GET", F)
    _, _, o = m("GET", O)
    _, _, a = m("GET", "/_dialsim/accounts/vapi")
    _, _, j = m("GET", J)
    check([x["rule"] for x in fl["rules"]] == CONFIG["mocks"]["faults"] and fl["rules"][0]["hits"] == 0,
          "reset: the config's faults, hits from 0: %s" % fl)
    check(o["outcomes"] == [] and a["keys"] == ["vk"] and a["credits"] is None
          and [n["id"] for n in a["phone_numbers"]] == ["pn-good"],
          "reset: outcomes, the account and its numbers back: %s %s" % (o, a))
    check(j["first"] == r["next"] and all(x["mock"] == "vapi-webhook" for x in j["requests"]),
          "reset: the journal is emptied (a late webhook at most): %s" % j)
    st, _, gone = m("GET", "/call/" + c1.get("id", "x"), None, V)
    check(st == 404, "reset: ended calls are forgotten: %s" % st)
    st, _, _ = m("GET", "/assistant/" + (made or {}).get("id", "x"), None, V)
    check(st == 404, "reset: an object made through a generic route is gone: %s" % st)
    st, _, a = m("GET", "/assistant/seeded-asst", None, V)
    check(st == 200 and a.get("name") == "Seeded", "reset: the config's objects are back: %s %s" % (st, a))
    st, _, e = m("POST", "/_dialsim/reset", {"x": 1})
    check(st == 400, "reset with a body: %s" % st)
    st, _, e = m("GET", "/_dialsim/nope")
    check(st == 404 and "/_dialsim/wait" in e.get("message", ""), "an unknown route lists them: %s" % e)

    # --- a wait still waiting when the server stops answers at once ---
    got = {}

    def long_wait():
        try:
            got["w"] = wait_for({"path": "/never"}, timeout_ms=60000)
        except Exception as ex:  # the connection may be cut: fine too
            got["w"] = repr(ex)

    t = threading.Thread(target=long_wait)
    t.start()
    # the wait is in when the journal's waiters... give it a deadline-bound poll
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "w" not in got:
        if m("GET", "/_dialsim/stats")[0] == 200:
            break
    t0 = time.monotonic()
    rc = srv.stop()
    check(rc == 0 and time.monotonic() - t0 < 8, "SIGTERM with a wait pending: exit %s" % rc)
    t.join(10)
    check("w" in got, "the pending wait was answered or cut")

    time_scale(dialsim, work)
    waiters_bound(dialsim, work)
    for f in failures:
        print("FAIL: " + f)
    print("serve admin: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
