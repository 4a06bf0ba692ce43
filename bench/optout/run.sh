#!/usr/bin/env bash
# Opt-out filter benchmark: charter-optout against DuckDB doing the same job, in the same run.
# Results and how to read them: BENCHMARKS.md, section "Opt-out filter".
#
#   bench/optout/run.sh                       # 10,000,000 rows, 1,000,000 opt-outs, 3 rounds
#   ROWS=1000000 OPTOUTS=100000 REPEAT=1 bench/optout/run.sh
#   SCALE_OUT=/dev/shm bench/optout/run.sh    # the two-core runs write to a tmpfs, not the disk
#
# Two parts: (1) each engine on one core and on two, rounds interleaved (REPEAT); (2) the two-core
# figure: charter-optout alone, on both cores with one thread then two, SCALE_ROUNDS pairs, the
# cores available measured just before each pair, so the speed-up of the second thread is read
# next to how free the second core was.
#
# Everything it makes goes under bench/out/ (git-ignored): a Python venv with DuckDB, the
# generated data (about 500 MB for 10 million rows) and the outputs. Needs python3 (with venv),
# taskset (util-linux) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=${ROWS:-10000000}
OPTOUTS=${OPTOUTS:-1000000}
REPEAT=${REPEAT:-3}
SCALE_ROUNDS=${SCALE_ROUNDS:-3}
VARIANTS=${VARIANTS:-"md5 sha256 hash"}
DUCKDB_VERSION=${DUCKDB_VERSION:-2.0.1}
OUT=bench/out/optout
SCALE_OUT=${SCALE_OUT:-$OUT}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
mkdir -p "$OUT" "$SCALE_OUT"

cargo build --release --quiet -p charter-optout --examples
BIN=$CARGO_TARGET_DIR/release/examples

if ! bench/out/venv/bin/python -c "import duckdb" 2>/dev/null; then
    python3 -m venv bench/out/venv
    bench/out/venv/bin/pip install --quiet "duckdb==$DUCKDB_VERSION"
fi
PY=bench/out/venv/bin/python

if [ "$(cat "$OUT/size" 2>/dev/null)" != "$ROWS $OPTOUTS" ]; then
    "$BIN/optout_generate" "$OUT" "$ROWS" "$OPTOUTS"
    echo "$ROWS $OPTOUTS" > "$OUT/size"
fi

# How much of the two cores this run can actually get (the machine may be shared): the same
# CPU-bound loop in one process, then in two at once. 2.0 means both cores are free.
capacity() {
    "$PY" - <<'PY'
import multiprocessing as mp, time
def spin(_):
    s = 0
    for i in range(15_000_000):
        s += i
    return s
if __name__ == "__main__":
    t = time.perf_counter(); spin(0); one = time.perf_counter() - t
    t = time.perf_counter()
    with mp.Pool(2) as p:
        p.map(spin, range(2))
    two = time.perf_counter() - t
    print(f"{2 * one / two:.2f}")
PY
}
echo "cores available before: $(capacity)" | tee "$OUT/capacity.txt" >&2

RESULTS=$OUT/results.tsv
printf 'engine\tcores\tround\twall_s\tcpu_s\tmax_rss_mb\trows_kept\n' > "$RESULTS"

# charter CPUS THREADS ROUND: the whole process is timed (snapshot check included).
charter() {
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" \
        taskset -c "$1" "$BIN/optout_filter" "$OUT/snapshot.bin" "$OUT/public-key.txt" bench-org \
        "$OUT/data.csv" nhs_number ai-training "$2" "$OUT/kept.csv" "$OUT/invalid.csv" \
        > "$OUT/manifest.json" 2> "$OUT/charter.log"
    read -r wall user sys rss < "$OUT/time.txt"
    kept=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_kept"])' "$OUT/manifest.json")
    printf 'charter-optout\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$wall" \
        "$(awk "BEGIN { print $user + $sys }")" "$((rss / 1024))" "$kept" >> "$RESULTS"
}

