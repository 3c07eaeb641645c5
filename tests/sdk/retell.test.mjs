// retell-sdk against dialsim serve's Retell mock: only the base URL changes
// (issue 11, docs/mocks.md#retell). Every answer the SDK receives is recorded
// and, at the end, checked against Retell's response schemas derived from
// the provider's OpenAPI description (tests/sdk/retell_schemas.py).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Retell from "retell-sdk";
import { startServe, startReceiver, until } from "./harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const FROM = "+15551234567";      // owned, outbound agent "ragent"
const BARE = "+15551234568";      // owned, no outbound agent
const LINE = "+15557654321";      // an evaluator's line: answers
const RINGS = "+15557650000";     // no line: rings out
const PSTN = { busy: "+15557650001", fail: "+15557650002", declined: "+15557650003",
               voicemail: "+15557650004", invalid: "+15557650005" };

let srv, retell, hooks;
const answers = [];
// the SDK's own fetch, recording each answer for the schema check
const recordingFetch = async (url, init) => {
  const res = await fetch(url, init);
  const text = await res.clone().text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  answers.push({ route: `${init?.method ?? "GET"} ${new URL(url).pathname}`, status: res.status, body });
  return res;
};
const client = (apiKey, opts = {}) =>
  new Retell({ apiKey, baseURL: srv.mocks, maxRetries: 0, fetch: recordingFetch, ...opts });
const terminal = (x) => ["ended", "error", "not_connected"].includes(x.call_status);
const place = (to, extra = {}) => retell.call.createPhoneCall({ from_number: FROM, to_number: to, ...extra });

before(async () => {
  hooks = await startReceiver();
  srv = await startServe({
    projects: [{ id: "acme", api_key: "k1" }],
    // the core's own agent: a run through it places a call the line answers
    agents: [{ id: "ret", project: "acme", contact_number: FROM, provider: "retell",
               provider_api_key: "rk", assistant_id: "ragent" }],
    evaluators: [{ id: "e1", project: "acme", phone_number: LINE }],
    mocks: {
      retell: {
        keys: ["rk"],
        agents: ["ragent", { id: "hooked", webhook_url: hooks.url }],
        phone_numbers: [{ id: "rn", number: FROM, outbound_agent_id: "ragent", inbound_agent_id: "ragent" },
                        { id: "rb", number: BARE }],
        latency: 0, dial_delay: 0.05, ring_timeout: 0.3,
        webhooks: { delay: 0.01 },
      },
      pstn: {
        call_duration: 1.2, // long enough for a turn of each (recording.c)
        faults: [{ to: PSTN.busy, busy: true }, { to: PSTN.fail, fail: true },
                 { to: PSTN.declined, declined: true }, { to: PSTN.voicemail, voicemail: true },
                 { to: PSTN.invalid, invalid: true }],
      },
      faults: [{ method: "POST", path: "/v2/create-phone-call", header: { "x-test": "429" },
                 then: [{ status: 429, body: { status: "error", message: "Too many requests." } }] }],
    },
  });
  retell = client("rk");
});
after(async () => {
  await hooks.close();
  assert.equal(await srv.stop(), 0, "dialsim serve exits 0");
});

test("call.createPhoneCall registers a call and call.retrieve follows it while it rings and to its end", async () => {
  const c = await place(RINGS, { override_agent_id: "ragent", metadata: { case: 1 } });
  assert.equal(c.call_status, "registered");
  assert.equal(c.agent_id, "ragent");
  const ringing = await retell.call.retrieve(c.call_id);
  assert.equal(ringing.call_status, "registered");
  const done = await until(() => retell.call.retrieve(c.call_id), terminal);
  assert.equal(done.call_status, "not_connected");
  assert.equal(done.disconnection_reason, "dial_no_answer");
  assert.deepEqual(done.metadata, { case: 1 });
  assert.equal(typeof done.call_cost.combined_cost, "number");
  assert.equal(typeof done.call_analysis.call_successful, "boolean");
});

