-- wrk script for POST /v1/search: request bodies from the file $BODIES (one JSON body per line), each thread
-- cycling through them from its own offset; bearer key from $HQ_API_KEY when set. With EMBED_EVERY=N, every Nth
-- request is instead POST /v1/embeddings of the query text (mixed load). Prints one line `WRK_JSON {...}` with
-- throughput, latency percentiles (ms) and error counts.
local bodies = {}
local position = 0
local threads = 0
local headers = { ["Content-Type"] = "application/json" }

local function load_bodies()
  local path = os.getenv("BODIES")
  assert(path, "set BODIES to a file of request bodies")
  for line in io.lines(path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  assert(#bodies > 0, "no request bodies in " .. path)
  local key = os.getenv("HQ_API_KEY")
  if key and #key > 0 then headers["Authorization"] = "Bearer " .. key end
end

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function init(args)
  load_bodies()
  position = math.floor((thread_index or 0) * #bodies / 2)
end

local embed_every = tonumber(os.getenv("EMBED_EVERY") or "0")
local sent = 0

function request()
  position = position % #bodies + 1
  sent = sent + 1
  if embed_every > 0 and sent % embed_every == 0 then
    -- The query's JSON string as it stands in the body (escapes kept): up to the first unescaped quote.
    local query = bodies[position]:match('"query": *"(.-[^\\])"') or "coffee"
    return wrk.format("POST", "/v1/embeddings", headers, '{"input": ["' .. query .. '"]}')
  end
  return wrk.format("POST", "/v1/search", headers, bodies[position])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "requests_per_s": %.2f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "errors_status": %d, "errors_socket": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
