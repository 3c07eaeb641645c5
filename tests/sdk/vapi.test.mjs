// @vapi-ai/server-sdk against dialsim serve's Vapi mock: only the base URL
// changes (issue 11, docs/api.md#sdks).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { VapiClient, VapiError } from "@vapi-ai/server-sdk";
import { startServe, until } from "./harness.mjs";

const CONFIG = {
  projects: [{ id: "acme", api_key: "k1" }],
  mocks: {
    vapi: {
      keys: ["vk"], agents: ["asst"],
      phone_numbers: [{ id: "pn", number: "+15551234567" }],
      latency: 0, dial_delay: 0.05, ring_timeout: 0.2,
    },
  },
};
let srv, vapi;
before(async () => {
  srv = await startServe(CONFIG);
  vapi = new VapiClient({ token: "vk", baseUrl: srv.mocks });
});
after(async () => { assert.equal(await srv.stop(), 0, "dialsim serve exits 0"); });

test("calls.create places a call and calls.get follows it to its end", async () => {
  const c = await vapi.calls.create({ assistantId: "asst", phoneNumberId: "pn",
                                      customer: { number: "+15557654321" } });
  assert.match(c.id, /^[0-9a-f-]{36}$/);
  assert.equal(c.status, "queued");
  assert.equal(c.type, "outboundPhoneCall");
  // no evaluator's line has this number: it rings out
  const done = await until(() => vapi.calls.get({ id: c.id }), (x) => x.status === "ended");
  assert.equal(done.endedReason, "customer-did-not-answer");
});

test("a wrong key is the SDK's own 401 error", async () => {
  const bad = new VapiClient({ token: "wrong", baseUrl: srv.mocks });
  await assert.rejects(
    bad.calls.create({ assistantId: "asst", phoneNumberId: "pn", customer: { number: "+15557654321" } }),
    (e) => e instanceof VapiError && e.statusCode === 401);
});
