#!/usr/bin/python3
"""`dialsim run --report FILE.html` (and `conform --report`) in a real browser: Debian's headless
Chromium loads the page (a missing chromium fails this test: .ci/install-deps
installs it), runs its script, and the DOM it dumps is checked: the failing
scenario marked and first, its failed expectation with file:line:column, the
dial window band where the run's times put it, the dials with caller ID and
the gate's decision, the filter working from the URL; the page is
self-contained; 1,000 scenarios load and filter. A screenshot is left in
WORKDIR/report.png for a person to look at.
usage: check_html_report.py DIALSIM REPO_ROOT WORKDIR"""
import html.parser, json, os, re, shutil, subprocess, sys, time

dialsim, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
os.chdir(root)
chromium = shutil.which("chromium")
if not chromium:
    print("FAIL: chromium is not installed (.ci/install-deps installs Debian's chromium)")
    sys.exit(1)
fails = n = 0


def check(cond, what):
    global fails, n
    n += 1
    if not cond:
        fails += 1
        print("FAIL:", what)


def browser(*args):
    """Headless Chromium on this machine only: no network, its own profile."""
    profile = os.path.join(work, "profile")
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", f"--user-data-dir={profile}",
                           "--no-first-run", "--disable-extensions", "--virtual-time-budget=5000",
                           *args], capture_output=True, text=True, timeout=120)


class Dom(html.parser.HTMLParser):
    """The elements of a dumped DOM as (tag, attrs, text) in document order."""
    def __init__(self):
        super().__init__()
        self.els, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        el = [tag, dict(attrs), ""]
        self.els.append(el)
        if tag not in ("input", "br", "meta", "img", "link", "hr"):  # HTML void elements
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el[2] += data


def dom_of(url):
    p = browser("--dump-dom", url)
    check(p.returncode == 0 and "<html" in p.stdout, f"chromium --dump-dom {url}: {p.stderr[-300:]}")
    d = Dom()
    d.feed(p.stdout)
    return d.els


failing = "tests/failing/expect-wrong-status.json"
page = os.path.join(work, "report.html")
p = subprocess.run([dialsim, "run", "--report", page, "scenarios/", failing], capture_output=True, text=True)
check(p.returncode == 1, f"run --report: exit {p.returncode}, expected 1")
text = open(page, encoding="utf-8").read()
# self-contained: nothing fetched from anywhere (the SVG namespace is a name, not a fetch)
check(not re.search(r"<(link|img|iframe|object|embed)\b|\bsrc=|url\(|@import", text),
      "the page loads nothing from outside itself")
check("Content-Security-Policy" in text and "default-src 'none'" in text, "a CSP forbids fetches")

els = dom_of("file://" + page)
shown = [e for e in els if e[1].get("id") == "shown"]
total = text.count('<details class="scenario ')
check(shown and shown[0][2] == f"{total} of {total} shown", f"the script ran: {shown[:1]}")
scen = [e for e in els if e[0] == "details" and "scenario" in e[1].get("class", "")]
# the catalogue and the one failing file: every scenario has its section
ran = len([f for f in os.listdir("scenarios") if f.endswith(".json")]) + 1
check(len(scen) == total == ran, f"{len(scen)} scenarios in the DOM, {total} in the file, {ran} run")
first = scen[0]
check("failed" in first[1]["class"] and first[1].get("data-path") == failing and "open" in first[1],
      f"the failing scenario comes first, open and marked: {first[1]}")
check(all("passed" in e[1]["class"] and "open" not in e[1] for e in scen[1:]),
      "passing scenarios start collapsed")
line = next(i for i, l in enumerate(open(failing), 1) if '"status": "timeout"' in l)
fl = [e for e in els if e[1].get("class") == "failure"]
check(fl and fl[0][2].startswith(f"{failing}:{line}:19: run 'caller': status: expected \"timeout\""),
      f"the failed expectation with its position: {fl[:1]}")
check(any(e[0] == "section" and "failed-run" in e[1].get("class", "") for e in els),
      "the run the failure names is marked")

