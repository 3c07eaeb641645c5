#!/usr/bin/python3
"""Who may use `dialsim serve`, and what it shows of secrets
(docs/api.md#access, docs/api.md#secrets).

- the admin token (--admin-token, DIALSIM_ADMIN_TOKEN; the option wins):
  every management route of the API and /_dialsim/journal, PUT
  /_dialsim/faults on the mocks' port answer 401 without it and with a wrong
  one, in that port's error shape, and work with it; GET /health, the
  transcript webhook, the provider webhooks and the provider mocks' own
  routes do not ask for it; without a token everything stays open;
- --host 0.0.0.0 without a token: exit 2 and the reason; with one it starts
  (traffic here goes to 127.0.0.1 only);
- on loopback a Host that is not a loopback name is refused (421, both
  ports); localhost, 127.x and [::1] with or without a port pass, as does
  HTTP/1.0 without Host;
- secrets are masked in GET /_dialsim/journal (headers and JSON bodies: the
  user's requests and the core's own), never in the request log, and never in
  the API's answers (trigger_call_headers shows the header names only);
- a write the database refuses (another connection holds it) is not in
  effect: create and update of projects, agents, evaluators answer 500 and
  change nothing; sent again once the database is free they succeed (201, not
  409; the automatic id is the same), and survive a restart.

usage: check_serve_access.py DIALSIM
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


TOKEN = "admin-token-0123456789"
ENV_TOKEN = "env-token-9876543210"
VAPI_KEY = "vk-secret-vapi-key-7781"
XI_KEY = "xi-secret-eleven-key-5512"
PROJECT_KEY = "sk-project-key-4455"
WEBHOOK_SECRET = "whsec-agent-secret-6633"
TRIGGER_BEARER = "trigger-bearer-token-2211"
BODY_SECRET = "body-secret-value-9090"
SECRETS = [VAPI_KEY, XI_KEY, PROJECT_KEY, WEBHOOK_SECRET, TRIGGER_BEARER, BODY_SECRET, TOKEN]

CONFIG = {
    "projects": [{"id": "acme", "api_key": PROJECT_KEY}],
    "agents": [
        {"id": "good", "project": "acme", "contact_number": "+15551234567", "provider": "vapi",
         "provider_api_key": VAPI_KEY, "assistant_id": "asst", "phone_number_id": "pn-good",
         "webhook_secret": WEBHOOK_SECRET},
    ],
    "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557654321"}],
    "mocks": {
        "vapi": {"keys": [VAPI_KEY], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn-good", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": 5, "ring_timeout": 30},
        "elevenlabs": {"keys": [XI_KEY], "agents": ["elagent"],
                       "phone_numbers": [{"id": "elpn", "number": "+15551234567"}]},
    },
}

# (method, path, body): every management route of the API
MANAGEMENT = [
    ("GET", "/projects", None),
    ("POST", "/projects", {"id": "p-new"}),
    ("GET", "/projects/acme", None),
    ("PATCH", "/projects/acme", {"fetch_recordings": False}),
    ("GET", "/projects/acme/transcripts/nope", None),
    ("GET", "/agents", None),
    ("POST", "/agents", {"id": "a-new", "project": "acme"}),
    ("GET", "/agents/good", None),
    ("PATCH", "/agents/good", {"name": "Good"}),
    ("GET", "/evaluators", None),
    ("POST", "/evaluators", {"id": "e-new", "project": "acme", "phone_number": "+15550000001"}),
    ("GET", "/evaluators/e1", None),
    ("PATCH", "/evaluators/e1", {"dynamic_variables": {}}),
    ("GET", "/runs", None),
    ("POST", "/runs", {"agent": "good", "evaluators": ["e1"]}),
    ("GET", "/runs/run_0", None),
    ("POST", "/runs/run_0/redial", None),
]


def bearer(tok):
    return {"Authorization": "Bearer " + tok}


def is_admin_401(st, body, shape):
    if st != 401 or not isinstance(body, dict):
        return False
    if shape == "api":
        e = (body.get("errors") or [{}])[0]
        return e.get("header") == "Authorization" and "admin token" in e.get("message", "")
    return "admin token" in body.get("message", "")


def check_token(srv, tok, label):
    """tok: the token the server should want."""
    for method, path, body in MANAGEMENT:
        st, _, b = srv.request(method, path, body)
        check(is_admin_401(st, b, "api"), "%s: %s %s without a token: %s %s" % (label, method, path, st, b))
        st, _, b = srv.request(method, path, body, bearer(tok + "x"))
        check(is_admin_401(st, b, "api"), "%s: %s %s with a wrong token: %s %s" % (label, method, path, st, b))
        st, _, b = srv.request(method, path, body, {"Authorization": "Basic " + tok})
        check(is_admin_401(st, b, "api"), "%s: %s %s with Basic: %s %s" % (label, method, path, st, b))
        st, _, b = srv.request(method, path, body, bearer(tok))
        check(st != 401, "%s: %s %s with the token: %s %s" % (label, method, path, st, b))
    # what keeps its own authentication, or none
    st, _, b = srv.request("GET", "/health")
    check(st == 200, "%s: /health is open: %s" % (label, st))
    st, _, b = srv.request("POST", "/projects/acme/transcripts", serve_util.transcript(["c1"]),
                           {"X-CEKURA-API-KEY": PROJECT_KEY})
    check(st == 200, "%s: the transcript webhook keeps its own key: %s %s" % (label, st, b))
    st, _, b = srv.request("POST", "/projects/acme/transcripts", serve_util.transcript(["c2"]),
                           {"X-CEKURA-API-KEY": "wrong"})
    check(st == 401 and not is_admin_401(st, b, "api"),
          "%s: the webhook's own 401 on a wrong key: %s %s" % (label, st, b))
    st, _, b = srv.request("POST", "/webhooks/vapi", {"message": {"type": "status-update",
                                                                  "call": {"id": "nope"}}})
    check(st != 401, "%s: provider webhooks keep their own authentication: %s %s" % (label, st, b))
    # the mocks' port
    mp = srv.mock_port
    for method, path, body in [("GET", "/_dialsim/journal", None), ("PUT", "/_dialsim/faults", [])]:
        st, _, b = srv.request(method, path, body, port=mp)
        check(is_admin_401(st, b, "mocks"), "%s: mocks %s %s without a token: %s %s" % (label, method, path, st, b))
        st, _, b = srv.request(method, path, body, bearer("nope"), port=mp)
        check(is_admin_401(st, b, "mocks"), "%s: mocks %s %s wrong token: %s %s" % (label, method, path, st, b))
        st, _, b = srv.request(method, path, body, bearer(tok), port=mp)
        check(st == 200, "%s: mocks %s %s with the token: %s %s" % (label, method, path, st, b))
    st, _, b = srv.request("POST", "/call", {"assistantId": "asst", "phoneNumberId": "pn-good",
                                             "customer": {"number": "+15550000002"}},
                           bearer(VAPI_KEY), port=mp)
    check(st == 201, "%s: a provider route takes the provider's key, no admin token: %s %s" % (label, st, b))


def raw(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
        if b"\r\n\r\n" in out and b"Connection: close" not in out and len(out) > 20:
            head, _, rest = out.partition(b"\r\n\r\n")
            cl = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            if cl and len(rest) >= int(cl[0].split(b":")[1]):
                break
    s.close()
    return int(out.split(b" ", 2)[1]) if out else 0


def check_host(srv, label):
    for port, name in [(srv.port, "API"), (srv.mock_port, "mocks")]:
        path = "/health" if name == "API" else "/_dialsim/journal"
        for host in ["evil.example", "evil.example:%d" % port, "127.0.0.1.evil.example",
                     "localhost.evil.example", "[::2]:%d" % port, "0.0.0.0"]:
            st, _, b = srv.request("GET", path, headers={"Host": host}, port=port)
            msg = json.dumps(b)
            check(st == 421 and "localhost" in msg and host.split(":")[0].strip("[]") in msg,
                  "%s %s: Host %s is refused with 421 and what was expected: %s %s"
                  % (label, name, host, st, b))
        for host in ["localhost", "localhost:%d" % port, "127.0.0.1:%d" % port, "127.3.4.5",
                     "[::1]:%d" % port, "LOCALHOST"]:
            st, _, b = srv.request("GET", path, headers={"Host": host}, port=port)
            check(st == 200, "%s %s: Host %s passes: %s %s" % (label, name, host, st, b))
        st = raw(port, ("GET %s HTTP/1.0\r\n\r\n" % path).encode())
        check(st == 200, "%s %s: HTTP/1.0 without Host passes: %s" % (label, name, st))
        st = raw(port, ("GET %s HTTP/1.1\r\nConnection: close\r\n\r\n" % path).encode())
        check(st in (400, 421), "%s %s: HTTP/1.1 without Host is refused: %s" % (label, name, st))
    # a provider route on the mocks' port too: the attacker's page could place calls
    st, _, b = srv.request("POST", "/call", {"assistantId": "asst"},
                           {"Host": "evil.example", "Authorization": "Bearer " + VAPI_KEY},
                           port=srv.mock_port)
    check(st == 421, "%s: POST /call with a foreign Host: %s %s" % (label, st, b))


def check_masking(srv, work):
    mp = srv.mock_port
    tok = {"Authorization": "Bearer " + TOKEN}
    # an agent whose trigger settings carry a credential
    agent = {"id": "trig", "project": "acme", "trigger_call_endpoint": "https://user:pw-%s@example.com/call" % BODY_SECRET,
             "trigger_call_headers": json.dumps({"Authorization": "Bearer " + TRIGGER_BEARER,
                                                 "X-Team": "blue"}),
             "trigger_call_payload": json.dumps({"to": "{{phone_number}}", "api_key": BODY_SECRET})}
    st, _, b = srv.request("POST", "/agents", agent, tok)
    check(st == 201, "an agent with trigger headers: %s %s" % (st, b))
    # the user's own requests to the mocks, with the providers' key headers
    srv.request("POST", "/call", {"assistantId": "asst", "phoneNumberId": "pn-good",
                                  "customer": {"number": "+15550000003"},
                                  "assistantOverrides": {"server": {"url": "https://x.example",
                                                                    "secret": BODY_SECRET}}},
                {"Authorization": "Bearer " + VAPI_KEY}, port=mp)
    srv.request("GET", "/v1/convai/conversations/nope", headers={"xi-api-key": XI_KEY}, port=mp)
    srv.request("GET", "/call/nope", headers={"x-api-key": VAPI_KEY}, port=mp)
    # and the core's: a run makes the core call the mocked Vapi with the agent's key
    st, _, r = srv.request("POST", "/runs", {"agent": "good", "evaluators": ["e1"]}, tok)
    check(st == 201, "POST /runs: %s %s" % (st, r))
    # the core asks on a worker thread: wait (with a deadline) for its request
    deadline = time.monotonic() + 10
    while True:
        st, _, j = srv.request("GET", "/_dialsim/journal", headers=tok, port=mp)
        text = json.dumps(j)
        if "+15557654321" in text or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    for sec in SECRETS:
        check(sec not in text, "the journal dump shows %s: %s" % (sec, text[:3000]))
    heads = [e["headers"] for e in j["requests"]]
    auths = [h.get("authorization") for h in heads if h.get("authorization")]
    check(auths and all(a.startswith("Bearer ***") for a in auths), "authorization masked with its scheme: %s" % auths)
    check(any(a == "Bearer ***" + VAPI_KEY[-4:] for a in auths), "the last 4 stay: %s" % auths)
    check(any(h.get("xi-api-key") == "***" + XI_KEY[-4:] for h in heads), "xi-api-key masked: %s" % heads)
    check(any(h.get("x-api-key") == "***" + VAPI_KEY[-4:] for h in heads), "x-api-key masked: %s" % heads)
    bodies = [e["body"] for e in j["requests"] if isinstance(e["body"], dict)]
    srvs = [b["assistantOverrides"]["server"] for b in bodies
            if "server" in (b.get("assistantOverrides") or {})]
    check(srvs and srvs[0]["secret"] == "***" + BODY_SECRET[-4:] and srvs[0]["url"] == "https://x.example",
          "a secret in a body is masked, the rest kept: %s" % srvs)
    core_calls = [e for e in j["requests"] if e["method"] == "POST" and e["path"] == "/call"
                  and "+15557654321" in json.dumps(e["body"])]
    check(core_calls, "the core's own POST /call is in the journal: %s" % text[:2000])
    # the API's answers
    answers = ""
    for path in ["/agents", "/agents/trig", "/agents/good", "/projects", "/projects/acme", "/evaluators"]:
        st, _, b = srv.request("GET", path, headers=tok)
        answers += json.dumps(b)
    for sec in SECRETS:
        check(sec not in answers, "a GET answer shows %s: %s" % (sec, answers[:3000]))
    st, _, a = srv.request("GET", "/agents/trig", headers=tok)
    hdrs = json.loads(a["trigger_call_headers"]) if st == 200 else {}
    check(hdrs.get("Authorization") == "Bearer ***" + TRIGGER_BEARER[-4:] and hdrs.get("X-Team") == "blue",
          "trigger_call_headers masked: %s" % a)
    check(st == 200 and "***" in a["trigger_call_endpoint"] and "example.com/call" in a["trigger_call_endpoint"],
          "the password of a trigger URL is masked: %s" % a)
    # the log
    log = srv.log_text()
    for sec in SECRETS:
        check(sec not in log, "the server's log shows %s" % sec)


def check_failed_writes(dialsim, work):
    db = os.path.join(work, "writes.db")
    cfg = serve_util.write_json(os.path.join(work, "writes.json"), {
        "projects": [{"id": "acme", "api_key": "k1"}],
        "agents": [{"id": "a1", "project": "acme", "contact_number": "+15551230000"}],
        "evaluators": [{"id": "e1", "project": "acme", "phone_number": "+15557650000"}]})
    srv = serve_util.Server(dialsim, work, db=db, config=cfg).start()
    # the config's objects are not stored; store a1 and e1 through the API first
    srv.request("PATCH", "/agents/a1", {"name": "A one"})
    srv.request("PATCH", "/evaluators/e1", {"dynamic_variables": {"k": "v"}})
    lock = sqlite3.connect(db, timeout=10, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    # each of these waits out the store's 5 s for the lock, then fails
    attempts = [
        ("POST", "/projects", {"id": "p2", "api_key": "k2"}),
        ("PATCH", "/projects/acme", {"fetch_recordings": True}),
        ("POST", "/agents", {"project": "acme", "contact_number": "+15551239999"}),
        ("PATCH", "/agents/a1", {"contact_number": "+15551238888"}),
        ("POST", "/evaluators", {"id": "e2", "project": "acme", "phone_number": "+15557659999"}),
    ]
    for method, path, body in attempts:
        st, _, b = srv.request(method, path, body)
        check(st == 500 and "nothing was changed" in json.dumps(b),
              "%s %s with the database locked: %s %s" % (method, path, st, b))
    # nothing of it is in effect (answers that do not read the database)
    st, _, b = srv.request("GET", "/projects/p2")
    check(st == 404, "a project not stored is not there: %s %s" % (st, b))
    st, _, b = srv.request("GET", "/agents")
    check([a["id"] for a in b["agents"]] == ["a1"], "an agent not stored is not there: %s" % b)
    a1 = [a for a in b["agents"] if a["id"] == "a1"][0]
    check(a1["contact_number"] == "+15551230000" and a1["name"] == "A one",
          "a PATCH not stored changed nothing: %s" % a1)
    st, _, b = srv.request("GET", "/evaluators")
    check([e["id"] for e in b["evaluators"]] == ["e1"], "an evaluator not stored is not there: %s" % b)
    lock.execute("COMMIT")
    lock.close()
    st, _, b = srv.request("GET", "/projects/acme")
    check(st == 200 and b["fetch_recordings"] is False, "the project PATCH was undone: %s" % b)
    # sent again: accepted, the same automatic id, no 409
    results = []
    for method, path, body in attempts:
        st, _, b = srv.request(method, path, body)
        results.append((st, b))
        check(st in (200, 201), "%s %s sent again: %s %s" % (method, path, st, b))
    check(results[2][1] and results[2][1].get("id") == "1", "the automatic id is the first one: %s" % (results[2],))
    srv.stop(sig=9)
    srv = serve_util.Server(dialsim, work, db=db, config=cfg).start()
    st, _, p2 = srv.request("GET", "/projects/p2")
    st2, _, acme = srv.request("GET", "/projects/acme")
    st3, _, a1 = srv.request("GET", "/agents/a1")
    st4, _, one = srv.request("GET", "/agents/1")
    st5, _, e2 = srv.request("GET", "/evaluators/e2")
    check(st == 200 and st2 == 200 and acme["fetch_recordings"] is True, "projects after the restart: %s %s" % (p2, acme))
    check(st3 == 200 and a1["contact_number"] == "+15551238888", "a1 after the restart: %s" % a1)
    check(st4 == 200 and one["contact_number"] == "+15551239999", "agent 1 after the restart: %s" % one)
    check(st5 == 200, "e2 after the restart: %s" % e2)
    srv.stop()


def section(name, fn, *args):
    """One part of the test; a part that cannot even run (an option the
    server does not know) is one failure, and the others still run."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001
        failures.append("%s: could not run: %s" % (name, str(e).splitlines()[0][:300]))


