-- wrk script for the ingest benchmark (ingress_wrk.sh): POSTs ~400-byte
-- structured events (EVENTS_PER_REQUEST=1) or batches of them, each event with
-- a new id, with the bearer token a sender presents (BENCH_TOKEN).
-- IDS=uuid gives each event a random UUID (version 4) as id and subject,
-- as most producers do, instead of a run prefix and a counter: random keys
-- land all over the deduplication and subject indexes rather than at their end.
-- MAX_REQUESTS=N stops after N responses (ingest_long.sh fills a database to
-- a number of events with it); without it no response() hook is defined, so
-- wrk does not hand every response to Lua.
local per_request = tonumber(os.getenv("EVENTS_PER_REQUEST") or "1")
local token = os.getenv("BENCH_TOKEN") or ""
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "")
local counter = 0
local uuid_ids = os.getenv("IDS") == "uuid"
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))

local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    return string.format("%x", c == "x" and math.random(0, 15) or math.random(8, 11))
  end))
end

local function event(id)
  if uuid_ids then id = uuid4() end
  return '{"specversion":"1.0","id":"bench-' .. id .. '","source":"urn:bench:sender","type":"bench.event",' ..
    '"subject":"s-' .. id .. '","time":"2026-11-23T10:00:00Z","datacontenttype":"application/json",' ..
    '"data":{"lablet_session_id":"s-' .. id .. '","user_session_id":"u-1",' ..
    '"note":"padding padding padding padding padding padding padding padding padding"}}'
end

request = function()
  local body
  if per_request == 1 then
    counter = counter + 1
    body = event(run .. "-" .. counter)
  else
    local events = {}
    for i = 1, per_request do
      counter = counter + 1
      events[i] = event(run .. "-" .. counter)
    end
    body = "[" .. table.concat(events, ",") .. "]"
  end
  local headers = {
    ["Content-Type"] = per_request == 1 and "application/cloudevents+json" or "application/cloudevents-batch+json",
    ["Authorization"] = "Bearer " .. token,
  }
  return wrk.format("POST", "/api/v1/events", headers, body)
end

if max_requests then
  local responses = 0
  response = function()
    responses = responses + 1
    if responses >= max_requests then wrk.thread:stop() end
  end
end

-- RESULT events/s p50_ms p99_ms non-2xx accepted_events
done = function(summary, latency, requests)
  local accepted = summary.requests - summary.errors.status
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", accepted * per_request / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status, accepted * per_request))
end
