-- wrk script for the page benchmark. Reads from the environment:
--   BENCH_PEOPLE    a file with one line per person: her session's Cookie header, a tab,
--                   and the path she asks for. Requests go to each person in turn, so
--                   every person in the file asks as often as the others. Empty or unset:
--                   the URL given to wrk, with no cookie (the bare view).
--   BENCH_THINK_MS  a pause before each request, per connection: 0 saturates the server,
--                   1000 makes each connection a person asking for a page a second on
--                   average (each pause is drawn between half and one and a half times
--                   it, so fifty people do not all click at the same moment)
-- and prints one JSON line with requests/s and latency percentiles in microseconds.

local people_file = os.getenv("BENCH_PEOPLE") or ""
local think = tonumber(os.getenv("BENCH_THINK_MS") or "0")
local requests = {}
local turn = 0

wrk.headers["Accept-Encoding"] = "gzip, br"

-- Each thread builds its requests once, when wrk knows the host to name in them.
function init(args)
  if people_file == "" then
    return
  end
  local host = wrk.host
  if wrk.port then
    host = host .. ":" .. wrk.port
  end
  for line in io.lines(people_file) do
    local cookie, path = line:match("^([^\t]*)\t(.+)$")
    if path then
      requests[#requests + 1] = wrk.format("GET", path, {
        ["Host"] = host,
        ["Cookie"] = cookie,
        ["Accept-Encoding"] = wrk.headers["Accept-Encoding"],
      })
    end
  end
  if #requests == 0 then
    error("no people in " .. people_file)
  end
end

function request()
  if #requests == 0 then
    return wrk.format()
  end
  turn = turn % #requests + 1
  return requests[turn]
end

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
