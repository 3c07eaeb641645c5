#!/usr/bin/python3
"""Seed corpora for the fuzz targets, made at run time from the repository's
own inputs so that nothing large is copied into fuzz/ (docs/reliability.md).

usage: seeds.py OUTDIR  ->  OUTDIR/<target>/<files>

- scenario: scenarios/*.json, fixtures/scenario-example.json, tests/invalid/*/input.json
- repro: fixtures/repro/*.json
- transcript: fixtures/transcripts/{valid,invalid}/*/request.json as "headers, empty
  line, body" (fuzz/fuzz_util.h), the project's key replaced by the target's "k1"
- http_api: the same requests as raw HTTP to POST /projects/acme/transcripts, the
  scenarios' bodies to POST /runs, /agents, /projects, plus fuzz/seeds/http_api/
- http_mocks, webhook_sig, provider_answer: fuzz/seeds/<target>/ (small, hand-written)
- json_fast: the scenarios and the transcript fixtures' bodies (JSON as it comes)
- recording: tenth-of-a-second files in each container sox writes (wav, flac, ogg, aiff,
  au), when sox is installed
"""

import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1]


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def copy_glob(target, pattern, name_of=os.path.basename):
    for p in sorted(glob.glob(os.path.join(ROOT, pattern))):
        with open(p, "rb") as f:
            put(target, name_of(p), f.read())


def http(method, path, headers, body):
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % (method, path)
    for k, v in headers:
        head += "%s: %s\r\n" % (k, v)
    if body is not None:
        head += "Content-Length: %d\r\n" % len(body)
    return head.encode() + b"\r\n" + (body or b"")


copy_glob("scenario", "scenarios/*.json")
copy_glob("scenario", "fixtures/scenario-example.json")
copy_glob("scenario", "tests/invalid/*/input.json",
          lambda p: "invalid-" + os.path.basename(os.path.dirname(p)) + ".json")
copy_glob("repro", "fixtures/repro/*.json")

for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/transcripts/*/*/request.json"))):
    case = os.path.basename(os.path.dirname(p))
    rq = json.load(open(p))
    key = rq.get("api_key", "sk-project-7f3a9c2e")
    hs = rq.get("headers", {})
    hs = list(hs.items()) if isinstance(hs, dict) else [tuple(h) for h in hs]
    hs = [(k, "k1" if v == key else v) for k, v in hs]
    if "content_type" in rq:
        hs.append(("Content-Type", rq["content_type"]))
    body = rq["raw"].encode() if "raw" in rq else json.dumps(rq.get("body"), indent=2).encode()
    head = "".join("%s: %s\n" % (k, v) for k, v in hs)
    put("transcript", case, head.encode() + b"\n" + body)
    put("http_api", "tx-" + case, http("POST", "/projects/acme/transcripts", hs, body))

for p in sorted(glob.glob(os.path.join(ROOT, "scenarios/*.json")))[:20]:
    sc = json.load(open(p))
    name = os.path.basename(p)
    for a in sc.get("agents", [])[:1]:
        put("http_api", "agent-" + name,
            http("POST", "/agents", [("Content-Type", "application/json")], json.dumps(a).encode()))
put("http_api", "runs", http("POST", "/runs", [("Content-Type", "application/json")],
                             b'{"agent": "good", "evaluators": ["e1"]}'))

for t in ("http_api", "http_mocks", "webhook_sig", "provider_answer"):
    copy_glob(t, "fuzz/seeds/%s/*" % t)

copy_glob("json_fast", "scenarios/*.json")
copy_glob("json_fast", "fixtures/transcripts/valid/*/request.json",
          lambda p: os.path.basename(os.path.dirname(p)) + ".json")

if shutil.which("sox"):
    d = os.path.join(OUT, "recording")
    os.makedirs(d, exist_ok=True)
    for ext, extra in (("wav", []), ("flac", []), ("ogg", []), ("aiff", []), ("au", []),
                       ("wav", ["-e", "u-law"]), ("wav", ["-c", "2"])):
        name = "tone-%s%s.%s" % (ext, "".join(extra).replace("-", ""), ext)
        subprocess.run(["sox", "-n", "-r", "8000"] + extra + [os.path.join(d, name),
                        "synth", "0.1", "sine", "440"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
