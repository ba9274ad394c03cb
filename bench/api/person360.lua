-- wrk script: POST a GraphQL query for a random person from ids.txt; report percentiles as JSON.
-- Environment: BENCH_QUERY (the query, with $id), BENCH_IDS (file of ID numbers), BENCH_AUTH (header value or "").
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local query = os.getenv("BENCH_QUERY")
local auth = os.getenv("BENCH_AUTH") or ""
local counter = 0

request = function()
  counter = counter + 1
  local id = ids[(counter * 7919) % #ids + 1]
  local body = '{"query": ' .. string.format("%q", query):gsub("\\\n", "\\n") .. ', "variables": {"id": "' .. id .. '"}}'
  local headers = { ["Content-Type"] = "application/json" }
  if auth ~= "" then headers["Authorization"] = auth end
  return wrk.format("POST", "/graphql", headers, body)
end

failures = 0  -- a global of each thread's state, summed in done()
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failures = failures + 1 end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end

done = function(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do failures = failures + thread:get("failures") end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, failures))
end
