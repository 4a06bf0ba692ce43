-- Shared by search.lua and record.lua: settings from the environment, and a done() that prints
-- one machine-readable line for bench/report.py (wrk's own text report is printed too).
local M = {}

M.prefix = os.getenv("BENCH_PREFIX") or error("BENCH_PREFIX is not set")
M.suffix = os.getenv("BENCH_SUFFIX") or ""
-- A fixed seed: every server is sent the same sequence of requests.
math.randomseed(tonumber(os.getenv("BENCH_SEED") or "42"))

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d bytes=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.0f\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

return M
