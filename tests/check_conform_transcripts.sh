#!/bin/sh
# `dialsim conform transcripts` end to end, in real time: the listener on a
# free port, real requests by the curl CLI built from fixtures/transcripts/
# (every valid and every invalid case), then the report, the answers, the exit
# codes and the JUnit file. CI-2..CI-8, docs/conformance.md.
#
# usage: check_conform_transcripts.sh DIALSIM FIXTURES_DIR WORK_DIR
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DIALSIM FIXTURES_DIR WORK_DIR" >&2; exit 2; }
rm -rf "$3"
mkdir -p "$3"
XSD_DIR=$(dirname "$0")/junit exec /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, os, re, signal, subprocess, sys, time
import xml.etree.ElementTree as ET

BIN, FIX, WORK = sys.argv[1:4]
KEY = "sk-project-7f3a9c2e"  # the fixtures' default project key
t_start = time.monotonic()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def start(*args):
    """The listener on a free port; returns (process, base URL)."""
    p = subprocess.Popen([BIN, "conform", "transcripts", "--listen", "0", *args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.fullmatch(r"listening on (http://127\.0\.0\.1:(\d+))\n", line)
    if not m:
        p.kill()
        print("FAIL: no 'listening on' line, got %r; stderr %r" % (line, p.stderr.read()))
        sys.exit(1)
    return p, m.group(1)


def finish(p, timeout=5):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def curl(url, req, path="/hook", method=None):
    """Sends one fixture request.json with curl; returns (status, answer bytes)."""
    args = ["curl", "-sS", "--max-time", "5", "-o", os.path.join(WORK, "answer"),
            "-w", "%{http_code}", "-H", "Expect:"]
    headers = req.get("headers", {})
    for name, value in (headers.items() if isinstance(headers, dict) else headers):
        args += ["-H", "%s: %s" % (name, value) if value != "" else name + ";"]
    # no content_type: curl's default for --data-binary is removed, none is sent
    args += ["-H", "Content-Type: " + req["content_type"] if "content_type" in req
             else "Content-Type:"]
    if "raw" in req:
        body = req["raw"].encode()
    else:  # as tests/test_transcript.c sends it: json_dumps(body, JSON_INDENT(2))
        body = json.dumps(req["body"], indent=2, ensure_ascii=False).encode()
    with open(os.path.join(WORK, "body"), "wb") as f:
        f.write(body)
    args += ["--data-binary", "@" + os.path.join(WORK, "body")]
    if method:
        args += ["-X", method]
    r = subprocess.run(args + [url + path], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True)
    if r.returncode != 0:
        print("FAIL: curl: %s" % r.stderr)
        sys.exit(1)
    with open(os.path.join(WORK, "answer"), "rb") as f:
        return int(r.stdout), f.read()


def blocks(out):
    """{request number: [lines of its block]}"""
    got, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"request (\d+): ", line)
        if m:
            cur = got.setdefault(int(m.group(1)), [])
        elif not line.startswith("  "):
            cur = None
        if cur is not None:
            cur.append(line)
    return got


def load(d, name):
    with open(os.path.join(d, name), encoding="utf-8") as f:
        return json.load(f)


def rule_order(rules):
    return sorted(rules, key=lambda r: int(r[3:]))


# The rule of every error of the one fixture that breaks several (CI-8).
CI8_RULES = {
    "agent_id": "CI-3",
    "calls[0].to_phone_number": "CI-4",
    "calls[1].id": "CI-4",
    "calls[1].startedAt": "CI-4",
    "calls[1].messages[0].role": "CI-5",
    "calls[1].messages[0].content": "CI-5",
    "calls[1].messages[1].role": "CI-5",
    "calls[1].messages[1].start_time": "CI-5",
    "calls[2]": "CI-3",
}
WARNING_RULES = {"key_header_spelling": "CI-2", "time_in_seconds": "CI-5"}
UNKNOWN_FIELD_RULES = {  # valid/unknown-fields-ignored: one per level
    "source": "CI-3",
    "calls[0].ended_reason": "CI-4",
    "calls[0].duration": "CI-4",
    "calls[0].messages[0].confidence": "CI-5",
}


def expected_lines(case, exp):
    """The rules broken and the report lines the case must produce."""
    kind, name = case.split("/")
    folder_rule = "CI-" + name.split("-")[0][2:] if kind == "invalid" else None
    lines, rules = [], set()
    for e in exp["body"].get("errors", []):
        if "path" in e:
            rule = CI8_RULES[e["path"]] if folder_rule == "CI-8" else folder_rule
            where = e["path"] or "(root)"
        elif "header" in e:
            rule, where = "CI-2", "header " + e["header"]
        elif "line" in e:
            rule, where = "CI-2", "body line %d, column %d" % (e["line"], e["column"])
        else:
            rule, where = "CI-2", "body"
        rules.add(rule)
        lines.append("  error %s %s: %s" % (rule, where, e["message"]))
    if any("path" in e for e in exp["body"].get("errors", [])):
        rules.add("CI-8")  # all listed at once, nothing stored
        lines.append("  error CI-8 (request): ")
    for w in exp.get("warnings", []):
        rule = WARNING_RULES.get(w["code"]) or UNKNOWN_FIELD_RULES.get(w["path"])
        if rule is None:  # an unknown field elsewhere: any rule of the body
            rule = r"CI-[345]"
        path = " " + w["path"] if w["path"] is not None else ""
        lines.append("  warning %s %s%s: %s" % (rule, w["code"], path, w["message"]))
    return rules, lines


# ---- arguments -----------------------------------------------------------------
def rc_of(*args):
    return subprocess.run([BIN, "conform", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True).returncode


check(rc_of("transcripts", "--help") == 0, "--help exits 0")
check(rc_of("transcripts", "--listen", "0") == 2, "no --api-key exits 2")
check(rc_of("transcripts", "--api-key", KEY) == 2, "no --listen exits 2")
check(rc_of("transcripts", "--listen", "x", "--api-key", KEY) == 2, "--listen x exits 2")
check(rc_of("transcripts", "--listen", "70000", "--api-key", KEY) == 2, "--listen 70000 exits 2")
check(rc_of("transcripts", "--listen", "0", "--api-key", KEY, "--count", "0") == 2,
      "--count 0 exits 2")
check(rc_of("transcripts", "--listen", "0", "--api-key", KEY, "--bogus", "1") == 2,
      "an unknown option exits 2")
check(rc_of("transcripts", "--listen", "0", "--api-key", KEY, "--junit",
            "/nonexistent/dir/x.xml") == 2, "an unwritable --junit exits 2 at once")
check(rc_of("bogus") == 2, "conform bogus exits 2")

# ---- every fixture, one listener -------------------------------------------------
cases = []
for kind in ("valid", "invalid"):
    for name in sorted(os.listdir(os.path.join(FIX, kind))):
        d = os.path.join(FIX, kind, name)
        if os.path.isfile(os.path.join(d, "request.json")):
            req = load(d, "request.json")
            if "max_body" in req or req.get("api_key", KEY) != KEY:
                continue  # another listener's settings (below)
            cases.append((kind + "/" + name, req, load(d, "expected.json")))
check(len(cases) >= 60, "at least 60 fixtures found (got %d)" % len(cases))

junit = os.path.join(WORK, "conform.xml")
p, url = start("--api-key", KEY, "--count", str(len(cases) + 1), "--junit", junit)
for case, req, exp in cases:
    status, answer = curl(url, req)
    check(status == exp["status"], "%s: answered %d, expected %d" % (case, status, exp["status"]))
    check(json.loads(answer) == exp["body"], "%s: answer %s, expected %s"
          % (case, answer.decode(errors="replace"), json.dumps(exp["body"])))
# not POST: 405, CI-2
status, answer = curl(url, {"headers": {"X-CEKURA-API-KEY": KEY},
                            "content_type": "application/json", "raw": ""}, method="PUT")
check(status == 405, "PUT answered %d, expected 405" % status)
rc, out, err = finish(p)
check(rc == 1, "exit code %d with invalid requests, expected 1 (stderr %r)" % (rc, err))
got = blocks(out)
check(sorted(got) == list(range(1, len(cases) + 2)), "one block per request, numbered")

junit_rules = {}
for i, (case, req, exp) in enumerate(cases, 1):
    block = got.get(i, [])
    text = "\n".join(block)
    rules, lines = expected_lines(case, exp)
    want = ", ".join(rule_order(rules)) or "none"
    junit_rules[i] = " ".join(rule_order(rules))
    check(block and re.fullmatch(r"request %d: POST /hook -> %d [A-Z].*" % (i, exp["status"]),
                                 block[0]), "%s: block header %r" % (case, block[:1]))
    check(block and block[-1] == "  rules broken: " + want,
          "%s: %r, expected 'rules broken: %s'" % (case, block[-1:], want))
    for line in lines:
        if line.startswith("  warning"):
            pat = re.escape(line).replace(re.escape("CI-[345]"), "CI-[345]")
            ok = any(re.fullmatch(pat, b) for b in block)
        else:
            ok = any(b.startswith(line) for b in block)
        check(ok, "%s: no line %r in\n%s" % (case, line, text))
    n_err = sum(1 for b in block if b.startswith("  error "))
    check(n_err == sum(1 for x in lines if x.startswith("  error ")),
          "%s: %d error lines, expected %d" % (case, n_err, len(
              [x for x in lines if x.startswith("  error ")])))

# the spelling warning (CI-2 decision) by name, for the lower-case header
i = [c for c, _, _ in cases].index("valid/key-header-lowercase") + 1
check(any(b.startswith('  warning CI-2 key_header_spelling: the API key header was sent as '
                       '"x-cekura-api-key"') for b in got.get(i, [])),
      "the x-cekura-api-key warning is printed")
last = got.get(len(cases) + 1, [])
check(last[:2] == ["request %d: PUT /hook -> 405 Method Not Allowed" % (len(cases) + 1),
                   "  error CI-2 method: must be POST, got PUT"], "PUT is CI-2: %r" % last)
check(re.search(r"^%d requests: %d conform, %d broke a rule; rules broken: "
                r"CI-2, CI-3, CI-4, CI-5, CI-8$" % (
                    len(cases) + 1, sum(1 for c in cases if c[0].startswith("valid/")),
                    sum(1 for c in cases if c[0].startswith("invalid/")) + 1),
                out, re.M), "summary line:\n" + out.splitlines()[-1])

# JUnit: one testcase per request, a failure naming the rules
tree = ET.parse(junit)
tcs = tree.getroot().findall("./testsuite/testcase")
check(len(tcs) == len(cases) + 1, "JUnit: %d testcases, expected %d" % (len(tcs), len(cases) + 1))
junit_rules[len(cases) + 1] = "CI-2"
for i, tc in enumerate(tcs, 1):
    f = tc.find("failure")
    want = junit_rules.get(i, "")
    check(tc.get("name", "").startswith("request %d: " % i), "JUnit name %r" % tc.get("name"))
    check((f.get("type") if f is not None else "") == want,
          "JUnit request %d: failure type %r, expected %r" % (
              i, f.get("type") if f is not None else None, want))
for xsd in ("ant-junit.xsd", "jenkins-junit.xsd"):  # both schemas (issue 15)
    v = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(os.environ["XSD_DIR"], xsd), junit],
                       capture_output=True, text=True)
    check(v.returncode == 0, "JUnit not valid against %s: %s" % (xsd, v.stderr))