test("an answered call: ongoing, then ended with transcript words, recording, analysis and cost", async () => {
  // an evaluator's line answers the call a run places
  const res = await fetch(srv.api + "/runs", { method: "POST", headers: { "content-type": "application/json" },
                                               body: JSON.stringify({ agent: "ret", evaluators: ["e1"] }) });
  assert.equal(res.status, 201);
  const run = (await res.json()).runs[0];
  const named = await until(async () => (await fetch(`${srv.api}/runs/${run.id}`)).json(), (r) => r.provider_call_id);
  const c = { call_id: named.provider_call_id };
  const live = await until(() => retell.call.retrieve(c.call_id), (x) => x.call_status !== "registered");
  assert.ok(["ongoing", "ended"].includes(live.call_status), live.call_status);
  const done = await until(() => retell.call.retrieve(c.call_id), terminal);
  assert.equal(done.call_status, "ended");
  assert.equal(done.disconnection_reason, "user_hangup");
  assert.equal(typeof done.start_timestamp, "number");
  assert.equal(typeof done.end_timestamp, "number");
  assert.equal(typeof done.transcript, "string");
  assert.match(done.recording_url, /recording\.wav$/);
  assert.ok(done.transcript_object.length > 0);
  // what a user's code does with them: map over the words
  const words = done.transcript_object.flatMap((u) => u.words.map((w) => [w.word, w.start, w.end]));
  assert.ok(words.length > 0 && words.every(([w, s, e]) => typeof w === "string" && s <= e));
  assert.equal(done.call_analysis.call_successful, true);
  assert.ok(done.call_cost.product_costs.length > 0);
});

for (const [kind, status, reason] of [["busy", "not_connected", "dial_busy"], ["fail", "not_connected", "dial_failed"],
  ["declined", "not_connected", "user_declined"], ["voicemail", "ended", "voicemail_reached"],
  ["invalid", "not_connected", "invalid_destination"]]) {
  test(`a ${kind} callee: ${status} / ${reason}`, async () => {
    const c = await place(PSTN[kind]);
    const done = await until(() => retell.call.retrieve(c.call_id), terminal);
    assert.equal(done.call_status, status);
    assert.equal(done.disconnection_reason, reason);
    if (kind === "voicemail") assert.equal(done.call_analysis.in_voicemail, true);
  });
}

test("a number's outbound agent places the call when the request names none", async () => {
  const c = await place(RINGS);
  assert.equal(c.agent_id, "ragent");
  await assert.rejects(retell.call.createPhoneCall({ from_number: BARE, to_number: RINGS }),
    (e) => e instanceof Retell.BadRequestError && /outbound agent/.test(e.error.message));
});

test("phone numbers: create, retrieve, list, update (outbound agent), delete", async () => {
  const n = await retell.phoneNumber.create({ phone_number: "+15551230000", nickname: "sales",
                                             outbound_agents: [{ agent_id: "ragent", weight: 1 }] });
  assert.equal(n.phone_number, "+15551230000");
  assert.equal(n.outbound_agents[0].agent_id, "ragent");
  assert.equal((await retell.phoneNumber.retrieve("+15551230000")).nickname, "sales");
  const list = await retell.phoneNumber.list();
  assert.ok(list.items.some((x) => x.phone_number === "+15551230000"));
  assert.equal(list.items.find((x) => x.phone_number === FROM).outbound_agent_id, "ragent");
  const c1 = await retell.call.createPhoneCall({ from_number: "+15551230000", to_number: RINGS });
  assert.equal(c1.agent_id, "ragent");
  const u = await retell.phoneNumber.update("+15551230000", { outbound_agents: [{ agent_id: "hooked", weight: 1 }] });
  assert.equal(u.outbound_agents[0].agent_id, "hooked");
  const c2 = await retell.call.createPhoneCall({ from_number: "+15551230000", to_number: RINGS });
  assert.equal(c2.agent_id, "hooked");
  await assert.rejects(retell.phoneNumber.update("+15551230000", { outbound_agents: [{ agent_id: "nope", weight: 1 }] }),
    (e) => e instanceof Retell.NotFoundError && e.error.message === "Item nope not found from agent");
  await retell.phoneNumber.delete("+15551230000");
  await assert.rejects(retell.phoneNumber.retrieve("+15551230000"), (e) => e instanceof Retell.NotFoundError);
  await assert.rejects(retell.call.createPhoneCall({ from_number: "+15551230000", to_number: RINGS }),
    (e) => e instanceof Retell.NotFoundError && /not found from phone-number/.test(e.error.message));
});

