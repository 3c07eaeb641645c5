#!/usr/bin/python3
"""`dialsim serve` under real clients (issue 10, docs/api.md#limits), on both
of its ports (the API and the provider mocks):

- keep-alive: thousands of back-to-back requests through clients that reuse
  connections — Node's built-in fetch (undici, what the providers' Node SDKs
  use), Python's http.client on one connection, libcurl (the curl CLI with
  many URLs in one run) — meet zero socket errors, and each client keeps
  using its first connection;
- a fault that closes or truncates still ends the connection (that is the
  fault), and the answer before it says "Connection: close"; a fault's
  "headers" (Retry-After with a 429) are in its answer;
- slow clients: 200 connections that have sent one byte of their head each
  do not keep health checks and ordinary requests from being answered;
- the head is checked: more headers than the server keeps -> 431; two
  different Content-Length -> 400 and a close; a path that is not UTF-8 once
  decoded, or decodes to a control character -> 400, and the request log
  escapes it (one line per request).

Real time by nature; nothing sleeps: every wait is a socket timeout.

usage: check_serve_connections.py DIALSIM
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "mocks": {
        "vapi": {"keys": ["vk"], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": 60},
    },
}
CALL = {"assistantId": "asst", "phoneNumberId": "pn", "customer": {"number": "+15557654321"}}
VAPI_KEY = {"Authorization": "Bearer vk", "Content-Type": "application/json"}


def node_fetch(count, groups):
    """groups: [(method, url, headers, body)]; the script's JSON verdict."""
    args = ["node", os.path.join(HERE, "keepalive_fetch.mjs"), str(count)]
    for m, u, h, b in groups:
        args += [m, u, json.dumps(h), b or ""]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        failures.append("node fetch failed: %s" % out.stderr[-800:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def python_client(port, count, requests):
    """One http.client connection for every request: (errors, sockets used)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    errors, socks = 0, set()
    for i in range(count):
        m, path, h, b = requests[i % len(requests)]
        try:
            c.request(m, path, body=b, headers=h)
            socks.add(id(c.sock))
            c.getresponse().read()
        except (OSError, http.client.HTTPException):
            errors += 1
            c.close()
    c.close()
    return errors, len(socks)


def curl_client(urls, headers):
    """libcurl through the CLI: one run, many URLs, the connection reused.
    (errors, new connections made)."""
    with tempfile.NamedTemporaryFile("w", suffix=".curl", delete=False) as f:
        for u in urls:
            f.write('url = "%s"\noutput = "/dev/null"\n' % u)
        cfg = f.name
    cmd = ["curl", "-s", "-K", cfg, "-w", "%{http_code} %{num_connects}\\n"]
    for k, v in headers.items():
        cmd += ["-H", "%s: %s" % (k, v)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    os.unlink(cfg)
    lines = out.stdout.split()
    codes, connects = lines[0::2], lines[1::2]
    errors = sum(1 for c in codes if c == "000") + (len(urls) - len(codes))
    return errors, sum(int(n) for n in connects)


def keep_alive(srv):
    api = "http://127.0.0.1:%d" % srv.port
    mocks = "http://127.0.0.1:%d" % srv.mock_port
    st, _, call = srv.request("POST", "/call", CALL, headers=VAPI_KEY, port=srv.mock_port)
    check(st == 201, "POST /call on the Vapi mock: %s %s" % (st, call))
    cid = call["id"] if st == 201 else "none"
    wrong = dict(VAPI_KEY, Authorization="Bearer wrong")

    n = 2000
    got = node_fetch(n, [("GET", mocks + "/call/" + cid, VAPI_KEY, ""),
                         ("POST", mocks + "/call", wrong, json.dumps(CALL))])
    if got:
        check(got["errors"] == 0 and got["ok"] == n,
              "Node fetch on the mocks: %d socket errors in %d requests %s" % (got["errors"], n, got["codes"]))
        check(got["statuses"] == {"200": n // 2, "401": n // 2},
              "Node fetch on the mocks: the answers %s" % got["statuses"])
    got = node_fetch(n, [("GET", api + "/health", {}, ""),
                         ("GET", api + "/runs/none", {}, "")])
    if got:
        check(got["errors"] == 0 and got["ok"] == n,
              "Node fetch on the API: %d socket errors in %d requests %s" % (got["errors"], n, got["codes"]))

    for port, reqs, what in (
            (srv.mock_port, [("GET", "/call/" + cid, VAPI_KEY, None),
                             ("POST", "/call", wrong, json.dumps(CALL))], "mocks"),
            (srv.port, [("GET", "/health", {}, None)], "API")):
        errors, socks = python_client(port, 1000, reqs)
        check(errors == 0 and socks == 1,
              "http.client on the %s: %d errors, %d connections for 1000 requests" % (what, errors, socks))

    errors, connects = curl_client([mocks + "/call/" + cid] * 500, {"Authorization": "Bearer vk"})
    check(errors == 0 and connects == 1,
          "curl on the mocks: %d errors, %d connections for 500 requests" % (errors, connects))
    errors, connects = curl_client([api + "/health"] * 500, {})
    check(errors == 0 and connects == 1,
          "curl on the API: %d errors, %d connections for 500 requests" % (errors, connects))


def raw(port, data, timeout=5):
    """Send bytes, read until the server closes or goes quiet: (bytes, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    buf, closed = b"", False
    try:
        while True:
            got = s.recv(65536)
            if not got:
                closed = True
                break
            buf += got
            head, _, body = buf.partition(b"\r\n\r\n")
            if _ and b"content-length:" in head.lower():
                cl = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                if len(body) >= cl:
                    s.settimeout(0.3)  # whole answer: a close would follow at once
    except socket.timeout:
        pass
    s.close()
    return buf, closed


def faults_close(srv):
    rules = [{"method": "GET", "path": "/call/trunc", "then": [{"status": 200, "body": {"a": "0123456789"}, "truncate": 4}]},
             {"method": "GET", "path": "/call/shut", "then": [{"close": True}]},
             {"method": "GET", "path": "/call/later", "then": [{"status": 429, "body": {"message": "slow down"},
                                                                "headers": {"Retry-After": "2", "X-RateLimit-Remaining": "0"}}]}]
    st, _, _ = srv.request("PUT", "/_dialsim/faults", rules, port=srv.mock_port)
    check(st == 200, "PUT /_dialsim/faults: %s" % st)
    got, closed = raw(srv.mock_port, b"GET /call/trunc HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    check(closed and b"Connection: close" in got and got.endswith(b'{"a"'),
          "a truncated answer says Connection: close and the connection ends: %r" % got[-200:])
    got, closed = raw(srv.mock_port, b"GET /call/shut HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    check(closed and got == b"", "a close fault closes at once: %r" % got[:200])
    st, h, body = srv.request("GET", "/call/later", port=srv.mock_port)
    check(st == 429 and h.get("retry-after") == "2" and h.get("x-ratelimit-remaining") == "0"
          and body == {"message": "slow down"},
          "a fault's headers are in its answer: %s %s %s" % (st, h, body))
    st, _, _ = srv.request("PUT", "/_dialsim/faults", [], port=srv.mock_port)


def slow_clients(srv, count=200):
    slow = []
    try:
        for port in (srv.port, srv.mock_port):
            for _ in range(count):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"G")  # one byte of a head that never ends
                slow.append(s)
        answered = 0
        for i in range(20):
            try:
                st, _, _ = srv.request("GET", "/health")
                answered += st == 200
                st, _, _ = srv.request("GET", "/call/none", headers=VAPI_KEY, port=srv.mock_port)
                answered += st == 404
            except OSError:
                pass
        check(answered == 40, "with %d slow connections on each port, %d of 40 requests answered"
              % (count, answered))
    finally:
        for s in slow:
            s.close()


def heads(srv):
    many = "".join("X-H%d: v\r\n" % i for i in range(70)).encode()
    for port, shape in ((srv.port, "errors"), (srv.mock_port, "statusCode")):
        got, _ = raw(port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")
        check(got.startswith(b"HTTP/1.1 431") and shape.encode() in got and b"too many headers" in got,
              "70 headers on port %d: %r" % (port, got[:300]))
        got, closed = raw(port, b"POST /runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                                b"Content-Length: 40\r\nContent-Type: application/json\r\n\r\n{}")
        check(got.startswith(b"HTTP/1.1 400") and b"Content-Length" in got and closed,
              "two different Content-Length on port %d: %r closed=%s" % (port, got[:300], closed))
        got, _ = raw(port, b"GET /health%FF HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 400") and b"UTF-8" in got,
              "a path that is not UTF-8 on port %d: %r" % (port, got[:300]))
        got, _ = raw(port, b"GET /a%0Ab HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 400") and b"control character" in got,
              "a path with a control character on port %d: %r" % (port, got[:300]))
    # the same Content-Length twice is one length: not refused
    got, _ = raw(srv.port, b"POST /runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                           b"Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
    check(got.startswith(b"HTTP/1.1 ") and b"sent twice" not in got,
          "the same Content-Length twice is accepted: %r" % got[:300])
    # 63 headers are fine
    ok = "".join("X-H%d: v\r\n" % i for i in range(62)).encode()
    got, _ = raw(srv.port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + ok + b"\r\n")
    check(got.startswith(b"HTTP/1.1 200"), "63 headers are read: %r" % got[:200])


def main(dialsim):
    if not shutil.which("node") or not shutil.which("curl"):
        print("node and curl are needed (.ci/install-deps installs them)")
        return 1
    work = serve_util.workdir("dialsim-serve-conn-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    try:
        keep_alive(srv)
        faults_close(srv)
        slow_clients(srv)
        heads(srv)
        st, _, _ = srv.request("GET", "/health")
        check(st == 200, "the server still answers: %s" % st)
        log = srv.log_text()
        check("/a\\x0Ab" in log, "the request log escapes a control character in a path")
        check(all(l[:2] == "20" or l.startswith("dialsim serve") for l in log.splitlines() if l),
              "every request log line starts with its time (no forged line)")
    finally:
        rc = srv.stop()
    check(rc == 0, "dialsim serve exited %s" % rc)
    for f in failures:
        print("FAIL:", f)
    print("serve.connections: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
