#!/usr/bin/env bash
# dialsim repro end to end (docs/repro.md): every report under fixtures/repro
# is replayed and answered with the provider-side symptom and the core-side
# cause it must name (AO-3 caller ID, DW-2 late dial, AO-5 contact_number);
# the scenario it writes passes `dialsim run`; the repro-* scenarios of the
# catalogue are exactly what repro writes today; bad reports exit 2 and say
# where. usage: check_repro.sh DIALSIM REPO_ROOT
set -u
CMD=repro
. "$(dirname "$0")/cli_check.sh"
cli_check_init "$1" "$2"

# fixture | a line the verdict must contain | another
while IFS='|' read -r name want1 want2; do
  [ -z "$name" ] && continue
  out=$("$d" repro "fixtures/repro/$name.json" -o "$tmp/$name.json" 2>&1); rc=$?
  [ "$rc" -eq 0 ] || { bad "repro $name exited $rc: $out"; continue; }
  for w in "$want1" "$want2"; do
    case "$out" in *"$w"*) ;; *) bad "repro $name: no \"$w\" in:"; echo "$out" | sed 's/^/    /' ;; esac
  done
  again=$("$d" repro "fixtures/repro/$name.json" 2>&1)
  [ "$again" = "$(echo "$out" | grep -v '^scenario: ')" ] || bad "repro $name: a second run printed something else"
done <<'TABLE'
vapi-busy-caller-id|Vapi shows the call ended, customer-busy: the reported busy, reproduced.|timeout with caller_id_mismatch: Vapi reports customer-busy. The call from +15551234568 was dropped
vapi-no-answer-caller-id-withheld|the reported no-answer, reproduced.|timeout with caller_id_missing
retell-no-answer-core-answers|not the reported no-answer.|the core answered the call and the run completed
retell-busy-contact-number-invalid|Retell has no call (the core never asked it for one)|failed with contact_number_invalid
retell-dial-failed-carrier|Retell shows the call not_connected, dial_failed: the reported failed, reproduced.|timeout with no_dial: Retell reports dial_failed (call_status not_connected). No call reached +15557654321 within the 300 s dial window (opened 12:00:00, closed 12:05:00). Retell placed the call
vapi-voicemail-caller-id|Vapi shows the call ended, voicemail: the reported voicemail, reproduced.|timeout with caller_id_mismatch: Vapi reports voicemail.
retell-declined-by-callee|Retell shows the call not_connected, user_declined: the reported declined, reproduced.|the telephone network ended it before it reached the line
trigger-slow-endpoint-late-dial|customer side: no provider API: the customer's system placed the call (trigger URL); 1 dial reached the line, the first from +15551234567: dropped, dial_late.|timeout with dial_late: The dial came 5 s after the dial window closed
trigger-endpoint-timeout|customer side: no provider API|failed with trigger_timeout
elevenlabs-no-answer-late-dial|ElevenLabs shows the call failed, no-answer: the reported no-answer, reproduced.|timeout with dial_late: ElevenLabs reports call_initiation_failure (failure_reason no-answer). The dial came 1 s after the dial window closed
TABLE

# every report has a row above
for f in fixtures/repro/*.json; do
  n=$(basename "$f" .json)
  [ -f "$tmp/$n.json" ] || bad "fixtures/repro/$n.json is not checked by this test"
done
# the written scenarios replay and pass as they are
out=$("$d" run "$tmp"/*.json 2>&1) || bad "dialsim run on the written scenarios: $out"
# the first line restates the report's facts
"$d" repro fixtures/repro/vapi-busy-caller-id.json | head -1 | grep -qx 'report:        Vapi reported customer-busy for a call from "+15551234568" to +15557654321; the agent'"'"'s contact_number is "+15551234567"; the dial came 2 s after the request, in a 300-s window.' ||
  bad "repro: the report line"
# -v adds the run's event log
"$d" repro -v fixtures/repro/vapi-busy-caller-id.json | grep -q "dropped silently: caller_id_mismatch" ||
  bad "repro -v: no event log"
# the catalogue's repro-* scenarios are what repro writes now
for s in scenarios/repro-*.json; do
  n=$(basename "$s" .json); n=${n#repro-}
  "$d" repro "fixtures/repro/$n.json" -o "$tmp/cat.json" >/dev/null 2>&1 || { bad "repro $n failed"; continue; }
  cmp -s "$tmp/cat.json" "$s" || bad "$s differs from what 'dialsim repro fixtures/repro/$n.json -o $s' writes now"
done

# unusable input: exit 2, and the message says where
printf '{\n  "provider": "vapi",\n  "contact_number": "+15551234567",\n  "from_number": 15551234568\n}\n' >"$tmp/bad-type.json"
expect2 "$tmp/bad-type.json:4:18: at from_number: expected a string, got a number" "$tmp/bad-type.json"
printf '{"provider": "vapi", }' >"$tmp/bad-json.json"
expect2 "$tmp/bad-json.json:1:22: invalid JSON" "$tmp/bad-json.json"
expect2 "cannot open" /nonexistent/report.json
expect2 "usage: dialsim repro" 
expect2 "unrecognized option '--frobnicate'" --frobnicate fixtures/repro/vapi-busy-caller-id.json
expect2 "option requires an argument -- 'o'" fixtures/repro/vapi-busy-caller-id.json -o
expect2 "one report at a time" fixtures/repro/vapi-busy-caller-id.json fixtures/repro/vapi-busy-caller-id.json
expect2 "cannot write /nonexistent/dir/s.json" fixtures/repro/vapi-busy-caller-id.json -o /nonexistent/dir/s.json
"$d" repro -h | grep -q "usage: dialsim repro" || bad "repro -h"

cli_check_done
