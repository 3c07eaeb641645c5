// @elevenlabs/elevenlabs-js against dialsim serve's ElevenLabs mock: only the
// base URL changes; the SDK's response validation stays on (issue 11,
// docs/api.md#sdks).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ElevenLabsClient, ElevenLabsError } from "@elevenlabs/elevenlabs-js";
import { startServe } from "./harness.mjs";

const CONFIG = {
  projects: [{ id: "acme", api_key: "k1" }],
  mocks: {
    elevenlabs: {
      keys: ["xk"], agents: ["elagent"],
      phone_numbers: [{ id: "elpn", number: "+15551234567" }],
      latency: 0, dial_delay: 0.05, ring_timeout: 0.2,
    },
  },
};
let srv, el;
before(async () => {
  srv = await startServe(CONFIG);
  el = new ElevenLabsClient({ apiKey: "xk", baseUrl: srv.mocks, maxRetries: 0 });
});
after(async () => { assert.equal(await srv.stop(), 0, "dialsim serve exits 0"); });

test("twilio.outboundCall starts a conversation", async () => {
  const r = await el.conversationalAi.twilio.outboundCall({ agentId: "elagent", agentPhoneNumberId: "elpn",
                                                            toNumber: "+15557654321" });
  assert.equal(r.success, true);
  assert.ok(r.conversationId);
  assert.match(r.callSid, /^CA[0-9a-f]{32}$/);
});

test("a wrong key is the SDK's own 401 error", async () => {
  const bad = new ElevenLabsClient({ apiKey: "wrong", baseUrl: srv.mocks, maxRetries: 0 });
  await assert.rejects(
    bad.conversationalAi.twilio.outboundCall({ agentId: "elagent", agentPhoneNumberId: "elpn", toNumber: "+15557654321" }),
    (e) => e instanceof ElevenLabsError && e.statusCode === 401);
});
