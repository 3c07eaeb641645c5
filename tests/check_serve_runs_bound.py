#!/usr/bin/python3
"""Serve's runs in bounded memory (docs/api.md#runs): with --max-final-runs 5,
twenty runs that fail at once (the mocked Vapi refuses the agent's key:
provider_auth_failed) leave the core holding five; the others are read back
from the database file exactly as they ended: GET /runs/{id} answers the same
JSON, GET /runs lists all twenty in order a page at a time (limit, after,
next), filters in the file, and refuses unknown parameters; a redial of a run
let go of is 409 (DW-4), never 404. On 46dc4e1 the core kept every run
(runs_in_memory missing, the list unpaged, `next` absent, ?bogus=1 ignored).

usage: check_serve_runs_bound.py DIALSIM
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

N, KEEP = 20, 5
CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "badkey", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "not-a-key", "assistant_id": "asst", "phone_number_id": "pn"},
        {"id": "slow", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn"},
    ],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"},
                   {"id": "e2", "project": "acme", "phone_number": "+15557654322"}],
    "mocks": {"vapi": {"keys": ["vk"], "agents": ["asst"],
                       "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                       "latency": 0, "dial_delay": 3600}},
}


def main():
    dialsim = sys.argv[1]
    wd = serve_util.workdir("serve-runs-bound-")
    db = os.path.join(wd, "dialsim.db")
    cfg = serve_util.write_json(os.path.join(wd, "cfg.json"), CONFIG)
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    srv = serve_util.Server(dialsim, wd, db=db, config=cfg, mocks=True,
                            extra=["--max-final-runs", str(KEEP)]).start()
    # one run that stays pending (an hour's dial delay): never let go of
    st, _, p = srv.request("POST", "/runs", {"agent": "slow", "evaluators": ["e2"]})
    pending_id = p["runs"][0]["id"]
    ids = []
    for i in range(N):
        st, _, body = srv.request("POST", "/runs", {"agent": "badkey", "evaluators": ["e1"]})
        expect(st == 201, "POST /runs %d: %s %s" % (i, st, body))
        ids.append(body["runs"][0]["id"])
    # every run fails on the provider's answer; wait (bounded) until the core let go
    health, finals = {}, {}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        health = srv.request("GET", "/health")[2]
        if health.get("runs_in_memory") == KEEP + 1:
            break
        time.sleep(0.02)
    expect(health.get("runs_in_memory") == KEEP + 1 and health.get("runs") == N + 1,
           "the core keeps %d final runs and the pending one: %s" % (KEEP, health))
    for rid in ids:
        st, _, r = srv.request("GET", "/runs/" + rid)
        finals[rid] = r
        expect(st == 200 and r.get("status") == "failed" and r.get("reason") == "provider_auth_failed"
               and r.get("id") == rid and "restored" not in r and r.get("provider") == "vapi",
               "GET /runs/%s read back: %s %s" % (rid, st, json.dumps(r)[:300]))
    st, _, r = srv.request("GET", "/runs/" + pending_id)
    expect(st == 200 and r.get("status") == "pending", "the pending run stays: %s" % r)
    # the list: everything, oldest first, from the file
    st, _, lst = srv.request("GET", "/runs")
    expect(st == 200 and [x["id"] for x in lst["runs"]] == [pending_id] + ids and lst["next"] is None,
           "GET /runs lists all %d in order: %s" % (N + 1, [x["id"] for x in lst.get("runs", [])]))
    expect(all(x == finals[x["id"]] for x in lst["runs"] if x["id"] in finals),
           "the list shows each run as GET /runs/{id} does")
    # a page at a time
    seen, after, pages = [], None, 0
    while pages < 10:
        q = "/runs?agent=badkey&status=failed&limit=7" + ("&after=" + after if after else "")
        st, _, pg = srv.request("GET", q)
        expect(st == 200 and len(pg["runs"]) <= 7, "page %d: %s" % (pages, st))
        seen += [x["id"] for x in pg["runs"]]
        pages += 1
        after = pg["next"]
        if after is None:
            break
    expect(seen == ids and pages == 3, "three pages of 7, 7 and 6 give the %d in order: %d pages %s"
           % (N, pages, seen))
    st, _, pg = srv.request("GET", "/runs?agent=slow")
    expect([x["id"] for x in pg["runs"]] == [pending_id], "?agent=slow: %s" % pg)
    for q, word in (("?bogus=1", "bogus"), ("?status=done", "status"), ("?limit=0", "limit"),
                    ("?limit=10001", "limit"), ("?limit=x", "limit"), ("?after=run_nope", "after")):
        st, _, e = srv.request("GET", "/runs" + q)
        expect(st == 400 and word in json.dumps(e), "GET /runs%s refused naming %s: %s %s"
               % (q, word, st, e))
    # DW-4: a final run the core let go of is still final
    st, _, e = srv.request("POST", "/runs/%s/redial" % ids[0])
    expect(st == 409 and "DW-4" in json.dumps(e), "redial of a run let go of: %s %s" % (st, e))
    st, _, e = srv.request("POST", "/runs/run_nope/redial")
    expect(st == 404, "redial of no run: %s" % st)
    rc = srv.stop()
    expect(rc == 0, "serve exits 0: %s" % rc)

    # after a restart every run is in the file, "restored", none in memory
    srv = serve_util.Server(dialsim, wd, db=db, config=cfg, mocks=True).start()
    health = srv.request("GET", "/health")[2]
    expect(health.get("restored_runs") == N + 1 and health.get("runs") == 0
           and health.get("runs_in_memory") == 0, "after the restart: %s" % health)
    st, _, lst = srv.request("GET", "/runs?status=failed")
    expect(len(lst["runs"]) == N + 1 and all(x.get("restored") is True for x in lst["runs"]),
           "after the restart all %d are listed, restored: %d" % (N + 1, len(lst["runs"])))
    rc = srv.stop()
    expect(rc == 0, "serve exits 0 after the restart: %s" % rc)

    for f in failures:
        print("FAIL:", f)
    print("%d runs, %d kept in memory: %d failures" % (N, KEEP, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
