// @elevenlabs/elevenlabs-js against dialsim serve's ElevenLabs mock: only the
// base URL changes; the SDK's response validation stays on (issue 11,
// docs/mocks.md#elevenlabs). Every answer the SDK parses is so checked against
// the SDK's own schemas; every JSON answer the mock gave is checked again at
// the end against the response schemas of ElevenLabs' OpenAPI description
// (tests/sdk/openapi/: derive_elevenlabs.py, its output, check_answers.py).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ElevenLabsClient, ElevenLabsError } from "@elevenlabs/elevenlabs-js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServe, startReceiver, until } from "./harness.mjs";

// Every JSON answer from a mock, as the SDK got it: the SDK takes the global
// fetch when it sends, so the client itself stays as a user has it.
const answers = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const res = await realFetch(input, init);
  const url = new URL(typeof input === "string" ? input : input.url ?? String(input));
  if (url.pathname.startsWith("/v1/convai/") && (res.headers.get("content-type") ?? "").includes("json")) {
    const text = await res.clone().text();
    try {
      answers.push({ method: init?.method ?? "GET", path: url.pathname, status: res.status,
                     body: JSON.parse(text) });
    } catch { /* not JSON: the SDK says so itself */ }
  }
  return res;
};

const EVAL = "+15557654321";      // an evaluator's line: the core answers it
const NO_LINE = "+15550009999";   // no line: rings until ring_timeout
const BUSY = "+15550000001", DECLINED = "+15550000002", FAIL = "+15550000003",
  VOICEMAIL = "+15550000004", INVALID = "+15550000005";

const CONFIG = {
  projects: [{ id: "acme", api_key: "k1" }],
  agents: [{ id: "el", project: "acme", contact_number: "+15551234567", provider: "elevenlabs",
             provider_api_key: "xk", assistant_id: "elagent", phone_number_id: "elpn",
             webhook_secret: "elsec" }],
  evaluators: [{ id: "e1", project: "acme", phone_number: EVAL }],
  mocks: {
    elevenlabs: {
      keys: ["xk", { key: "xr", permissions: ["convai_read"] }],
      agents: ["elagent", "elagent2"],
      phone_numbers: [{ id: "elpn", number: "+15551234567", agent_id: "elagent", label: "main" },
                      { id: "elsip", number: "+15551234568", provider: "sip_trunk" }],
      latency: 0, dial_delay: 0.05, ring_timeout: 0.3,
      webhooks: { secret: "elsec", delay: 0.02 },
    },
    pstn: {
      call_duration: 1.2, // a transcript needs more than a second
      faults: [{ to: BUSY, busy: true }, { to: DECLINED, declined: true }, { to: FAIL, fail: true },
               { to: VOICEMAIL, voicemail: true }, { to: INVALID, invalid: true }],
    },
  },
};
let srv, el;
before(async () => {
  srv = await startServe(CONFIG);
  el = new ElevenLabsClient({ apiKey: "xk", baseUrl: srv.mocks, maxRetries: 0 });
});
after(async () => { assert.equal(await srv.stop(), 0, "dialsim serve exits 0"); });

const call = (to, agentPhoneNumberId = "elpn", agentId = "elagent") =>
  el.conversationalAi.twilio.outboundCall({ agentId, agentPhoneNumberId, toNumber: to });
const get = (id) => el.conversationalAi.conversations.get(id);
const ended = (id) => until(() => get(id), (c) => c.status === "done" || c.status === "failed");

// The SDK's own error class with ElevenLabs' status and message.
async function refused(promise, status, code, message) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ElevenLabsError, `not an ElevenLabsError: ${e}`);
    assert.equal(e.statusCode, status, JSON.stringify(e.body));
    if (code) assert.equal(e.body.detail.status, code);
    if (message) assert.match(e.body.detail.message ?? JSON.stringify(e.body.detail), message);
    return true;
  });
}

test("twilio.outboundCall starts a conversation", async () => {
  const r = await call(NO_LINE);
  assert.equal(r.success, true);
  assert.equal(r.message, "Success");
  assert.ok(r.conversationId);
  assert.match(r.callSid, /^CA[0-9a-f]{32}$/);
});

