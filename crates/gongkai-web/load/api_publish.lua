-- wrk script: publishing catalog items through the JSON API with an agency key (see docs/BENCHMARKS.md).
--   GONGKAI_API_KEY=gk_… wrk -t2 -c8 -d20s -s crates/gongkai-web/load/api_publish.lua \
--     http://127.0.0.1:8080/api/v1/agencies/DEMO-330300-SFJ/items
-- Every request is a new item with its own Idempotency-Key (thread, counter and a per-run word), so every
-- 201 is one item published. A response other than 2xx is counted by wrk and printed at the end.

local key = os.getenv("GONGKAI_API_KEY") or ""
local run = tostring(os.time())
local counter = 0

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("prefix", tostring(threads))
end

request = function()
  counter = counter + 1
  local id = run .. "-" .. (prefix or "") .. "-" .. counter
  local body = '{"title":"压力测试发布 ' .. id .. '","category":"通知公告","summary":"经接口发布",'
    .. '"body":"正文 ' .. id .. '","channels":{"website":null}}'
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = id,
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("items/s (2xx only if no errors above): %.0f\n", summary.requests / (summary.duration / 1e6)))
end