def open_server(dialsim, work, cfg, env):
    # no token: open, as before (loopback only); the Host check; masking
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True, env=env).start()
    try:
        st, _, b = srv.request("GET", "/projects")
        check(st == 200, "no token: management routes open: %s" % st)
        st, _, b = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
        check(st == 200, "no token: the journal is open: %s" % st)
        section("Host check", check_host, srv, "no token")
        section("masking", check_masking, srv, work)
    finally:
        srv.stop()


def option_token(dialsim, work, cfg, env):
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True, env=env,
                            extra=["--admin-token", TOKEN]).start()
    try:
        check_token(srv, TOKEN, "--admin-token")
    finally:
        srv.stop()


def env_token(dialsim, work, cfg, env):
    env_tok = dict(env, DIALSIM_ADMIN_TOKEN=ENV_TOKEN)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True, env=env_tok).start()
    try:
        check_token(srv, ENV_TOKEN, "DIALSIM_ADMIN_TOKEN")
    finally:
        srv.stop()
    # the option wins over the variable
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True, env=env_tok,
                            extra=["--admin-token", TOKEN]).start()
    try:
        st, _, b = srv.request("GET", "/agents", headers=bearer(ENV_TOKEN))
        check(st == 401, "the option wins over the environment (env token refused): %s" % st)
        st, _, b = srv.request("GET", "/agents", headers=bearer(TOKEN))
        check(st == 200, "the option wins over the environment (option token taken): %s" % st)
    finally:
        srv.stop()


