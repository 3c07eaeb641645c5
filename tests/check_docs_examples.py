#!/usr/bin/python3
"""The example suite of docs/mocks.md#admin runs as documented (issue 13):
`dialsim serve --config docs/examples/mocks-config.json --time-scale 0.01`
with an admin token, then docs/examples/admin-suite.sh (curl) and
docs/examples/admin-suite.mjs (Node's fetch, node --test) against its mocks:
reset, an outcome, a call, the webhook waited for, the request verified.

usage: check_docs_examples.py DIALSIM DOCS_DIR
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402


def main(dialsim, docs):
    ex = os.path.join(docs, "examples")
    work = serve_util.workdir("dialsim-docs-examples-")
    srv = serve_util.Server(dialsim, work, config=os.path.join(ex, "mocks-config.json"),
                            mocks=True, extra=["--time-scale", "0.01", "--admin-token", "t0k"])
    srv.start()
    env = dict(os.environ, MOCKS="http://127.0.0.1:%d" % srv.mock_port, ADMIN_TOKEN="t0k")
    failures = []
    for cmd in (["sh", os.path.join(ex, "admin-suite.sh")],
                ["node", "--test", os.path.join(ex, "admin-suite.mjs")]):
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        print("$ %s\n%s%s" % (" ".join(cmd), p.stdout[-2000:], p.stderr[-2000:]))
        if p.returncode != 0:
            failures.append("%s exited %d" % (" ".join(cmd), p.returncode))
    # the example without the token is refused, not silently run open
    p = subprocess.run(["sh", os.path.join(ex, "admin-suite.sh")],
                       env=dict(env, ADMIN_TOKEN="wrong"), capture_output=True, text=True,
                       timeout=60)
    if p.returncode == 0:
        failures.append("the curl example passed with a wrong admin token")
    rc = srv.stop()
    if rc != 0:
        failures.append("serve exited %d" % rc)
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
