#!/usr/bin/env bash
# Transcript ingest throughput of `dialsim serve` (issue 6, "Performance"):
# wrk posts payloads of 1 and of 50 calls (20 messages each) over 32
# connections to POST /projects/bench/transcripts, once with a database file
# (durable: WAL, synchronous=FULL, committed before the 200) and once with
# :memory:. Reports acknowledged calls per second and p99 latency, and checks
# that the file holds at least every acknowledged call.
#
# On demand, not in ctest. Needs wrk (Debian: apt-get install wrk; installed
# here when missing and we are root) and sqlite3.
#
#   bench/bench_serve.sh [DIALSIM] [SECONDS]      (defaults: build/dialsim, 10)
#   CONNECTIONS=32 WRK_THREADS=2 DB_DIR=/path bench/bench_serve.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../build/dialsim}"
secs="${2:-10}"
conns="${CONNECTIONS:-32}"
wthreads="${WRK_THREADS:-2}"
lua="$here/serve_post.lua"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench_serve: installing wrk" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
  else
    echo "bench_serve: wrk is missing: apt-get install wrk" >&2
    exit 2
  fi
fi
[ -x "$bin" ] || { echo "bench_serve: no dialsim at $bin (build first)" >&2; exit 2; }

work="$(mktemp -d "${DB_DIR:-${TMPDIR:-/tmp}}/bench_serve.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/config.json" <<'EOF'
{"projects": [{"id": "bench", "api_key": "bench-key"}]}
EOF

# start_server DB: starts dialsim serve, sets $pid and $port
start_server() {
  "$bin" serve --config "$work/config.json" --db "$1" --port 0 \
    >"$work/out" 2>"$work/log" &
  pid=$!
  for _ in $(seq 1 500); do
    port="$(sed -n 's/^listening on http:\/\/.*:\([0-9]*\)$/\1/p' "$work/out")"
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.01
  done
  echo "bench_serve: the server did not start" >&2
  exit 1
}

stop_server() {
  kill -TERM "$pid"
  wait "$pid"
  pid=""
}

printf '%-9s %6s %12s %12s %10s %10s\n' "db" "calls" "requests/s" "calls/s" "p50 ms" "p99 ms"
for mode in file memory; do
  for calls in 1 50; do
    if [ "$mode" = file ]; then db="$work/bench.db"; rm -f "$db" "$db-wal" "$db-shm"; else db=":memory:"; fi
    start_server "$db"
    line="$(CALLS=$calls wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency -s "$lua" \
      "http://127.0.0.1:$port" | grep '^RESULT')"
    stop_server
    ok="$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")"
    other="$(sed -n 's/.* other=\([0-9]*\).*/\1/p' <<<"$line")"
    p50="$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$line")"
    p99="$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")"
    dur="$(sed -n 's/.* duration_us=\([0-9]*\).*/\1/p' <<<"$line")"
    awk -v m="$mode" -v c="$calls" -v ok="$ok" -v d="$dur" -v p50="$p50" -v p99="$p99" 'BEGIN {
      rps = ok / (d / 1e6);
      printf "%-9s %6d %12.0f %12.0f %10.1f %10.1f\n", m, c, rps, rps * c, p50 / 1000, p99 / 1000 }'
    if [ "$other" != 0 ]; then echo "bench_serve: $other answers were not 2xx" >&2; fi
    if [ "$mode" = file ]; then
      rows="$(sqlite3 "$db" 'SELECT count(*) FROM transcripts')"
      # wrk stops without reading the answers in flight: rows >= acknowledged
      if [ "$rows" -lt $((ok * calls)) ]; then
        echo "bench_serve: LOST DATA: $((ok * calls)) calls acknowledged, $rows stored" >&2
        exit 1
      fi
    fi
  done
done
