#!/usr/bin/python3
"""Colour and progress, under pseudo-terminals (python3's pty): colour on stdout
only when stdout is a terminal and NO_COLOR is unset (or empty), a progress line
on stderr only when stderr is a terminal; pipes get exactly the plain text.
usage: check_terminal.py DIALSIM REPO_ROOT"""
import errno, os, pty, re, select, subprocess, sys

dialsim, root = sys.argv[1:3]
os.chdir(root)
ESC = "\x1b["
fails = n = 0


def check(cond, what):
    global fails, n
    n += 1
    if not cond:
        fails += 1
        print("FAIL:", what)


def run(args, out_tty, err_tty, extra_env=None):
    """Runs dialsim with stdout and stderr each a terminal or a pipe; (rc, out, err)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    env.update(extra_env or {})
    ends, mine = [], {}
    for name, tty in (("out", out_tty), ("err", err_tty)):
        r, w = pty.openpty() if tty else os.pipe()
        ends.append(w)
        mine[r] = name
    p = subprocess.Popen([dialsim, *args], stdin=subprocess.DEVNULL, stdout=ends[0],
                         stderr=ends[1], env=env)
    for w in ends:
        os.close(w)
    got = {"out": b"", "err": b""}
    open_fds = set(mine)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [], 30)
        if not ready:
            break
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError as e:  # a pty's master reads EIO once the child side is closed
                if e.errno != errno.EIO:
                    raise
                chunk = b""
            if chunk:
                got[mine[fd]] += chunk
            else:
                open_fds.discard(fd)
                os.close(fd)
    rc = p.wait(timeout=60)
    # a pty turns "\n" into "\r\n"
    return rc, got["out"].decode().replace("\r\n", "\n"), got["err"].decode().replace("\r\n", "\n")


failing = "tests/failing/expect-wrong-status.json"
args = ["run", "-j2", "scenarios/", failing]
plain_rc, plain_out, plain_err = run(args, False, False)
check(plain_rc == 1 and ESC not in plain_out and plain_err == "", "pipes: plain text, no progress")

rc, out, err = run(args, True, False)
check(rc == 1, f"stdout a terminal: exit {rc}")
check(ESC + "32mPASS" + ESC + "0m  scenarios/ao1-happy-path.json" in out, "PASS in green on a terminal")
check(ESC + "1;31mFAIL" + ESC + "0m  " + failing in out, "FAIL in red on a terminal")
check(re.search(r"passed\x1b\[0m, \x1b\[1;31m1 failed", out), "the summary in colour")
check(re.sub(r"\x1b\[[0-9;]*m", "", out) == plain_out, "without its colour, the terminal's text is the pipe's")
check(err == "", f"stderr a pipe: no progress line, got {err[:100]!r}")

for no_color in ("1", "yes"):
    rc, out, err = run(args, True, False, {"NO_COLOR": no_color})
    check(ESC not in out and out == plain_out, f"NO_COLOR={no_color}: no colour")
rc, out, err = run(args, True, False, {"NO_COLOR": ""})
check(ESC + "32mPASS" in out, "NO_COLOR empty counts as unset (no-color.org)")
rc, out, err = run(args, True, False, {"TERM": "dumb"})
check(ESC not in out, "TERM=dumb: no colour")

rc, out, err = run(args, False, True)
check(out == plain_out, "stdout a pipe: exactly the plain text while stderr is a terminal")
check(re.search(r"dialsim run \[ *\d+/\d+\]", err), f"progress on a terminal's stderr: {err[:200]!r}")
check(err.endswith("\r\x1b[K"), "the progress line is wiped at the end")

# conform: progress while it waits on the endpoint, verdicts in colour
c_args = ["conform", "trigger", "--timeout", "2000", "https://127.0.0.1:9/trigger"]
rc, out, err = run(c_args, True, True)
check(rc == 1, f"conform against a closed port: exit {rc}")
check("dialsim conform trigger: sending first trigger" in err, f"conform progress: {err[:200]!r}")
check(ESC + "1;31mFAIL" + ESC + "0m status" in out and ESC + "2mSKIP" in out, f"conform FAIL in red: {out[:300]!r}")
rc, out, err = run(c_args, False, False)
check(ESC not in out and err == "", "conform on pipes: plain")

print(f"{n - fails} passed, {fails} failed")
sys.exit(1 if fails else 0)