test("sipTrunk.outboundCall starts a conversation read back as sip_trunking", async () => {
  const r = await el.conversationalAi.sipTrunk.outboundCall({
    agentId: "elagent", agentPhoneNumberId: "elsip", toNumber: NO_LINE });
  assert.equal(r.success, true);
  assert.ok(r.sipCallId);
  const c = await get(r.conversationId);
  assert.equal(c.metadata.phoneCall.type, "sip_trunking");
  assert.equal(c.metadata.phoneCall.callSid, r.sipCallId);
  assert.equal(c.metadata.phoneCall.agentNumber, "+15551234568");
});

test("conversations.get while it rings, then after it rang out: failed, no-answer", async () => {
  const r = await call(NO_LINE);
  const ringing = await get(r.conversationId);
  assert.equal(ringing.status, "initiated");
  assert.equal(ringing.hasAudio, false);
  assert.equal(ringing.hasUserAudio, false);
  assert.equal(ringing.hasResponseAudio, false);
  assert.equal(ringing.hasAuxiliaryAudio, false);
  assert.equal(ringing.metadata.phoneCall.type, "twilio");
  assert.equal(ringing.metadata.phoneCall.callSid, r.callSid);
  assert.match(ringing.metadata.phoneCall.streamSid, /^MZ[0-9a-f]{32}$/);
  const done = await ended(r.conversationId);
  assert.equal(done.status, "failed");
  assert.equal(done.metadata.terminationReason, "no-answer");
  assert.equal(done.metadata.error.code, 480);
  assert.equal(done.analysis.callSuccessful, "failure");
});

for (const [name, to, reason, code] of [["busy", BUSY, "busy", 486],
                                        ["declined", DECLINED, "busy", 603],
                                        ["failed", FAIL, "unknown", 503],
                                        ["not in service", INVALID, "unknown", 404]]) {
  test(`conversations.get after a ${name} call: failed, termination_reason ${reason}`, async () => {
    const r = await call(to);
    const done = await ended(r.conversationId);
    assert.equal(done.status, "failed");
    assert.equal(done.metadata.terminationReason, reason);
    assert.equal(done.metadata.error.code, code);
  });
}

test("conversations.get after voicemail: done, Voicemail detected", async () => {
  const r = await call(VOICEMAIL);
  const done = await ended(r.conversationId);
  assert.equal(done.status, "done");
  assert.equal(done.metadata.terminationReason, "Voicemail detected");
  assert.equal(done.hasAudio, true);
});

// The core answers its evaluators' lines for the runs it starts: a run of
// agent "el" places the call through the mock (as the user's code would).
test("conversations.get of an answered call: in-progress, then done with a transcript", async () => {
  const since = (await srv.journal(0)).next;
  const run = await fetch(`${srv.api}/runs`, {
    method: "POST", headers: { "content-type": "application/json", "authorization": "Bearer k1" },
    body: JSON.stringify({ agent: "el", evaluators: ["e1"] }) });
  assert.ok(run.status === 201 || run.status === 200, `POST /runs: ${run.status} ${await run.text()}`);
  const placed = await until(async () => (await srv.journal(since)).requests,
                             (l) => l.some((e) => e.path === "/v1/convai/twilio/outbound-call"));
  const r = { conversationId: null };
  const list = await until(() => el.conversationalAi.conversations.list({ agentId: "elagent" }),
                           (l) => l.conversations.length > 0);
  r.conversationId = list.conversations[0].conversationId;
  assert.ok(placed.length > 0);
  const live = await until(() => get(r.conversationId), (c) => c.status !== "initiated");
  assert.ok(["in-progress", "done"].includes(live.status), live.status);
  const done = await ended(r.conversationId);
  assert.equal(done.status, "done");
  assert.equal(done.metadata.terminationReason, "Call ended by remote party");
  assert.equal(done.hasUserAudio, true);
  assert.ok(done.transcript.length > 0);
  assert.ok(["agent", "user"].includes(done.transcript[0].role));
  assert.equal(done.analysis.callSuccessful, "success");
  const audio = await el.conversationalAi.conversations.audio.get(r.conversationId);
  const bytes = Buffer.from(await new Response(audio).arrayBuffer());
  assert.ok(bytes.length > 100, `audio: ${bytes.length} bytes`);
});

