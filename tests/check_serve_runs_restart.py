#!/usr/bin/python3
"""Runs of `dialsim serve` survive a restart (docs/api.md#durability).

With the provider mocks in the config: run A fails at once (the mocked Vapi
refuses its key: provider_auth_failed), run B stays pending (a dial delay of
an hour). POST /runs answers only once both are stored, so kill -9 right
after the answers loses neither. After the restart on the same database:
A is shown as it ended, B — open when the server died, its timers gone — is
failed with serve_restarted (DW-4) and cannot be re-dialled (409); both carry
"restored": true, the list filters them like any run, a fresh run gets its
own id. A clean stop (SIGTERM) and another start change nothing. A run the
database refuses (held by another connection) is answered 500 and not
started (no call placed); sent again once the database is free, it is.

usage: check_serve_runs_restart.py DIALSIM
"""

import json
import os
import signal
import sqlite3
import time
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "slow", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn"},
        {"id": "badkey", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "not-a-key", "assistant_id": "asst", "phone_number_id": "pn"},
    ],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"},
                   {"id": "e2", "project": "acme", "phone_number": "+15557654322"}],
    "mocks": {"vapi": {"keys": ["vk"], "agents": ["asst"],
                       "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                       "latency": 0, "dial_delay": 3600}},
}


def main():
    dialsim = sys.argv[1]
    wd = serve_util.workdir("serve-runs-restart-")
    db = os.path.join(wd, "dialsim.db")
    cfg = serve_util.write_json(os.path.join(wd, "cfg.json"), CONFIG)
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    srv = serve_util.Server(dialsim, wd, db=db, config=cfg, mocks=True).start()
    st_a, _, a = srv.request("POST", "/runs", {"agent": "badkey", "evaluators": ["e1"]})
    st_b, _, b = srv.request("POST", "/runs", {"agent": "slow", "evaluators": ["e2"]})
    expect(st_a == 201 and st_b == 201, "POST /runs: %s %s" % (st_a, st_b))
    a_id, b_id = a["runs"][0]["id"], b["runs"][0]["id"]
    # A fails on the provider's answer: wait for that, as the API shows it
    final_a = None
    for _ in range(500):
        final_a = srv.request("GET", "/runs/" + a_id)[2]
        if final_a["status"] == "failed":
            break
        time.sleep(0.01)
    expect(final_a and final_a["reason"] == "provider_auth_failed", "run A: %s" % final_a)
    before_b = srv.request("GET", "/runs/" + b_id)[2]
    expect(before_b["status"] == "pending", "run B before the kill: %s" % before_b)
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(5)
    srv.proc.stdout.close()
    srv.log.close()

    for round_ in ("after kill -9", "after SIGTERM and another start"):
        srv = serve_util.Server(dialsim, wd, db=db, config=cfg, mocks=True).start()
        st, _, health = srv.request("GET", "/health")
        expect(health.get("restored_runs", 0) >= 2 and health.get("runs") == 0,
               "%s: /health counts the restored runs apart: %s" % (round_, health))
        st, _, ra = srv.request("GET", "/runs/" + a_id)
        expect(st == 200 and ra.get("status") == "failed" and ra.get("reason") == "provider_auth_failed"
               and ra.get("restored") is True and ra.get("diagnosis") == final_a.get("diagnosis"),
               "%s: run A as it ended: %s %s" % (round_, st, json.dumps(ra)[:300]))
        st, _, rb = srv.request("GET", "/runs/" + b_id)
        expect(st == 200 and rb.get("status") == "failed" and rb.get("reason") == "serve_restarted"
               and rb.get("restored") is True and "Start a fresh run" in (rb.get("diagnosis") or "")
               and rb.get("outbound_dial_window_opens_at") == before_b["outbound_dial_window_opens_at"],
               "%s: run B open when the server died: %s %s" % (round_, st, json.dumps(rb)[:400]))
        st, _, e = srv.request("POST", "/runs/%s/redial" % b_id)
        expect(st == 409 and "earlier start" in json.dumps(e), "%s: redial B: %s %s" % (round_, st, e))
        st, _, lst = srv.request("GET", "/runs?status=failed")
        ids = [r["id"] for r in lst["runs"]]
        expect(a_id in ids and b_id in ids, "%s: ?status=failed lists both: %s" % (round_, ids))
        st, _, lst = srv.request("GET", "/runs?agent=slow")
        ids = [r["id"] for r in lst["runs"]]
        expect(b_id in ids and a_id not in ids, "%s: ?agent=slow: %s" % (round_, ids))
        st, _, c = srv.request("POST", "/runs", {"agent": "badkey", "evaluators": ["e1"]})
        expect(st == 201 and c["runs"][0]["id"] not in (a_id, b_id) and "restored" not in c["runs"][0],
               "%s: a fresh run: %s" % (round_, c))
        rc = srv.stop(signal.SIGTERM)
        expect(rc == 0, "%s: SIGTERM exit %s" % (round_, rc))
    # the fresh runs of both rounds are there too, and B was turned once
    srv = serve_util.Server(dialsim, wd, db=db, config=cfg, mocks=True).start()
    st, _, lst = srv.request("GET", "/runs")
    expect(len(lst["runs"]) == 4 and all(r.get("restored") for r in lst["runs"]),
           "4 runs stored, all restored: %s" % [(r["id"], r["status"]) for r in lst["runs"]])

    # a run that cannot be stored (another connection holds the database for
    # longer than the store waits, 5 s) is answered 500, not 201, and is not
    # started either: no run, no call asked of the provider; sent again once
    # the database is free, it is started and stored
    def calls_placed():
        _, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
        return sum(1 for r in j["requests"] if r["method"] == "POST" and r["path"] == "/call")
    placed = calls_placed()
    lock = sqlite3.connect(db, timeout=10, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    st, _, e = srv.request("POST", "/runs", {"agent": "slow", "evaluators": ["e1"]})
    expect(st == 500 and "none was started" in json.dumps(e), "a run not stored: %s %s" % (st, e))
    st, _, lst = srv.request("GET", "/runs")
    expect(len(lst["runs"]) == 4, "the run not stored is not there: %d runs" % len(lst["runs"]))
    expect(calls_placed() == placed, "no call was asked for a run not stored")
    lock.execute("COMMIT")
    lock.close()
    st, _, e = srv.request("POST", "/runs", {"agent": "slow", "evaluators": ["e1"]})
    expect(st == 201, "the run sent again: %s %s" % (st, e))

    def stored_runs():
        con = sqlite3.connect(db, timeout=10)
        try:
            return con.execute("SELECT count(*) FROM config WHERE kind = 'run'").fetchone()[0]
        finally:
            con.close()
    expect(stored_runs() == 5, "only the run sent again is stored: %d rows" % stored_runs())
    srv.stop()

    for f in failures:
        print("FAIL: " + f)
    print("runs restart: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