test("ignore_e164_validation dials a number that is not E.164", async () => {
  await assert.rejects(place("5557650000"), (e) => e instanceof Retell.BadRequestError);
  const c = await place("5557650000", { ignore_e164_validation: true });
  assert.equal(c.to_number, "5557650000");
});

test("call.list filters and paginates; call.update and call.delete change the call", async () => {
  const mine = [];
  for (let i = 0; i < 3; i++)
    mine.push((await place(RINGS, { override_agent_id: "hooked", metadata: { batch: "L" } })).call_id);
  const all = await retell.call.list({ filter_criteria: { agent: [{ agent_id: "hooked" }] }, include_total: true, limit: 1000 });
  assert.ok(mine.every((id) => all.items.some((x) => x.call_id === id)));
  assert.ok(all.items.every((x) => x.agent_id === "hooked"));
  assert.equal(all.total, all.items.length);
  assert.equal(all.has_more, false);
  const byMeta = await retell.call.list({ filter_criteria: { metadata: [{ key: "batch", op: "eq", type: "string", value: "L" }] } });
  assert.deepEqual(byMeta.items.map((x) => x.call_id).sort(), [...mine].sort());
  // newest first; pages of 2, pagination_key the last id
  const p1 = await retell.call.list({ filter_criteria: { metadata: [{ key: "batch", op: "eq", type: "string", value: "L" }] }, limit: 2 });
  assert.deepEqual(p1.items.map((x) => x.call_id), [mine[2], mine[1]]);
  assert.equal(p1.has_more, true);
  const p2 = await retell.call.list({ filter_criteria: { metadata: [{ key: "batch", op: "eq", type: "string", value: "L" }] },
                                      limit: 2, pagination_key: p1.pagination_key });
  assert.deepEqual(p2.items.map((x) => x.call_id), [mine[0]]);
  assert.equal(p2.has_more, false);
  const asc = await retell.call.list({ filter_criteria: { metadata: [{ key: "batch", op: "eq", type: "string", value: "L" }] }, sort_order: "ascending" });
  assert.deepEqual(asc.items.map((x) => x.call_id), mine);
  const u = await retell.call.update(mine[0], { metadata: { batch: "M" }, data_storage_setting: "basic_attributes_only" });
  assert.deepEqual(u.metadata, { batch: "M" });
  assert.equal((await retell.call.retrieve(mine[0])).data_storage_setting, "basic_attributes_only");
  await retell.call.delete(mine[1]);
  await assert.rejects(retell.call.retrieve(mine[1]), (e) => e instanceof Retell.NotFoundError);
  await assert.rejects(retell.call.update("nope", { metadata: {} }), (e) => e instanceof Retell.NotFoundError);
  await assert.rejects(retell.call.delete("nope"), (e) => e instanceof Retell.NotFoundError);
  const left = await retell.call.list({ filter_criteria: { metadata: [{ key: "batch", op: "pr", type: "present" }],
                                                           call_status: { op: "in", type: "enum", value: ["registered", "not_connected"] } } });
  assert.ok(!left.items.some((x) => x.call_id === mine[1]));
  assert.ok(left.items.some((x) => x.call_id === mine[2]));
});

test("agents: retrieve and update (webhook_url) as agent.update sends it", async () => {
  const a = await retell.agent.retrieve("ragent");
  assert.equal(a.agent_id, "ragent");
  const u = await retell.agent.update("ragent", { webhook_url: hooks.url + "/ragent" });
  assert.equal(u.webhook_url, hooks.url + "/ragent");
  await retell.agent.update("ragent", { webhook_url: null });
  await assert.rejects(retell.agent.retrieve("nope"), (e) => e instanceof Retell.NotFoundError);
});

