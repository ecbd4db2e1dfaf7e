-- wrk script: POST /api/v2/recommendations with the fixed mix of preference bodies in
-- benchmarks/load/recommendation-bodies.jsonl (one JSON object per line), taken in turn.
--
-- Run from the repository root:
--   wrk -t2 -c16 -d30s --latency -s benchmarks/load/recommendations.lua http://127.0.0.1:7071
-- By default every connection sends its next request as soon as the previous one is answered (the server's
-- saturation point). With WRK_RATE set, the requests are sent on a fixed schedule of that many per second in all
-- (each of wrk's threads keeps its share, WRK_RATE / WRK_THREADS, on a monotonic clock; set WRK_THREADS to wrk's -t,
-- default 2), which measures latency at a given load as long as the connections are enough to keep the schedule:
--   WRK_RATE=1600 wrk -t2 -c16 -d30s --latency -s benchmarks/load/recommendations.lua http://127.0.0.1:7071
-- A request whose slot has passed (all connections were busy) goes at once, and the schedule does not catch up
-- with a burst: compare the Requests/sec wrk reports with WRK_RATE to see whether the server kept up.
-- Every request carries the Accept-Encoding a current Chrome sends, as the frontend's requests do; WRK_ACCEPT_ENCODING
-- replaces it (WRK_ACCEPT_ENCODING=identity asks for uncompressed answers). WRK_BODIES names another body file
-- (recommendation-bodies-browsers.jsonl: the same mix, each body with a browser's anonymous_id, for experiments).

local bodies = {}
for line in io.lines(os.getenv("WRK_BODIES") or "benchmarks/load/recommendation-bodies.jsonl") do
  if line:match("%S") then
    bodies[#bodies + 1] = line
  end
end

local index = 0
local interval = nil -- milliseconds between this thread's requests when rate-limited
local next_slot = nil
local headers = {
  ["Content-Type"] = "application/json",
  ["Accept-Encoding"] = os.getenv("WRK_ACCEPT_ENCODING") or "gzip, deflate, br, zstd",
}

-- wrk's LuaJIT reaches clock_gettime through the FFI; CLOCK_MONOTONIC is 1 on Linux.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } smarttrip_timespec;
  int clock_gettime(int clock_id, smarttrip_timespec *tp);
]]
local timespec = ffi.new("smarttrip_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

init = function(args)
  local rate = tonumber(os.getenv("WRK_RATE") or "")
  if rate and rate > 0 then
    interval = (tonumber(os.getenv("WRK_THREADS") or "") or 2) * 1000 / rate
  end
end

if os.getenv("WRK_RATE") then
  -- Called before each request of this thread: the request takes the next free slot of the thread's schedule.
  delay = function()
    local now = now_ms()
    local slot = (next_slot and next_slot > now) and next_slot or now
    next_slot = slot + interval
    return slot - now
  end
end

request = function()
  index = index % #bodies + 1
  return wrk.format("POST", "/api/v2/recommendations", headers, bodies[index])
end
