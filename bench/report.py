"""Markdown tables from one size's raw wrk output (bench/out/raw/SIZE/), for bench/serve.sh.

    python bench/report.py SIZE RAW_DIR MACHINE_MD > results-SIZE.md

Each measured run's numbers come from the BENCH_RESULT line that bench/wrk/common.lua prints.
Per target the run with the median requests/s is reported, with the range over all runs.

Configurations, as bench/serve.sh names the raw files (ENDPOINT-CONFIG-RUN.txt): charter (on
SQLite), charter-pg (on PostgreSQL), charter-pg2 (two instances on one PostgreSQL database, one wrk
process each at once: files ENDPOINT-charter-pg2-RUN-a.txt and -b.txt, whose requests/s are added
up), before and before-pg (an older Charter, BASELINE_BIN, on SQLite and on PostgreSQL, named by
BASELINE_LABEL) and datasette. Those with no runs are left out; Datasette is always there. The
targets are checked for this Charter only; an older one is compared with it in a table of its own.
"""

import glob
import os
import re
import sys

ENDPOINTS = [
    ("search", "Search JSON, one random word", "`/api/v1/projects?q=W`", "`/register/projects.json?_search=W&_size=20`"),
    ("record-json", "Record JSON, random id", "`/api/v1/projects/LCR-n`", "`/register/projects/LCR-n.json`"),
    ("record-page", "Record HTML page, random id", "`/projects/LCR-n`", "`/register/projects/LCR-n`"),
    ("fresh-search", "Fresh search JSON, two words never searched before", "`/api/v1/projects?q=W1+W2`", "`/register/projects.json?_search=W1+W2&_size=20`"),
]
# config, its name beside the others, its name when it is the only Charter
CHARTERS = [
    ("charter", "Charter on SQLite", "Charter"),
    ("charter-pg", "Charter on PostgreSQL", "Charter on PostgreSQL"),
    ("charter-pg2", "Charter on PostgreSQL, 2 instances", "Charter on PostgreSQL, 2 instances"),
    ("before", "Charter {before} on SQLite", "Charter {before}"),
    ("before-pg", "Charter {before} on PostgreSQL", "Charter {before} on PostgreSQL"),
]
# Each older configuration, and this Charter's configuration it is compared with.
BEFORE = {"before": "charter", "before-pg": "charter-pg"}
SEARCH_P99_TARGET_MS = 20
FRESH_P99_TARGET_MS = 50
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
    r["text"] = text
    return r


def combine(a, b):
    """Two wrk processes that ran at once against two instances: one run of both."""
    r = dict(a)
    r["rps"] = a["rps"] + b["rps"]
    for k in ("requests", "bytes", "non2xx", "errors"):
        r[k] = a[k] + b[k]
    # The latencies of the two cannot be merged exactly: report the worse of the two.
    for k in ("p50_us", "p90_us", "p99_us", "max_us"):
        r[k] = max(a[k], b[k])
    return r


def runs(raw, endpoint, config):
    if config == "charter-pg2":
        out = []
        for a in sorted(glob.glob(os.path.join(raw, f"{endpoint}-{config}-[0-9]*-a.txt"))):
            b = a[: -len("-a.txt")] + "-b.txt"
            if not os.path.exists(b):
                raise SystemExit(f"{a} has no {b}")
            out.append(combine(parse(a), parse(b)))
        return out
    pattern = re.compile(rf"^{re.escape(endpoint)}-{re.escape(config)}-\d+\.txt$")
    files = sorted(f for f in os.listdir(raw) if pattern.match(f))
    return [parse(os.path.join(raw, f)) for f in files]


