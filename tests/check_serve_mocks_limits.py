#!/usr/bin/python3
"""What `dialsim serve`'s mocks keep (docs/mocks.md, issue 10 "bounded
memory"): with --journal-size 5, after 12 requests the journal lists the last
5 (indices 7..11) and says 7 were dropped; ?since keeps absolute indices (an
index already dropped gets what is kept and says how many are gone); with
--max-ended-calls 2 the oldest ended calls are evicted, counted in GET
/_dialsim/stats, and a GET of an evicted call answers Vapi's own 404, while a
live call is never evicted. Bad values of the two options exit 2.

Real time: the calls end at once (the PSTN fails them, no dial delay); every
wait is a poll with a deadline.

usage: check_serve_mocks_limits.py DIALSIM
"""

import json
import functools
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


poll = functools.partial(serve_util.poll, timeout=10.0, failures=failures)


FAIL_TO = "+15557650000"   # the PSTN fails these calls at once: they end
RING_TO = "+15557659999"   # these ring for a minute: they stay live

CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "mocks": {
        "vapi": {"keys": ["vk"], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": 0, "ring_timeout": 60},
        "pstn": {"faults": [{"to": FAIL_TO, "fail": True}]},
    },
}
AUTH = {"Authorization": "Bearer vk"}


def create(srv, to):
    st, _, r = srv.request("POST", "/call",
                           {"assistantId": "asst", "phoneNumberId": "pn",
                            "customer": {"number": to}}, headers=AUTH, port=srv.mock_port)
    check(st == 201, "POST /call: %s %s" % (st, r))
    return r.get("id") if isinstance(r, dict) else None


def stats(srv):
    st, _, s = srv.request("GET", "/_dialsim/stats", port=srv.mock_port)
    check(st == 200, "GET /_dialsim/stats: %s" % st)
    return s


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-limits-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True,
                            extra=["--journal-size", "5", "--max-ended-calls", "2"]).start()
    try:
        live = create(srv, RING_TO)  # request 0: rings for a minute
        ids = [create(srv, FAIL_TO) for _ in range(11)]  # requests 1..11: end at once

        # --- the journal: a ring of the last 5 ---
        st, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
        reqs = j.get("requests", []) if st == 200 else []
        check(len(reqs) == 5, "journal keeps 5 entries: %d" % len(reqs))
        check(j.get("dropped") == 7, "journal says 7 dropped: %s" % j.get("dropped"))
        check(j.get("first") == 7 and j.get("next") == 12,
              "first 7, next 12: %s %s" % (j.get("first"), j.get("next")))
        check([r["index"] for r in reqs] == list(range(7, 12)),
              "absolute indices 7..11: %s" % [r["index"] for r in reqs])
        check(j.get("missed") == 7, "from 0, 7 entries were missed: %s" % j.get("missed"))
        st, _, j2 = srv.request("GET", "/_dialsim/journal?since=9", port=srv.mock_port)
        check([r["index"] for r in j2.get("requests", [])] == [9, 10, 11]
              and j2.get("missed") == 0, "since=9 across the wrap: %s" % json.dumps(j2)[:300])
        st, _, j3 = srv.request("GET", "/_dialsim/journal?since=3", port=srv.mock_port)
        check([r["index"] for r in j3.get("requests", [])] == list(range(7, 12))
              and j3.get("missed") == 4, "since=3 (dropped): what is kept, 4 missed: %s"
              % json.dumps(j3)[:300])

        # --- ended calls: the last 2 kept, the older evicted; the live one kept ---
        def all_ended():
            s = stats(srv)["calls"]["vapi"]
            return s if s["ended"] + s["evicted"] == 11 else None
        s = poll("the 11 failed calls to end", all_ended)
        if s:
            check(s["ended"] == 2 and s["evicted"] == 9 and s["live"] == 1
                  and s["max_ended"] == 2, "vapi calls: %s" % s)
        st, _, r = srv.request("GET", "/call/" + ids[0], headers=AUTH, port=srv.mock_port)
        check(st == 404 and r.get("message") == "Call not found" and r.get("statusCode") == 404,
              "an evicted call answers Vapi's 404: %s %s" % (st, r))
        st, _, r = srv.request("GET", "/call/" + ids[-1], headers=AUTH, port=srv.mock_port)
        check(st == 200 and r.get("status") == "ended", "the newest ended call is kept: %s" % st)
        st, _, r = srv.request("GET", "/call/" + live, headers=AUTH, port=srv.mock_port)
        check(st == 200 and r.get("status") != "ended", "the live call is kept: %s %s" % (st, r))
        st = stats(srv)
        check(st["journal"]["size"] == 5 and st["journal"]["kept"] == 5,
              "stats: the journal's bound and what it keeps: %s" % st["journal"])
    finally:
        srv.stop()

    for opt in ("--journal-size", "--max-ended-calls"):
        for bad in ("0", "x", "-1"):
            p = subprocess.run([dialsim, "serve", opt, bad], capture_output=True, text=True,
                               timeout=10)
            check(p.returncode == 2 and "needs a number" in p.stderr,
                  "%s %s: %s %r" % (opt, bad, p.returncode, p.stderr))

    for f in failures:
        print("FAIL: " + f)
    print("serve mocks limits: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