test("refusals arrive as the SDK's own error classes with Retell's message and status", async () => {
  await assert.rejects(client("wrong").call.createPhoneCall({ from_number: FROM, to_number: RINGS }),
    (e) => e instanceof Retell.AuthenticationError && e.status === 401 && e.error.message === "API key is missing or invalid.");
  await assert.rejects(place(RINGS, { override_agent_id: "nope" }),
    (e) => e instanceof Retell.NotFoundError && e.status === 404 && e.error.message === "Item nope not found from agent");
  await assert.rejects(retell.call.createPhoneCall({ from_number: "+15550000000", to_number: RINGS }),
    (e) => e instanceof Retell.NotFoundError && e.error.message === "Item +15550000000 not found from phone-number");
  await assert.rejects(place("not a number"),
    (e) => e instanceof Retell.BadRequestError && e.status === 400 && e.error.status === "error");
  await assert.rejects(place(RINGS, {}, ).then(() => client("rk", { defaultHeaders: { "x-test": "429" } })
    .call.createPhoneCall({ from_number: FROM, to_number: RINGS })),
    (e) => e instanceof Retell.RateLimitError && e.status === 429 && e.error.message === "Too many requests.");
});

test("no credits: 402 as the SDK's APIError", async () => {
  const poor = await startServe({ projects: [{ id: "acme", api_key: "k1" }],
    mocks: { retell: { keys: ["rk"], agents: ["ragent"], credits: 0,
                       phone_numbers: [{ id: "rn", number: FROM, outbound_agent_id: "ragent" }] } } });
  try {
    const r = new Retell({ apiKey: "rk", baseURL: poor.mocks, maxRetries: 0, fetch: recordingFetch });
    await assert.rejects(r.call.createPhoneCall({ from_number: FROM, to_number: RINGS }),
      (e) => e instanceof Retell.APIError && e.status === 402 && e.error.message === "Trial has ended, please add payment method.");
  } finally {
    assert.equal(await poor.stop(), 0);
  }
});

// issue 12: batch.createBatchCall places one call per task through the
// account; the calls the account cannot take end at once with Retell's own
// disconnection_reason, and list-calls' batch_call_id filter finds them all.
test("batch.createBatchCall: a concurrency limit, then credits running out half-way (AO-4)", async () => {
  const acct = await startServe({ projects: [{ id: "acme", api_key: "k1" }],
    mocks: { retell: { keys: ["rk"], agents: ["ragent"], credits: 3, concurrency_limit: 2,
                       latency: 0, dial_delay: 0.02, ring_timeout: 0.3,
                       phone_numbers: [{ id: "rn", number: FROM, outbound_agent_id: "ragent" }] } } });
  try {
    const r = new Retell({ apiKey: "rk", baseURL: acct.mocks, maxRetries: 0, fetch: recordingFetch });
    const tasks = (n, tag) => Array.from({ length: n }, (_, i) => ({
      to_number: `+1555765${tag}${i}00`.slice(0, 12), metadata: { n: i },
      retell_llm_dynamic_variables: { who: `c${i}` } }));
    const inBatch = async (id) => (await r.call.list({ filter_criteria: { batch_call_id: { op: "eq", type: "string", value: id } },
                                                        sort_order: "ascending" })).items;
    // 3 tasks, 2 slots: the third is refused for concurrency, and spends nothing
    const a = await r.batchCall.createBatchCall({ name: "first", from_number: FROM, tasks: tasks(3, 1) });
    assert.match(a.batch_call_id, /^batch_call_[0-9a-f]+$/);
    assert.equal(a.total_task_count, 3);
    assert.equal(a.from_number, FROM);
    assert.equal(a.name, "first");
    assert.equal(typeof a.scheduled_timestamp, "number");
    const ca = await inBatch(a.batch_call_id);
    assert.deepEqual(ca.map((c) => c.call_status), ["registered", "registered", "error"]);
    assert.equal(ca[2].disconnection_reason, "concurrency_limit_reached");
    assert.deepEqual(ca.map((c) => c.metadata.n), [0, 1, 2]);
    assert.deepEqual(ca.map((c) => c.retell_llm_dynamic_variables.who), ["c0", "c1", "c2"]);
    assert.ok(ca.every((c) => c.from_number === FROM && c.agent_id === "ragent"));
    // both ring out (no line behind them); then 1 credit is left for 3 tasks
    await until(() => inBatch(a.batch_call_id), (l) => l.every((c) => c.call_status !== "registered"));
    const b = await r.batchCall.createBatchCall({ from_number: FROM, tasks: tasks(3, 2), trigger_timestamp: 1767268800000 });
    assert.equal(b.scheduled_timestamp, 1767268800000);
    const cb = await inBatch(b.batch_call_id);
    assert.deepEqual(cb.map((c) => c.call_status), ["registered", "error", "error"]);
    assert.deepEqual(cb.slice(1).map((c) => c.disconnection_reason), ["no_valid_payment", "no_valid_payment"]);
    // no credit at all: the batch itself is refused, as a single call is (402)
    await assert.rejects(r.batchCall.createBatchCall({ from_number: FROM, tasks: tasks(1, 3) }),
      (e) => e instanceof Retell.APIError && e.status === 402);
    // a bad task refuses the whole batch before anything is placed
    await assert.rejects(r.batchCall.createBatchCall({ from_number: FROM, tasks: [{ to_number: "555" }] }),
      (e) => e instanceof Retell.BadRequestError && /tasks\[0\]\.to_number/.test(e.error.message));
    await assert.rejects(r.batchCall.createBatchCall({ from_number: "+15550000000", tasks: tasks(1, 4) }),
      (e) => e instanceof Retell.NotFoundError);
    assert.equal((await inBatch(b.batch_call_id)).length, 3);
  } finally {
    assert.equal(await acct.stop(), 0);
  }
});

