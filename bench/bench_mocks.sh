#!/usr/bin/env bash
# The provider mocks of `dialsim serve` under load (issue 10, "Fast" and
# "Bounded memory"): the create-call route of each mock (Vapi POST /call,
# Retell POST /v2/create-phone-call, ElevenLabs POST
# /v1/convai/twilio/outbound-call) side by side with a bare CivetWeb handler
# (bench/bare_civet.c: the same fixed 201, the same CivetWeb options) and with
# WireMock when a standalone jar is given, at 1 and at 32 connections: req/s,
# p99, RSS and the ratio to the bare handler (to the mean of its cells just
# before and just after). Then a memory run: 1,000,000
# POST /call on a server with the default limits, RSS sampled about every
# 100,000 (wrk runs for a time: steps sized from the measured rate).
#
# Every load targets 127.0.0.1 and is bounded in time (-d) and, in the memory
# run, in count (at most 200 steps); the script stops only the processes it started. On demand,
# not in ctest. Needs wrk (installed with apt when missing and we are root),
# cc and CivetWeb's headers (the build's), curl.
#
#   bench/bench_mocks.sh [DIALSIM] [SECONDS]       (defaults: build/dialsim, 2 s a cell)
#   CONNS="1 32" WRK_THREADS=2 MEM_REQUESTS=1000000 MEM_STEP=100000 MOCK_THREADS=256
#   WIREMOCK_JAR=/path/wiremock-standalone.jar     (default: the jar of npm's `wiremock` package,
#                                                  pinned in bench/peers/package-lock.json and
#                                                  installed there with `npm ci` on first use)
#   SKIP_COMPARE=1 / SKIP_MEMORY=1                 (one half only)
#   ROUNDS=N                                       (each cell N times, taking turns; medians;
#                                                  default 12: this machine's rate moves by
#                                                  ±25 % from one cell to the next, and many
#                                                  short pairs give a steadier median than a
#                                                  few long ones; docs/benchmarks.md run 11)
#   DIAL_DELAY=0                                   (the mocks' dial_delay, seconds)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../build/dialsim}"
secs="${2:-2}"
conns_list="${CONNS:-1 32}"
wthreads="${WRK_THREADS:-2}"
mem_total="${MEM_REQUESTS:-1000000}"
mem_step="${MEM_STEP:-100000}"
lua="$here/mock_post.lua"
mock_threads="${MOCK_THREADS:-256}" # serve's default --mock-threads; the bare handler gets as many

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench_mocks: installing wrk" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
  else
    echo "bench_mocks: wrk is missing: apt-get install wrk" >&2
    exit 2
  fi
