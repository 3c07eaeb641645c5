// @vapi-ai/server-sdk against dialsim serve's Vapi mock: only the base URL
// changes (issue 11, docs/mocks.md#vapi). Every answer the SDK gets here is
// also checked against Vapi's published response schema (vapi.schema.json,
// derived by derive_vapi_schema.py): the client's fetch is wrapped to keep a
// copy of each answer, which changes nothing the SDK sees.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { VapiClient, VapiError, Vapi } from "@vapi-ai/server-sdk";
import { startServe, startReceiver, until } from "./harness.mjs";

const SCHEMA = JSON.parse(readFileSync(new URL("./vapi.schema.json", import.meta.url), "utf8"));

// The numbers whose fate the carrier decides (mocks.pstn.faults); any other
// number is no evaluator's line and rings out.
const N = {
  ringsOut: "+15557654321", busy: "+15550000001", failed: "+15550000002",
  declined: "+15550000003", invalid: "+15550000004", voicemail: "+15550000005",
  answered: "+15557770000", // an evaluator's line: the core answers the call its run awaits
};

let receiver, srv, vapi;
const answers = []; // {method, path, status, body} of every answer the SDK got

// The user's suite changes the base URL; we add a recording fetch.
function client(token, opts = {}) {
  return new VapiClient({
    token, baseUrl: srv.mocks, maxRetries: 0, ...opts,
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      const text = await res.clone().text();
      let body = null;
      try { body = JSON.parse(text); } catch { /* not JSON: not checked */ }
      answers.push({ method: init?.method ?? "GET", path: new URL(url).pathname, status: res.status, body });
      return res;
    },
  });
}

before(async () => {
  receiver = await startReceiver();
  srv = await startServe({
    projects: [{ id: "acme", api_key: "k1" }],
    agents: [{ id: "sales", project: "acme", contact_number: "+15551234567", provider: "vapi",
               provider_api_key: "vk", assistant_id: "asst", phone_number_id: "pn", webhook_secret: "org-secret" }],
    evaluators: [{ id: "e1", project: "acme", phone_number: N.answered }],
    mocks: {
      vapi: {
        keys: ["vk", { key: "vk-none", permissions: [] }], agents: ["asst", "asst2"],
        phone_numbers: [
          { id: "pn", number: "+15551234567" },
          // a number with its outbound assistant and its own webhook server
          { id: "pn-out", number: "+15551230000", assistantId: "asst2",
            server: { url: `${receiver.url}/number`, secret: "number-secret" } },
        ],
        latency: 0, dial_delay: 0.05, ring_timeout: 0.5, // long enough to be seen ringing under load
        webhooks: { url: `${receiver.url}/org`, secret: "org-secret", auth: "x-vapi-secret", delay: 0 },
      },
      pstn: {
        call_duration: 0.3,
        faults: [
          { to: N.busy, busy: true }, { to: N.failed, fail: true }, { to: N.declined, declined: true },
          { to: N.invalid, invalid: true }, { to: N.voicemail, voicemail: true },
        ],
      },
    },
  });
  vapi = client("vk");
});
after(async () => {
  assert.equal(await srv.stop(), 0, "dialsim serve exits 0");
  await receiver.close();
});

const call = (number, extra = {}) =>
  vapi.calls.create({ assistantId: "asst", phoneNumberId: "pn", customer: { number }, ...extra });
const ended = (id) => until(() => vapi.calls.get({ id }), (x) => x.status === "ended");

test("calls.create places a call; calls.get reads it queued, ringing, then rung out", async () => {
  const c = await call(N.ringsOut);
  assert.match(c.id, /^[0-9a-f-]{36}$/);
  assert.equal(c.status, "queued");
  assert.equal(c.type, "outboundPhoneCall");
  assert.equal(c.assistantId, "asst");
  const ringing = await until(() => vapi.calls.get({ id: c.id }), (x) => x.status === "ringing");
  assert.equal(ringing.endedReason, undefined);
  const done = await ended(c.id);
  assert.equal(done.endedReason, "customer-did-not-answer");
  assert.equal(done.artifact.transcript, "");
  assert.deepEqual(done.messages, []);
});