test("conversations.list: agent filter, cursor pagination, newest first", async () => {
  const ids = [];
  for (let i = 0; i < 3; i++)
    ids.push((await call(NO_LINE, "elpn", "elagent2")).conversationId);
  const p1 = await el.conversationalAi.conversations.list({ agentId: "elagent2", pageSize: 2 });
  assert.deepEqual(p1.conversations.map((c) => c.conversationId), [ids[2], ids[1]]);
  assert.equal(p1.hasMore, true);
  assert.ok(p1.nextCursor);
  const c0 = p1.conversations[0];
  assert.equal(c0.agentId, "elagent2");
  assert.equal(typeof c0.messageCount, "number");
  assert.ok(["success", "failure", "unknown"].includes(c0.callSuccessful));
  const p2 = await el.conversationalAi.conversations.list({ agentId: "elagent2", pageSize: 2,
                                                           cursor: p1.nextCursor });
  assert.deepEqual(p2.conversations.map((c) => c.conversationId), [ids[0]]);
  assert.equal(p2.hasMore, false);
  const all = await el.conversationalAi.conversations.list();
  assert.ok(all.conversations.length >= 3);
  assert.ok(all.conversations.every((c) => typeof c.status === "string"));
});

test("conversations.delete: gone from get and list", async () => {
  const { conversationId } = await call(NO_LINE, "elpn", "elagent2");
  await el.conversationalAi.conversations.delete(conversationId);
  await refused(get(conversationId), 404, "conversation_not_found", /Conversation not found/);
  const list = await el.conversationalAi.conversations.list({ agentId: "elagent2", pageSize: 100 });
  assert.ok(!list.conversations.some((c) => c.conversationId === conversationId));
  await refused(el.conversationalAi.conversations.delete(conversationId), 404, "conversation_not_found");
});

test("phoneNumbers: list, create, get, update the agent, delete", async () => {
  const list = await el.conversationalAi.phoneNumbers.list();
  const main = list.find((n) => n.phoneNumberId === "elpn");
  assert.equal(main.provider, "twilio");
  assert.equal(main.label, "main");
  assert.equal(main.assignedAgent.agentId, "elagent");
  assert.equal(list.find((n) => n.phoneNumberId === "elsip").livekitStack, "standard");

  const { phoneNumberId } = await el.conversationalAi.phoneNumbers.create({
    provider: "twilio", phoneNumber: "+15551230000", label: "new", sid: "ACx", token: "tok" });
  assert.match(phoneNumberId, /^phnum_/);
  let got = await el.conversationalAi.phoneNumbers.get(phoneNumberId);
  assert.equal(got.phoneNumber, "+15551230000");
  assert.equal(got.assignedAgent, undefined);
  const upd = await el.conversationalAi.phoneNumbers.update(phoneNumberId, { agentId: "elagent2" });
  assert.equal(upd.assignedAgent.agentId, "elagent2");
  got = await el.conversationalAi.phoneNumbers.get(phoneNumberId);
  assert.equal(got.assignedAgent.agentId, "elagent2");
  // a call from the new number dials from it (agent_id is required all the same)
  const r = await call(NO_LINE, phoneNumberId, "elagent2");
  assert.equal((await get(r.conversationId)).metadata.phoneCall.agentNumber, "+15551230000");
  await refused(el.conversationalAi.phoneNumbers.update(phoneNumberId, { agentId: "nope" }),
                404, "agent_not_found");
  await el.conversationalAi.phoneNumbers.delete(phoneNumberId);
  await refused(el.conversationalAi.phoneNumbers.get(phoneNumberId), 404, "phone_number_not_found");
  await refused(call(NO_LINE, phoneNumberId), 404, "phone_number_not_found");
});

test("batchCalls: create, get, list; each recipient a call", async () => {
  const b = await el.conversationalAi.batchCalls.create({
    callName: "spring", agentId: "elagent", agentPhoneNumberId: "elpn",
    recipients: [{ phoneNumber: BUSY }, { phoneNumber: VOICEMAIL, id: "r-vm" }] });
  assert.match(b.id, /^btcal_/);
  assert.equal(b.name, "spring");
  assert.equal(b.totalCallsDispatched, 2);
  const done = await until(() => el.conversationalAi.batchCalls.get(b.id), (x) => x.status === "completed");
  assert.equal(done.totalCallsFinished, 2);
  const byPhone = Object.fromEntries(done.recipients.map((r) => [r.phoneNumber, r]));
  assert.equal(byPhone[BUSY].status, "failed");
  assert.equal(byPhone[VOICEMAIL].status, "voicemail");
  assert.equal(byPhone[VOICEMAIL].id, "r-vm");
  const conv = await get(byPhone[BUSY].conversationId);
  assert.equal(conv.metadata.terminationReason, "busy");
  const ws = await el.conversationalAi.batchCalls.list();
  assert.equal(ws.batchCalls[0].id, b.id);
  await refused(el.conversationalAi.batchCalls.get("btcal_nope"), 404, "batch_call_not_found");
  await assert.rejects(el.conversationalAi.batchCalls.create({
    callName: "x", agentId: "elagent", agentPhoneNumberId: "elpn", recipients: [{ phoneNumber: "12" }] }),
                       (e) => e instanceof ElevenLabsError && e.statusCode === 422);
});