fi
[ -x "$bin" ] || { echo "bench_mocks: no dialsim at $bin (build first)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/bench_mocks.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/bare_civet" "$here/bare_civet.c" -lcivetweb -lpthread

FAIL_TO="+15557650000" # the PSTN fails calls to it at once: every call ends
# seconds from the create request to the dial (then the call fails at once);
# DIAL_DELAY=0 makes every request wake the clock's timer thread
dial_delay="${DIAL_DELAY:-0}"
cat >"$work/config.json" <<JSON
{"projects": [{"id": "bench", "api_key": "bench-key"}],
 "mocks": {
  "vapi": {"keys": ["vk"], "agents": ["asst"], "phone_numbers": [{"id": "pn", "number": "+15551234567"}],
           "latency": 0, "dial_delay": $dial_delay},
  "retell": {"keys": ["rk"], "agents": ["ragent"], "phone_numbers": [{"id": "rn", "number": "+15551234567"}],
             "latency": 0, "dial_delay": $dial_delay},
  "elevenlabs": {"keys": ["xk"], "agents": ["elagent"], "phone_numbers": [{"id": "elpn", "number": "+15551234567"}],
                 "latency": 0, "dial_delay": $dial_delay},
  "pstn": {"faults": [{"to": "$FAIL_TO", "fail": true}]}}}
JSON

# start_dialsim: sets $srv_pid and $mock_port
start_dialsim() {
  "$bin" serve --config "$work/config.json" --db :memory: --port 0 --quiet \
    --mock-threads "$mock_threads" "$@" \
    >"$work/serve.out" 2>"$work/serve.log" &
  srv_pid=$!
  pids+=("$srv_pid")
  for _ in $(seq 1 500); do
    mock_port="$(sed -n 's/^mocks on http:\/\/.*:\([0-9]*\)$/\1/p' "$work/serve.out")"
    [ -n "$mock_port" ] && return 0
    kill -0 "$srv_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.01
  done
  echo "bench_mocks: dialsim serve did not start" >&2
  exit 1
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Does the server keep a connection open between two requests? The bare
# handler is given the same setting, so the ratio compares like with like.
keeps_alive() {
  curl -sv -o /dev/null -o /dev/null "http://127.0.0.1:$1/_dialsim/stats" \
    "http://127.0.0.1:$1/_dialsim/stats" 2>&1 | grep -qi "re-using existing connection"
}

# run_wrk PORT PATH BODY AUTH_NAME AUTH CONNS: prints "rps p99_ms errors"
run_wrk() {
  local t="$wthreads"
  [ "$6" -lt "$t" ] && t="$6"
  local line
  line="$(URL_PATH="$2" BODY="$3" AUTH_NAME="$4" AUTH="$5" \
    wrk -t"$t" -c"$6" -d"${secs}s" --latency -s "$lua" "http://127.0.0.1:$1" | grep '^RESULT')"
  awk -v l="$line" 'BEGIN {
    n = split(l, kv, " "); for (i = 2; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
    printf "%.0f %.2f %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p99_us"] / 1000,
      v["non2xx"] + v["connect"] + v["read"] + v["write"] + v["timeout"] }'
}

VAPI_BODY="{\"assistantId\":\"asst\",\"phoneNumberId\":\"pn\",\"customer\":{\"number\":\"$FAIL_TO\"}}"
RETELL_BODY="{\"from_number\":\"+15551234567\",\"to_number\":\"$FAIL_TO\",\"override_agent_id\":\"ragent\"}"
EL_BODY="{\"agent_id\":\"elagent\",\"agent_phone_number_id\":\"elpn\",\"to_number\":\"$FAIL_TO\"}"

echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -z "${SKIP_COMPARE:-}" ]; then
  start_dialsim
  ka=no
  keeps_alive "$mock_port" && ka=yes
  "$work/bare_civet" "$mock_threads" "$ka" >"$work/bare.out" &
  bare_pid=$!
  pids+=("$bare_pid")
  for _ in $(seq 1 500); do
    bare_port="$(sed -n 's/^listening on http:\/\/.*:\([0-9]*\)$/\1/p' "$work/bare.out")"
    [ -n "$bare_port" ] && break
    sleep 0.01
  done
  wm_pid=""
  jar="${WIREMOCK_JAR:-}"
  peer_jar="$here/peers/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar"
  if [ -z "$jar" ] && [ ! -f "$peer_jar" ] && command -v npm >/dev/null && command -v java >/dev/null; then
    echo "bench_mocks: installing WireMock 3.13.2 (npm ci in bench/peers)" >&2
    (cd "$here/peers" && npm ci --no-audit --no-fund >/dev/null 2>&1) || true
  fi
  [ -z "$jar" ] && jar="$peer_jar"
  if [ -n "$jar" ] && [ -f "$jar" ] && command -v java >/dev/null; then
    wm_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    mkdir -p "$work/wm/mappings"
    cat >"$work/wm/mappings/call.json" <<'JSON'
{"request": {"method": "POST", "urlPath": "/call"},
 "response": {"status": 201, "headers": {"Content-Type": "application/json"},
              "body": "{\"id\":\"0b8a6c1e-2f43-4d7a-9c1e-5a6b7c8d9e0f\",\"status\":\"queued\"}"}}
