#!/usr/bin/env python3
"""`dialsim run --junit` writes JUnit XML that CI systems read: one testcase
per scenario, a <failure> for a failed one, counts that add up.
usage: check_junit.py DIALSIM SCENARIO_FILE FAILING_SCENARIO_FILE WORKDIR"""
import os, subprocess, sys, xml.etree.ElementTree as ET

dialsim, good, bad, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
out = os.path.join(work, "junit.xml")
rc = subprocess.run([dialsim, "run", "--junit", out, good, bad], capture_output=True).returncode
assert rc == 1, f"exit {rc}, expected 1 (one scenario fails)"
root = ET.parse(out).getroot()
assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1", root.attrib
cases = root.findall("./testsuite/testcase")
assert len(cases) == 2, len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == 1 and failed[0].get("name") == os.path.basename(bad), [c.attrib for c in failed]
assert "expected" in failed[0].find("failure").get("message"), failed[0].find("failure").attrib
print("1 passed, 0 failed")
