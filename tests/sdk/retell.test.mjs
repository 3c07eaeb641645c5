// retell-sdk against dialsim serve's Retell mock: only the base URL changes
// (issue 11, docs/api.md#sdks).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Retell from "retell-sdk";
import { startServe, until } from "./harness.mjs";

const CONFIG = {
  projects: [{ id: "acme", api_key: "k1" }],
  mocks: {
    retell: {
      keys: ["rk"], agents: ["ragent"],
      phone_numbers: [{ id: "rn", number: "+15551234567" }],
      latency: 0, dial_delay: 0.05, ring_timeout: 0.2,
    },
  },
};
let srv, retell;
before(async () => {
  srv = await startServe(CONFIG);
  retell = new Retell({ apiKey: "rk", baseURL: srv.mocks, maxRetries: 0 });
});
after(async () => { assert.equal(await srv.stop(), 0, "dialsim serve exits 0"); });

test("call.createPhoneCall registers a call and call.retrieve follows it to its end", async () => {
  const c = await retell.call.createPhoneCall({ from_number: "+15551234567", to_number: "+15557654321",
                                                override_agent_id: "ragent" });
  assert.equal(c.call_status, "registered");
  assert.equal(c.agent_id, "ragent");
  // no evaluator's line has this number: it rings out, "not_connected"
  const done = await until(() => retell.call.retrieve(c.call_id), (x) => ["ended", "error", "not_connected"].includes(x.call_status));
  assert.equal(done.disconnection_reason, "dial_no_answer");
});

test("a wrong key is the SDK's own AuthenticationError", async () => {
  const bad = new Retell({ apiKey: "wrong", baseURL: srv.mocks, maxRetries: 0 });
  await assert.rejects(
    bad.call.createPhoneCall({ from_number: "+15551234567", to_number: "+15557654321", override_agent_id: "ragent" }),
    (e) => e instanceof Retell.AuthenticationError && e.status === 401);
});
