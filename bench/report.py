"""Markdown tables from one size's raw wrk output (bench/out/raw/SIZE/), for bench/serve.sh.

    python bench/report.py SIZE RAW_DIR MACHINE_MD > results-SIZE.md

Each measured run's numbers come from the BENCH_RESULT line that bench/wrk/common.lua prints.
Per target the run with the median requests/s is reported, with the range over all runs.
"""

import glob
import os
import re
import statistics
import sys

ENDPOINTS = [
    ("search", "Search JSON, one random word", "`/api/v1/projects?q=W`", "`/register/projects.json?_search=W&_size=20`"),
    ("record-json", "Record JSON, random id", "`/api/v1/projects/LCR-n`", "`/register/projects/LCR-n.json`"),
    ("record-page", "Record HTML page, random id", "`/projects/LCR-n`", "`/register/projects/LCR-n`"),
]
SERVERS = ["charter", "datasette"]
SEARCH_P99_TARGET_MS = 20
RATIO_TARGET = 10


def parse(path):
    text = open(path).read()
    m = re.search(r"^BENCH_RESULT (.*)$", text, re.M)
    if not m:
        raise SystemExit(f"{path}: no BENCH_RESULT line")
    r = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    load = re.search(r"^LOADAVG (\S+)", text, re.M)
    r["load"] = load.group(1) if load else "?"
    others = re.search(r"^OTHERS_DURING_PCT (-?\d+)", text, re.M)
    r["others"] = max(int(others.group(1)), 0) if others else None
    return r


def runs(raw, endpoint, server):
    files = sorted(glob.glob(os.path.join(raw, f"{endpoint}-{server}-[0-9]*.txt")))
    return [parse(f) for f in files]


def median_run(rs):
    ordered = sorted(rs, key=lambda r: r["rps"])
    return ordered[(len(ordered) - 1) // 2]


def ms(us):
    return f"{us / 1000:.1f}"


def main():
    size, raw, machine = sys.argv[1], sys.argv[2], sys.argv[3]
    sizes = dict(line.split() for line in open(os.path.join(raw, "sizes.txt")) if line.strip())
    out = []
    w = out.append
    w(f"## {int(size):,} projects\n")
    w(
        f"Generated in {sizes['generate_seconds']} s; Charter's database "
        f"{int(sizes['charter_db_bytes']) / 2**20:.0f} MiB, Datasette's "
        f"{int(sizes['datasette_db_bytes']) / 2**20:.0f} MiB (built from a "
        f"{int(sizes['csv_bytes']) / 2**20:.0f} MiB CSV in {sizes['datasette_build_seconds']} s).\n"
    )
    results = {}
    first = None
    for ep, *_ in ENDPOINTS:
        for s in SERVERS:
            rs = runs(raw, ep, s)
            if not rs:
                raise SystemExit(f"no runs for {ep} {s} in {raw}")
            results[(ep, s)] = (median_run(rs), rs)
            if first is None:
                first = open(glob.glob(os.path.join(raw, f"{ep}-{s}-1.txt"))[0]).read()
    n = len(results[(ENDPOINTS[0][0], SERVERS[0])][1])
    cmd = re.search(r"^COMMAND (.*)$", first, re.M).group(1)
    w(f"Each row: the median of {n} measured runs by requests/s (range in brackets), after one warm-up run. "
      f"Load: `{re.sub(r'BENCH_PREFIX=.* taskset', 'taskset', cmd)}`.\n")

    w("| endpoint | server | path | req/s | p50 ms | p99 ms | max ms | non-2xx | socket errors | bytes/response | others on server CPU | load avg |")
    w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ep, label, cpath, dpath in ENDPOINTS:
        for s, path in zip(SERVERS, (cpath, dpath)):
            r, rs = results[(ep, s)]
            lo, hi = min(x["rps"] for x in rs), max(x["rps"] for x in rs)
            others = "?" if r["others"] is None else f"{r['others']}%"
            w(
                f"| {label} | {s.capitalize()} | {path} | {r['rps']:,.0f} ({lo:,.0f}–{hi:,.0f}) | {ms(r['p50_us'])} | "
                f"{ms(r['p99_us'])} | {ms(r['max_us'])} | {sum(int(x['non2xx']) for x in rs)} | "
                f"{sum(int(x['errors']) for x in rs)} | {r['bytes'] / max(r['requests'], 1):,.0f} | {others} | {r['load']} |"
            )
    w("")
    w("non-2xx and socket errors are summed over all measured runs. \"Others on server CPU\": the share of the "
      "servers' core that other processes (other engineers' builds) took during that run; each measured run "
      "first waits (up to a limit) for that core to be quiet.\n")

    w("| endpoint | Charter req/s | Datasette req/s | Charter ÷ Datasette | Charter p99 ms | Datasette p99 ms |")
    w("| --- | ---: | ---: | ---: | ---: | ---: |")
    ratios = {}
    for ep, label, *_ in ENDPOINTS:
        c, d = results[(ep, "charter")][0], results[(ep, "datasette")][0]
        ratios[ep] = c["rps"] / d["rps"]
        w(f"| {label} | {c['rps']:,.0f} | {d['rps']:,.0f} | {ratios[ep]:.2f}× | {ms(c['p99_us'])} | {ms(d['p99_us'])} |")
    w("")

    search_p99 = results[("search", "charter")][0]["p99_us"] / 1000
    checks = [
        (f"search throughput ≥ {RATIO_TARGET}× Datasette", ratios["search"] >= RATIO_TARGET, f"{ratios['search']:.2f}×"),
        (f"record lookup throughput ≥ {RATIO_TARGET}× Datasette", ratios["record-json"] >= RATIO_TARGET, f"{ratios['record-json']:.2f}×"),
        (f"search p99 < {SEARCH_P99_TARGET_MS} ms", search_p99 < SEARCH_P99_TARGET_MS, f"{search_p99:.1f} ms"),
    ]
    w("| target (set for 100,000 projects) | measured | met? |")
    w("| --- | ---: | --- |")
    for name, ok, val in checks:
        w(f"| {name} | {val} | {'yes' if ok else '**no**'} |")
    w("")

    words = os.path.join(raw, "words.md")
    if os.path.exists(words):
        w("Matches per search word on each server, and one request's time with the servers otherwise idle "
          "(median of 3; Python client, so a few ms of client time are included):\n")
        w(open(words).read().rstrip() + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