def beyond_loopback(dialsim, work, cfg, env):
    for extra in (["--host", "0.0.0.0"], ["--host", "::"], ["--host", "192.0.2.1"]):
        p = subprocess.Popen([dialsim, "serve", "--port", "0", "--db", ":memory:"] + extra,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()  # it started: what this test says it must not do
            out, err = p.communicate()
        err = err.decode()
        check(p.returncode == 2 and "not a loopback address" in err and "--admin-token" in err
              and "DIALSIM_ADMIN_TOKEN" in err,
              "%s without a token: exit %s, %r" % (extra, p.returncode, err[:300]))
    p = subprocess.run([dialsim, "serve", "--port", "0", "--db", ":memory:", "--admin-token", ""],
                       env=env, capture_output=True, timeout=10)
    check(p.returncode == 2 and "empty" in p.stderr.decode(),
          "an empty token: %s %r" % (p.returncode, p.stderr[:300]))
    for extra, e in [(["--host", "0.0.0.0", "--admin-token", TOKEN], env),
                     (["--host", "0.0.0.0"], dict(env, DIALSIM_ADMIN_TOKEN=TOKEN))]:
        srv = serve_util.Server(dialsim, work, config=cfg, mocks=True, env=e, extra=extra).start()
        try:
            st, _, b = srv.request("GET", "/projects", headers=bearer(TOKEN))
            check(st == 200, "%s: started, the token works: %s" % (extra, st))
            st, _, b = srv.request("GET", "/projects")
            check(st == 401, "%s: no token, 401: %s" % (extra, st))
            st, _, b = srv.request("GET", "/health", headers={"Host": "dialsim.internal:8080"})
            check(st == 200, "%s: no Host check off loopback (the token guards): %s" % (extra, st))
        finally:
            srv.stop()


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-access-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    env = {k: v for k, v in os.environ.items() if k != "DIALSIM_ADMIN_TOKEN"}
    section("no token", open_server, dialsim, work, cfg, env)
    section("--admin-token", option_token, dialsim, work, cfg, env)
    section("DIALSIM_ADMIN_TOKEN", env_token, dialsim, work, cfg, env)
    section("beyond loopback", beyond_loopback, dialsim, work, cfg, env)
    section("failed writes", check_failed_writes, dialsim, work)
    for f in failures:
        print("FAIL:", f)
    print("serve access: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