JSON
    java -jar "$jar" --bind-address 127.0.0.1 --port "$wm_port" --root-dir "$work/wm" \
      --disable-banner --no-request-journal >"$work/wm.log" 2>&1 &
    wm_pid=$!
    pids+=("$wm_pid")
    for _ in $(seq 1 600); do
      curl -s -o /dev/null "http://127.0.0.1:$wm_port/__admin/mappings" && break
      sleep 0.1
    done
  else
    echo "WireMock: not installed (npm ci in bench/peers, with java; or set WIREMOCK_JAR)"
  fi

  echo "keep-alive: $ka (mocks and bare handler alike); $secs s per cell; wrk -t$wthreads (-t1 at 1 connection)"
  printf '%-12s %5s %10s %8s %8s %7s %7s\n' "server" "conns" "req/s" "p99 ms" "RSS MiB" "ratio" "errors"
  # ROUNDS=N: each cell N times, the servers taking turns round by round, and
  # a median line per server after the rounds (this machine's neighbours move
  # single figures by ±20 % within seconds; docs/benchmarks.md). Each mock's
  # cell is bracketed by two cells of the bare handler, and its ratio is to
  # their mean: a drift of the machine during the round moves both sides.
  rounds="${ROUNDS:-12}"
  bare_cell() { # prints the line, appends to rounds, sets bare_rps
    read -r bare_rps p99 errs <<<"$(run_wrk "$bare_port" /call "$VAPI_BODY" "" "" "$1")"
    printf '%-12s %5d %10d %8.2f %8s %7s %7d\n' bare-civet "$1" "$bare_rps" "$p99" \
      "$(rss_mib "$bare_pid")" "1.00" "$errs"
    echo "bare-civet $bare_rps $p99 1" >>"$work/rounds"
  }
  for c in $conns_list; do
    : >"$work/rounds"
    for round in $(seq 1 "$rounds"); do
      bare_cell "$c"
      for target in vapi retell elevenlabs wiremock; do
        case $target in
        vapi) args=(/call "$VAPI_BODY" Authorization "Bearer vk") ;;
        retell) args=(/v2/create-phone-call "$RETELL_BODY" Authorization "Bearer rk") ;;
        elevenlabs) args=(/v1/convai/twilio/outbound-call "$EL_BODY" xi-api-key xk) ;;
        wiremock) [ -n "$wm_pid" ] || continue; args=(/call "$VAPI_BODY" "" "") ;;
        esac
        port="$mock_port" pid="$srv_pid"
        [ "$target" = wiremock ] && port="$wm_port" pid="$wm_pid"
        before="$bare_rps"
        read -r rps tp99 terrs <<<"$(run_wrk "$port" "${args[@]}" "$c")"
        line="$(printf '%-12s %5d %10d %8.2f %8s' "$target" "$c" "$rps" "$tp99" "$(rss_mib "$pid")")"
        bare_cell "$c" >"$work/bare_line"
        ratio="$(awk -v a="$rps" -v b="$before" -v d="$bare_rps" 'BEGIN { print 2 * a / (b + d) }')"
        printf '%s %7.2f %7d\n' "$line" "$ratio" "$terrs"
        cat "$work/bare_line"
        echo "$target $rps $tp99 $ratio" >>"$work/rounds"
      done
    done
    if [ "$rounds" -gt 1 ]; then
      for target in bare-civet vapi retell elevenlabs wiremock; do
        grep -q "^$target " "$work/rounds" || continue
        grep "^$target " "$work/rounds" | sort -k4 -g | awk -v t="$target" -v c="$c" '
          { r[NR] = $2; p[NR] = $3; q[NR] = $4; ok += $4 >= 0.8 } END { m = int((NR + 1) / 2)
            what = t == "bare-civet" ? "cells" : "rounds by ratio"
            # the spread: the lower quartile and how many rounds reach 0.8
            more = t == "bare-civet" ? "" : sprintf("; lower quartile %.2f; %d of %d at >= 0.80",
              q[int((NR + 3) / 4)], ok, NR)
            printf "%-12s %5d %10d %8.2f %8s %7.2f %7s  (median of %d %s%s)\n", t, c, r[m], p[m], "", q[m], "", NR, what, more }'
      done
    fi
  done
  curl -s "http://127.0.0.1:$mock_port/_dialsim/stats"
  echo
  stop_pid "$srv_pid"
  stop_pid "$bare_pid"
  [ -n "$wm_pid" ] && stop_pid "$wm_pid"
