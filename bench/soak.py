#!/usr/bin/python3
"""On demand (not in ctest): a soak of `dialsim serve` with its mocks
(issue 16, docs/reliability.md#soak). For SECONDS (default 600), mixed
traffic from CLIENTS threads (default 2), each pausing PAUSE s (default 0.5)
between rounds of:

- runs: POST /runs for the Vapi, Retell and ElevenLabs agents (the core calls
  the mocks, the mocks dial over the simulated PSTN, the providers' webhooks
  come back signed to /webhooks/{provider}), then GET /runs/{id};
- transcripts: POST /projects/acme/transcripts with a new call id each time;
- provider calls straight to the mocks: POST /call as a user's own client;
- admin changes: PATCH /agents/{id} (the name) and PATCH /projects/acme;
- reads: GET /health, GET /runs?status=..., the mocks' journal.

Every SAMPLE seconds it reads the server's RSS, open descriptors and threads
from /proc. At the end: every transcript answered 200 is read back (nothing
lost), every request must have had an answer (no connection error, no 5xx),
the server must stop on SIGTERM with exit 0, and after the first quarter
(warm-up) RSS must stay within 10% (+8 MB) and descriptors and threads where
they were. Prints the samples, then one line per check; exit 1 when one fails.
docs/reliability.md#soak has the figures of a 10-minute run (RSS is not flat).

Bounded: 127.0.0.1 only, the server is started here and stopped by its PID.

usage: bench/soak.py [DIALSIM] [--seconds S] [--sample S] [--clients N] [--pause S]
       [--only runs,transcripts,mocks,admin,reads] [--bound N] [--threads N]
"""

import argparse
import json
import os
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests"))
import serve_util  # noqa: E402

CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "v", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": "vk", "assistant_id": "asst", "phone_number_id": "pn",
         "webhook_secret": "whsec"},
        {"id": "r", "project": "acme", "contact_number": "+15551234567", "provider": "retell",
         "provider_api_key": "rk", "assistant_id": "ragent"},
        {"id": "x", "project": "acme", "contact_number": "+15551234567", "provider": "elevenlabs",
         "provider_api_key": "xk", "assistant_id": "elagent", "phone_number_id": "elpn",
         "webhook_secret": "elsec"},
    ],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"}],
    "mocks": {
        "vapi": {"keys": ["vk"], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                 "latency": 0.02, "dial_delay": 0.05, "ring_timeout": 0.5,
                 "webhooks": {"secret": "whsec", "delay": 0.05}},
        "retell": {"keys": ["rk"], "agents": ["ragent"],
                   "phone_numbers": [{"id": "rn", "number": "+15551234567"}],
                   "latency": 0.02, "dial_delay": 0.05, "webhooks": {"delay": 0.05}},
        "elevenlabs": {"keys": ["xk"], "agents": ["elagent"],
                       "phone_numbers": [{"id": "elpn", "number": "+15551234567"}],
                       "latency": 0.02, "dial_delay": 0.05,
                       "webhooks": {"secret": "elsec", "delay": 0.05}},
        "pstn": {"call_duration": 0.5},
    },
}


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.answered = 0
        self.failures = []  # (what, why)
        self.accepted_ids = []
        self.runs = []

    def note(self, what, fn):
        with self.lock:
            self.sent += 1
        try:
            st, _, body = fn()
        except Exception as e:  # a connection error or a timeout: not answered
            with self.lock:
                self.failures.append((what, repr(e)))
            return None, None
        with self.lock:
            self.answered += 1
            if st >= 500:
                self.failures.append((what, "%d %s" % (st, str(body)[:200])))
        return st, body


def client(srv, tally, stop, k, kinds, pause):
    n = 0
    agents = ["v", "r", "x"]
    while not stop.is_set():
        n += 1
        a = agents[n % 3]
        st, body = None, None
        if "runs" in kinds:
            st, body = tally.note("POST /runs", lambda: srv.request(
            "POST", "/runs", {"agent": a, "evaluators": ["e1"]}))
        if st == 201 and isinstance(body, dict):
            for run in body.get("runs", []):
                with tally.lock:
                    tally.runs.append(run["id"])
                tally.note("GET /runs/{id}", lambda rid=run["id"]: srv.request("GET", "/runs/" + rid))
        cid = "soak-%d-%d" % (k, n)
        st = None
        if "transcripts" in kinds:
            st, _ = tally.note("POST transcripts", lambda: srv.request(
                "POST", "/projects/acme/transcripts", serve_util.transcript([cid]),
                headers={"X-CEKURA-API-KEY": "k1"}))
        if st == 200:
            with tally.lock:
                tally.accepted_ids.append(cid)
        if "mocks" in kinds:
            tally.note("POST /call (mocks)", lambda: srv.request(
                "POST", "/call", {"assistantId": "asst", "phoneNumberId": "pn",
                                  "customer": {"number": "+15550001111"}},
                headers={"Authorization": "Bearer vk"}, port=srv.mock_port))
        if n % 5 == 0 and "admin" in kinds:
            tally.note("PATCH /agents", lambda: srv.request(
                "PATCH", "/agents/" + a, {"name": "soak %d" % n}))
            tally.note("PATCH /projects", lambda: srv.request(
                "PATCH", "/projects/acme", {"fetch_recordings": n % 2 == 0}))
        if "reads" in kinds:
            tally.note("GET /health", lambda: srv.request("GET", "/health"))
            tally.note("GET /runs?status", lambda: srv.request("GET", "/runs?status=completed&limit=50"))
        if n % 10 == 0 and "reads" in kinds:
            tally.note("GET journal", lambda: srv.request(
                "GET", "/_dialsim/journal?since=0", port=srv.mock_port))
        stop.wait(pause)  # paced: a soak, not a load test


