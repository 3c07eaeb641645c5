-- wrk script of bench/bench_mocks.sh: POST $BODY to $URL_PATH with the
-- header $AUTH_NAME: $AUTH (none when empty). Prints one RESULT line for the
-- script to read.
wrk.method = "POST"
wrk.path = os.getenv("URL_PATH") or "/call"
wrk.body = os.getenv("BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
local auth_name = os.getenv("AUTH_NAME")
if auth_name and auth_name ~= "" then
  wrk.headers[auth_name] = os.getenv("AUTH")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
