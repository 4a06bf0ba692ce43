-- One random project per request, LCR-0001 .. LCR-$BENCH_MAX_ID (zero-padded to 4 digits).
-- BENCH_PREFIX is the path up to the id, BENCH_SUFFIX what follows it, e.g.
--   Charter JSON:   BENCH_PREFIX='/api/v1/projects/'    BENCH_SUFFIX=''
--   Charter page:   BENCH_PREFIX='/projects/'           BENCH_SUFFIX=''
--   Datasette JSON: BENCH_PREFIX='/register/projects/'  BENCH_SUFFIX='.json'
--   Datasette page: BENCH_PREFIX='/register/projects/'  BENCH_SUFFIX=''
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")

local max_id = tonumber(os.getenv("BENCH_MAX_ID") or error("BENCH_MAX_ID is not set"))

request = function()
  return wrk.format("GET", string.format("%sLCR-%04d%s", common.prefix, math.random(max_id), common.suffix))
end

done = common.done