// issue 12: a batch on an account with a concurrency limit and few credits:
// the recipients the account cannot take fail at once; retry calls them
// again through the account; cancel, list (paged, by agent), export, delete.
test("batchCalls: concurrency limit and credits half-way; cancel, retry, list pages, export, delete", async () => {
  const acct = await startServe({ projects: [{ id: "acme", api_key: "k1" }],
    mocks: { elevenlabs: { keys: ["xk"], agents: ["elagent", "other"], credits: 4, concurrency_limit: 2,
                           phone_numbers: [{ id: "elpn", number: "+15551234567" }],
                           latency: 0, dial_delay: 0.02, ring_timeout: 0.3 } } });
  try {
    const c = new ElevenLabsClient({ apiKey: "xk", baseUrl: acct.mocks, maxRetries: 0 });
    const bc = c.conversationalAi.batchCalls;
    const recipients = (tag) => [0, 1, 2].map((i) => ({ phoneNumber: `+155576${tag}000${i}`, id: `r${tag}${i}` }));
    const statuses = (d) => d.recipients.map((r) => r.status).sort();
    // 3 recipients, 2 slots: the third fails for concurrency (and spends nothing)
    const a = await bc.create({ callName: "a", agentId: "elagent", agentPhoneNumberId: "elpn", recipients: recipients(1) });
    const da = await bc.get(a.id);
    assert.deepEqual(statuses(da), ["dispatched", "dispatched", "failed"]);
    const refusedConv = await c.conversationalAi.conversations.get(da.recipients.find((r) => r.status === "failed").conversationId);
    assert.equal(refusedConv.metadata.batchCall.batchCallId, a.id);
    assert.equal(refusedConv.metadata.batchCall.batchCallRecipientId, "r12");
    await until(() => bc.get(a.id), (x) => x.status === "completed");
    // 2 credits left: retry calls the three failed recipients again; two get a call, one runs out
    const again = await bc.retry(a.id);
    assert.equal(again.retryCount, 1);
    assert.equal(again.status, "in_progress");
    const dr = await bc.get(a.id);
    assert.deepEqual(statuses(dr), ["dispatched", "dispatched", "failed"]);
    await until(() => bc.get(a.id), (x) => x.status === "completed");
    // no credit left: every recipient of a new batch fails at once
    const b = await bc.create({ callName: "b", agentId: "other", agentPhoneNumberId: "elpn", recipients: recipients(2) });
    assert.deepEqual(statuses(await bc.get(b.id)), ["failed", "failed", "failed"]);
    const conv = await c.conversationalAi.conversations.get((await bc.get(b.id)).recipients[0].conversationId);
    assert.equal(conv.status, "failed");
    assert.equal((await bc.cancel(b.id)).status, "cancelled");
    // the workspace list: newest first, paged with last_doc, filtered by agent
    const p1 = await bc.list({ limit: 1 });
    assert.deepEqual(p1.batchCalls.map((x) => x.id), [b.id]);
    assert.equal(p1.hasMore, true);
    assert.equal(p1.nextDoc, b.id);
    const p2 = await bc.list({ limit: 1, lastDoc: p1.nextDoc });
    assert.deepEqual(p2.batchCalls.map((x) => x.id), [a.id]);
    assert.equal(p2.hasMore, false);
    assert.deepEqual((await bc.list({ agentId: "elagent" })).batchCalls.map((x) => x.id), [a.id]);
    const csv = await (await fetch(`${acct.mocks}/v1/convai/batch-calling/${a.id}/export`, { headers: { "xi-api-key": "xk" } })).text();
    assert.equal(csv.trim().split("\n").length, 4);
    assert.match(csv, /^recipient_id,phone_number,status,conversation_id\n/);
    await bc.delete(b.id);
    await refused(bc.get(b.id), 404, "batch_call_not_found");
    await refused(bc.retry("btcal_nope"), 404, "batch_call_not_found");
  } finally {
    assert.equal(await acct.stop(), 0);
  }
});