def median_run(rs):
    ordered = sorted(rs, key=lambda r: r["rps"])
    return ordered[(len(ordered) - 1) // 2]


def ms(us):
    return f"{us / 1000:.1f}"


def main():
    size, raw, machine = sys.argv[1], sys.argv[2], sys.argv[3]
    sizes = dict(line.split() for line in open(os.path.join(raw, "sizes.txt")) if line.strip())
    # The endpoints measured in this run (bench/serve.sh's TARGETS), in the table's order.
    endpoints = [e for e in ENDPOINTS if runs(raw, e[0], "datasette")]
    if not endpoints:
        raise SystemExit(f"no Datasette runs in {raw}")
    before_label = sizes.get("baseline_label", "before")
    charters = [
        (c, long.format(before=before_label), short.format(before=before_label))
        for c, long, short in CHARTERS
        if runs(raw, endpoints[0][0], c)
    ]
    if not charters:
        raise SystemExit(f"no Charter runs in {raw}")
    alone = len(charters) == 1
    name = {c: (short if alone else long) for c, long, short in charters}
    name["datasette"] = "Datasette"
    configs = [c for c, *_ in charters] + ["datasette"]

    out = []
    w = out.append
    w(f"## {int(size):,} projects\n")
    w(
        f"Generated in {sizes['generate_seconds']} s; Charter's database "
        f"{int(sizes['charter_db_bytes']) / 2**20:.0f} MiB, Datasette's "
        f"{int(sizes['datasette_db_bytes']) / 2**20:.0f} MiB (built from a "
        f"{int(sizes['csv_bytes']) / 2**20:.0f} MiB CSV in {sizes['datasette_build_seconds']} s).\n"
    )
    if "pg_db_bytes" in sizes:
        w(
            f"The same register copied to PostgreSQL (`charter copy`, then `VACUUM ANALYZE`) in "
            f"{sizes['pg_copy_seconds']} s: {int(sizes['pg_db_bytes']) / 2**20:.0f} MiB.\n"
        )
    results = {}
    for ep, *_ in endpoints:
        for s in configs:
            rs = runs(raw, ep, s)
            if not rs:
                raise SystemExit(f"no runs for {ep} {s} in {raw}")
            results[(ep, s)] = (median_run(rs), rs)
    first = results[(endpoints[0][0], configs[0])][1][0]["text"]
    n = len(results[(endpoints[0][0], configs[0])][1])
    cmd = re.search(r"^COMMAND (.*)$", first, re.M).group(1)
    w(f"Each row: the median of {n} measured runs by requests/s (range in brackets), after one warm-up run. "
      f"Load: `{re.sub(r'BENCH_PREFIX=.* taskset', 'taskset', cmd)}`.\n")
    if "charter-pg2" in configs:
        w("Two instances: two `charter serve` on the one PostgreSQL database, each sent half the connections "
          "by its own wrk process, both at once on the load core; requests/s are the two added up, latencies "
          "and bytes per response the worse of the two.\n")

    w("| endpoint | server | path | req/s | p50 ms | p99 ms | max ms | non-2xx | socket errors | bytes/response | others on server CPU | load avg |")
    w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ep, label, cpath, dpath in endpoints:
        for s in configs:
            path = dpath if s == "datasette" else cpath
            r, rs = results[(ep, s)]
            lo, hi = min(x["rps"] for x in rs), max(x["rps"] for x in rs)
            others = "?" if r["others"] is None else f"{r['others']}%"
            w(
                f"| {label} | {name[s]} | {path} | {r['rps']:,.0f} ({lo:,.0f}–{hi:,.0f}) | {ms(r['p50_us'])} | "
                f"{ms(r['p99_us'])} | {ms(r['max_us'])} | {sum(int(x['non2xx']) for x in rs)} | "
                f"{sum(int(x['errors']) for x in rs)} | {r['bytes'] / max(r['requests'], 1):,.0f} | {others} | {r['load']} |"
            )
    w("")
    w("non-2xx and socket errors are summed over all measured runs. \"Others on server CPU\": the share of the "
      "servers' core that other processes (other engineers' builds) took during that run; each measured run "
      "first waits (up to a limit) for that core to be quiet.\n")

    ratios = {}
    for ep, *_ in endpoints:
        d = results[(ep, "datasette")][0]
        for c, *_ in charters:
            ratios[(ep, c)] = results[(ep, c)][0]["rps"] / d["rps"]
    if alone:
        (c, *_), = charters
        w(f"| endpoint | {name[c]} req/s | Datasette req/s | {name[c]} ÷ Datasette | {name[c]} p99 ms | Datasette p99 ms |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for ep, label, *_ in endpoints:
            r, d = results[(ep, c)][0], results[(ep, "datasette")][0]
            w(f"| {label} | {r['rps']:,.0f} | {d['rps']:,.0f} | {ratios[(ep, c)]:.2f}× | {ms(r['p99_us'])} | {ms(d['p99_us'])} |")
        w("")
    else:
        # Side by side: each Charter's requests/s and its multiple of Datasette's, then latencies.
        w("| endpoint | Datasette req/s | " + " | ".join(f"{name[c]} req/s (÷ Datasette)" for c, *_ in charters) + " |")
        w("| --- | ---: |" + " ---: |" * len(charters))
        for ep, label, *_ in endpoints:
            d = results[(ep, "datasette")][0]
            cells = [f"{results[(ep, c)][0]['rps']:,.0f} ({ratios[(ep, c)]:.2f}×)" for c, *_ in charters]
            w(f"| {label} | {d['rps']:,.0f} | " + " | ".join(cells) + " |")
        w("")
        w("| endpoint | " + " | ".join(f"{name[s]} p50 / p99 ms" for s in configs) + " |")
        w("| --- |" + " ---: |" * len(configs))
        for ep, label, *_ in endpoints:
            cells = [f"{ms(results[(ep, s)][0]['p50_us'])} / {ms(results[(ep, s)][0]['p99_us'])}" for s in configs]
            w(f"| {label} | " + " | ".join(cells) + " |")
        w("")

    pairs = [(old, new) for old, new in BEFORE.items() if (endpoints[0][0], old) in results and (endpoints[0][0], new) in results]
    if pairs:
        w(f"This Charter against Charter {before_label}, the same register, in the same run (÷ above 1: this one is faster):\n")
        w("| endpoint | " + " | ".join(f"{name[new]} req/s ÷ {name[old]} | p99 ms, {name[new]} / {name[old]}" for old, new in pairs) + " |")
        w("| --- |" + " ---: | ---: |" * len(pairs))
        for ep, elabel, *_ in endpoints:
            cells = []
            for old, new in pairs:
                o, n = results[(ep, old)][0], results[(ep, new)][0]
                cells.append(f"{n['rps']:,.0f} ÷ {o['rps']:,.0f} = {n['rps'] / o['rps']:.2f}×")
                cells.append(f"{ms(n['p99_us'])} / {ms(o['p99_us'])}")
            w(f"| {elabel} | " + " | ".join(cells) + " |")
        w("")

    checks = []
    measured = {e[0] for e in endpoints}
    for c, *_ in charters:
        if c in BEFORE:
            continue
        on = "" if alone else f" ({name[c]})"
        if "search" in measured:
            search_p99 = results[("search", c)][0]["p99_us"] / 1000
            checks += [
                (f"search throughput ≥ {RATIO_TARGET}× Datasette{on}", ratios[("search", c)] >= RATIO_TARGET, f"{ratios[('search', c)]:.2f}×"),
                (f"search p99 < {SEARCH_P99_TARGET_MS} ms{on}", search_p99 < SEARCH_P99_TARGET_MS, f"{search_p99:.1f} ms"),
            ]
        if "record-json" in measured:
            checks.append((f"record lookup throughput ≥ {RATIO_TARGET}× Datasette{on}", ratios[("record-json", c)] >= RATIO_TARGET, f"{ratios[('record-json', c)]:.2f}×"))
        if "fresh-search" in measured:
            fresh_p99 = results[("fresh-search", c)][0]["p99_us"] / 1000
            checks += [
                (f"fresh search throughput ≥ {RATIO_TARGET}× Datasette{on}", ratios[("fresh-search", c)] >= RATIO_TARGET, f"{ratios[('fresh-search', c)]:.2f}×"),
                (f"fresh search p99 ≤ {FRESH_P99_TARGET_MS} ms{on}", fresh_p99 <= FRESH_P99_TARGET_MS, f"{fresh_p99:.1f} ms"),
            ]
    w("| target (set for 100,000 projects) | measured | met? |")
    w("| --- | ---: | --- |")
    for label, ok, val in checks:
        w(f"| {label} | {val} | {'yes' if ok else '**no**'} |")
    w("")

    starts = [(c, n) for c, n, _ in CHARTERS if f"{c}_index_entries" in sizes]
    if starts:
        w("Start-up with the existing register, and the search index (built at start beside serving; the "
          "first search waits for it; the history check also runs beside serving):\n")
        w("| server | answers after s | first search after s | history checked after s | index entries | index words | index MiB (estimate) | index build ms | process RSS MiB |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c, n in starts:
            g = lambda k: sizes.get(f"{c}_{k}", "?")
            w(f"| {n} | {g('up_seconds')} | {g('first_search_seconds')} | {g('checked_seconds')} | {g('index_entries')} | {g('index_words')} | "
              f"{g('index_mib')} | {g('index_build_ms')} | {g('rss_mib')} |")
        w("")

    words = os.path.join(raw, "words.md")
    if os.path.exists(words):
        w("Matches per search word on each server, and one request's time with the servers otherwise idle "
          "(median of 3; Python client, so a few ms of client time are included):\n")
        w(open(words).read().rstrip() + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
