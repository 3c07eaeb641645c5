#!/usr/bin/env python3
"""The whole catalogue against a live `dialsim serve` (issue 12).

For every route and method of the three providers' catalogues
(mocks/data/<provider>.json): a request with a schema-valid body (path
parameters from objects it created first) answers 2xx with a body that
python3-jsonschema finds valid against the route's response schema; and a
request missing a required body field answers the provider's own error shape
naming that field. Then the generic state: what POST creates, GET reads and
lists (newest first, paginated the provider's way), PATCH updates, DELETE
removes; and a new world (a restart) has none of it. docs/routes.md must be
what this walk writes (--routes-md rewrites it).

Prints the count of routes served per provider, stateful (the provider
module's own) and generic; with --routes-md FILE writes docs/routes.md.

usage: check_catalogue_walk.py DIALSIM SOURCE_DIR [--routes-md FILE]
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_util as ou  # noqa: E402
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


VOICEMAIL = "+15557654399"
CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [],
    "evaluators": [],
    "mocks": {
        "vapi": {"keys": ["vk"], "agents": ["asst"],
                 "phone_numbers": [{"id": "pn-1", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": 0.05, "ring_timeout": 0.2,
                 "objects": {"/assistant": [{"id": "asst-seeded", "name": "Seeded"}]}},
        "retell": {"keys": ["rk"], "agents": ["ragent"],
                   "phone_numbers": [{"id": "rn", "number": "+15551234568"}],
                   "latency": 0, "dial_delay": 0.05,
                   "objects": {"/list-conversation-flows": [{"conversation_flow_id": "cf-seeded"}]}},
        "elevenlabs": {"keys": ["xk"], "agents": ["elagent"],
                       "phone_numbers": [{"id": "elpn", "number": "+15551234569"}],
                       "latency": 0, "dial_delay": 0.05,
                       "objects": {"/v1/convai/agents/create": [{"agent_id": "ag-seeded", "name": "Seeded"}]}},
        # a number that voicemail answers: ended calls with a recording
        "pstn": {"call_duration": 0.1, "voicemail_after": 0.05,
                 "faults": [{"to": VOICEMAIL, "voicemail": True}]},
    },
}
AUTH = {"vapi": {"Authorization": "Bearer vk"}, "retell": {"Authorization": "Bearer rk"},
        "elevenlabs": {"xi-api-key": "xk"}}

# Bodies for the routes the provider modules serve themselves: their own
# semantics need ids the world has (an assistant, a number). Everything else
# gets a body made from the schema (openapi_util.make).
MODULE_BODIES = {
    ("vapi", "POST /call"): {"assistantId": "asst", "phoneNumberId": "pn-1",
                             "customer": {"number": "+15557654321"}},
    ("vapi", "POST /campaign"): {"name": "walk", "assistantId": "asst", "phoneNumberId": "pn-1",
                                 "customers": [{"number": "+15557654321"}]},
    ("retell", "POST /create-batch-call"): {"from_number": "+15551234568",
                                            "tasks": [{"to_number": "+15557654321",
                                                       "override_agent_id": "ragent"}]},
    ("vapi", "POST /phone-number"): {"provider": "byo-phone-number", "number": "+15550001111",
                                     "credentialId": "cred-1"},
    ("retell", "POST /v2/create-phone-call"): {"from_number": "+15551234568",
                                               "to_number": "+15557654321",
                                               "override_agent_id": "ragent"},
    ("retell", "POST /create-phone-number"): {"phone_number": "+15550002222"},
    ("retell", "POST /create-agent"): {"response_engine": {"type": "retell-llm", "llm_id": "llm-1"},
                                       "voice_id": "11labs-Adrian"},
    ("elevenlabs", "POST /v1/convai/twilio/outbound-call"): {
        "agent_id": "elagent", "agent_phone_number_id": "elpn", "to_number": "+15557654321"},
    ("elevenlabs", "POST /v1/convai/sip-trunk/outbound-call"): {
        "agent_id": "elagent", "agent_phone_number_id": "elpn", "to_number": "+15557654321"},
    ("elevenlabs", "POST /v1/convai/phone-numbers"): {
        "phone_number": "+15550003333", "label": "walk", "sid": "AC1", "token": "t",
        "provider": "twilio"},
    ("elevenlabs", "POST /v1/convai/batch-calling/submit"): {
        "call_name": "walk", "agent_id": "elagent", "agent_phone_number_id": "elpn",
        "recipients": [{"phone_number": "+15557654321"}]},
}
# Module routes whose refusal is the provider's confirmed sentence, which
# names no field (docs/providers-coverage.md); their unit tests check it.
OWN_REFUSAL = {("retell", "POST /v2/create-phone-call"), ("retell", "POST /create-batch-call")}
# For a module route by id: the route that makes the object, and where its
# id is in the answer.
MODULE_MAKERS = {
    "vapi": {"/call/": ("POST /call", "id"), "/phone-number/": ("POST /phone-number", "id"),
             "/campaign/": ("POST /campaign", "id")},
    "retell": {"call": ("POST /v2/create-phone-call", "call_id"),
               "phone-number": ("POST /create-phone-number", "phone_number"),
               "agent": ("POST /create-agent", "agent_id")},
    "elevenlabs": {"/conversations/": ("POST /v1/convai/twilio/outbound-call", "conversation_id"),
                   "/phone-numbers/": ("POST /v1/convai/phone-numbers", "phone_number_id"),
                   "/batch-calling/": ("POST /v1/convai/batch-calling/submit", "id")},
}


class Walk:
    def __init__(self, srv, src, provider):
        self.srv, self.provider = srv, provider
        self.cat = ou.load_catalogue(src, provider)
        self.val = ou.Validator(self.cat)
        self.mine = ou.taken_over(src, provider)
        self.by_key = {r["method"] + " " + r["path"]: r for r in self.cat["routes"]}
        self.conn = srv.connect(port=srv.mock_port)
        self.n = 1000

    def send(self, method, path, body=None, query=None, auth=True):
        headers = dict(AUTH[self.provider]) if auth else {}
        if query:
            path += "?" + urllib.parse.urlencode(query)
        try:
            return self.srv.request(method, path, body=body, headers=headers, conn=self.conn,
                                    port=self.srv.mock_port)
        except Exception:  # a closed keep-alive connection: once more on a new one
            self.conn = self.srv.connect(port=self.srv.mock_port)
            return self.srv.request(method, path, body=body, headers=headers, conn=self.conn,
                                    port=self.srv.mock_port)

    def body_for(self, r):
        key = r["method"] + " " + r["path"]
        if (self.provider, key) in MODULE_BODIES:
            b = json.loads(json.dumps(MODULE_BODIES[(self.provider, key)]))
            for k in ("number", "phone_number"):  # a number can be bought once
                if k in b and b[k].startswith("+1555000"):
                    self.n += 1
                    b[k] = "+1555%07d" % self.n
            return b
        b = r.get("body")
        if not b or "json" not in (b.get("contentType") or ""):
            return None
        return ou.make(self.cat, b["schema"])

    def query_for(self, r):
        return {n: ou.make(self.cat, q["schema"]) for n, q in r["query"].items() if q["required"]}

    def ended_call(self, r):
        """A call answered (by voicemail) and ended: its recording exists."""
        vapi = self.provider == "vapi"
        maker = "POST /call" if vapi else "POST /v1/convai/twilio/outbound-call"
        body = self.body_for(self.by_key[maker])
        if vapi:
            body["customer"] = {"number": VOICEMAIL}
        else:
            body["to_number"] = VOICEMAIL
        st, _, a = self.send(*maker.split(" ", 1), body=body)
        cid = (a or {}).get("id" if vapi else "conversation_id", "x-1")
        path = ("/call/" if vapi else "/v1/convai/conversations/") + cid
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # a bounded wait for the call's end
            st, _, a = self.send("GET", path)
            if st == 200 and a.get("status") in ("ended", "done", "failed"):
                return cid
            time.sleep(0.02)
        check(False, "%s: the voicemail call %s did not end: %s" % (self.provider, cid, a))
        return cid

    def module_id(self, r):
        if r["path"].endswith("-recording") or r["path"].endswith("/audio"):
            return self.ended_call(r)
        for frag, (maker, field) in MODULE_MAKERS[self.provider].items():
            if frag in r["path"]:
                st, _, a = self.send(*maker.split(" ", 1), body=self.body_for(self.by_key[maker]))
                if check(200 <= st < 300 and isinstance(a, dict) and field in a,
                         "%s %s: making its object (%s) answered %s %s" % (self.provider, r["path"], maker, st, str(a)[:200])):
                    return a[field]
        return "x-1"

    def make_object(self, r, parents):
        """Create an object in r's collection (its create route); its id."""
        key = ou.collection_of(r["path"])[0]
        for c in self.cat["routes"]:
            if c["method"] == "POST" and ou.op_of(self.cat, c) == "create" and ou.collection_of(c["path"])[0] == key:
                path = self.fill(c["path"], parents)
                st, _, a = self.send("POST", path, body=self.body_for(c), query=self.query_for(c))
                if not check(200 <= st < 300, "%s POST %s (to make an object) answered %s %s" % (
                        self.provider, path, st, str(a)[:300])):
                    return "x-1"
                if not isinstance(a, dict):  # an answer without a body: the newest of the list
                    return self.newest(key, parents)
                # the id under the name the route by id gives it, else "id"
                names = [x["path"].rsplit("{", 1)[-1].rstrip("}") for x in self.cat["routes"]
                         if ou.collection_of(x["path"])[:2] == (key, True)]
                idk = next((n for n in names + ["id"] if n in a), None)
                return a[idk] if idk else self.newest(key, parents)
        return "x-1"

    def newest(self, key, parents):
        for r in self.cat["routes"]:
            if r["method"] == "GET" and ou.op_of(self.cat, r) == "list" and ou.collection_of(r["path"])[0] == key:
                st, _, a = self.send("GET", self.fill(r["path"], parents), query=self.query_for(r))
                items = a if isinstance(a, list) else next((v for v in (a or {}).values() if isinstance(v, list)), [])
                if st == 200 and items and isinstance(items[0], dict):
                    names = [x["path"].rsplit("{", 1)[-1].rstrip("}") for x in self.cat["routes"]
                             if ou.collection_of(x["path"])[:2] == (key, True)]
                    return next((items[0][n] for n in names + ["id"] if n in items[0]), "x-1")
        check(False, "%s: no list to find the object made in %s" % (self.provider, key))
        return "x-1"

    def fill(self, path, values):
        out, i = [], 0
        for seg in path.split("/"):
            if seg.startswith("{"):
                out.append(urllib.parse.quote(str(values[i] if i < len(values) else "x-1"), safe=""))
                i += 1
            else:
                out.append(seg)
        return "/".join(out)

    def params_for(self, r):
        n = r["path"].count("{")
        if not n:
            return []
        key = r["method"] + " " + r["path"]
        if key in self.mine:
            return [self.module_id(r)] + ["x-1"] * (n - 1)
        parents = []
        segs = [s for s in r["path"].split("/") if s]
        # each parameter: an object of the collection it names, made under its parents
        for k, s in enumerate(segs):
            if not s.startswith("{"):
                continue
            sub = "/" + "/".join(segs[: k + 1])
            fake = {"method": "GET", "path": sub}
            if ou.creatable(self.cat, fake):
                parents.append(self.make_object(fake, parents))
            else:
                parents.append("x-1")
        return parents

    def route(self, r):
        key = r["method"] + " " + r["path"]
        where = "%s %s" % (self.provider, key)
        path = self.fill(r["path"], self.params_for(r))
        body = self.body_for(r)
        if r.get("body") and "json" in (r["body"].get("contentType") or "") and body is not None:
            if (self.provider, key) not in MODULE_BODIES:
                errs = self.val.errors(r["body"]["schema"], body)
                check(not errs, "%s: the walk's own body is not valid: %s" % (where, errs[:1]))
        st, h, a = self.send(r["method"], path, body=body, query=self.query_for(r))
        ok = check(200 <= st < 300, "%s (%s): answered %s %s" % (where, path, st, str(a)[:300]))
        resp = r["response"]
        if ok and resp.get("schema") and "json" in (resp.get("contentType") or "") and "json" in h.get("content-type", ""):
            errs = self.val.errors(resp["schema"], a)
            check(not errs, "%s: answer not valid against its schema: at %s: %s (%s)" % (
                where, list(errs[0].absolute_path) if errs else "", errs[0].message[-200:] if errs else "",
                errs[0].validator if errs else ""))
        if ok:
            self.served.add(key)
        self.missing_field(r, path, body)

    def missing_field(self, r, path, body):
        b = r.get("body") or {}
        schema = ou.deref(self.cat, b.get("schema") or {})
        req = schema.get("required") or []
        if not isinstance(body, dict) or not req or req[0] not in body:
            return
        key = r["method"] + " " + r["path"]
        if (self.provider, key) in OWN_REFUSAL:
            return
        field = req[0]
        short = {k: v for k, v in body.items() if k != field}
        st, _, a = self.send(r["method"], path, body=short, query=self.query_for(r))
        text = json.dumps(a)
        where = "%s %s without %s" % (self.provider, key, field)
        check(400 <= st < 500 and field in text, "%s: answered %s %s" % (where, st, text[:300]))
        shape = {"vapi": lambda: st == 400 and isinstance(a.get("message"), list) and a.get("statusCode") == 400,
                 "retell": lambda: st == 400 and a.get("status") == "error" and isinstance(a.get("message"), str),
                 "elevenlabs": lambda: st == 422 and isinstance(a.get("detail"), list)
                 and a["detail"][0]["loc"][0] == "body" and field in a["detail"][0]["loc"]}[self.provider]
        check(isinstance(a, dict) and shape(), "%s: not %s's error shape: %s %s" % (where, self.provider, st, text[:300]))
        self.refused.add(key)

    def run(self):
        self.served, self.refused = set(), set()
        # deletes last, so that what they remove is not needed later
        order = sorted(self.cat["routes"], key=lambda r: r["method"] == "DELETE")
        for r in order:
            self.route(r)
        return self.served


