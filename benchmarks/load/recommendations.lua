-- wrk script: POST /api/v2/recommendations with a fixed mix of 20 realistic preference bodies, in turn.
-- Usage: wrk -t2 -c16 -d30s --latency -s benchmarks/load/recommendations.lua http://127.0.0.1:7071

local bodies = {
  '{"budget":15000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}',
  '{"selected_continents":["Asia"],"budget":15000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}',
  '{"selected_continents":["Africa"],"preferred_type_id":3,"budget":20000,"difficulty":2,"min_duration":7,"max_duration":14}',
  '{"selected_countries":[11,6],"preferred_theme_ids":[2],"budget":25000,"difficulty":3,"min_duration":8,"max_duration":16}',
  '{"selected_continents":["Europe"],"preferred_type_id":4,"year":"2027","month":"5"}',
  '{"selected_continents":["South America"],"preferred_theme_ids":[6,3],"difficulty":4,"min_duration":10,"max_duration":21}',
  '{}',
  '{"preferred_type_id":10}',
  '{"selected_continents":["Antarctica"],"budget":40000,"min_duration":10,"max_duration":25}',
  '{"selected_countries":[19],"preferred_theme_ids":[1,4],"budget":9000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}',
  '{"selected_continents":["North & Central America"],"preferred_type_id":7,"month":"3"}',
  '{"preferred_theme_ids":[5,9],"budget":12000,"min_duration":5,"max_duration":12,"year":"2027"}',
  '{"selected_continents":["Oceania","Asia"],"preferred_theme_ids":[5],"budget":18000,"difficulty":1}',
  '{"preferred_type_id":8,"preferred_theme_ids":[8],"month":"1"}',
  '{"selected_continents":["Europe"],"preferred_theme_ids":[11],"year":2026,"month":12,"budget":6000}',
  '{"selected_countries":[13,14],"budget":7000,"difficulty":3,"min_duration":7,"max_duration":12}',
  '{"preferred_type_id":9,"preferred_theme_ids":[2,6],"difficulty":3}',
  '{"selected_continents":["Africa","Asia"],"preferred_type_id":5,"budget":30000,"min_duration":5,"max_duration":30}',
  '{"budget":3000,"difficulty":5,"min_duration":20,"max_duration":40}',
  '{"selected_countries":[1,2,3,4],"preferred_theme_ids":[7],"year":"2027","month":"all","budget":15000,"difficulty":2}',
}

local index = 0

request = function()
  index = index % #bodies + 1
  return wrk.format("POST", "/api/v2/recommendations", { ["Content-Type"] = "application/json" }, bodies[index])
end