test("an unknown route or method under Retell's paths answers Retell's own error shape", async () => {
  for (const [method, path, status] of [["GET", "/v2/no-such-route", 404], ["GET", "/v3/list-calls", 405],
    ["POST", "/v2/get-call/x", 405], ["DELETE", "/get-phone-number/%2B15551234567", 405]]) {
    const res = await fetch(srv.mocks + path, { method, headers: { authorization: "Bearer rk" } });
    assert.equal(res.status, status, `${method} ${path}`);
    const body = await res.json();
    assert.equal(body.status, "error");
    assert.equal(typeof body.message, "string");
    answers.push({ route: `${method} ${path}`, status, body });
  }
});

test("webhooks as the journal shows them: each verifies with Retell.verify(JSON.stringify(body))", async () => {
  // voicemail connects: all three events
  const c = await place(PSTN.voicemail, { override_agent_id: "hooked" });
  await until(() => retell.call.retrieve(c.call_id), terminal);
  const parsed = (r) => (typeof r.body === "string" ? JSON.parse(r.body) : r.body);
  const sent = await until(async () => (await srv.journal()).requests.filter((r) => r.mock === "retell-webhook" &&
                                                                                   parsed(r).call.call_id === c.call_id),
                           (l) => ["call_started", "call_ended", "call_analyzed"].every((e) => l.some((r) => parsed(r).event === e)));
  for (const r of sent) {
    const body = parsed(r);
    const sig = r.headers["x-retell-signature"];
    assert.ok(await Retell.verify(JSON.stringify(body), "rk", sig), `${body.event}: ${sig} ${JSON.stringify(body)}`);
    assert.ok(!(await Retell.verify(JSON.stringify(body), "other", sig)));
    if (body.event === "call_analyzed") assert.equal(typeof body.call.call_analysis.call_successful, "boolean");
    if (body.event === "call_ended") assert.equal(body.call.call_analysis, undefined);
  }
});

test("webhooks: call_started, call_ended, call_analyzed reach the agent's webhook_url, verified with Retell.verify", async () => {
  const c = await place(PSTN.voicemail, { override_agent_id: "hooked" });
  for (const event of ["call_started", "call_ended", "call_analyzed"]) {
    const h = await hooks.next((x) => x.body?.event === event && x.body.call.call_id === c.call_id);
    assert.ok(await Retell.verify(JSON.stringify(h.body), "rk", h.headers["x-retell-signature"]), event);
  }
});

