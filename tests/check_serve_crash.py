#!/usr/bin/python3
"""CI-9 durability of `dialsim serve`: an acknowledged transcript survives kill -9.

Each round starts the server on one database file, posts transcripts (one
call each, distinct ids) from 4 client threads that record every id answered
200, and kills the server with SIGKILL after a seeded random number of
acknowledgements, while the other posts are in flight. The next round
restarts it on the same file and first checks, through
GET /projects/p1/transcripts/{id}, that every id acknowledged so far is
stored; it re-sends a few acknowledged ids (CI-9: 200, no duplicate). At the
end the file itself (sqlite3) must hold every acknowledged id exactly once,
and nothing that was never sent.

usage: check_serve_crash.py DIALSIM [SEED]
"""

import http.client
import os
import random
import shutil
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

ROUNDS = 3
PER_ROUND = 240
CLIENTS = 4
KEY = {"X-CEKURA-API-KEY": "k1"}


def post_round(srv, rnd, acked, kill_after, errors):
    """Post PER_ROUND one-call transcripts; SIGKILL the server after kill_after acks."""
    lock = threading.Lock()
    count = [0]
    killed = threading.Event()
    ids = ["crash-r%d-%04d" % (rnd, i) for i in range(PER_ROUND)]

    def client(k):
        conn = srv.connect(timeout=5)
        for cid in ids[k::CLIENTS]:
            if killed.is_set():
                break
            try:
                status, _, body = srv.request("POST", "/projects/p1/transcripts",
                                              serve_util.transcript([cid]), KEY, conn=conn)
            except (OSError, http.client.HTTPException):
                break  # the server is gone: this one was never acknowledged
            if status != 200:
                with lock:
                    errors.append("%s: %d %s" % (cid, status, body))
                break
            with lock:
                acked.add(cid)
                count[0] += 1
                if count[0] >= kill_after and not killed.is_set():
                    killed.set()
                    srv.proc.send_signal(signal.SIGKILL)  # mid-stream: others are in flight
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rc = srv.proc.wait(5)
    srv.proc.stdout.close()
    srv.log.close()
    return rc, ids


def main():
    dialsim = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("DIALSIM_SEED", "6"))
    rng = random.Random(seed)
    wd = serve_util.workdir("serve-crash-")
    db = os.path.join(wd, "dialsim.db")
    config = serve_util.write_json(os.path.join(wd, "config.json"),
                                   {"projects": [{"id": "p1", "api_key": "k1"}]})
    acked, sent = set(), set()
    failures = []
    t0 = time.monotonic()
    for rnd in range(ROUNDS + 1):
        srv = serve_util.Server(dialsim, wd, db=db, config=config).start()
        # everything acknowledged before the last crash is there
        conn = srv.connect()
        for cid in sorted(acked):
            status, _, body = srv.request("GET", "/projects/p1/transcripts/" + cid, conn=conn)
            if status != 200 or body.get("id") != cid:
                failures.append("round %d: acknowledged %s is not stored (%d)" % (rnd, cid, status))
        for cid in rng.sample(sorted(acked), min(5, len(acked))):  # CI-9 after a crash
            status, _, _ = srv.request("POST", "/projects/p1/transcripts",
                                       serve_util.transcript([cid]), KEY, conn=conn)
            if status != 200:
                failures.append("round %d: re-sending %s answered %d" % (rnd, cid, status))
        conn.close()
        if rnd == ROUNDS:
            rc = srv.stop(signal.SIGTERM)
            if rc != 0:
                failures.append("the last server exited %d on SIGTERM" % rc)
            break
        kill_after = rng.randrange(PER_ROUND // 8, PER_ROUND * 3 // 4)
        rc, ids = post_round(srv, rnd, acked, kill_after, failures)
        sent.update(ids)
        if rc != -signal.SIGKILL:
            failures.append("round %d: the server was not killed (exit %s)" % (rnd, rc))
        print("round %d: killed after %d acknowledgements (seed %d)" % (rnd, kill_after, seed))

    db_conn = sqlite3.connect(db)
    rows = db_conn.execute("SELECT call_id, count(*) FROM transcripts WHERE project = 'p1' GROUP BY call_id").fetchall()
    db_conn.close()
    stored = {cid: n for cid, n in rows}
    missing = acked - set(stored)
    twice = [cid for cid, n in stored.items() if n != 1]
    unknown = set(stored) - sent
    if missing:
        failures.append("%d acknowledged transcripts lost: %s" % (len(missing), sorted(missing)[:5]))
    if twice:
        failures.append("stored more than once: %s" % twice[:5])
    if unknown:
        failures.append("stored but never sent: %s" % sorted(unknown)[:5])
    for f in failures:
        print("FAIL:", f)
    print("%d acknowledged, %d stored, %d sent, %d rounds, %.2f s" %
          (len(acked), len(stored), len(sent), ROUNDS, time.monotonic() - t0))
    if not failures:
        shutil.rmtree(wd, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