def state_checks(walk):
    """The generic state, with each provider's own list and pagination."""
    p = walk.provider
    if p == "vapi":
        st, _, a = walk.send("GET", "/assistant/asst-seeded")
        check(st == 200 and a.get("name") == "Seeded" and a.get("id") == "asst-seeded",
              "vapi: the config's objects are there: %s %s" % (st, a))
        made = [walk.send("POST", "/assistant", body={"name": "a%d" % i})[2]["id"] for i in range(3)]
        st, _, a = walk.send("GET", "/assistant/" + made[0])
        check(st == 200 and a["name"] == "a0", "vapi: GET /assistant/{id} reads what POST made: %s" % a)
        st, _, a = walk.send("PATCH", "/assistant/" + made[0], body={"name": "renamed"})
        check(st == 200 and a["name"] == "renamed", "vapi: PATCH /assistant/{id} updates: %s" % a)
        st, _, a = walk.send("GET", "/assistant", query={"limit": 2})
        ids = [x["id"] for x in a]
        check(ids[:2] == [made[2], made[1]] and len(ids) == 2, "vapi: GET /assistant?limit=2 newest first: %s" % ids)
        st, _, a = walk.send("GET", "/assistant", query={"createdAtGt": "2999-01-01T00:00:00Z"})
        check(st == 200 and a == [], "vapi: createdAtGt in the future lists nothing: %s" % a)
        # a call may name an assistant made through the generic routes; not once it is deleted
        call = dict(MODULE_BODIES[("vapi", "POST /call")], assistantId=made[1])
        st, _, a = walk.send("POST", "/call", body=call)
        check(st == 201 and a.get("assistantId") == made[1], "vapi: POST /call with a made assistant: %s %s" % (st, a))
        st, _, a = walk.send("POST", "/call", body=dict(call, assistantId="asst-seeded"))
        check(st == 201, "vapi: POST /call with the config's assistant: %s %s" % (st, a))
        st, _, a = walk.send("DELETE", "/assistant/" + made[1])
        check(st == 200 and a["id"] == made[1], "vapi: DELETE answers the object: %s" % a)
        st, _, a = walk.send("GET", "/assistant/" + made[1])
        check(st == 404 and a.get("statusCode") == 404, "vapi: a deleted assistant is a 404: %s %s" % (st, a))
        st, _, a = walk.send("POST", "/call", body=call)
        check(st == 400 and made[1] in json.dumps(a), "vapi: POST /call with a deleted assistant is refused: %s %s" % (st, a))
        st, _, a = walk.send("POST", "/assistant", body={"name": 5, "bogus": 1})
        msgs = a.get("message") if isinstance(a, dict) else None
        check(st == 400 and any("name" in m for m in msgs) and any("bogus" in m for m in msgs),
              "vapi: a wrong type and an unknown field are named: %s" % a)
        # a union's answer is the branch the request's discriminator names
        st, _, a = walk.send("POST", "/tool", body={"type": "function", "function": {"name": "lookup"}})
        check(st == 201 and a.get("type") == "function" and a.get("function", {}).get("name") == "lookup",
              "vapi: POST /tool answers the function tool it made: %s %s" % (st, a))
        return made
    if p == "retell":
        body = walk.body_for(walk.by_key["POST /create-conversation-flow"])
        made = [walk.send("POST", "/create-conversation-flow", body=body)[2]["conversation_flow_id"]
                for _ in range(3)]
        st, _, a = walk.send("GET", "/list-conversation-flows", query={"limit": 2})
        ids = [x["conversation_flow_id"] for x in a]
        check(ids == [made[2], made[1]], "retell: list newest first, limit 2: %s" % ids)
        st, _, a = walk.send("GET", "/list-conversation-flows", query={"limit": 2, "pagination_key": made[1]})
        ids = [x["conversation_flow_id"] for x in a]
        check(ids == [made[0], "cf-seeded"], "retell: pagination_key continues after it, the config's flow oldest: %s" % ids)
        st, _, a = walk.send("GET", "/get-conversation-flow/nope")
        check(st == 404 and a.get("status") == "error", "retell: unknown id is its 404: %s %s" % (st, a))
        return made
    made = [walk.send("POST", "/v1/convai/agents/create", body={"conversation_config": {}, "name": "n%d" % i})[2]["agent_id"]
            for i in range(3)]
    st, _, a = walk.send("GET", "/v1/convai/agents", query={"page_size": 2})
    ids = [x["agent_id"] for x in a["agents"]]
    check(ids == [made[2], made[1]] and a["has_more"] is True and a["next_cursor"] == made[1],
          "elevenlabs: page_size 2, newest first, next_cursor: %s" % a)
    st, _, a = walk.send("GET", "/v1/convai/agents", query={"page_size": 2, "cursor": a["next_cursor"]})
    ids = [x["agent_id"] for x in a["agents"]]
    check(ids == [made[0], "ag-seeded"] and a["has_more"] is False,
          "elevenlabs: the cursor's page, the config's agent oldest: %s" % a)
    st, _, a = walk.send("GET", "/v1/convai/agents/" + made[0])
    check(st == 200 and a.get("name") == "n0", "elevenlabs: GET reads what was made: %s" % a)
    call = dict(MODULE_BODIES[("elevenlabs", "POST /v1/convai/twilio/outbound-call")], agent_id=made[0])
    st, _, a = walk.send("POST", "/v1/convai/twilio/outbound-call", body=call)
    check(st == 200 and a.get("success") is True, "elevenlabs: an outbound call with a made agent: %s %s" % (st, a))
    st, _, a = walk.send("POST", "/v1/convai/agents/create", body={"name": "no config"})
    check(st == 422 and a["detail"][0]["loc"] == ["body", "conversation_config"]
          and a["detail"][0]["type"] == "missing", "elevenlabs: 422 names the missing field: %s" % a)
    return made


