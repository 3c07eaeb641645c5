#!/usr/bin/python3
"""Batch calling against a live `dialsim serve` with mocks (issue 12,
docs/batch.md), with Python's http.client: the routes as a user's own code
calls them, and runs dialled from a batch through serve's API.

- an agent with "dispatch": "batch" (shown by GET /agents/{id}; a bad value
  is a 400 naming the field): POST /runs with three evaluators sends one
  Retell create-batch-call; the account pays for two calls, so two runs
  complete and the third fails provider_insufficient_credits at once, with
  provider_batch_id and a diagnosis that names the batch (AO-1, AO-4);
- Vapi campaigns: create (a concurrency limit of 1: the second customer's
  call ends call.start.error-subscription-concurrency-limit-reached), get,
  list, patch (end), delete, 404; the journal files /campaign under "vapi";
- ElevenLabs batch calling: submit, get, cancel, retry, export (CSV),
  workspace paging, delete;
- Retell create-batch-call refusals in Retell's own shape.

Every wait is a poll with a deadline. usage: check_serve_batch.py DIALSIM
"""

import functools
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


poll = functools.partial(serve_util.poll, timeout=15.0, failures=failures)


FROM = "+15551234567"
CONFIG = {
    "projects": [{"id": "acme", "api_key": "k1"}],
    "agents": [
        {"id": "ret", "project": "acme", "contact_number": FROM, "provider": "retell",
         "provider_api_key": "rk", "assistant_id": "ragent", "dispatch": "batch"},
    ],
    "evaluators": [{"id": "e%d" % i, "project": "acme", "phone_number": "+1555765432%d" % i}
                   for i in (1, 2, 3)],
    "mocks": {
        "retell": {"keys": ["rk"], "agents": ["ragent"], "credits": 2,
                   "phone_numbers": [{"id": "rn", "number": FROM}],
                   "latency": 0, "dial_delay": 0.05, "webhooks": {"delay": 0.3}},
        "vapi": {"keys": ["vk"], "agents": ["asst"], "concurrency_limit": 1,
                 "phone_numbers": [{"id": "pn", "number": FROM}],
                 "latency": 0, "dial_delay": 0.05, "ring_timeout": 0.3},
        "elevenlabs": {"keys": ["xk"], "agents": ["elagent"], "credits": 2,
                       "phone_numbers": [{"id": "elpn", "number": FROM}],
                       "latency": 0, "dial_delay": 0.05, "ring_timeout": 0.3},
        "pstn": {"call_duration": 0.2},
    },
}


def runs_through_a_batch(srv):
    st, _, a = srv.request("GET", "/agents/ret")
    check(st == 200 and a.get("dispatch") == "batch", "GET /agents/ret shows dispatch batch: %s" % a)
    st, _, err = srv.request("PATCH", "/agents/ret", {"dispatch": "bulk"})
    check(st == 400 and "dispatch" in str(err), "a bad dispatch is a 400 naming it: %s %s" % (st, err))
    st, _, made = srv.request("POST", "/runs", {"agent": "ret", "evaluators": ["e1", "e2", "e3"]})
    check(st == 201, "POST /runs: %s %s" % (st, made))
    if st != 201:
        return

    def final():
        out = []
        for r in made["runs"]:
            s, _, x = srv.request("GET", "/runs/" + r["id"])
            if s != 200 or x["status"] not in ("completed", "failed", "timeout"):
                return None
            out.append(x)
        return out
    runs = poll("the batch's runs to end", final)
    if not runs:
        return
    check([r["status"] for r in runs] == ["completed", "completed", "failed"],
          "two runs complete, the third fails: %s" % [(r["status"], r["reason"]) for r in runs])
    last = runs[2]
    check(last["reason"] == "provider_insufficient_credits", "credits: %s" % last["reason"])
    bid = last.get("provider_batch_id") or ""
    check(bid.startswith("batch_call_") and all(r.get("provider_batch_id") == bid for r in runs),
          "every run carries the batch id: %s" % [r.get("provider_batch_id") for r in runs])
    check("number 3 of 3 in Retell batch %s" % bid in (last["diagnosis"] or "")
          and "ran out of credits part-way through the batch" in last["diagnosis"],
          "the diagnosis names the batch: %s" % last["diagnosis"])
    st, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
    entries = j.get("requests", []) if isinstance(j, dict) else []
    batches = [e for e in entries if e.get("path") == "/create-batch-call"]
    singles = [e for e in entries if e.get("path") == "/v2/create-phone-call"]
    check(len(batches) == 1 and batches[0].get("status") == 201 and not singles,
          "one create-batch-call, no create-phone-call: %d %d" % (len(batches), len(singles)))


