-- wrk script for the page benchmark. Reads from the environment:
--   BENCH_COOKIE    a Cookie header for a signed-in session (empty for none)
--   BENCH_THINK_MS  a pause before each request, per connection: 0 saturates the server,
--                   1000 makes each connection a person asking for a page a second on
--                   average (each pause is drawn between half and one and a half times
--                   it, so fifty people do not all click at the same moment)
-- and prints one JSON line with requests/s and latency percentiles in microseconds.

local cookie = os.getenv("BENCH_COOKIE") or ""
local think = tonumber(os.getenv("BENCH_THINK_MS") or "0")

if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
wrk.headers["Accept-Encoding"] = "gzip, br"

if think > 0 then
  math.randomseed(os.time())
  function delay()
    return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
