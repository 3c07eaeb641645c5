"""Shared by the tests of `dialsim serve` (tests/check_serve_*.py).

Start the server on port 0, read the port from its first stdout line, talk to
it with http.client, stop it with a signal. Standard library only (Debian's
/usr/bin/python3).
"""

import atexit
import http.client
import json
import os
import select
import signal
import subprocess
import tempfile
import time


# servers started and not yet stopped: killed when the test exits without
# stopping them (a failed check, an exception), so none outlives its test
_running = set()


@atexit.register
def _kill_left():
    for proc in list(_running):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Server:
    """`dialsim serve --port 0`; its request log goes to a file in workdir."""

    def __init__(self, dialsim, workdir, db=":memory:", config=None, extra=(), mocks=False, env=None):
        self.dialsim = dialsim
        self.workdir = workdir
        self.db = db
        self.config = config
        self.extra = list(extra)
        self.mocks = mocks
        self.env = env  # None: this process's environment
        self.proc = None
        self.port = None
        self.log_path = os.path.join(workdir, "serve-%d.log" % time.monotonic_ns())

    def start(self, timeout=30.0):
        # a deadline, not a wait: sanitizer builds start 512 workers slowly
        cmd = [self.dialsim, "serve", "--port", "0", "--db", self.db] + self.extra
        if self.config:
            cmd += ["--config", self.config]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=self.env)
        _running.add(self.proc)
        # the server prints the line and flushes it at once, when it accepts requests
        ready = select.select([self.proc.stdout], [], [], timeout)[0]
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            rc = self.proc.poll()
            self.proc.kill()
            raise RuntimeError("dialsim serve did not print its port (exit %s): %s" % (rc, self.stderr()))
        text = line.decode().strip()
        if not text.startswith("listening on http://"):
            raise RuntimeError("unexpected first line: %r" % text)
        self.port = int(text.rsplit(":", 1)[1])
        self.mock_port = None
        if self.mocks:
            # with "mocks" in the config a second line comes in the same flush
            # (already in readline's buffer, so no select here)
            line = self.proc.stdout.readline().decode().strip()
            if not line.startswith("mocks on http://"):
                raise RuntimeError("no 'mocks on' line, got %r" % line)
            self.mock_port = int(line.rsplit(":", 1)[1])
        return self

    def log_text(self):
        """Everything the server wrote to stderr: the request log and more."""
        try:
            with open(self.log_path, errors="backslashreplace") as f:
                return f.read()
        except OSError:
            return ""

    def stderr(self):
        return self.log_text()[-4000:]

    def connect(self, timeout=10, port=None):
        return http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None, port=None):
        """(status, headers dict (lower-case names), parsed JSON or None);
        port: another port of the server (the mocks'), default the API's."""
        own = conn is None
        c = conn or self.connect(port=port)
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        raw = r.read()
        h = {k.lower(): v for k, v in r.getheaders()}
        if own:
            c.close()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw
        return r.status, h, data

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise RuntimeError("dialsim serve did not stop within %ss" % timeout)
        finally:
            _running.discard(self.proc)
            self.proc.stdout.close()
            self.log.close()
        if rc != 0:
            # a crash's own words (ASan's report, glibc's abort message) are
            # what a red CI log needs; the callers only report the code
            print("dialsim serve exited %d; its stderr ends:\n%s" % (rc, self.stderr()[-3000:]))
        return rc


def poll(what, fn, timeout=10.0, failures=None, step=0.01):
    """fn() until it gives something true (returned), for at most timeout s.
    Out of time: "timed out waiting for <what>" appended to failures and None
    returned, or, without a failures list, raised as an AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(step)
    if failures is None:
        raise AssertionError("timed out waiting for " + what)
    failures.append("timed out waiting for " + what)
    return None


def workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def transcript(call_ids, agent_id=1, ended_at="2026-01-01T12:01:00Z"):
    """A valid webhook body (seed 001) with one call per id."""
    return {
        "agent_id": agent_id,
        "calls": [
            {
                "id": cid,
                "startedAt": "2026-01-01T12:00:00Z",
                "endedAt": ended_at,
                "to_phone_number": "+15559870001",
                "messages": [
                    {"role": "bot", "content": "Hello, this is the agent."},
                    {"role": "user", "content": "Hi."},
                ],
            }
            for cid in call_ids
        ],
    }
