-- Search with one random word per request, from bench/wrk/words.txt (or $BENCH_WORDS).
-- BENCH_PREFIX is the path up to the word, BENCH_SUFFIX what follows it, e.g.
--   Charter:   BENCH_PREFIX='/api/v1/projects?q='          BENCH_SUFFIX=''
--   Datasette: BENCH_PREFIX='/register/projects.json?_search='  BENCH_SUFFIX='&_size=20'
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")

local words = {}
for line in io.lines(os.getenv("BENCH_WORDS") or "bench/wrk/words.txt") do
  if line:match("%S") then words[#words + 1] = line:match("^%s*(.-)%s*$") end
end
assert(#words > 0, "no search words")

request = function()
  return wrk.format("GET", common.prefix .. words[math.random(#words)] .. common.suffix)
end

done = common.done