for (const [what, number, reason] of [
  ["busy", N.busy, "customer-busy"],
  ["failed", N.failed, "twilio-failed-to-connect-call"],
  ["declined", N.declined, "customer-busy"], // Twilio reports a 603 as busy
  ["not in service", N.invalid, "twilio-reported-customer-misdialed"],
]) {
  test(`calls.get after a ${what} call: endedReason ${reason}`, async () => {
    const c = await call(number);
    const done = await ended(c.id);
    assert.equal(done.endedReason, reason);
    assert.equal(done.startedAt, undefined);
    assert.ok(Array.isArray(done.costs));
  });
}

test("calls.get of an answered call: in-progress, then customer-ended-call with its conversation", async () => {
  // a run of dialsim's core places the call (as the team's agent would) to
  // an evaluator's line, which answers it; the SDK follows it like any call
  const r = await fetch(`${srv.api}/runs`, { method: "POST", headers: { "content-type": "application/json" },
                                              body: JSON.stringify({ agent: "sales", evaluators: ["e1"] }) });
  assert.equal(r.status, 201);
  const found = await until(() => vapi.calls.list({ assistantId: "asst" }),
                            (xs) => xs.some((x) => x.customer.number === N.answered));
  const id = found.find((x) => x.customer.number === N.answered).id;
  const live = await until(() => vapi.calls.get({ id }), (x) => x.status === "in-progress" || x.status === "ended");
  assert.ok(live.startedAt);
  const done = await ended(id);
  assert.equal(done.endedReason, "customer-ended-call");
  assert.equal(typeof done.artifact.transcript, "string");
  assert.ok(Array.isArray(done.messages) && Array.isArray(done.artifact.messages));
  assert.equal(done.analysis.summary, "The call connected.");
  assert.ok(done.costs.every((x) => typeof x.cost === "number" && typeof x.minutes === "number"));
});

test("calls.get of a connected call (voicemail): artifact.transcript, messages, analysis, costs", async () => {
  const c = await call(N.voicemail);
  const done = await ended(c.id);
  assert.equal(done.endedReason, "voicemail");
  assert.ok(done.startedAt);
  assert.equal(typeof done.artifact.transcript, "string");
  assert.ok(Array.isArray(done.artifact.messages));
  assert.ok(Array.isArray(done.messages));
  assert.equal(done.artifact.recording.stereoUrl.endsWith(`/call/${c.id}/stereo-recording`), true);
  assert.equal(typeof done.analysis.summary, "string");
  assert.deepEqual(done.costs.map((x) => x.type), ["transport", "vapi"]);
  for (const x of done.costs) assert.equal(typeof x.cost, "number");
  assert.equal(typeof done.cost, "number");
});

test("an inline assistant and assistantOverrides are accepted (a transient assistant)", async () => {
  const c = await vapi.calls.create({
    phoneNumberId: "pn", customer: { number: N.busy },
    assistant: { name: "Transient", firstMessage: "Hello", model: { provider: "openai", model: "gpt-4o" } },
    assistantOverrides: { variableValues: { name: "Ada" } },
  });
  assert.equal(c.status, "queued");
  assert.equal(c.assistantId, undefined);
  assert.equal(c.assistant.name, "Transient");
  assert.deepEqual(c.assistantOverrides, { variableValues: { name: "Ada" } });
  const c2 = await call(N.busy, { assistantOverrides: { firstMessage: "Hi" } });
  assert.equal(c2.assistantId, "asst");
  assert.equal(c2.assistantOverrides.firstMessage, "Hi");
});

test("customers[]: one call per customer, answered as a CallBatchResponse", async () => {
  const r = await vapi.calls.create({
    assistantId: "asst", phoneNumberId: "pn",
    customers: [{ number: N.busy }, { number: N.failed }, { number: "555" }],
  });
  assert.equal(r.results.length, 2);
  assert.deepEqual(r.results.map((c) => c.customer.number), [N.busy, N.failed]);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].customer.number, "555");
  assert.match(r.errors[0].error, /E\.164/);
  const done = await ended(r.results[1].id);
  assert.equal(done.endedReason, "twilio-failed-to-connect-call");
});

