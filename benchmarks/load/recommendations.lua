-- wrk script: POST /api/v2/recommendations with the fixed mix of preference bodies in
-- benchmarks/load/recommendation-bodies.jsonl (one JSON object per line), taken in turn.
-- Run from the repository root: wrk -t2 -c16 -d30s --latency -s benchmarks/load/recommendations.lua http://127.0.0.1:7071

local bodies = {}
for line in io.lines("benchmarks/load/recommendation-bodies.jsonl") do
  if line:match("%S") then
    bodies[#bodies + 1] = line
  end
end

local index = 0

request = function()
  index = index % #bodies + 1
  return wrk.format("POST", "/api/v2/recommendations", { ["Content-Type"] = "application/json" }, bodies[index])
end
