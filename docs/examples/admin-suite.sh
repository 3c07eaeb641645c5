#!/bin/sh
# One test of a user's own suite against `dialsim serve`'s mocks, with curl
# (docs/mocks.md#admin): reset, set an outcome, place a call the way the code
# under test would (here: Vapi's POST /call), wait for the provider's webhook
# and verify what was sent. Run against:
#   dialsim serve --config docs/examples/mocks-config.json --time-scale 0.01
#   MOCKS=http://127.0.0.1:PORT sh docs/examples/admin-suite.sh
# (with --admin-token, also ADMIN_TOKEN=...). Exits 0 when every step holds.
set -eu
: "${MOCKS:?set MOCKS to the mocks URL serve printed (mocks on http://...)}"
AUTH="Authorization: Bearer ${ADMIN_TOKEN:-}"
J="Content-Type: application/json"
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. a clean start: journal, faults, outcomes and accounts back to the config
curl -sf -X POST -H "$AUTH" "$MOCKS/_dialsim/reset" >/dev/null

# 2. the next call to this number is answered after 5 s of ringing
curl -sf -X POST -H "$AUTH" -H "$J" "$MOCKS/_dialsim/outcomes" \
     -d '{"to": "+15550001111", "outcome": "answer", "ring": 5, "times": 1}' >/dev/null

# 3. the code under test places a call (Vapi's API, the mocks' base URL)
call=$(curl -sf -X POST -H "Authorization: Bearer vk" -H "$J" "$MOCKS/call" \
            -d '{"assistantId": "asst", "phoneNumberId": "pn-1",
                 "customer": {"number": "+15550001111"}}')
id=$(printf '%s' "$call" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$id" ] || fail "no call id in $call"

# 4. wait (a long-poll, no sleep) for the webhook that says the call was answered
got=$(curl -sf -X POST -H "$AUTH" -H "$J" "$MOCKS/_dialsim/wait" \
           -d '{"match": {"mock": "vapi-webhook",
                          "body": {"message.status": "in-progress", "message.call.id": "'"$id"'"}},
                "timeout_ms": 20000}')
printf '%s' "$got" | grep -q '"matched":true' || fail "no in-progress webhook: $got"

# 5. verify: exactly one POST /call to that number, with the assistant
v=$(curl -sf -X POST -H "$AUTH" -H "$J" "$MOCKS/_dialsim/verify" \
         -d '{"method": "POST", "path": "/call", "count": 1,
              "body": {"customer.number": "+15550001111", "assistantId": "asst"}}')
printf '%s' "$v" | grep -q '"ok":true' || fail "verify: $v"
echo "ok: call $id answered after its ring, and sent once"