// issue 12: a campaign places one call per customer through the account;
// the calls the account cannot take end at once with Vapi's own endedReason.
test("campaigns: create, get, list, update (end), remove; a concurrency limit, then credits run out half-way", async () => {
  const acct = await startServe({
    projects: [{ id: "acme", api_key: "k1" }],
    mocks: { vapi: { keys: ["vk"], agents: ["asst"], phone_numbers: [{ id: "pn", number: "+15551234567" }],
                     latency: 0, dial_delay: 0.02, ring_timeout: 0.3, credits: 3, concurrency_limit: 2 } },
  });
  try {
    const v = new VapiClient({ token: "vk", baseUrl: acct.mocks, maxRetries: 0,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        let body = null;
        try { body = JSON.parse(await res.clone().text()); } catch { /* not JSON */ }
        answers.push({ method: init?.method ?? "GET", path: new URL(url).pathname, status: res.status, body });
        return res;
      } });
    const customers = (tag) => [0, 1, 2].map((i) => ({ number: `+155576${tag}000${i}`, name: `c${i}` }));
    const reasons = (k) => Object.values(k.calls).map((c) => c.endedReason ?? c.status).sort();
    // 3 customers, 2 slots: the third call is refused for concurrency and spends nothing
    const a = await v.campaigns.campaignControllerCreate({ name: "first", assistantId: "asst", phoneNumberId: "pn",
                                                          customers: customers(1) });
    assert.equal(a.status, "in-progress");
    assert.equal(Object.keys(a.calls).length, 3);
    assert.deepEqual(reasons(a), ["call.start.error-subscription-concurrency-limit-reached", "queued", "queued"]);
    assert.equal(a.callsCounterEnded, 1);
    const someCall = Object.keys(a.calls).find((id) => a.calls[id].status === "queued");
    assert.equal((await v.calls.get({ id: someCall })).campaignId, a.id);
    // both ring out; the campaign has ended once every call has
    const doneA = await until(() => v.campaigns.campaignControllerFindOne({ id: a.id }), (k) => k.status === "ended");
    assert.equal(doneA.endedReason, "campaign.ended.success");
    assert.equal(doneA.callsCounterEnded, 3);
    // 1 credit left for 3 customers: one call, two refused for credits
    const b = await v.campaigns.campaignControllerCreate({ name: "second", assistantId: "asst", phoneNumberId: "pn",
                                                          customers: customers(2), schedulePlan: { earliestAt: "2026-01-01T12:00:00.000Z" } });
    assert.deepEqual(reasons(b), ["call.start.error-subscription-insufficient-credits",
                                  "call.start.error-subscription-insufficient-credits", "queued"]);
    assert.equal(b.schedulePlan.earliestAt, "2026-01-01T12:00:00.000Z");
    const list = await v.campaigns.campaignControllerFindAll({ limit: 1 });
    assert.deepEqual(list.results.map((k) => k.id), [b.id]); // newest first
    assert.equal(list.metadata.totalItems, 2);
    const ended = await v.campaigns.campaignControllerUpdate({ id: b.id, body: { status: "ended", name: "renamed" } });
    assert.equal(ended.status, "ended");
    assert.equal(ended.name, "renamed");
    assert.equal(ended.endedReason, "campaign.in-progress.ended-by-user");
    const gone = await v.campaigns.campaignControllerRemove({ id: a.id });
    assert.equal(gone.id, a.id);
    await assert.rejects(v.campaigns.campaignControllerFindOne({ id: a.id }),
      (e) => e instanceof VapiError && e.statusCode === 404 && e.body.message === "Campaign not found");
    await assert.rejects(v.campaigns.campaignControllerCreate({ name: "bad", assistantId: "asst", phoneNumberId: "pn",
                                                               customers: [{ number: "555" }] }),
      (e) => e instanceof VapiError && e.statusCode === 400 && /customers\.0\.number/.test(e.body.message[0]));
    await assert.rejects(v.campaigns.campaignControllerCreate({ name: "bad", assistantId: "nope", phoneNumberId: "pn",
                                                               customers: customers(3) }),
      (e) => e instanceof VapiError && e.statusCode === 400 && /nope Does Not Exist/.test(e.body.message));
    // customers[] on POST /call: the same account, now without credit, refuses it whole
    await assert.rejects(v.calls.create({ assistantId: "asst", phoneNumberId: "pn", customers: customers(4) }),
      (e) => e instanceof Vapi.BadRequestError && /Billing Limits Exceeded/.test(e.body.message));
  } finally {
    assert.equal(await acct.stop(), 0);
  }
});

