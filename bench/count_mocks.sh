#!/usr/bin/env bash
# Instructions a request in the provider mocks' handler, counted, not timed
# (docs/benchmarks.md run 8): `dialsim serve` under valgrind's callgrind,
# collecting only inside the mocks' request handler, warmed up (the
# catalogue's one-time load and the first allocations left out), then SECONDS
# of `wrk -t1 -c2` on each provider's create-call route. Prints, per route,
# the requests served and the instructions a request. Counts move by a few %
# between runs (which thread runs a call's timers varies) where timings move by
# ±15 % on this machine: the figure to compare a change by.
#
# On demand, not in ctest. 127.0.0.1 only, bounded by SECONDS; stops only the
# processes it started. Needs valgrind (callgrind_control) and wrk, installed
# with apt when missing and root.
#
#   bench/count_mocks.sh [DIALSIM] [SECONDS]     (defaults: build/dialsim, 8)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../build/dialsim}"
secs="${2:-8}"

for tool in valgrind wrk; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "count_mocks: installing $tool" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tool" \
        >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        "$tool" >/dev/null; }
    else
      echo "count_mocks: $tool is missing: apt-get install $tool" >&2
      exit 2
    fi
  fi
done
[ -x "$bin" ] || { echo "count_mocks: no dialsim at $bin (build first)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/count_mocks.XXXXXX")"
srv_pid=""
cleanup() {
  if [ -n "$srv_pid" ]; then
    kill -TERM "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# bench_mocks.sh's accounts: no latency, no dial delay, every call failed by
# the PSTN at its dial (so every call ends at once, as in the load runs)
FAIL_TO="+15557650000"
cat >"$work/config.json" <<JSON
{"mocks": {
  "vapi": {"keys": ["vk"], "agents": ["asst"], "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
           "latency": 0, "dial_delay": 0},
  "retell": {"keys": ["rk"], "agents": ["ragent"], "phone_numbers": [{"id": "rn", "number": "+15551234567"}],
             "latency": 0, "dial_delay": 0},
  "elevenlabs": {"keys": ["xk"], "agents": ["elagent"], "phone_numbers": [{"id": "elpn", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": 0},
  "pstn": {"faults": [{"to": "$FAIL_TO", "fail": true}]}}}
JSON

# count NAME PATH BODY AUTH_NAME AUTH
count() {
  # only inside serve_request, the mocks' CivetWeb handler (everything a
  # request costs but CivetWeb's own reading and parsing); 4 workers a port
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect=serve_request \
    --callgrind-out-file="$work/cg.%p" "$bin" serve --config "$work/config.json" \
    --db :memory: --port 0 --quiet --threads 4 --mock-threads 4 \
    >"$work/serve.out" 2>"$work/serve.log" &
  srv_pid=$!
  local port=""
  for _ in $(seq 1 600); do
    port="$(sed -n 's/^mocks on http:\/\/.*:\([0-9]*\)$/\1/p' "$work/serve.out")"
    [ -n "$port" ] && break
    kill -0 "$srv_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "count_mocks: dialsim serve did not start" >&2; exit 1; }
  local run=(wrk -t1 -c2 -s "$here/mock_post.lua" "http://127.0.0.1:$port")
  URL_PATH="$2" BODY="$3" AUTH_NAME="$4" AUTH="$5" "${run[@]}" -d2s >/dev/null
  callgrind_control -z "$srv_pid" >/dev/null 2>&1
  local line
  line="$(URL_PATH="$2" BODY="$3" AUTH_NAME="$4" AUTH="$5" "${run[@]}" -d"${secs}s" | grep '^RESULT')"
  callgrind_control -d "$srv_pid" >/dev/null 2>&1
  kill -TERM "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
  local n errs ir dump
  n="$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")"
  errs="$(awk '{ s = 0; for (i = 2; i <= NF; i++) { split($i, p, "="); if (p[1] != "requests" && p[1] !~ /_us$/) s += p[2] } print s }' <<<"$line")"
  # the dump made after the zeroing: the highest-numbered part
  dump="$(ls -v "$work"/cg.*.* 2>/dev/null | tail -1)"
  ir="$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")"
  rm -f "$work"/cg.*
  awk -v name="$1" -v n="$n" -v ir="$ir" -v e="$errs" 'BEGIN {
    printf "%-12s %9d %12.0f %7d\n", name, n, n ? ir / n : 0, e }'
}

echo "callgrind, $secs s of wrk -t1 -c2 a route after a 2 s warm-up; instructions inside the mocks' handler"
printf '%-12s %9s %12s %7s\n' route requests "instr/req" errors
count vapi /call \
  "{\"assistantId\":\"asst\",\"phoneNumberId\":\"pn\",\"customer\":{\"number\":\"$FAIL_TO\"}}" \
  Authorization "Bearer vk"
count retell /v2/create-phone-call \
  "{\"from_number\":\"+15551234567\",\"to_number\":\"$FAIL_TO\",\"override_agent_id\":\"ragent\"}" \
  Authorization "Bearer rk"
count elevenlabs /v1/convai/twilio/outbound-call \
  "{\"agent_id\":\"elagent\",\"agent_phone_number_id\":\"elpn\",\"to_number\":\"$FAIL_TO\"}" \
  xi-api-key xk
