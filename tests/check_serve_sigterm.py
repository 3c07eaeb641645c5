#!/usr/bin/python3
"""SIGTERM (and SIGINT) stop `dialsim serve` cleanly: the request in flight
finishes, new ones are refused, the store is closed, the exit code is 0.

A raw client sends the headers and half the body of a transcript post, then
polls GET /health until the server counts two requests in flight (that post
and the poll itself): the post is now inside its handler. SIGTERM follows.
New requests must then get 503 with Connection: close; the rest of the body
is sent, and the post must be answered 200 and its call stored; the process
must exit 0. With SIGINT and no request in flight, the server must exit 0
at once.

usage: check_serve_sigterm.py DIALSIM
"""

import json
import functools
import os
import shutil
import signal
import socket
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402


poll = functools.partial(serve_util.poll, timeout=5.0, step=0.002)


def read_answer(sock):
    raw = b""
    while True:
        d = sock.recv(65536)
        if not d:
            break
        raw += d
        head, sep, body = raw.partition(b"\r\n\r\n")
        if sep:
            hdrs = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in head.decode().split("\r\n")[1:])}
            if len(body) >= int(hdrs.get("content-length", "0")):
                break
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    hdrs = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return int(lines[0].split()[1]), hdrs, json.loads(body)


def main():
    dialsim = sys.argv[1]
    failures = []
    wd = serve_util.workdir("serve-sigterm-")
    db = os.path.join(wd, "dialsim.db")
    config = serve_util.write_json(os.path.join(wd, "config.json"),
                                   {"projects": [{"id": "p1", "api_key": "k1"}]})
    srv = serve_util.Server(dialsim, wd, db=db, config=config).start()
    body = json.dumps(serve_util.transcript(["in-flight-1"])).encode()
    half = len(body) // 2
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(b"POST /projects/p1/transcripts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"X-CEKURA-API-KEY: k1\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:half])
    poll("the post to be in flight",
         lambda: srv.request("GET", "/health")[2].get("requests_in_flight") == 2)
    t0 = time.monotonic()
    srv.send_signal(signal.SIGTERM)

    def refused():
        try:
            status, h, data = srv.request("GET", "/health")
        except OSError:
            return None
        if status == 200:
            return None  # the signal has not been seen yet
        return status, h, data

    status, h, data = poll("new requests to be refused", refused)
    if status != 503 or h.get("connection", "").lower() != "close" or "errors" not in data:
        failures.append("a request while stopping: %d %s %s" % (status, h, data))
    s.sendall(body[half:])
    status, h, data = read_answer(s)
    s.close()
    if status != 200 or data.get("ids") != ["in-flight-1"]:
        failures.append("the post in flight: %d %s" % (status, data))
    if h.get("connection", "").lower() != "close":
        failures.append("the post in flight was not answered with Connection: close")
    rc = srv.stop(signal.SIGTERM, timeout=5)
    took = time.monotonic() - t0
    if rc != 0:
        failures.append("exit %d after SIGTERM" % rc)
    log = srv.log_text()
    if "SIGTERM" not in log or "POST /projects/p1/transcripts 200" not in log:
        failures.append("the log does not show the stop and the post: %s" % log[-600:])
    c = sqlite3.connect(db)
    n = c.execute("SELECT count(*) FROM transcripts WHERE call_id = 'in-flight-1'").fetchone()[0]
    c.close()
    if n != 1:
        failures.append("the post in flight was stored %d times" % n)

    srv2 = serve_util.Server(dialsim, wd, db=db, config=config).start()
    t1 = time.monotonic()
    rc2 = srv2.stop(signal.SIGINT, timeout=5)
    if rc2 != 0:
        failures.append("exit %d after SIGINT" % rc2)
    for f in failures:
        print("FAIL:", f)
    print("SIGTERM with a request in flight: exit %d in %.2f s; SIGINT idle: exit %d in %.2f s" %
          (rc, took, rc2, time.monotonic() - t1))
    if not failures:
        shutil.rmtree(wd, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