test("calls.list: newest first, filtered, limited; calls.update names a call; calls.delete removes it", async () => {
  const a = await call(N.busy, { name: "first" });
  const b = await call(N.busy);
  const all = await vapi.calls.list();
  const ids = all.map((c) => c.id);
  assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id), "newest first");
  assert.deepEqual((await vapi.calls.list({ id: a.id })).map((c) => c.id), [a.id]);
  assert.equal((await vapi.calls.list({ limit: 1 })).length, 1);
  // the next page: createdAtLt the last one's createdAt
  const page = await vapi.calls.list({ limit: 1, createdAtLt: b.createdAt });
  assert.ok(page.every((c) => c.createdAt < b.createdAt));
  const other = await vapi.calls.list({ assistantId: "nobody" });
  assert.deepEqual(other, []);
  const byNumber = await vapi.calls.list({ phoneNumberId: "pn" });
  assert.ok(byNumber.some((c) => c.id === a.id));

  const u = await vapi.calls.update({ id: b.id, name: "renamed" });
  assert.equal(u.name, "renamed");
  assert.equal((await vapi.calls.get({ id: b.id })).name, "renamed");
  await assert.rejects(vapi.calls.update({ id: b.id, name: "x".repeat(41) }),
    (e) => e instanceof VapiError && e.statusCode === 400);

  const d = await vapi.calls.delete({ id: a.id });
  assert.equal(d.id, a.id);
  await assert.rejects(vapi.calls.get({ id: a.id }),
    (e) => e instanceof VapiError && e.statusCode === 404 && e.body.message === "Call not found");
  assert.ok(!(await vapi.calls.list()).some((c) => c.id === a.id));
  await assert.rejects(vapi.calls.delete({ id: a.id }), (e) => e instanceof VapiError && e.statusCode === 404);
});

