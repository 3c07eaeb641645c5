#!/usr/bin/python3
"""A full disk under `dialsim serve` (issue 16, docs/reliability.md#disk-full).

The server's file size limit (RLIMIT_FSIZE, set on the running process with
prlimit; serve ignores SIGXFSZ) is lowered to what its files
hold now plus a little: every write past it fails as on a full disk
(EFBIG). Transcripts with distinct call ids are then posted until one is
refused. Checked: the refusal is a 500 that says nothing was accepted and to
send again (never a 200 for data not committed, never a crash); the server
keeps answering (/health, reads of what was stored); every transcript
answered 200 reads back whole; a run is stored whole or refused (500, no call
placed) unless the smaller write still fits. Then the limit is lifted ("space
freed"): the refused transcript, sent again, is stored, and a run starts. At
the end the file holds every acknowledged id exactly once.

usage: check_serve_disk_full.py DIALSIM
"""

import json
import os
import resource
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

# the mocked Vapi refuses the agent's key: a run fails at once (provider_auth_failed),
# so no retry is left pending when the server stops
CONFIG = {"projects": [{"id": "p1", "api_key": "k1"}],
          "agents": [{"id": "a1", "project": "p1", "contact_number": "+15551234567",
                      "provider": "vapi", "provider_api_key": "not-a-key", "assistant_id": "asst",
                      "phone_number_id": "pn"}],
          "evaluators": [{"id": "e1", "project": "p1", "phone_number": "+15557654321"}],
          "mocks": {"vapi": {"keys": ["vk"], "agents": ["asst"], "latency": 0,
                             "phone_numbers": [{"id": "pn", "number": "+15551234567"}]}}}
KEY = {"X-CEKURA-API-KEY": "k1"}


def files_size(db):
    return max(os.path.getsize(p) for p in (db, db + "-wal", db + "-shm") if os.path.exists(p))


def main():
    dialsim = sys.argv[1]
    wd = serve_util.workdir("serve-disk-full-")
    db = os.path.join(wd, "dialsim.db")
    cfg = serve_util.write_json(os.path.join(wd, "cfg.json"), CONFIG)
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    srv = serve_util.Server(dialsim, wd, db=db, config=cfg, extra=["--quiet"], mocks=True).start()
    pid = srv.proc.pid
    acked, refused = [], None
    st, _, _ = srv.request("POST", "/projects/p1/transcripts",
                           serve_util.transcript(["warm"]), headers=KEY)
    expect(st == 200, "a transcript before the limit: %s" % st)
    acked.append("warm")
    limit = files_size(db) + 48 * 1024
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    for i in range(2000):
        cid = "call-%04d" % i
        st, _, body = srv.request("POST", "/projects/p1/transcripts",
                                  serve_util.transcript([cid]), headers=KEY)
        if st == 200:
            acked.append(cid)
            continue
        refused = (cid, st, body)
        break
    expect(refused is not None, "no transcript was refused with the file limited to %d bytes" % limit)
    if refused:
        cid, st, body = refused
        expect(st == 500 and "nothing was accepted" in json.dumps(body) and "send it again" in json.dumps(body),
               "the refusal says nothing was accepted and to send again: %s %s" % (st, body))
        st, _, _ = srv.request("GET", "/health")
        expect(st == 200, "/health while the disk is full: %s" % st)
        st, _, _ = srv.request("GET", "/projects/p1/transcripts/" + cid, headers=KEY)
        expect(st == 404, "the refused transcript is not stored: %s" % st)
        st, _, body = srv.request("POST", "/runs", {"agent": "a1", "evaluators": ["e1"]})
        # a smaller write may still fit where the refused one did not (SQLite
        # writes the WAL from the last good frame again): stored or refused whole
        expect(st == 201 or (st == 500 and "none was started" in json.dumps(body)),
               "a run while the disk is full: %s %s" % (st, body))
        st, _, body = srv.request("GET", "/runs")
        expect(st in (200, 500), "GET /runs while the disk is full: %s" % st)
    for c in acked:
        st, _, body = srv.request("GET", "/projects/p1/transcripts/" + c, headers=KEY)
        expect(st == 200, "acknowledged %s reads back while full: %s" % (c, st))
    # space freed
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    if refused:
        st, _, body = srv.request("POST", "/projects/p1/transcripts",
                                  serve_util.transcript([refused[0]]), headers=KEY)
        expect(st == 200, "the refused transcript sent again once space is back: %s %s" % (st, body))
        if st == 200:
            acked.append(refused[0])
    st, _, body = srv.request("POST", "/runs", {"agent": "a1", "evaluators": ["e1"]})
    expect(st == 201, "a run once space is back: %s %s" % (st, body))
    rc = srv.stop()
    expect(rc == 0, "serve exits 0: %s" % rc)
    con = sqlite3.connect(db)
    rows = [r[0] for r in con.execute("SELECT call_id FROM transcripts WHERE project = 'p1'")]
    con.close()
    expect(sorted(rows) == sorted(acked),
           "the file holds every acknowledged id once: %d rows, %d acknowledged" % (len(rows), len(acked)))
    for f in failures:
        print("FAIL:", f)
    print("%d transcripts acknowledged before the disk was full (limit %d bytes), refused: %s; %d failures"
          % (len(acked) - 1, limit, refused[1] if refused else None, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