fi

if [ -z "${SKIP_MEMORY:-}" ]; then
  # With the default limits (docs/mocks.md#what-the-mocks-keep): the journal ring
  # and the ended calls kept are full after the first ~5,000 requests; from then
  # on RSS should stay flat. Calls end at once here (the PSTN fails them): calls
  # still live are never evicted, so a suite whose calls ring for a minute
  # holds a minute's worth of calls, whatever the limits.
  #
  # One wrk run (32 connections kept alive) does the requests, and a sampler
  # reads the count over one kept-alive connection: every CivetWeb worker that
  # ever serves a connection keeps its stack pages and buffers (docs/
  # benchmarks.md), so reconnecting clients would measure the workers, not
  # what the mocks keep. MEM_RECONNECT=1 reconnects every step instead.
  start_dialsim
  echo "memory run: $mem_total x POST /call (Vapi), 32 connections, RSS about every $mem_step"
  cat >"$work/sampler.py" <<'PY'
import http.client, json, sys, time
port, pid, total, step, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def rss():
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
mark, deadline, peak = step, time.monotonic() + 1200, 0
with open(out, "w") as f:
    f.write("%d %.1f 0\n" % (0, rss())); f.flush()
    while time.monotonic() < deadline:
        c.request("GET", "/_dialsim/stats"); st = json.loads(c.getresponse().read())
        n, live = st["journal"]["next"], st["calls"]["vapi"]["live"]
        peak = max(peak, live)  # calls not yet ended: a backlog when the clock's thread lags
        if n >= mark or n >= total:
            f.write("%d %.1f %d\n" % (n, rss(), peak)); f.flush(); peak = 0
            while mark <= n: mark += step
        if n >= total: break
        time.sleep(0.05)
PY
  python3 "$work/sampler.py" "$mock_port" "$srv_pid" "$mem_total" "$mem_step" "$work/samples" &
  sampler_pid=$!
  pids+=("$sampler_pid")
  done_n=0
  secs=3
  for _ in $(seq 1 20); do
    [ "$done_n" -lt "$mem_total" ] || break
    read -r rps _ _ <<<"$(run_wrk "$mock_port" /call "$VAPI_BODY" Authorization "Bearer vk" 32)"
    done_n="$(curl -s "http://127.0.0.1:$mock_port/_dialsim/stats" |
      sed -n 's/.*"next":\([0-9]*\).*/\1/p')"
    # the rest in one run unless MEM_RECONNECT: a time, from the rate so far
    left=$((mem_total - done_n))
    secs="$(awk -v r="$rps" -v left="$left" -v s="$mem_step" -v rc="${MEM_RECONNECT:-}" 'BEGIN {
      n = rc != "" && left > s ? s : left; t = n / (r > 0 ? r : 1) + 0.5
      printf "%d", (t < 1 ? 1 : (t > 600 ? 600 : t)) }')"
  done
  wait "$sampler_pid" 2>/dev/null || true
  printf '%10s %9s %11s\n' "requests" "RSS MiB" "peak live"
  awk '{ printf "%10d %9.1f %11d\n", $1, $2, $3 }' "$work/samples"
  awk 'NR > 1 { n[++k] = $1; r[k] = $2; if ($2 > m) m = $2 } END {
    if (k < 2) { print "memory run: too few samples"; exit 1 }
    h = int((k + 1) / 2)
    printf "second half: %.1f -> %.1f MiB (%+.1f); peak %.1f MiB: %s\n", r[h], r[k], r[k] - r[h], m,
      (m < 32 && r[k] - r[h] < 1.0) ? "flat and under 32 MiB" : "NOT flat or over 32 MiB" }' \
    "$work/samples"
  curl -s "http://127.0.0.1:$mock_port/_dialsim/stats"
  echo
  stop_pid "$srv_pid"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