# duck CPUS THREADS ROUND VARIANT: the query is timed (DuckDB's own CPU time for it too); the
# opt-out table is built before the clock starts.
duck() {
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" \
        taskset -c "$1" "$PY" bench/optout/duckdb_filter.py "$OUT/data.csv" "$OUT/optouts.csv" \
        "$OUT/duck-kept.csv" "$2" "$4" > "$OUT/duck.json"
    read -r _ _ _ rss < "$OUT/time.txt"
    "$PY" - "$OUT/duck.json" "$2" "$3" "$4" "$rss" >> "$RESULTS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"duckdb-{sys.argv[4]}\t{sys.argv[2]}\t{sys.argv[3]}\t{r['seconds']:.2f}\t{r['cpu_seconds']:.2f}\t{int(sys.argv[5]) // 1024}\t{r['rows_kept']}")
PY
}

for round in $(seq 1 "$REPEAT"); do
    for cores in 1 2; do
        cpus=$([ "$cores" = 1 ] && echo 1 || echo 0,1)
        charter "$cpus" "$cores" "$round"
        for v in $VARIANTS; do
            duck "$cpus" "$cores" "$round" "$v"
        done
    done
    echo "round $round done" >&2
done

# The two-core figure: charter-optout alone (nothing else of this script running), pinned to both
# cores, one thread then two, back to back; the kept rows go to SCALE_OUT.
SCALING=$OUT/scaling.tsv
printf 'round\tcapacity\tthreads\twall_s\tcpu_s\tmax_rss_mb\trows_kept\n' > "$SCALING"
for round in $(seq 1 "$SCALE_ROUNDS"); do
    cap=$(capacity)
    for threads in 1 2; do
        /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" \
            taskset -c 0,1 "$BIN/optout_filter" "$OUT/snapshot.bin" "$OUT/public-key.txt" bench-org \
            "$OUT/data.csv" nhs_number ai-training "$threads" "$SCALE_OUT/kept-scaling.csv" \
            "$SCALE_OUT/invalid-scaling.csv" > "$OUT/manifest-scaling.json" 2>> "$OUT/charter.log"
        read -r wall user sys rss < "$OUT/time.txt"
        kept=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_kept"])' "$OUT/manifest-scaling.json")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$cap" "$threads" "$wall" \
            "$(awk "BEGIN { print $user + $sys }")" "$((rss / 1024))" "$kept" >> "$SCALING"
    done
    echo "two-core round $round done (cores available: $cap)" >&2
done
rm -f "$SCALE_OUT/kept-scaling.csv" "$SCALE_OUT/invalid-scaling.csv"
echo "cores available after: $(capacity)" | tee -a "$OUT/capacity.txt" >&2

cat "$OUT/capacity.txt"
"$PY" - "$RESULTS" "$ROWS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
n = int(sys.argv[2])
groups = {}
for r in rows:
    groups.setdefault((r["engine"], r["cores"]), []).append(r)
print(f"{n:,} rows; median of {max(len(g) for g in groups.values())} rounds (best in brackets)\n")
print("| engine | cores | wall s | rows/s | CPU s | max RSS MB | rows kept |")
print("| --- | --- | --- | --- | --- | --- | --- |")
med = {}
for (engine, cores), g in sorted(groups.items()):
    walls = [float(r["wall_s"]) for r in g]
    w = statistics.median(walls)
    med[(engine, cores)] = w
    cpu = statistics.median(float(r["cpu_s"]) for r in g)
    rss = max(int(r["max_rss_mb"]) for r in g)
    kept = {r["rows_kept"] for r in g}
    print(f"| {engine} | {cores} | {w:.2f} ({min(walls):.2f}) | {n / w / 1e6:.2f} M ({n / min(walls) / 1e6:.2f} M) | {cpu:.2f} | {rss} | {', '.join(sorted(kept))} |")
print()
for cores in ("1", "2"):
    ours = med.get(("charter-optout", cores))
    for (engine, c), w in sorted(med.items()):
        if c == cores and engine != "charter-optout" and ours:
            cpu_ours = statistics.median(float(r["cpu_s"]) for r in groups[("charter-optout", cores)])
            cpu_them = statistics.median(float(r["cpu_s"]) for r in groups[(engine, cores)])
            # Timings are to 0.01 s: tiny trial sizes can round to nothing.
            cpu = f"{cpu_them / cpu_ours:.1f}x less CPU" if cpu_ours else "CPU too small to compare"
            print(f"{cores} core(s): charter-optout is {w / ours:.1f}x faster than {engine} (wall), {cpu}")
PY

"$PY" - "$SCALING" "$ROWS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
n = int(sys.argv[2])
pairs = {}
for r in rows:
    pairs.setdefault(r["round"], {})[r["threads"]] = r
pairs = [p for p in pairs.values() if "1" in p and "2" in p]
if not pairs:
    sys.exit(0)
print(f"\nTwo cores: charter-optout alone on both cores (taskset -c 0,1), one thread then two; {n:,} rows")
print("(cores available: measured just before each pair, 2.00 = both cores free)\n")
print("| round | cores available | 1 thread s | 2 threads s | 2 threads rows/s | speed-up | CPU s (1 / 2) | max RSS MB | rows kept |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
ups = []
for p in pairs:
    one, two = p["1"], p["2"]
    # /usr/bin/time reports to 0.01 s: keep tiny trial sizes from dividing by zero.
    w1, w2 = max(float(one["wall_s"]), 0.01), max(float(two["wall_s"]), 0.01)
    up = w1 / w2
    ups.append((float(one["capacity"]), up, w2))
    kept = one["rows_kept"] if one["rows_kept"] == two["rows_kept"] else f"{one['rows_kept']} / {two['rows_kept']} (differ!)"
    print(f"| {one['round']} | {one['capacity']} | {w1:.2f} | {w2:.2f} | {n / w2 / 1e6:.2f} M | {up:.2f}x | {float(one['cpu_s']):.2f} / {float(two['cpu_s']):.2f} | {max(int(one['max_rss_mb']), int(two['max_rss_mb']))} | {kept} |")
print()
print(f"Second thread: median speed-up {statistics.median(u for _, u, _ in ups):.2f}x over {len(ups)} pairs; "
      f"best two-thread run {n / min(w for _, _, w in ups) / 1e6:.2f} M rows/s")
free = [(c, u) for c, u, _ in ups if c >= 1.8]
if free:
    print(f"On pairs with at least 1.8 cores available ({len(free)}): median speed-up {statistics.median(u for _, u in free):.2f}x")
else:
    print("No pair had 1.8 cores or more available: the second core was busy with other work throughout")
PY
