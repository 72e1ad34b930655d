-- wrk script: PUT a small host-health report, cycling through the bench hosts and their tokens
-- (BENCH_TOKENS: a file of "host token" lines).
local hosts = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  local host, token = line:match("^(%S+) (%S+)$")
  if host then hosts[#hosts + 1] = { host = host, token = token } end
end
local body = '{"load":[0.42,0.37,0.31],"disk":{"/":0.61,"/var":0.33},"services":{"sshd":"active","chronyd":"active"},"uptime":123456}'
local i = 0

function request()
  i = i + 1
  local h = hosts[(i % #hosts) + 1]
  return wrk.format("PUT", "/v1/host-health/" .. h.host, { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. h.token }, body)
end
