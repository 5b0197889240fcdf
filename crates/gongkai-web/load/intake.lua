-- wrk script: durable online intake against a running `gongkai serve` (see docs/BENCHMARKS.md).
--   wrk -t2 -c16 -d20s -s crates/gongkai-web/load/intake.lua http://127.0.0.1:8080/agencies/DEMO-330300-SFJ/apply
-- Every request is a complete, valid application form; the CSRF token is the double-submit cookie's value
-- (sent under both names: `__Host-gk_csrf` is read when the server sends secure cookies, `gk_csrf` with
-- --insecure-cookies). The form carries no one-time token, so each request is a new application.
-- A response other than 2xx is counted by wrk ("Non-2xx or 3xx responses") and printed at the end.

local token = "0123456789abcdef0123456789abcdef"
local counter = 0

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("prefix", tostring(threads))
end

request = function()
  counter = counter + 1
  local fields = {
    "csrf=" .. token,
    "applicant_type=natural",
    "name=" .. encode("张三"),
    "id_type=" .. encode("居民身份证"),
    "id_number=11010519491231002X",
    "phone=13812345678",
    "email=",
    "address=" .. encode("温州市鹿城区人民路1号"),
    "description=" .. encode("负载测试申请 " .. (prefix or "") .. "-" .. counter .. " 2025年度行政执法统计数据"),
    "delivery_form=" .. encode("邮寄纸质文本"),
  }
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "gk_csrf=" .. token .. "; __Host-gk_csrf=" .. token,
  }, table.concat(fields, "&"))
end
