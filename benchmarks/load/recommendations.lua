-- wrk script: POST /api/v2/recommendations with the fixed mix of preference bodies in
-- benchmarks/load/recommendation-bodies.jsonl (one JSON object per line), taken in turn.
--
-- Run from the repository root:
--   wrk -t2 -c16 -d30s --latency -s benchmarks/load/recommendations.lua http://127.0.0.1:7071
-- By default every connection sends its next request as soon as the previous one is answered (the server's
-- saturation point). With WRK_RATE set, the connections together offer about that many requests per second
-- instead (each waits WRK_CONNECTIONS/rate seconds between requests; set WRK_CONNECTIONS to wrk's -c, default
-- 16), which measures latency at a given load:
--   WRK_RATE=1600 wrk -t2 -c16 -d30s --latency -s benchmarks/load/recommendations.lua http://127.0.0.1:7071
-- Every request carries the Accept-Encoding a current Chrome sends, as the frontend's requests do; WRK_ACCEPT_ENCODING
-- replaces it (WRK_ACCEPT_ENCODING=identity asks for uncompressed answers).

local bodies = {}
for line in io.lines("benchmarks/load/recommendation-bodies.jsonl") do
  if line:match("%S") then
    bodies[#bodies + 1] = line
  end
end

local index = 0
local pause = nil
local headers = {
  ["Content-Type"] = "application/json",
  ["Accept-Encoding"] = os.getenv("WRK_ACCEPT_ENCODING") or "gzip, deflate, br, zstd",
}

init = function(args)
  local rate = tonumber(os.getenv("WRK_RATE") or "")
  if rate and rate > 0 then
    pause = (tonumber(os.getenv("WRK_CONNECTIONS") or "") or 16) * 1000 / rate
  end
end

if os.getenv("WRK_RATE") then
  delay = function()
    return pause
  end
end

request = function()
  index = index % #bodies + 1
  return wrk.format("POST", "/api/v2/recommendations", headers, bodies[index])
end
