#!/usr/bin/python3
"""Durability of `dialsim serve`'s objects: an acknowledged create or update of
a project, agent or evaluator survives kill -9 (docs/api.md#durability).

Round 1 (no config): create a project (with an API key), an agent and an
evaluator through the API, PATCH the agent's contact_number, SIGKILL the
server. Round 2, same database: the agent has the patched number, the
evaluator is there, and the transcript webhook still authenticates with the
project's key (a wrong key: 401). Round 3, same database and a config file
naming the same ids with other values: the stored state wins, objects only in
the config are created, and a stored agent whose project is gone is skipped
with a warning instead of stopping the start.

usage: check_serve_restart.py DIALSIM
"""

import os
import shutil
import signal
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

KEY = {"X-CEKURA-API-KEY": "k-stored"}


def main():
    dialsim = sys.argv[1]
    wd = serve_util.workdir("serve-restart-")
    db = os.path.join(wd, "dialsim.db")
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    # ---- round 1: create, patch, kill -9
    srv = serve_util.Server(dialsim, wd, db=db).start()
    steps = [
        ("POST", "/projects", {"id": "p1", "api_key": "k-stored", "fetch_recordings": True}, 201),
        ("POST", "/agents", {"id": "a1", "project": "p1", "contact_number": "+15550000001",
                             "provider_api_key": "secret-provider-key", "webhook_secret": "whsec",
                             "transcript_provider": "custom", "dial_window_seconds": 120}, 201),
        ("POST", "/evaluators", {"id": "e1", "project": "p1", "phone_number": "+15559870001",
                                 "dynamic_variables": {"customer_name": "Ada"}}, 201),
        ("POST", "/agents", {"project": "p1", "name": "auto id"}, 201),
        ("PATCH", "/agents/a1", {"contact_number": "+15550000002"}, 200),
    ]
    for method, path, body, want in steps:
        status, _, answer = srv.request(method, path, body)
        expect(status == want, "round 1: %s %s answered %d, not %d: %s" % (method, path, status, want, answer))
    status, _, auto = srv.request("GET", "/agents")
    auto_id = [a["id"] for a in auto["agents"] if a["name"] == "auto id"][0] if status == 200 else None
    srv.proc.send_signal(signal.SIGKILL)
    rc = srv.proc.wait(5)
    srv.proc.stdout.close()
    srv.log.close()
    expect(rc == -signal.SIGKILL, "round 1: the server was not killed (exit %s)" % rc)

    # the file holds the secrets the answers never show
    conn = sqlite3.connect(db)
    rows = {(k, i): b for k, i, b in conn.execute("SELECT kind, id, body FROM config")}
    conn.close()
    expect(len(rows) == 4, "round 1: %d objects stored, not 4: %s" % (len(rows), sorted(rows)))
    expect("secret-provider-key" in rows.get(("agent", "a1"), ""), "the agent's provider_api_key is not stored")
    expect("k-stored" in rows.get(("project", "p1"), ""), "the project's api_key is not stored")

    # ---- round 2: restart on the same file, no config
    srv = serve_util.Server(dialsim, wd, db=db).start()
    status, _, agent = srv.request("GET", "/agents/a1")
    expect(status == 200 and agent.get("contact_number") == "+15550000002",
           "round 2: agent a1 is %d %s, not the patched contact_number" % (status, agent))
    if status == 200:
        expect(agent["has_provider_api_key"] and agent["has_webhook_secret"] and
               agent["transcript_provider"] == "custom" and agent["dial_window_seconds"] == 120,
               "round 2: agent a1 lost fields: %s" % agent)
    status, _, ev = srv.request("GET", "/evaluators/e1")
    expect(status == 200 and ev.get("dynamic_variables") == {"customer_name": "Ada"},
           "round 2: evaluator e1 is %d %s" % (status, ev))
    status, _, proj = srv.request("GET", "/projects/p1")
    expect(status == 200 and proj.get("has_api_key") and proj.get("fetch_recordings"),
           "round 2: project p1 is %d %s" % (status, proj))
    status, _, agents = srv.request("GET", "/agents")
    ids = [a["id"] for a in agents.get("agents", [])] if status == 200 else []
    expect(ids == ["a1", auto_id], "round 2: agents in order %s, not %s" % (ids, ["a1", auto_id]))
    status, _, body = srv.request("POST", "/projects/p1/transcripts",
                                  serve_util.transcript(["restart-1"]), KEY)
    expect(status == 200, "round 2: the webhook with the stored key answered %d %s" % (status, body))
    status, _, _ = srv.request("POST", "/projects/p1/transcripts",
                               serve_util.transcript(["restart-2"]), {"X-CEKURA-API-KEY": "wrong"})
    expect(status == 401, "round 2: the webhook with a wrong key answered %d, not 401" % status)
    status, _, answer = srv.request("POST", "/agents", {"project": "p1", "name": "after restart"})
    expect(status == 201 and answer.get("id") not in ids,
           "round 2: a new agent got %d %s (an id already taken?)" % (status, answer))
    rc = srv.stop(signal.SIGTERM)
    expect(rc == 0, "round 2: exit %d on SIGTERM" % rc)

    # ---- round 3: a config file with the same ids: stored state wins
    config = serve_util.write_json(os.path.join(wd, "config.json"), {
        "projects": [{"id": "p1", "api_key": "k-config"}, {"id": "p2", "api_key": "k2"}],
        "agents": [{"id": "a1", "project": "p1", "contact_number": "+15550000009"},
                   {"id": "a9", "project": "p2"}],
        "evaluators": [{"id": "e1", "project": "p1", "phone_number": "+15550000000"}],
    })
    # a stored agent whose project is in neither the config nor the file
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO config VALUES ('agent', 'orphan', '{\"id\":\"orphan\",\"project\":\"gone\"}', 0)")
    conn.close()
    srv = serve_util.Server(dialsim, wd, db=db, config=config).start()
    status, _, agent = srv.request("GET", "/agents/a1")
    expect(status == 200 and agent.get("contact_number") == "+15550000002",
           "round 3: agent a1 is %s, the stored one should win over the config" % agent)
    status, _, ev = srv.request("GET", "/evaluators/e1")
    expect(status == 200 and ev.get("phone_number") == "+15559870001",
           "round 3: evaluator e1 is %s, the stored one should win" % ev)
    status, _, _ = srv.request("GET", "/agents/a9")
    expect(status == 200, "round 3: agent a9 of the config is missing (%d)" % status)
    status, _, _ = srv.request("GET", "/agents/orphan")
    expect(status == 404, "round 3: the orphan agent was applied (%d)" % status)
    status, _, _ = srv.request("POST", "/projects/p1/transcripts",
                               serve_util.transcript(["restart-3"]), KEY)
    expect(status == 200, "round 3: the stored key answered %d" % status)
    status, _, _ = srv.request("POST", "/projects/p1/transcripts",
                               serve_util.transcript(["restart-4"]), {"X-CEKURA-API-KEY": "k-config"})
    expect(status == 401, "round 3: the config's key answered %d, not 401" % status)
    status, _, body = srv.request("GET", "/projects/p1/transcripts/restart-1")
    expect(status == 200, "round 3: transcript restart-1 is gone (%d)" % status)
    rc = srv.stop(signal.SIGTERM)
    expect(rc == 0, "round 3: exit %d on SIGTERM" % rc)
    expect('agent "orphan"' in srv.log_text() and "skipped" in srv.log_text(),
           "round 3: no warning for the orphan agent: %s" % srv.stderr())

    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: 3 rounds, objects survived kill -9, stored state won over the config")
        shutil.rmtree(wd, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
