#!/usr/bin/python3
"""`--format json` on every command that reports (run, repro, explain, conform):
one JSON document on stdout, valid against docs/output.schema.json (Debian's
python3-jsonschema), with the same exit code as the text and the facts the
text gives (a failed expectation's file:line:column, a reason's scenarios).
usage: check_json_output.py DIALSIM REPO_ROOT WORKDIR"""
import json, os, subprocess, sys
from jsonschema import Draft202012Validator

dialsim, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
os.chdir(root)
schema = json.load(open("docs/output.schema.json"))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
fails = 0
n = 0


def check(cond, what):
    global fails, n
    n += 1
    if not cond:
        fails += 1
        print("FAIL:", what)


def doc(want_rc, *args):
    p = subprocess.run([dialsim, *args], capture_output=True, text=True)
    check(p.returncode == want_rc, f"{' '.join(args)}: exit {p.returncode}, expected {want_rc}: {p.stderr}")
    try:
        d = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        check(False, f"{' '.join(args)}: stdout is not one JSON document: {e}: {p.stdout[:300]!r}")
        return {}
    errors = sorted(validator.iter_errors(d), key=lambda e: list(e.path))
    check(not errors, f"{' '.join(args)}: not valid against docs/output.schema.json: "
          + "; ".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:3]))
    return d


failing = "tests/failing/expect-wrong-status.json"
d = doc(1, "run", "--format", "json", "scenarios/ao1-happy-path.json", failing)
if d:
    check(d["format"] == "dialsim-run/1", d.get("format"))
    check(d["summary"] == {**d["summary"], "scenarios": 2, "passed": 1, "failed": 1}, d["summary"])
    bad = [s for s in d["scenarios"] if s["status"] == "failed"]
    check(len(bad) == 1 and bad[0]["path"] == failing, bad)
    f = bad[0]["failures"][0]
    line = next(i for i, l in enumerate(open(failing), 1) if '"status": "timeout"' in l)
    check((f["file"], f["line"]) == (failing, line), f)
    check(f["message"].startswith("run 'caller': status: expected \"timeout\""), f)
    check(bad[0]["runs"]["caller"]["status"] == "completed", bad[0]["runs"])
d = doc(0, "run", "--format=json", "-j2", "scenarios/")
if d:
    check(d["summary"]["failed"] == 0 and d["summary"]["scenarios"] == len(d["scenarios"]) > 50,
          d["summary"])

d = doc(0, "repro", "--format", "json", "fixtures/repro/vapi-busy-caller-id.json",
        "-o", os.path.join(work, "r.json"))
if d:
    check(d["symptom"] == "busy" and "caller_id_mismatch" in d["core_side"], d)
    check(d["scenario"] == os.path.join(work, "r.json") and os.path.exists(d["scenario"]), d)

d = doc(2, "explain", "--format", "json", "caller_id_mismatch", "AO-3", "bogus")
if d:
    kinds = [i["kind"] for i in d["items"]]
    check(kinds == ["reason", "rule", "unknown"], kinds)
    r = d["items"][0]["reason"]
    check(r["rule"] == "AO-3" and "scenarios/ao3-caller-id-mismatch-one-digit.json" in r["reproduced_by"], r)

# conform outbound-connection with a config it refuses: the checks, no network
cfg = os.path.join(work, "bad-ov.json")
open(cfg, "w").write("{\"endpoint\": 1")
d = doc(1, "conform", "outbound-connection", "--config", cfg, "--format", "json")
if d:
    check(d["suite"] == "conform outbound-connection" and d["checks"][0]["verdict"] == "FAIL", d)
    check(d["summary"]["skipped"] == len(d["checks"]) - 1, d["summary"])

# conform transcripts: the URL on stderr, one document on stdout when it stops
import urllib.request, urllib.error
p = subprocess.Popen([dialsim, "conform", "transcripts", "--listen", "0", "--api-key", "k",
                      "--count", "1", "--format", "json"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
first = p.stderr.readline()
check(first.startswith("listening on http://"), f"conform transcripts: {first!r}")
if first.startswith("listening on "):
    req = urllib.request.Request(first.split()[2] + "/hook", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json", "X-Api-Key": "k"})
    try:
        urllib.request.urlopen(req, timeout=10)
    except urllib.error.HTTPError:
        pass  # a 4xx is the point: {} breaks rules
out, _ = p.communicate(timeout=30)
check(p.returncode == 1, f"conform transcripts: exit {p.returncode}")
try:
    d = json.loads(out)
    errors = list(validator.iter_errors(d))
    check(not errors, f"conform transcripts: {[e.message[:200] for e in errors[:3]]}")
    check(d["format"] == "dialsim-conform-transcripts/1" and d["summary"]["broke"] == 1
          and d["requests"][0]["rules"], d)
except (json.JSONDecodeError, KeyError, IndexError) as e:
    check(False, f"conform transcripts: {e}: {out[:300]!r}")

for args in (["run", "--format", "yaml", failing], ["explain", "--format", "xml", "dial_late"],
             ["repro", "--format", "csv", "x.json"], ["conform", "trigger", "--format", "x", "https://e.test/"]):
    p = subprocess.run([dialsim, *args], capture_output=True, text=True)
    check(p.returncode == 2, f"{' '.join(args)}: exit {p.returncode}, expected 2")

print(f"{n - fails} passed, {fails} failed")
sys.exit(1 if fails else 0)