test("phoneNumbers: create, get, list, update (outbound assistant), delete; a call names no assistant", async () => {
  const pn = await vapi.phoneNumbers.create({ provider: "twilio", number: "+15559990000",
                                             twilioAccountSid: "AC1", twilioAuthToken: "t", name: "desk" });
  assert.equal(pn.number, "+15559990000");
  assert.equal(pn.provider, "twilio");
  assert.equal((await vapi.phoneNumbers.get({ id: pn.id })).name, "desk");
  assert.ok((await vapi.phoneNumbers.list()).some((x) => x.id === pn.id));
  const page = await vapi.phoneNumbers.phoneNumberControllerFindAllPaginated({ limit: 1, page: 1 });
  assert.equal(page.results.length, 1);
  assert.equal(page.results[0].id, pn.id, "newest first");
  assert.equal(page.metadata.itemsPerPage, 1);
  assert.equal(page.metadata.currentPage, 1);
  assert.ok(page.metadata.totalItems >= 3);
  assert.equal(page.metadata.hasNextPage, true);
  // no assistant on the number and none in the request
  await assert.rejects(vapi.calls.create({ phoneNumberId: pn.id, customer: { number: N.busy } }),
    (e) => e instanceof Vapi.BadRequestError && /Couldn't Get Assistant/.test(e.body.message));
  const up = await vapi.phoneNumbers.update({ id: pn.id, body: { assistantId: "asst2" } });
  assert.equal(up.assistantId, "asst2");
  const c = await vapi.calls.create({ phoneNumberId: pn.id, customer: { number: N.busy } });
  assert.equal(c.assistantId, "asst2");
  await assert.rejects(vapi.phoneNumbers.update({ id: pn.id, body: { assistantId: "ghost" } }),
    (e) => e instanceof VapiError && e.statusCode === 400);
  assert.equal((await vapi.phoneNumbers.delete({ id: pn.id })).id, pn.id);
  await assert.rejects(vapi.phoneNumbers.get({ id: pn.id }), (e) => e instanceof VapiError && e.statusCode === 404);
  // the configured number's outbound assistant
  const c2 = await vapi.calls.create({ phoneNumberId: "pn-out", customer: { number: N.busy } });
  assert.equal(c2.assistantId, "asst2");
});

test("refusals arrive as the SDK's errors with Vapi's status and message", async () => {
  const bad = client("wrong");
  await assert.rejects(bad.calls.create({ assistantId: "asst", phoneNumberId: "pn", customer: { number: N.busy } }),
    (e) => e instanceof VapiError && e.statusCode === 401 && /Invalid Key/.test(e.body.message));
  await assert.rejects(call(N.busy, { assistantId: "ghost" }),
    (e) => e instanceof Vapi.BadRequestError && e.statusCode === 400 &&
           e.body.message === "Couldn't Get Assistant. `assistantId` ghost Does Not Exist.");
  await assert.rejects(call("555"),
    (e) => e instanceof Vapi.BadRequestError && /E\.164/.test(e.body.message[0]));
  await assert.rejects(call(N.busy, { phoneNumberId: "nope" }),
    (e) => e instanceof Vapi.BadRequestError && /`phoneNumberId` nope Does Not Exist/.test(e.body.message));
  await assert.rejects(vapi.calls.get({ id: "no-such-call" }),
    (e) => e instanceof VapiError && e.statusCode === 404 && e.body.error === "Not Found");
});

test("no credits: Vapi's 400 Billing Limits Exceeded; a key's permissions are not Vapi's", async () => {
  const broke = await startServe({
    projects: [{ id: "acme", api_key: "k1" }],
    mocks: { vapi: { keys: ["vk"], agents: ["asst"], phone_numbers: [{ id: "pn", number: "+15551234567" }],
                     latency: 0, credits: 0 } },
  });
  try {
    const v = new VapiClient({ token: "vk", baseUrl: broke.mocks, maxRetries: 0 });
    await assert.rejects(v.calls.create({ assistantId: "asst", phoneNumberId: "pn", customer: { number: N.busy } }),
      (e) => e instanceof Vapi.BadRequestError && e.statusCode === 400 &&
             e.body.message === "Billing Limits Exceeded. Please add credits to your account to continue.");
  } finally {
    assert.equal(await broke.stop(), 0);
  }
  // Vapi's keys carry no permissions (docs/scenario-format.md#mocks): a key
  // configured with none still places calls
  const c = await client("vk-none").calls.create({ assistantId: "asst", phoneNumberId: "pn", customer: { number: N.busy } });
  assert.equal(c.status, "queued");
});

test("a 429 with Retry-After is retried by the SDK after that delay", async () => {
  const put = (rules) => fetch(`${srv.mocks}/_dialsim/faults`, { method: "PUT", body: JSON.stringify(rules) });
  assert.equal((await put([{ method: "POST", path: "/call", then: [
    { status: 429, body: { message: "Too Many Requests", statusCode: 429 }, headers: { "Retry-After": "1" } },
    { pass: true }] }])).status, 200);
  try {
    const retrying = client("vk", { maxRetries: 2 });
    const t0 = Date.now();
    const c = await retrying.calls.create({ assistantId: "asst", phoneNumberId: "pn", customer: { number: N.busy } });
    assert.equal(c.status, "queued");
    assert.ok(Date.now() - t0 >= 1000, `retried after ${Date.now() - t0} ms`);
    // without retries the 429 is the SDK's own error with Vapi's status
    await put([{ method: "POST", path: "/call", then: [{ status: 429, body: { message: "Too Many Requests", statusCode: 429 } }] }]);
    await assert.rejects(call(N.busy), (e) => e instanceof VapiError && e.statusCode === 429 &&
                                            e.body.message === "Too Many Requests");
  } finally {
    await put([]);
  }
});

test("an unknown route or a wrong method under Vapi's paths: Vapi's own NestJS 404", async () => {
  for (const [method, path] of [["GET", "/call/x/nothing"], ["PUT", "/call"], ["PUT", "/phone-number/pn"]]) {
    const r = await fetch(srv.mocks + path, { method, headers: { authorization: "Bearer vk" } });
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), { message: `Cannot ${method} ${path}`, error: "Not Found", statusCode: 404 });
  }
});

test("webhooks: status-update and end-of-call-report signed with X-Vapi-Secret, to the call's server", async () => {
  // the inline assistant's server, the overrides' server, the number's, the org's
  const cases = [
    [{ assistant: { name: "T", server: { url: `${receiver.url}/assistant`, secret: "asst-secret" } } }, "/assistant", "asst-secret"],
    [{ assistantId: "asst", assistantOverrides: { serverUrl: `${receiver.url}/override`, serverUrlSecret: "ov-secret" } }, "/override", "ov-secret"],
    [{ phoneNumberId: "pn-out" }, "/number", "number-secret"],
    [{ assistantId: "asst" }, "/org", "org-secret"],
  ];
  for (const [extra, path, secret] of cases) {
    const c = await vapi.calls.create({ phoneNumberId: "pn", customer: { number: N.busy }, ...extra });
    const report = await receiver.next((r) => r.body?.message?.type === "end-of-call-report" && r.body.message.call.id === c.id,
                                       10000);
    assert.equal(report.path, path);
    assert.equal(report.headers["x-vapi-secret"], secret);
    assert.equal(report.body.message.endedReason, "customer-busy");
    assert.equal(typeof report.body.message.artifact.transcript, "string");
    // each message is its own POST (sent side by side): no order between them
    const su = await receiver.next((r) => r.body?.message?.type === "status-update" && r.body.message.call.id === c.id);
    assert.equal(su.path, path);
    assert.equal(su.headers["x-vapi-secret"], secret);
  }
});

