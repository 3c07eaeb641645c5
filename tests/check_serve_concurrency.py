#!/usr/bin/python3
"""1,000 concurrent transcript posts to `dialsim serve` over 20 connections
lose nothing and duplicate nothing.

20 client threads, each on its own keep-alive connection, post 50 one-call
transcripts each (1,000 distinct call ids); every answer must be 200. Then a
second wave re-sends every id from another connection (CI-9: 200 again, no
second row). The project must then report 1,000 stored calls, the stop must
be clean, and the database file (sqlite3) must hold each id exactly once.

usage: check_serve_concurrency.py DIALSIM
"""

import http.client
import os
import shutil
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

CONNECTIONS = 20
PER_CONNECTION = 50
KEY = {"X-CEKURA-API-KEY": "k1"}


def wave(srv, ids_of, failures):
    """Each connection k posts ids_of(k), one per request; all must answer 200."""
    barrier = threading.Barrier(CONNECTIONS)
    lock = threading.Lock()

    def client(k):
        conn = srv.connect(timeout=30)
        barrier.wait()  # all 20 start together
        for cid in ids_of(k):
            try:
                status, _, body = srv.request("POST", "/projects/p1/transcripts",
                                              serve_util.transcript([cid]), KEY, conn=conn)
            except (OSError, http.client.HTTPException) as e:
                status, body = 0, str(e)
            if status != 200 or body.get("ids") != [cid]:
                with lock:
                    failures.append("%s: %s %s" % (cid, status, str(body)[:200]))
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    dialsim = sys.argv[1]
    wd = serve_util.workdir("serve-concurrency-")
    db = os.path.join(wd, "dialsim.db")
    config = serve_util.write_json(os.path.join(wd, "config.json"),
                                   {"projects": [{"id": "p1", "api_key": "k1"}]})
    failures = []
    srv = serve_util.Server(dialsim, wd, db=db, config=config, extra=["--quiet"]).start()
    ids = [["conc-%02d-%03d" % (k, i) for i in range(PER_CONNECTION)] for k in range(CONNECTIONS)]
    t0 = time.monotonic()
    wave(srv, lambda k: ids[k], failures)
    t1 = time.monotonic()
    wave(srv, lambda k: ids[(k + 7) % CONNECTIONS], failures)  # every id again, elsewhere
    t2 = time.monotonic()
    status, _, proj = srv.request("GET", "/projects/p1")
    if status != 200 or proj.get("transcripts_stored") != CONNECTIONS * PER_CONNECTION:
        failures.append("GET /projects/p1: %s %s" % (status, proj))
    rc = srv.stop(signal.SIGTERM)
    if rc != 0:
        failures.append("exit %d after SIGTERM" % rc)
    c = sqlite3.connect(db)
    total, distinct = c.execute("SELECT count(*), count(DISTINCT call_id) FROM transcripts").fetchone()
    stored = {r[0] for r in c.execute("SELECT call_id FROM transcripts")}
    c.close()
    want = {cid for per in ids for cid in per}
    if total != len(want) or distinct != len(want) or stored != want:
        failures.append("the file holds %d rows, %d distinct ids; %d missing, %d unexpected" %
                        (total, distinct, len(want - stored), len(stored - want)))
    for f in failures[:20]:
        print("FAIL:", f)
    print("%d posts over %d connections in %.2f s, %d re-sent in %.2f s; %d rows; %d failures" %
          (len(want), CONNECTIONS, t1 - t0, len(want), t2 - t1, total, len(failures)))
    if not failures:
        shutil.rmtree(wd, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
