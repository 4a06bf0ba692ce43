-- Fresh searches: two-word queries from the register's own words (bench/serve.sh writes them to
-- $BENCH_QUERIES, one a line, already URL-encoded), taken in order from a starting point set by
-- BENCH_SEED, so that within a run no query comes twice and no remembered answer serves it.
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")

local queries = {}
for line in io.lines(os.getenv("BENCH_QUERIES") or error("BENCH_QUERIES is not set")) do
  if line:match("%S") then queries[#queries + 1] = line end
end
assert(#queries > 0, "no queries")

local next_one = math.random(#queries)

request = function()
  local q = queries[next_one]
  next_one = next_one % #queries + 1
  return wrk.format("GET", common.prefix .. q .. common.suffix)
end

done = common.done