def sample(pid):
    st = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            st[k] = v.strip()
    fds = len(os.listdir("/proc/%d/fd" % pid))
    return int(st["VmRSS"].split()[0]), fds, int(st["Threads"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dialsim", nargs="?", default=os.path.join(here, "..", "build", "dialsim"))
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--sample", type=float, default=30)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--pause", type=float, default=0.5,
                    help="seconds each client waits between rounds (default 0.5)")
    ap.add_argument("--only", default="runs,transcripts,mocks,admin,reads",
                    help="the kinds of traffic, comma-separated (default all)")
    ap.add_argument("--bound", type=int, default=0,
                    help="serve's --journal-size, --max-ended-calls and --max-final-runs (default:"
                    " serve's own defaults, 1000 each); a small bound is reached during the"
                    " warm-up, so the rest of the soak measures the steady state")
    ap.add_argument("--threads", type=int, default=0,
                    help="serve's --threads and --mock-threads (default: serve's 256 each)")
    o = ap.parse_args()

    work = serve_util.workdir("soak-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    extra = []
    if o.bound:
        extra = ["--journal-size", str(o.bound), "--max-ended-calls", str(o.bound),
                 "--max-final-runs", str(o.bound)]
    if o.threads:
        extra += ["--threads", str(o.threads), "--mock-threads", str(o.threads)]
    srv = serve_util.Server(o.dialsim, work, db=os.path.join(work, "soak.db"), config=cfg,
                            mocks=True, extra=extra).start()
    pid = srv.proc.pid
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=client, args=(srv, tally, stop, k, o.only.split(","), o.pause)) for k in range(o.clients)]
    t0 = time.monotonic()
    samples = [(0.0,) + sample(pid)]
    for t in threads:
        t.start()
    while time.monotonic() - t0 < o.seconds:
        time.sleep(min(o.sample, o.seconds - (time.monotonic() - t0)))
        samples.append((time.monotonic() - t0,) + sample(pid))
    stop.set()
    for t in threads:
        t.join()
    time.sleep(2)  # the last calls end, their webhooks arrive
    samples.append((time.monotonic() - t0,) + sample(pid))

    lost = []
    for cid in tally.accepted_ids:
        st, _, body = srv.request("GET", "/projects/acme/transcripts/" + cid,
                                  headers={"X-CEKURA-API-KEY": "k1"})
        if st != 200:
            lost.append((cid, st))
    statuses, after = {}, None
    while True:  # every run, a page at a time
        st, _, runs = srv.request("GET", "/runs?limit=1000" + ("&after=" + after if after else ""))
        if st != 200 or not isinstance(runs, dict):
            break
        for r in runs.get("runs", []):
            statuses[r.get("status")] = statuses.get(r.get("status"), 0) + 1
        after = runs.get("next")
        if not after:
            break
    rc = srv.stop()

    print("%8s %10s %6s %8s" % ("t (s)", "RSS (KB)", "fds", "threads"))
    for t, rss, fds, th in samples:
        print("%8.0f %10d %6d %8d" % (t, rss, fds, th))
    # flat: after the first quarter (warm-up: workers, caches, SQLite's pages)
    warm = [s for s in samples if s[0] >= o.seconds / 4] or samples
    rss_growth = warm[-1][1] - warm[0][1]
    print("requests: %d sent, %d answered, %d failures (connection error, timeout or 5xx)"
          % (tally.sent, tally.answered, len(tally.failures)))
    for what, why in tally.failures[:10]:
        print("  failure: %s: %s" % (what, why))
    print("runs started: %d; by status at the end: %s" % (len(tally.runs), json.dumps(statuses)))
    print("transcripts accepted: %d, read back: %d, lost: %d"
          % (len(tally.accepted_ids), len(tally.accepted_ids) - len(lost), len(lost)))
    print("RSS after warm-up: %d KB -> %d KB (%+d KB); fds %d -> %d; threads %d -> %d"
          % (warm[0][1], warm[-1][1], rss_growth, warm[0][2], warm[-1][2], warm[0][3],
             warm[-1][3]))
    print("serve exit on SIGTERM: %d" % rc)
    # flat: after warm-up, RSS within 10% (plus 8 MB of SQLite's cache and
    # allocator slack); descriptors and threads exactly as they were
    span_min = max((warm[-1][0] - warm[0][0]) / 60, 1e-9)
    rss_flat = rss_growth <= warm[0][1] / 10 + 8192
    print("RSS %s: %+.0f KB a minute after warm-up" % ("flat" if rss_flat else "NOT flat",
                                                        rss_growth / span_min))
    fds_flat = warm[-1][2] <= warm[0][2] + 4 and warm[-1][3] == warm[0][3]
    ok = (not tally.failures and not lost and rc == 0 and tally.sent == tally.answered
          and rss_flat and fds_flat)
    print("soak: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