def vapi_campaigns(srv):
    h = {"Authorization": "Bearer vk"}
    req = lambda m, p, b=None: srv.request(m, p, b, headers=h, port=srv.mock_port)  # noqa: E731
    body = {"name": "spring", "assistantId": "asst", "phoneNumberId": "pn",
            "customers": [{"number": "+15550001001"}, {"number": "+15550001002"}]}
    st, _, k = req("POST", "/campaign", body)
    check(st == 201 and k.get("status") == "in-progress", "POST /campaign: %s %s" % (st, k))
    if st != 201:
        return
    reasons = sorted(c.get("endedReason", c["status"]) for c in k["calls"].values())
    check(reasons == ["call.start.error-subscription-concurrency-limit-reached", "queued"],
          "one slot: one call queued, one refused: %s" % reasons)
    done = poll("the campaign to end", lambda: (lambda r: r[2] if r[2].get("status") == "ended" else None)(
        req("GET", "/campaign/" + k["id"])))
    if done:
        check(done["endedReason"] == "campaign.ended.success" and done["callsCounterEnded"] == 2,
              "ended: %s" % done)
    st, _, page = req("GET", "/campaign?limit=1&page=1")
    check(st == 200 and [x["id"] for x in page["results"]] == [k["id"]]
          and page["metadata"]["totalItems"] == 1, "GET /campaign: %s %s" % (st, page))
    st, _, p = req("PATCH", "/campaign/" + k["id"], {"name": "renamed"})
    check(st == 200 and p["name"] == "renamed", "PATCH: %s %s" % (st, p))
    st, _, bad = req("POST", "/campaign", dict(body, customers=[{"number": "12"}]))
    check(st == 400 and "customers.0.number" in bad["message"][0], "bad customer: %s %s" % (st, bad))
    st, _, d = req("DELETE", "/campaign/" + k["id"])
    check(st == 200 and d["id"] == k["id"], "DELETE: %s" % st)
    st, _, nf = req("GET", "/campaign/" + k["id"])
    check(st == 404 and nf == {"message": "Campaign not found", "error": "Not Found", "statusCode": 404},
          "gone: %s %s" % (st, nf))
    st, _, j = srv.request("GET", "/_dialsim/journal", port=srv.mock_port)
    mocks = {e["mock"] for e in j.get("requests", []) if e.get("path", "").startswith("/campaign")}
    check(mocks == {"vapi"}, "/campaign is journalled as vapi: %s" % mocks)


def elevenlabs_batches(srv):
    h = {"xi-api-key": "xk"}
    req = lambda m, p, b=None: srv.request(m, p, b, headers=h, port=srv.mock_port)  # noqa: E731
    base = "/v1/convai/batch-calling/"
    body = {"call_name": "b", "agent_id": "elagent", "agent_phone_number_id": "elpn",
            "recipients": [{"phone_number": "+1555000200%d" % i, "id": "r%d" % i} for i in range(3)]}
    st, _, b = req("POST", base + "submit", body)
    check(st == 200 and b.get("id", "").startswith("btcal_"), "submit: %s %s" % (st, b))
    if st != 200:
        return
    st, _, d = req("GET", base + b["id"])
    sts = sorted(r["status"] for r in d["recipients"])
    check(sts == ["dispatched", "dispatched", "failed"], "two credits for three: %s" % sts)
    poll("the batch to complete", lambda: req("GET", base + b["id"])[2].get("status") == "completed")
    st, _, r = req("POST", base + b["id"] + "/retry")
    check(st == 200 and r["retry_count"] == 1, "retry: %s %s" % (st, r))
    st, _, c = req("POST", base + b["id"] + "/cancel")
    check(st == 200 and c["status"] == "cancelled", "cancel: %s %s" % (st, c))
    conn = srv.connect(port=srv.mock_port)
    conn.request("GET", base + b["id"] + "/export", headers=h)
    resp = conn.getresponse()
    csv = resp.read().decode()
    conn.close()
    check(resp.status == 200 and resp.getheader("Content-Type", "").startswith("text/csv")
          and csv.count("\n") == 4, "export: %s %r" % (resp.status, csv))
    st, _, w = req("GET", base + "workspace?limit=1")
    check(st == 200 and [x["id"] for x in w["batch_calls"]] == [b["id"]] and w["has_more"] is False,
          "workspace: %s" % w)
    st, _, _ = req("DELETE", base + b["id"])
    check(st == 204, "delete: %s" % st)
    st, _, nf = req("GET", base + b["id"])
    check(st == 404 and nf["detail"]["status"] == "batch_call_not_found", "gone: %s %s" % (st, nf))


def retell_refusals(srv):
    h = {"Authorization": "Bearer rk"}
    st, _, e = srv.request("POST", "/create-batch-call", {"from_number": FROM, "tasks": [{"to_number": "x"}]},
                           headers=h, port=srv.mock_port)
    check(st == 400 and e["status"] == "error" and "tasks[0].to_number" in e["message"],
          "a bad task: %s %s" % (st, e))
    st, _, e = srv.request("POST", "/create-batch-call", "{", headers=h, port=srv.mock_port)
    check(st == 400 and e == {"status": "error",
                              "message": "Invalid request format, please check API reference."},
          "not JSON: %s %s" % (st, e))
    st, _, e = srv.request("GET", "/create-batch-call", headers=h, port=srv.mock_port)
    check(st == 405, "GET: %s" % st)


def main(dialsim):
    work = serve_util.workdir("dialsim-serve-batch-")
    cfg = serve_util.write_json(os.path.join(work, "cfg.json"), CONFIG)
    srv = serve_util.Server(dialsim, work, config=cfg, mocks=True).start()
    try:
        runs_through_a_batch(srv)
        vapi_campaigns(srv)
        elevenlabs_batches(srv)
        retell_refusals(srv)
    finally:
        rc = srv.stop()
    check(rc == 0, "dialsim serve exits 0, got %s" % rc)
    for f in failures:
        print("FAIL:", f)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