def wrong_methods(walk):
    """A path of the description with a method it lacks: the provider's answer."""
    p = walk.provider
    path, want = {"vapi": ("/assistant", (404, lambda a: a.get("message") == "Cannot PUT /assistant")),
                  "retell": ("/list-conversation-flows", (405, lambda a: a.get("status") == "error")),
                  "elevenlabs": ("/v1/convai/agents", (405, lambda a: a.get("detail") == "Method Not Allowed"))}[p]
    st, _, a = walk.send("PUT", path, body={})
    check(st == want[0] and isinstance(a, dict) and want[1](a), "%s: PUT %s answered %s %s" % (p, path, st, a))


def routes_md(walks, path):
    lines = ["# Routes the mocks serve", "",
             "Generated by `tests/check_catalogue_walk.py --routes-md docs/routes.md` from the",
             "catalogues (mocks/data/, [catalogue.md](catalogue.md)) and the provider modules'",
             "route lists (mocks/mock_*_ops.c). **stateful**: the provider module serves the route",
             "with the provider's own semantics; **generic**: the catalogue handler",
             "(mocks/catalogue_serve.c) with the operation it infers. Every route is covered by",
             "`serve.catalogue_walk` (tests/check_catalogue_walk.py): a schema-valid request answers",
             "2xx with a schema-valid body; *refusal* marks the routes where it also checks that a",
             "request missing a required field is refused in the provider's error shape.", ""]
    for w in walks:
        n_mine = sum(1 for r in w.cat["routes"] if r["method"] + " " + r["path"] in w.mine)
        lines += ["## %s (%d routes: %d stateful, %d generic)" % (w.provider, len(w.cat["routes"]),
                                                                   n_mine, len(w.cat["routes"]) - n_mine), "",
                  "| method | path | served by | test |", "|---|---|---|---|"]
        for r in w.cat["routes"]:
            key = r["method"] + " " + r["path"]
            if key in w.mine:
                how = "stateful (module)"
            else:
                op = ou.op_of(w.cat, r)
                how = "generic: " + op + ("" if op == "action" or op == "create" or ou.creatable(w.cat, r) else " (read-through)")
            test = "serve.catalogue_walk" + (", refusal" if key in w.refused else "")
            lines.append("| %s | `%s` | %s | %s |" % (r["method"], r["path"], how, test))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    dialsim, src = sys.argv[1], sys.argv[2]
    md = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--routes-md" else None
    work = serve_util.workdir("dialsim-catalogue-walk-")
    cfg = serve_util.write_json(os.path.join(work, "serve.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    walks = []
    try:
        for p in ou.PROVIDERS:
            w = Walk(srv, src, p)
            try:  # first: the collections are still empty
                made = state_checks(w)
            except (KeyError, TypeError, IndexError, AttributeError) as e:
                made = ["x-1"]
                check(False, "%s: the state checks met an answer they did not expect: %r" % (p, e))
            served = w.run()
            wrong_methods(w)
            mine = sum(1 for k in served if k in w.mine)
            print("%s: %d of %d routes served 2xx (%d stateful, %d generic); %d refusals checked" % (
                p, len(served), len(w.cat["routes"]), mine, len(served) - mine, len(w.refused)))
            w.made = made
            walks.append(w)
    finally:
        rc = srv.stop()
    check(rc == 0, "serve exited %s" % rc)
    # a new world has none of it: the state is reset with the mocks
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    try:
        w = Walk(srv, src, "vapi")
        st, _, a = w.send("GET", "/assistant/" + walks[0].made[0])
        check(st == 404, "vapi: a new world does not have the old one's assistant: %s %s" % (st, a))
    finally:
        srv.stop()
    # objects under a path of no create or list route: exit 2, and where
    bad = dict(CONFIG, mocks=dict(CONFIG["mocks"], vapi=dict(CONFIG["mocks"]["vapi"], objects={"/asistant": []})))
    bad_cfg = serve_util.write_json(os.path.join(work, "bad.json"), bad)
    p = subprocess.run([dialsim, "serve", "--port", "0", "--db", ":memory:", "--config", bad_cfg],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 2 and 'at mocks.vapi.objects["/asistant"]: expected the path of a create or list route' in p.stderr,
          "a bad objects key: exit %s, %r" % (p.returncode, p.stderr[-300:]))
    # docs/routes.md is this walk's output: a stale one fails
    fresh = os.path.join(work, "routes.md")
    routes_md(walks, md or fresh)
    with open(md or fresh) as a, open(os.path.join(src, "docs", "routes.md")) as b:
        check(a.read() == b.read(), "docs/routes.md is stale: run tests/check_catalogue_walk.py "
              "DIALSIM . --routes-md docs/routes.md")
    for f in failures:
        print("FAIL:", f)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