test("refusals: bad key, missing permission, unknown agent, validation", async () => {
  const bad = new ElevenLabsClient({ apiKey: "wrong", baseUrl: srv.mocks, maxRetries: 0 });
  await refused(bad.conversationalAi.twilio.outboundCall({ agentId: "elagent", agentPhoneNumberId: "elpn",
                                                            toNumber: EVAL }),
                401, "invalid_api_key", /Invalid API key/);
  await refused(bad.conversationalAi.conversations.list(), 401, "invalid_api_key");
  const ro = new ElevenLabsClient({ apiKey: "xr", baseUrl: srv.mocks, maxRetries: 0 });
  await ro.conversationalAi.conversations.list(); // reading is allowed
  await refused(ro.conversationalAi.twilio.outboundCall({ agentId: "elagent", agentPhoneNumberId: "elpn",
                                                           toNumber: EVAL }),
                401, "missing_permissions", /missing the permission convai_write/);
  await refused(call(EVAL, "elpn", "nobody"), 404, "agent_not_found", /Agent not found/);
  await assert.rejects(call("5551234"), (e) => {
    assert.ok(e instanceof ElevenLabsError);
    assert.equal(e.statusCode, 422);
    assert.deepEqual(e.body.detail[0].loc, ["body", "to_number"]);
    return true;
  });
});

test("unknown routes under /v1/convai/: FastAPI's 404 and 405", async () => {
  let r = await fetch(`${srv.mocks}/v1/convai/nope`, { headers: { "xi-api-key": "xk" } });
  assert.equal(r.status, 404);
  assert.deepEqual(await r.json(), { detail: "Not Found" });
  r = await fetch(`${srv.mocks}/v1/convai/twilio/outbound-call`, { headers: { "xi-api-key": "xk" } });
  assert.equal(r.status, 405);
  assert.deepEqual(await r.json(), { detail: "Method Not Allowed" });
});

