#!/usr/bin/env python3
"""`dialsim run --junit` writes JUnit XML that CI systems read: one testcase
per scenario with its time, a class name relative to the current directory
(the same whether the path was given absolute or not), a <failure> whose
message is the failed expectation's file:line:column, counts that add up, and
a file valid against both the Ant JUnit schema and Jenkins' (xmllint).
usage: check_junit.py DIALSIM SCENARIO_FILE FAILING_SCENARIO_FILE WORKDIR"""
import os, re, subprocess, sys, xml.etree.ElementTree as ET

dialsim, good, bad, work = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))
root_dir = os.path.dirname(here)
os.makedirs(work, exist_ok=True)
out = os.path.join(work, "junit.xml")
# from the checkout, with absolute paths (as ctest gives them)
p = subprocess.run([dialsim, "run", "--junit", out, os.path.abspath(good), os.path.abspath(bad)],
                   capture_output=True, text=True, cwd=root_dir)
assert p.returncode == 1, f"exit {p.returncode}, expected 1 (one scenario fails)"
root = ET.parse(out).getroot()
assert root.tag == "testsuites", root.tag
suite = root.find("testsuite")
assert suite.get("tests") == "2" and suite.get("failures") == "1", suite.attrib
assert re.fullmatch(r"\d+\.\d{3}", suite.get("time") or ""), suite.attrib
cases = root.findall("./testsuite/testcase")
assert len(cases) == 2, len(cases)
for c in cases:
    assert re.fullmatch(r"\d+\.\d{3}", c.get("time") or ""), c.attrib
    assert not c.get("classname").startswith("/"), c.attrib  # relative, stable across machines
classes = {c.get("name"): c.get("classname") for c in cases}
assert classes == {os.path.basename(good): os.path.relpath(os.path.dirname(os.path.abspath(good)), root_dir),
                   os.path.basename(bad): os.path.relpath(os.path.dirname(os.path.abspath(bad)), root_dir)}, classes
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == 1 and failed[0].get("name") == os.path.basename(bad), [c.attrib for c in failed]
msg = failed[0].find("failure").get("message")
rel_bad = os.path.relpath(os.path.abspath(bad), root_dir)
# the position of "status": "timeout" in the failing scenario, found independently
line = next(i for i, l in enumerate(open(bad), 1) if '"status": "timeout"' in l)
col = open(bad).read().splitlines()[line - 1].index('"timeout"') + 1
want = f"{os.path.abspath(bad)}:{line}:{col}: run 'caller': status: expected"
assert msg.startswith(want), (msg, want)
assert want in p.stdout, p.stdout  # the terminal says where, too
for xsd in ("ant-junit.xsd", "jenkins-junit.xsd"):
    v = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(here, "junit", xsd), out],
                       capture_output=True, text=True)
    assert v.returncode == 0, f"{xsd}: {v.stderr}"
print("1 passed, 0 failed")
