// One test of a user's own suite against `dialsim serve`'s mocks, with Node's
// fetch (docs/mocks.md#admin): reset, set an outcome, place a call the way the
// code under test would (Vapi's POST /call), wait for the provider's webhook
// and verify what was sent. Run against:
//   dialsim serve --config docs/examples/mocks-config.json --time-scale 0.01
//   MOCKS=http://127.0.0.1:PORT node --test docs/examples/admin-suite.mjs
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

const MOCKS = process.env.MOCKS;
const admin = { Authorization: `Bearer ${process.env.ADMIN_TOKEN ?? ''}`,
                'Content-Type': 'application/json' };

async function dialsim(method, path, body) {
  const r = await fetch(`${MOCKS}/_dialsim/${path}`,
                        { method, headers: admin, body: body && JSON.stringify(body) });
  assert.ok(r.ok, `${method} /_dialsim/${path}: ${r.status} ${await r.clone().text()}`);
  return r.json();
}

beforeEach(() => dialsim('POST', 'reset')); // every test starts clean

test('a busy number: the call ends customer-busy, and was sent once', async () => {
  await dialsim('POST', 'outcomes', { to: '+15550001111', outcome: 'busy', times: 1 });
  const r = await fetch(`${MOCKS}/call`, {
    method: 'POST',
    headers: { Authorization: 'Bearer vk', 'Content-Type': 'application/json' },
    body: JSON.stringify({ assistantId: 'asst', phoneNumberId: 'pn-1',
                           customer: { number: '+15550001111' } }),
  });
  assert.equal(r.status, 201);
  const call = await r.json();
  const w = await dialsim('POST', 'wait', {
    match: { mock: 'vapi-webhook',
             body: { 'message.type': 'end-of-call-report', 'message.call.id': call.id } },
    timeout_ms: 20000,
  });
  assert.equal(w.matched, true, w.report);
  assert.equal(w.request.body.message.endedReason, 'customer-busy');
  const v = await dialsim('POST', 'verify', {
    method: 'POST', path: '/call', count: 1, body: { 'customer.number': '+15550001111' },
  });
  assert.equal(v.ok, true, v.report);
});