test("no credits and too many calls: 401 quota_exceeded, 429", async () => {
  const s = await startServe({
    projects: [{ id: "acme", api_key: "k1" }],
    mocks: { elevenlabs: { keys: ["xk"], agents: ["a"], phone_numbers: [{ id: "pn", number: "+15551234567" }],
                           latency: 0, dial_delay: 0.05, ring_timeout: 0.3, credits: 2, call_cost: 1,
                           concurrency_limit: 1 } },
  });
  try {
    const c = new ElevenLabsClient({ apiKey: "xk", baseUrl: s.mocks, maxRetries: 0 });
    const place = () => c.conversationalAi.twilio.outboundCall({ agentId: "a", agentPhoneNumberId: "pn",
                                                                 toNumber: NO_LINE });
    const first = await place();
    await refused(place(), 429, "too_many_concurrent_requests", /Too many concurrent requests/);
    await until(() => c.conversationalAi.conversations.get(first.conversationId), (x) => x.status === "failed");
    await place();
    await until(async () => (await c.conversationalAi.conversations.list()).conversations,
                (l) => l.every((x) => x.status === "failed"));
    await refused(place(), 401, "quota_exceeded", /exceeds your quota/);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test("a 429 with Retry-After is retried by the SDK after that delay", async () => {
  const faults = (rules) => fetch(`${srv.mocks}/_dialsim/faults`, { method: "PUT", body: JSON.stringify(rules) });
  const rule = { method: "POST", path: "/v1/convai/twilio/outbound-call",
                 then: [{ status: 429, headers: { "Retry-After": "1" },
                          body: { detail: { status: "too_many_concurrent_requests",
                                            message: "Too many concurrent requests." } } },
                        { pass: true }] };
  assert.equal((await faults([rule])).status, 200);
  try {
    const retrying = new ElevenLabsClient({ apiKey: "xk", baseUrl: srv.mocks, maxRetries: 2 });
    const t0 = Date.now();
    const r = await retrying.conversationalAi.twilio.outboundCall({ agentId: "elagent", agentPhoneNumberId: "elpn",
                                                                   toNumber: NO_LINE });
    const waited = Date.now() - t0;
    assert.equal(r.success, true);
    assert.ok(waited >= 950, `retried after ${waited} ms, not after Retry-After: 1`);
    // without retries the 429 is the SDK's own error with ElevenLabs' body
    assert.equal((await faults([rule])).status, 200);
    await refused(call(NO_LINE), 429, "too_many_concurrent_requests", /Too many concurrent requests/);
  } finally {
    assert.equal((await faults([])).status, 200);
  }
});

// Webhooks to the user's own server (the workspace's post-call webhook:
// mocks.elevenlabs.webhooks.url), verified with the SDK's verifier.
test("post-call webhooks reach the user's server, verified by webhooks.constructEvent", async () => {
  const rx = await startReceiver();
  let s;
  try {
    s = await startServe({
      projects: [{ id: "acme", api_key: "k1" }],
      mocks: { elevenlabs: { keys: ["xk"], agents: ["a"], phone_numbers: [{ id: "pn", number: "+15551234567" }],
                             latency: 0, dial_delay: 0.05, ring_timeout: 0.3,
                             webhooks: { secret: "wsec_1", delay: 0.02, url: rx.url } },
               pstn: { call_duration: 1.2, faults: [{ to: BUSY, busy: true }, { to: VOICEMAIL, voicemail: true }] } },
    });
  } catch (e) {
    await rx.close();
    throw e;
  }
  try {
    const c = new ElevenLabsClient({ apiKey: "xk", baseUrl: s.mocks, maxRetries: 0 });
    const place = (to) => c.conversationalAi.twilio.outboundCall({ agentId: "a", agentPhoneNumberId: "pn", toNumber: to });
    const busy = await place(BUSY);
    const fail = await rx.next((x) => x.body?.type === "call_initiation_failure");
    const ev = await c.webhooks.constructEvent(fail.raw, fail.headers["elevenlabs-signature"], "wsec_1");
    assert.equal(ev.data.conversation_id, busy.conversationId);
    assert.equal(ev.data.failure_reason, "busy");
    await assert.rejects(c.webhooks.constructEvent(fail.raw, fail.headers["elevenlabs-signature"], "other"));
    const ok = await place(VOICEMAIL); // connected: a transcript follows
    const post = await rx.next((x) => x.body?.type === "post_call_transcription", 15000);
    const ev2 = await c.webhooks.constructEvent(post.raw, post.headers["elevenlabs-signature"], "wsec_1");
    assert.equal(ev2.data.conversation_id, ok.conversationId);
    assert.equal(ev2.data.status, "done");
  } finally {
    assert.equal(await s.stop(), 0);
    await rx.close();
  }
});

// Last: every JSON answer the mock gave in this suite, against the response
// schema ElevenLabs' OpenAPI description gives its route and status.
test("generic routes of the catalogue (issue 12): agents.create, get, list, update, delete", async () => {
  const { agentId } = await el.conversationalAi.agents.create({ conversationConfig: {}, name: "Probe" });
  assert.ok(agentId);
  assert.equal((await el.conversationalAi.agents.get(agentId)).name, "Probe");
  const page = await el.conversationalAi.agents.list(); // each summary has voice_id: the SDK wins
  assert.ok(page.agents.some((a) => a.agentId === agentId));
  assert.equal(page.hasMore, false);
  assert.equal(page.nextCursor ?? null, null, "the last page has no cursor: a client pages until it is null");
  assert.equal((await el.conversationalAi.agents.update(agentId, { name: "Renamed" })).name, "Renamed");
  await el.conversationalAi.agents.delete(agentId);
  await assert.rejects(el.conversationalAi.agents.get(agentId), (e) => e.statusCode === 404);
});

test("every answer of the ElevenLabs mock matches the OpenAPI description", () => {
  const dir = mkdtempSync(join(tmpdir(), "dialsim-el-answers-"));
  const file = join(dir, "answers.json");
  writeFileSync(file, JSON.stringify(answers));
  const here = join(dirname(fileURLToPath(import.meta.url)), "openapi");
  const r = spawnSync("/usr/bin/python3", [join(here, "check_answers.py"),
                                           join(here, "elevenlabs.answers.json"), file],
                      { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = /^(\d+) answers checked/m.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 20, r.stdout);
});