test("webhooks: mocks.retell.webhooks.url takes every call's; a 500 is retried up to 3 times", async () => {
  let n = 0;
  const mine = await startReceiver((item) => (item.body?.event === "call_ended" && n++ < 2 ? [500, "{}"] : [200, "{}"]));
  const other = await startServe({ projects: [{ id: "acme", api_key: "k1" }],
    mocks: { retell: { keys: ["rk"], agents: ["ragent"], latency: 0, dial_delay: 0.05,
                       phone_numbers: [{ id: "rn", number: FROM, outbound_agent_id: "ragent" }],
                       webhooks: { url: mine.url, delay: 0.01, retry_after: 0.05 } },
             pstn: { call_duration: 1.2, faults: [{ to: PSTN.voicemail, voicemail: true }] } } });
  try {
    const r = new Retell({ apiKey: "rk", baseURL: other.mocks, maxRetries: 0 });
    const c = await r.call.createPhoneCall({ from_number: FROM, to_number: PSTN.voicemail });
    await mine.next((x) => x.body?.event === "call_analyzed" && x.body.call.call_id === c.call_id);
    await mine.next((x) => x.body?.event === "call_ended" && n >= 3);
    const ended = mine.received.filter((x) => x.body?.event === "call_ended");
    assert.equal(ended.length, 3, "two 500s, then taken");
    for (const h of mine.received)
      assert.ok(await Retell.verify(JSON.stringify(h.body), "rk", h.headers["x-retell-signature"]), h.body.event);
  } finally {
    assert.equal(await other.stop(), 0);
    await mine.close();
  }
});

test("a 429 with Retry-After: the SDK waits that long and retries", async () => {
  await fetch(srv.mocks + "/_dialsim/faults", { method: "PUT", body: JSON.stringify([
    { method: "POST", path: "/v2/create-phone-call", then: [
      { status: 429, headers: { "Retry-After": "1" }, body: { status: "error", message: "Too many requests." } },
      { pass: true }] }]) });
  try {
    const t0 = Date.now();
    const c = await client("rk", { maxRetries: 1 }).call.createPhoneCall({ from_number: FROM, to_number: RINGS });
    assert.equal(c.call_status, "registered");
    assert.ok(Date.now() - t0 >= 950, `retried after ${Date.now() - t0} ms`);
  } finally {
    await fetch(srv.mocks + "/_dialsim/faults", { method: "PUT", body: "[]" });
  }
});

test("generic routes and the SDK's /v2 lists (issue 12): llm CRUD, llm.list, agent.list, conversationFlow.list", async () => {
  const llm = await retell.llm.create({ general_prompt: "You are a probe." });
  assert.ok(llm.llm_id);
  assert.equal((await retell.llm.retrieve(llm.llm_id)).general_prompt, "You are a probe.");
  const second = await retell.llm.create({ general_prompt: "second" });
  const page1 = await retell.llm.list({ limit: 1 });
  assert.equal(page1.items.length, 1);
  assert.equal(page1.has_more, true);
  const page2 = await retell.llm.list({ limit: 1, pagination_key: page1.pagination_key });
  assert.equal(page2.items.length, 1);
  assert.notEqual(page2.items[0].llm_id, page1.items[0].llm_id);
  assert.deepEqual(new Set([page1.items[0].llm_id, page2.items[0].llm_id]), new Set([llm.llm_id, second.llm_id]));
  assert.equal((await retell.llm.update(llm.llm_id, { general_prompt: "changed" })).general_prompt, "changed");
  await retell.llm.delete(llm.llm_id);
  await assert.rejects(retell.llm.retrieve(llm.llm_id), (e) => e.status === 404);
  const agents = await retell.agent.list(); // POST /v2/list-agents
  assert.ok(agents.items.some((a) => a.agent_id === "ragent"), JSON.stringify(agents).slice(0, 300));
  assert.equal(agents.has_more, false);
  const flows = await retell.conversationFlow.list();
  assert.deepEqual(flows.items, []);
});

test("every answer matches Retell's response schema (OpenAPI description; SDK where they differ)", () => {
  const dir = mkdtempSync(join(tmpdir(), "dialsim-retell-answers-"));
  const file = join(dir, "answers.json");
  writeFileSync(file, JSON.stringify(answers));
  const r = spawnSync("/usr/bin/python3", [join(HERE, "retell_schemas.py"), "check", join(HERE, "retell.schemas.json"), file],
                      { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(answers.length > 40, `${answers.length} answers`);
});
