-- wrk script: POST one real AdmissionReview (file named by $PARMA_REVIEW) to the webhook, over and over.
-- Counts answers that are not HTTP 200 or not allowed, so a broken run cannot pass for a fast one.
-- Closed loop by default (each connection sends its next request as soon as the answer arrives). With
-- PARMA_DELAY_MS set, each connection waits that long after an answer before its next request (paced
-- mode: C connections with delay D give about C * 1000 / (D + latency) requests/s).
local path = os.getenv("PARMA_REVIEW") or "review.json"
local file = assert(io.open(path, "rb"), "cannot open " .. path)
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local pause = tonumber(os.getenv("PARMA_DELAY_MS") or "")
if pause then
  function delay()
    return pause
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, answer)
  if status ~= 200 or not string.find(answer, '"allowed":true', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  io.write(string.format("answers not 200/allowed: %d\n", total_bad))
  io.write(string.format("p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms, %.0f req/s, %d requests\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, summary.requests / (summary.duration / 1e6), summary.requests))
end