test("generic routes of the catalogue (issue 12): assistants.create, list, get, update, delete; tools", async () => {
  const a = await vapi.assistants.create({ name: "Probe", firstMessage: "Hello" });
  assert.match(a.id, /^[0-9a-f-]{36}$/);
  assert.equal(a.name, "Probe");
  assert.equal(a.firstMessage, "Hello");
  assert.ok((await vapi.assistants.list()).some((x) => x.id === a.id));
  assert.equal((await vapi.assistants.get({ id: a.id })).name, "Probe");
  assert.equal((await vapi.assistants.update({ id: a.id, name: "Renamed" })).name, "Renamed");
  assert.equal((await vapi.assistants.get({ id: a.id })).name, "Renamed");
  await vapi.assistants.delete({ id: a.id });
  await assert.rejects(vapi.assistants.get({ id: a.id }), (e) => e instanceof VapiError && e.statusCode === 404);
  const t = await vapi.tools.create({ type: "function", function: { name: "lookup" } });
  assert.equal(t.function.name, "lookup");
  // an assistant made here may place calls (the account knows it)
  const b = await vapi.assistants.create({ name: "Caller" });
  const c = await vapi.calls.create({ assistantId: b.id, phoneNumberId: "pn", customer: { number: N.ringsOut } });
  assert.equal(c.assistantId, b.id);
});

test("every answer the SDK got matches Vapi's published response schema", () => {
  const bad = [];
  for (const a of answers) {
    if (a.status >= 400 || a.body == null) continue;
    let root = null;
    if (a.path === "/call" && a.method === "POST") root = a.body.results ? "CallBatchResponse" : "Call";
    else if (a.path.startsWith("/call")) root = "Call";
    else if (a.path.startsWith("/phone-number")) root = "TwilioPhoneNumber";
    else if (a.path === "/v2/phone-number") root = "PhoneNumberPaginatedResponse";
    else if (a.path === "/campaign" && a.method === "GET") root = "CampaignPaginatedResponse";
    else if (a.path.startsWith("/campaign")) root = "Campaign";
    if (!root) continue;
    for (const item of Array.isArray(a.body) ? a.body : [a.body]) {
      const errs = validate({ $ref: `#/$defs/${root}` }, item, `${a.method} ${a.path}`);
      bad.push(...errs);
    }
  }
  assert.ok(answers.length > 40, `answers seen: ${answers.length}`);
  assert.deepEqual(bad.slice(0, 20), []);
});

// A small JSON Schema check (type, required, properties, items, enum,
// oneOf/anyOf/allOf, nullable, $ref): what the derived schema uses.
function validate(schema, x, at) {
  if (schema.$ref) return validate(SCHEMA.$defs[schema.$ref.split("/").pop()], x, at);
  if (x === null && schema.nullable) return [];
  const errs = [];
  if (schema.allOf) for (const s of schema.allOf) errs.push(...validate(s, x, at));
  for (const k of ["oneOf", "anyOf"]) {
    if (schema[k] && !schema[k].some((s) => validate(s, x, at).length === 0))
      errs.push(`${at}: matches none of ${k}`);
  }
  const t = schema.type;
  const is = { object: (v) => v && typeof v === "object" && !Array.isArray(v), array: Array.isArray,
               string: (v) => typeof v === "string", number: (v) => typeof v === "number",
               integer: Number.isInteger, boolean: (v) => typeof v === "boolean" };
  if (t && is[t] && !is[t](x)) return [...errs, `${at}: ${JSON.stringify(x)?.slice(0, 80)} is not ${t}`];
  if (schema.enum && !schema.enum.includes(x)) errs.push(`${at}: ${JSON.stringify(x)} not in enum`);
  if (is.object(x)) {
    for (const r of schema.required ?? []) if (!(r in x)) errs.push(`${at}: ${r} missing`);
    for (const [p, s] of Object.entries(schema.properties ?? {}))
      if (p in x) errs.push(...validate(s, x[p], `${at}.${p}`));
  }
  if (Array.isArray(x) && schema.items) x.forEach((v, i) => errs.push(...validate(schema.items, v, `${at}[${i}]`)));
  return errs;
}