suite = tree.getroot().find("testsuite")
check(suite.get("failures") == str(sum(1 for v in junit_rules.values() if v)),
      "JUnit failures count")

# ---- the size limit (413, CI-2) on a listener with --max-body ---------------------
d = os.path.join(FIX, "invalid", "ci2-body-too-large")
req, exp = load(d, "request.json"), load(d, "expected.json")
p, url = start("--api-key", KEY, "--count", "1", "--max-body", str(req["max_body"]))
status, answer = curl(url, req)
check(status == 413 and json.loads(answer) == exp["body"], "413: %d %r" % (status, answer))
rc, out, err = finish(p)
check(rc == 1, "413 run exit %d" % rc)
check("  error CI-2 body: " + exp["body"]["errors"][0]["message"] in out.splitlines(),
      "413 report:\n" + out)

# ---- no body can crash it (issue 10): 100,000 levels, then an ordinary request ------
# jansson recursed on CivetWeb's 100 KB worker stack: SIGSEGV before the fix.
p, url = start("--api-key", KEY, "--count", "3")
for raw, col in (("[" * 100000, 65), ('{"a":' * 100000, 321)):
    msg = "body: JSON nested deeper than 64 levels at line 1, column %d" % col
    status, answer = curl(url, {"headers": {"X-CEKURA-API-KEY": KEY},
                                "content_type": "application/json", "raw": raw})
    check(status == 400 and json.loads(answer) == {"errors": [
        {"line": 1, "column": col, "message": msg}]}, "too deep: %d %r" % (status, answer[:300]))