# the window band of ao3-caller-id-mismatch-one-digit: 0 s to 300 s on its clock
i = next(k for k, e in enumerate(els) if e[1].get("data-path") == "scenarios/ao3-caller-id-mismatch-one-digit.json")
svg = next(e for e in els[i:] if e[0] == "svg")
rect = next(e for e in els[els.index(svg):] if e[0] == "rect")
x0, scale = float(svg[1]["data-x0"]), float(svg[1]["data-scale"])
opens, closes = float(rect[1]["data-opens"]), float(rect[1]["data-closes"])
check((opens, closes) == (0.0, 300.0), f"window 0..300 s: {rect[1]}")
check(abs(float(rect[1]["x"]) - (x0 + opens * scale)) < 0.2 and
      abs(float(rect[1]["width"]) - (closes - opens) * scale) < 0.2, f"the band where the times put it: {rect[1]}")
dial = next(e for e in els[els.index(svg):] if e[0] == "g" and "dial" in e[1].get("class", ""))
check("dropped" in dial[1]["class"] and dial[1]["data-t"] == "2"
      and dial[2] == "+15551234568: gate dropped, caller_id_mismatch", f"the dial: {dial}")
check(any(e[0] == "line" and e[1].get("class") == "latency" for e in els[els.index(svg):els.index(svg) + 40]),
      "the provider request's latency is drawn")

# the filter, driven from the URL: failed only; words
els = dom_of("file://" + page + "#failed")
shown = [e for e in els if e[1].get("id") == "shown"]
check(shown and shown[0][2] == f"1 of {total} shown", f"#failed: {shown[:1]}")
els = dom_of("file://" + page + "#q=caller_id_missing")
vis = [e[1]["data-path"] for e in els if e[0] == "details" and "scenario" in e[1].get("class", "")
       and "hidden" not in e[1]["class"]]
check(vis == ["scenarios/ao3-caller-id-withheld.json"], f"#q=caller_id_missing shows {vis}")

# conform --report: the checks, the failed one first, against a port nobody listens on
cpage = os.path.join(work, "conform.html")
p = subprocess.run([dialsim, "conform", "trigger", "--timeout", "2000", "--report", cpage,
                    "https://127.0.0.1:9/trigger"], capture_output=True, text=True)
check(p.returncode == 1, f"conform --report: exit {p.returncode}")
ctext = open(cpage, encoding="utf-8").read() if os.path.exists(cpage) else ""
check(not re.search(r"<(link|img|iframe|script)\b|\bsrc=|url\(", ctext), "conform page: self-contained")
els = dom_of("file://" + cpage)
rows = [e for e in els if e[0] == "tr" and "check" in e[1].get("class", "")]
check(len(rows) == 7 and rows[0][1]["class"] == "check FAIL" and rows[0][2].startswith("FAILstatusTU-3"),
      f"conform page rows: {[r[1] for r in rows][:3]} {rows[:1]}")

shot = os.path.join(work, "report.png")
small = os.path.join(work, "small.html")
subprocess.run([dialsim, "run", "--report", small, failing, "scenarios/ao3-caller-id-mismatch-one-digit.json",
                "scenarios/ao4-vapi-happy-path-webhooks.json", "scenarios/tu4-slow-trigger-late-dial.json"],
               capture_output=True)
p = browser(f"--screenshot={shot}", "--window-size=1000,1100", "file://" + small + "#")
check(p.returncode == 0 and os.path.getsize(shot) > 20000, f"screenshot: {p.stderr[-200:]}")

# 1,000 scenarios: the page stays one file that loads and filters
big = os.path.join(work, "thousand")
shutil.rmtree(big, ignore_errors=True)
os.makedirs(big)
src = json.load(open("scenarios/ao3-caller-id-mismatch-one-digit.json"))
for k in range(1000):
    src["name"] = f"copy {k}"
    json.dump(src, open(os.path.join(big, f"s{k:04d}.json"), "w"))
bigpage = os.path.join(work, "thousand.html")
p = subprocess.run([dialsim, "run", "-j2", "--report", bigpage, big], capture_output=True, text=True)
check(p.returncode == 0, f"1,000 scenarios: exit {p.returncode}")
t0 = time.monotonic()
els = dom_of("file://" + bigpage + "#q=s0999")
took = time.monotonic() - t0
shown = [e for e in els if e[1].get("id") == "shown"]
check(shown and shown[0][2] == "1 of 1000 shown", f"1,000 scenarios filtered: {shown[:1]}")
print(f"1,000 scenarios: {os.path.getsize(bigpage) / 1e6:.1f} MB, loaded and filtered in {took:.1f} s")
print(f"screenshot: {shot}")
print(f"{n - fails} passed, {fails} failed")
sys.exit(1 if fails else 0)
