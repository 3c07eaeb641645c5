#!/usr/bin/python3
"""On demand (not in ctest): slow clients against `dialsim serve`, the larger
sibling of serve.connections (docs/api.md#limits, issue 10).

SLOW connections on each port (the API's and the mocks') each send one byte
of a request head a second and never finish it; one the server cuts off is
opened again at once, so SLOW stay open for the whole run. Meanwhile a
health check goes to each port every 50 ms on a new connection. Prints, per
port: health checks sent, answered, and their latency (p50, p99, max), and
how often the server cut a slow client off (its head timeout at work).

Bounded: SECONDS of run (default 30), SLOW sockets per port (default 400:
more than the 256 workers, so some wait in the accept queue), 127.0.0.1
only; the server is started here and stopped by its PID.

usage: bench/bench_slow_clients.py [DIALSIM] [--slow N] [--seconds S]
       [--threads N]
"""

import argparse
import http.client
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))


def start(dialsim, threads):
    work = tempfile.mkdtemp(prefix="bench-slow-")
    cfg = os.path.join(work, "cfg.json")
    with open(cfg, "w") as f:
        json.dump({"projects": [{"id": "acme", "api_key": "k1"}],
                   "mocks": {"vapi": {"keys": ["vk"], "agents": ["a"],
                                      "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                                      "latency": 0}}}, f)
    cmd = [dialsim, "serve", "--port", "0", "--db", ":memory:", "--config", cfg, "--quiet"]
    if threads:
        cmd += ["--threads", str(threads), "--mock-threads", str(threads)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    select.select([p.stdout], [], [], 30)
    api = int(p.stdout.readline().decode().rsplit(":", 1)[1])
    mocks = int(p.stdout.readline().decode().rsplit(":", 1)[1])
    return p, api, mocks


def trickle(ports, n, until, cut):
    """n slow sockets per port, one byte a second each; reopened when cut."""
    socks = {}
    def open_one(port):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        socks[s] = [port, 0]
    for port in ports:
        for _ in range(n):
            open_one(port)
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096
    while time.monotonic() < until:
        t = time.monotonic()
        for s in list(socks):
            port, i = socks[s]
            try:
                s.send(head[i % len(head):i % len(head) + 1])
                socks[s][1] += 1
                if select.select([s], [], [], 0)[0] and not s.recv(4096):
                    raise ConnectionResetError
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                del socks[s]
                cut[port] = cut.get(port, 0) + 1
                open_one(port)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t)))
    for s in socks:
        s.close()


def health(port, path, until, out):
    while time.monotonic() < until:
        t = time.monotonic()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", path, headers={"Authorization": "Bearer vk"})
            c.getresponse().read()
            c.close()
            out.append(time.monotonic() - t)
        except OSError:
            out.append(None)
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dialsim", nargs="?", default=os.path.join(here, "..", "build", "dialsim"))
    ap.add_argument("--slow", type=int, default=400)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    p, api, mocks = start(a.dialsim, a.threads)
    try:
        until = time.monotonic() + a.seconds
        cut = {}
        res = {api: [], mocks: []}
        th = [threading.Thread(target=trickle, args=((api, mocks), a.slow, until, cut))]
        th += [threading.Thread(target=health, args=(api, "/health", until, res[api])),
               threading.Thread(target=health, args=(mocks, "/call/none", until, res[mocks]))]
        for t in th:
            t.start()
        for t in th:
            t.join()
        print("slow clients: %d per port, %.0f s, workers per port: %s"
              % (a.slow, a.seconds, a.threads or "default (256)"))
        for name, port in (("API   GET /health", api), ("mocks GET /call/none", mocks)):
            xs = res[port]
            ok = sorted(x * 1000 for x in xs if x is not None)
            q = lambda f: ok[min(len(ok) - 1, int(f * len(ok)))] if ok else float("nan")
            print("  %-22s sent %4d  answered %4d  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms"
                  "  slow clients cut off %d" % (name, len(xs), len(ok), q(0.5), q(0.99),
                                                 ok[-1] if ok else float("nan"), cut.get(port, 0)))
    finally:
        p.terminate()
        p.wait(30)


if __name__ == "__main__":
    sys.exit(main())
