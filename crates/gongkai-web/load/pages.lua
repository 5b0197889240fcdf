-- wrk script: GET a mix of public pages read from a file of paths (one per line), in turn per thread.
-- Usage: PAGES=paths.txt wrk -t2 -c32 -d20s -s crates/gongkai-web/load/pages.lua http://127.0.0.1:8080
local paths = {}
local file = assert(io.open(os.getenv("PAGES") or "paths.txt", "r"))
for line in file:lines() do
  if #line > 0 then paths[#paths + 1] = line end
end
file:close()
local counter = 0

function setup(thread)
  thread:set("offset", math.random(1, #paths))
end

function request()
  counter = counter + 1
  local path = paths[(counter + (offset or 0)) % #paths + 1]
  return wrk.format("GET", path)
end

local failures = 0
function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
