#!/usr/bin/python3
"""On demand (not in ctest): figures for `dialsim serve` with the provider
mocks, and for `dialsim repro`.

1. The mocks as a user's suite sees them: POST /call to the mocked Vapi
   (latency 0) from C client threads over fresh connections (the mock server
   has keep-alive off, as a real provider's load balancer would not, but it
   keeps the test honest), requests/s and p50/p99.
2. Runs end to end through serve: POST /runs batches of E evaluators; the
   core calls the mocked Vapi, the mock dials over the PSTN after 0 s, the
   core answers, the call lasts 0.01 s, the webhooks come back: wall time
   until every run is completed, runs/s.
3. `dialsim repro` on each report of fixtures/repro: wall time per report as
   a whole process (median of N).

usage: bench/bench_mocks_repro.py [DIALSIM] [--requests N] [--clients C]
       [--runs R] [--batch E] [--repro N] [--db :memory:|FILE]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests"))
import serve_util  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def config(n_evaluators):
    return {
        "projects": [{"id": "b", "api_key": "k"}],
        "agents": [{"id": "a", "project": "b", "contact_number": "+15551230000",
                    "provider": "vapi", "provider_api_key": "vk", "assistant_id": "asst",
                    "phone_number_id": "pn", "webhook_secret": "whsec"}],
        "evaluators": [{"id": "e%d" % i, "project": "b", "phone_number": "+1555900%04d" % i}
                       for i in range(n_evaluators)],
        "mocks": {
            "vapi": {"keys": ["vk"], "agents": ["asst"],
                     "phone_numbers": [{"id": "pn", "number": "+15551230000"}],
                     "latency": 0, "dial_delay": 0, "ring_timeout": 1,
                     "webhooks": {"secret": "whsec", "delay": 0}},
            "pstn": {"call_duration": 0.01},
        },
    }


def bench_calls(srv, n, clients):
    body = json.dumps({"assistantId": "asst", "phoneNumberId": "pn",
                       "customer": {"number": "+15550001111"}})
    lat = []
    errors = [0]
    lock = threading.Lock()
    per = n // clients

    def worker():
        mine = []
        for _ in range(per):
            t0 = time.perf_counter()
            c = http.client.HTTPConnection("127.0.0.1", srv.mock_port, timeout=10)
            c.request("POST", "/call", body, {"Authorization": "Bearer vk",
                                              "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            c.close()
            mine.append(time.perf_counter() - t0)
            if r.status != 201:
                with lock:
                    errors[0] += 1
        with lock:
            lat.extend(mine)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    return len(lat), wall, lat, errors[0]


def bench_runs(srv, runs, batch):
    ids = []
    t0 = time.perf_counter()
    for k in range(runs // batch):
        st, _, r = srv.request("POST", "/runs", {"agent": "a",
                                                 "evaluators": ["e%d" % i for i in range(batch)]})
        if st != 201:
            raise SystemExit("POST /runs: %s %s" % (st, r))
        ids += [x["id"] for x in r["runs"]]
    pending = set(ids)
    statuses = {}
    while pending and time.perf_counter() - t0 < 120:
        st, _, r = srv.request("GET", "/runs")
        for x in r["runs"]:
            if x["id"] in pending and x["status"] in ("completed", "failed", "timeout"):
                pending.discard(x["id"])
                statuses[x["status"]] = statuses.get(x["status"], 0) + 1
        if pending:
            time.sleep(0.005)
    return len(ids), time.perf_counter() - t0, statuses, len(pending)


def bench_repro(dialsim, n):
    root = os.path.join(here, "..")
    reports = sorted(f for f in os.listdir(os.path.join(root, "fixtures", "repro"))
                     if f.endswith(".json"))
    out = []
    for f in reports:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            subprocess.run([dialsim, "repro", os.path.join("fixtures", "repro", f)], cwd=root,
                           stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - t0)
        out.append((f, statistics.median(times) * 1000, max(times) * 1000))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dialsim", nargs="?", default=os.path.join(here, "..", "build", "dialsim"))
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--repro", type=int, default=20)
    ap.add_argument("--db", default=":memory:", help="serve's --db (a file: runs are fsync'ed)")
    a = ap.parse_args()
    work = serve_util.workdir("dialsim-bench-mocks-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), config(a.batch))
    db = a.db if a.db == ":memory:" else os.path.join(work, a.db)
    srv = serve_util.Server(a.dialsim, work, db=db, config=cfg, mocks=True,
                            extra=["--quiet"]).start()
    print("serve --db %s" % a.db)
    try:
        n, wall, lat, err = bench_calls(srv, a.requests, a.clients)
        print("mocked Vapi POST /call: %d requests from %d clients in %.2f s: %.0f requests/s, "
              "p50 %.2f ms, p99 %.2f ms, %d not 201"
              % (n, a.clients, wall, n / wall, pct(lat, 50) * 1000, pct(lat, 99) * 1000, err))
        n, wall, statuses, left = bench_runs(srv, a.runs, a.batch)
        print("runs through the mocks: %d runs (batches of %d) in %.2f s: %.0f runs/s; %s; "
              "%d unfinished" % (n, a.batch, wall, n / wall, statuses, left))
    finally:
        rc = srv.stop()
    if rc != 0:
        print("dialsim serve exited %d" % rc)
    for f, med, mx in bench_repro(a.dialsim, a.repro):
        print("dialsim repro %-45s median %6.1f ms, max %6.1f ms (whole process, %d runs)"
              % (f, med, mx, a.repro))


if __name__ == "__main__":
    main()
