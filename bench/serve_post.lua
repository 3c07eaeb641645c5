-- wrk script for bench/bench_serve.sh: POST transcript payloads of CALLS calls
-- (20 messages each) to /projects/bench/transcripts. Every request carries
-- new call ids (thread number, request number, call number), so every call is
-- a real insert, never an idempotent re-send (CI-9). Counts the answers by
-- status and prints them as one line the script parses:
--   RESULT ok=<2xx answers> other=<other answers> calls=<calls per request>

local calls = tonumber(os.getenv("CALLS") or "1")
local key = os.getenv("API_KEY") or "bench-key"
local threads = {}
local counter = 0

-- The body is pre-built once around the ids: pieces[1] id1 pieces[2] id2 ...
local function message(i)
  local role = (i % 2 == 1) and "bot" or "user"
  local t = 1767268800000 + i * 3000
  return string.format('{"role":"%s","content":"Message %d of the call: the agent and the customer talk about the order status and delivery.","start_time":%d,"end_time":%d}',
    role, i, t, t + 2500)
end

local msgs = {}
for i = 1, 20 do msgs[i] = message(i) end
local messages = "[" .. table.concat(msgs, ",") .. "]"
local call_tail = '","startedAt":"2026-01-01T12:00:00Z","endedAt":"2026-01-01T12:01:00Z",' ..
  '"to_phone_number":"+15559870001","from_phone_number":"+15551234567",' ..
  '"endedReason":"customer-ended-call","metadata":{"bench":true},"messages":' .. messages .. '}'

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  other = 0
  prefix = string.format("t%d-%d-", tid, math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local parts = {'{"agent_id":42,"calls":['}
  for i = 1, calls do
    parts[#parts + 1] = (i > 1 and ',' or '') .. '{"id":"' .. prefix .. counter .. '-' .. i .. call_tail
  end
  parts[#parts + 1] = ']}'
  return wrk.format("POST", "/projects/bench/transcripts",
    {["Content-Type"] = "application/json", ["X-CEKURA-API-KEY"] = key}, table.concat(parts))
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, x = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    x = x + t:get("other")
  end
  io.write(string.format("RESULT ok=%d other=%d calls=%d p50_us=%d p99_us=%d duration_us=%d\n",
    o, x, calls, latency:percentile(50), latency:percentile(99), summary.duration))
end
