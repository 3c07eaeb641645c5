#!/usr/bin/env bash
# dialsim explain end to end (docs/explain.md): a reason, a rule id, runs as
# `dialsim serve` returns them; unknown names and bad files exit 2 and say why.
# usage: check_explain.sh DIALSIM REPO_ROOT
set -u
CMD=explain
. "$(dirname "$0")/cli_check.sh"
cli_check_init "$1" "$2"
o=$("$d" explain dial_late) || bad "explain dial_late exited $?"
has "$o" "dial_late  (timeout, DW-2)" "what:  the dial came after the dial window closed" \
  "check: The dial must reach" "reproduced by: scenarios/dw1-custom-window-60s.json, scenarios/dw2-dial-1s-late.json,"
o=$("$d" explain AO-2) || bad "explain AO-2 exited $?"
has "$o" "agent_inbound_mode  (failed, AO-2)" "contact_number_missing  (failed, AO-2)" \
  "provider_credentials_missing" "auto_outbound_disabled"
case "$o" in *caller_id*) bad "explain AO-2 lists an AO-3 reason" ;; esac
o=$("$d" explain H-4) || bad "explain H-4 exited $?"
has "$o" "H-4: recordings are written and checked with libsndfile" "cited by: scenarios/h4-" \
  "no run ends with a reason of this rule"
o=$("$d" explain AO-3) || bad "explain AO-3 exited $?"
has "$o" "AO-3: caller-ID gate" "caller_id_mismatch  (timeout, AO-3)" "caller_id_missing  (timeout, AO-3)"
o=$("$d" explain fixtures/explain/runs.json) || bad "explain runs.json exited $?"
has "$o" "run run_5f3a9c2e81d04b7a (agent 1, evaluator e1): timeout caller_id_mismatch" \
  "dial:      2026-11-23T19:57:59.050Z from +15551234568 to +15557654321: dropped, caller_id_mismatch" \
  "window:    2026-11-23T19:57:57.050Z + 300 s = 2026-11-23T20:02:57.050Z (DW-3)" \
  "run run_70a77a3d3cb55627 (agent 1, evaluator e2): completed" "to +15557654322: answered"
# one run, as GET /runs/{id} returns it
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["runs"][0]))' \
  fixtures/explain/runs.json >"$tmp/one.json"
o=$("$d" explain "$tmp/one.json") || bad "explain one run exited $?"
has "$o" "timeout caller_id_mismatch" "check:     Make the provider dial from"
# no catalogue: no "reproduced by" line
o=$("$d" explain --scenarios "$tmp/none" no_dial) || bad "explain --scenarios exited $?"
case "$o" in *"reproduced by"*) bad "a missing catalogue still named scenarios" ;; esac

expect2 "'caller_id_mismach' is not a reason code, a rule id or a file (did you mean \"caller_id_mismatch\"?)" caller_id_mismach
expect2 "cannot open" /nonexistent/run.json
expect2 "'AO-99' is no rule of the platform documents" AO-99
expect2 "(did you mean \"CI-6\"?)" CI-66
printf '{"runs": [1]}' >"$tmp/bad.json"
expect2 "at runs[0]: expected a run" "$tmp/bad.json"
printf '{"runs": [' >"$tmp/broken.json"
expect2 "$tmp/broken.json:1:10: invalid JSON" "$tmp/broken.json"
expect2 "usage: dialsim explain"
expect2 "unrecognized option '--frobnicate'" --frobnicate dial_late
expect2 "option '--scenarios' requires an argument" --scenarios
"$d" explain -h | grep -q "usage: dialsim explain" || bad "explain -h"

# the providers' own words (issue 15): what they mean, where they go, the core causes behind them
o=$("$d" explain dial_no_answer 2>&1) || bad "explain dial_no_answer exited $?"
has "$o" "dial_no_answer  (Retell's disconnection_reason, call status not_connected)" \
  "nobody answered" "expect.runs.LABEL.provider_call.ended_reason" "ended with: caller_id_mismatch"
o=$("$d" explain customer-busy 2>&1) || bad "explain customer-busy exited $?"
has "$o" "customer-busy  (Vapi's endedReason" "dialsim repro"
o=$("$d" explain no-answer 2>&1) || bad "explain no-answer exited $?"
has "$o" "(ElevenLabs' failure_reason, call status failed)"

cli_check_done