status, _ = curl(url, load(os.path.join(FIX, "valid", "minimal"), "request.json"))
check(status == 200, "after the deep bodies valid/minimal answered %d" % status)
rc, out, err = finish(p)
check(rc == 1, "deep bodies: exit %d, expected 1 (stderr %r)" % (rc, err[-300:]))
check("  error CI-2 body line 1, column 65: body: JSON nested deeper than 64 levels at line 1, "
      "column 65" in out.splitlines(), "too-deep report:\n" + out)

# ---- only good requests: exit 0 ------------------------------------------------------
p, url = start("--api-key", KEY, "--count", "2")
for name in ("minimal", "sip-run-id"):
    status, _ = curl(url, load(os.path.join(FIX, "valid", name), "request.json"))
    check(status == 200, "valid/%s answered %d" % (name, status))
rc, out, err = finish(p)
check(rc == 0, "exit %d when every request conforms, expected 0" % rc)
check(out.endswith("2 requests: 2 conform, 0 broke a rule; rules broken: none\n"),
      "clean summary:\n" + out)

# ---- SIGINT / SIGTERM stop it cleanly; a port in use is exit 2 ----------------------
for sig in (signal.SIGTERM, signal.SIGINT):
    junit2 = os.path.join(WORK, "signal.xml")
    p, url = start("--api-key", KEY, "--junit", junit2)
    port = url.rsplit(":", 1)[1]
    check(rc_of("transcripts", "--listen", port, "--api-key", KEY) == 2,
          "a port in use exits 2")
    status, _ = curl(url, load(os.path.join(FIX, "valid", "minimal"), "request.json"))
    check(status == 200, "before %s: %d" % (sig.name, status))
    p.send_signal(sig)
    rc, out, err = finish(p)
    check(rc == 0, "%s: exit %d, expected 0 (stderr %r)" % (sig.name, rc, err))
    check(sig.name in err, "%s named on stderr: %r" % (sig.name, err))
    check(out.endswith("1 request: 1 conform, 0 broke a rule; rules broken: none\n"),
          "%s summary:\n%s" % (sig.name, out))
    check(len(ET.parse(junit2).getroot().findall("./testsuite/testcase")) == 1,
          "%s: JUnit written" % sig.name)

print("%d checks failed; %.2f s" % (len(failures), time.monotonic() - t_start))
sys.exit(1 if failures else 0)
PY
