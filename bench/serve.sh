#!/usr/bin/env bash
# Charter against Datasette, same data, same load, same run. See BENCHMARKS.md.
#
#   bench/serve.sh                       # 10,000 and 100,000 projects
#   SIZES=10000 DURATION=5s bench/serve.sh
#
# For each size: a fresh `charter generate` register, exported as CSV; a Datasette database built
# from that same CSV (sqlite-utils, FTS5 over the same text Charter searches); both servers pinned
# to one core and wrk pinned to the other; search JSON, record JSON and the record's HTML page.
# Results: bench/out/results-SIZE.md (also printed), raw wrk output under bench/out/raw/SIZE/.
set -euo pipefail

SIZES=${SIZES:-10000 100000}
DURATION=${DURATION:-15s}   # each measured wrk run
WARMUP=${WARMUP:-5s}        # one unmeasured run per target first
REPEATS=${REPEATS:-3}       # measured runs per target, Charter and Datasette taking turns
CONNECTIONS=${CONNECTIONS:-16}
TIMEOUT=${TIMEOUT:-10s}     # wrk's default 2s would drop slow responses from the latencies
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
CHARTER_PORT=${CHARTER_PORT:-18080}
DATASETTE_PORT=${DATASETTE_PORT:-18081}
KEEP=${KEEP:-0}             # 1 keeps the generated databases under bench/out/data-SIZE/

cd "$(dirname "$0")/.."
OUT=bench/out
VENV=$OUT/.venv
mkdir -p "$OUT"

die() {
    echo "bench/serve.sh: FAILED: $*" >&2
    exit 1
}

for tool in cargo curl flock taskset wrk python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
# Two runs at once would share bench/out/ and each other's CPU: refuse to start a second.
exec 9>"$OUT/serve.lock"
flock -n 9 || die "another bench/serve.sh is running (it holds $OUT/serve.lock)"
for port in "$CHARTER_PORT" "$DATASETTE_PORT"; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        die "something is already listening on 127.0.0.1:$port (set CHARTER_PORT / DATASETTE_PORT)"
    fi
done

# --- Datasette and sqlite-utils, pinned, in a venv of our own -----------------------------------
stamp=$VENV/.requirements.sha256
want=$(sha256sum bench/requirements.txt | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    echo "== Installing bench/requirements.txt into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
    echo "$want" >"$stamp"
fi
PY=$VENV/bin/python

# --- Charter --------------------------------------------------------------------------------------
# By default the work tree as it is. CHARTER_REV=<commit> builds a clean copy of that commit instead
# (git archive, own target dir under bench/out/), so uncommitted work in the tree is not measured.
# Either way the binary is copied, so a build by someone else during the run cannot swap it.
if [[ -n ${CHARTER_REV:-} ]]; then
    rev=$(git rev-parse --short "$CHARTER_REV^{commit}") || die "CHARTER_REV=$CHARTER_REV is not a commit"
    src=$OUT/src-$rev
    echo "== Building charter $rev (release, clean copy in $src)"
    rm -rf "$src"
    mkdir -p "$src"
    git archive "$rev" | tar -x -C "$src"
    CARGO_TARGET_DIR=$PWD/$OUT/target cargo build --release -p charter-cli --manifest-path "$src/Cargo.toml"
    built=$OUT/target/release/charter
    charter_version="$rev (clean copy of the commit)"
else
    echo "== Building charter (release, the work tree)"
    cargo build --release -p charter-cli
    built=target/release/charter
    dirty=$(git status --porcelain --untracked-files=no | wc -l)
    charter_version="$(git rev-parse --short HEAD)$([[ $dirty -gt 0 ]] && echo " plus uncommitted changes in $dirty files")"
fi
cp "$built" "$OUT/charter"
CHARTER=$PWD/$OUT/charter

# --- The machine ----------------------------------------------------------------------------------
{
    echo "| fact | value |"
    echo "| --- | --- |"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| cores (nproc) | $(nproc) |"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
    echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
    echo "| kernel | $(uname -r) |"
    echo "| charter commit | $charter_version |"
    echo "| charter binary sha256 | $(sha256sum "$CHARTER" | cut -c1-16)… |"
    echo "| charter SQLite | $(grep -A1 '^name = "libsqlite3-sys"' Cargo.lock | sed -n 's/version = "\(.*\)"/libsqlite3-sys \1 (bundled)/p') |"
    echo "| datasette | $("$VENV/bin/datasette" --version | awk '{print $NF}') |"
    echo "| sqlite-utils | $("$VENV/bin/sqlite-utils" --version | awk '{print $NF}') |"
    echo "| uvicorn | $("$PY" -c 'import uvicorn; print(uvicorn.__version__)') |"
    echo "| Python / its SQLite | $("$PY" -c 'import sys, sqlite3; print(sys.version.split()[0], "/", sqlite3.sqlite_version)') |"
    echo "| wrk | $(wrk -v 2>&1 | head -1 | awk '{print $2}') |"
    echo "| load average at start | $(cut -d' ' -f1-3 /proc/loadavg) |"
} >"$OUT/machine.md"
cat "$OUT/machine.md"

# --- Servers --------------------------------------------------------------------------------------
PIDS=()
stop_servers() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
WORK=""
cleanup() {
    stop_servers
    if [[ -n $WORK && $KEEP != 1 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # URL LOGFILE PID
    for _ in $(seq 1 300); do
        if curl -fs -o /dev/null --max-time 2 "$1"; then return 0; fi
        kill -0 "$3" 2>/dev/null || { cat "$2" >&2; die "server for $1 exited"; }
        sleep 0.2
    done
    cat "$2" >&2
    die "no answer from $1 after 60s"
}

expect_200() { # URL
    local code
    code=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$1") || true
    [[ $code == 200 ]] || die "GET $1 answered $code, not 200"
    echo "   200  $1"
}

C=http://127.0.0.1:$CHARTER_PORT
D=http://127.0.0.1:$DATASETTE_PORT
DB=register # Datasette's name for register.db

# Busy jiffies of one CPU (user, nice, system, irq, softirq, steal) from /proc/stat.
cpu_busy() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# CPU jiffies (user + system, all threads) the servers have used so far.
servers_busy() {
    local pid total=0
    for pid in "${PIDS[@]}"; do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}
# The share of one CPU that something other than our servers used over DURATION seconds, in %.
others_on_server_cpu() { # SECONDS
    local c0 s0 c1 s1
    c0=$(cpu_busy "$SERVER_CPU"); s0=$(servers_busy)
    sleep "$1"
    c1=$(cpu_busy "$SERVER_CPU"); s1=$(servers_busy)
    echo $(( ((c1 - c0) - (s1 - s0)) * 100 / ($(getconf CLK_TCK) * $1) ))
}
QUIET_WAIT=${QUIET_WAIT:-120} # seconds to wait, before each measured run, for the server CPU to be quiet
QUIET_BELOW=${QUIET_BELOW:-10} # "quiet": other processes use less than this % of it
wait_for_quiet() {
    local waited=0 busy
    while busy=$(others_on_server_cpu 2); [[ $busy -ge $QUIET_BELOW && $waited -lt $QUIET_WAIT ]]; do
        waited=$((waited + 2))
    done
    echo "$busy"
}

# One wrk run. NAME SCRIPT URL PREFIX SUFFIX MAX_ID OUTFILE DURATION
run_wrk() {
    local name=$1 script=$2 url=$3 prefix=$4 suffix=$5 max_id=$6 out=$7 duration=$8
    local quiet c0 s0 c1 s1 t0 t1
    quiet=$(wait_for_quiet)
    c0=$(cpu_busy "$SERVER_CPU"); s0=$(servers_busy); t0=$(date +%s%N)
    {
        echo "LOADAVG $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "OTHERS_BEFORE_PCT $quiet"
        echo "COMMAND BENCH_PREFIX='$prefix' BENCH_SUFFIX='$suffix' BENCH_MAX_ID=$max_id taskset -c $LOAD_CPU wrk -t1 -c$CONNECTIONS -d$duration --timeout $TIMEOUT --latency -s bench/wrk/$script $url"
        BENCH_PREFIX=$prefix BENCH_SUFFIX=$suffix BENCH_MAX_ID=$max_id \
            taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$duration" --timeout "$TIMEOUT" --latency \
            -s "bench/wrk/$script" "$url"
    } >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $name"; }
    c1=$(cpu_busy "$SERVER_CPU"); s1=$(servers_busy); t1=$(date +%s%N)
    # What other processes took of the server's CPU while wrk ran: interference, in %.
    echo "OTHERS_DURING_PCT $(( ((c1 - c0) - (s1 - s0)) * 100 * 1000000000 / ($(getconf CLK_TCK) * (t1 - t0)) ))" >>"$out"
    local line
    line=$(grep '^BENCH_RESULT' "$out") || { cat "$out" >&2; die "no result from wrk for $name"; }
    echo "   $name: $(grep '^Requests/sec' "$out" | awk '{print $2}') req/s, others on server CPU $(grep '^OTHERS_DURING_PCT' "$out" | cut -d' ' -f2)%  ${line#BENCH_RESULT }"
}

for size in $SIZES; do
    echo
    echo "=================== $size projects ==================="
    WORK=$OUT/data-$size
    rm -rf "$WORK"
    mkdir -p "$WORK/charter"
    RAW=$OUT/raw/$size
    rm -rf "$RAW"
    mkdir -p "$RAW"

    echo "== Generating (charter generate --projects $size)"
    t0=$(date +%s.%N)
    "$CHARTER" --data-dir "$WORK/charter" generate --projects "$size" 2>/dev/null
    t1=$(date +%s.%N)
    "$CHARTER" --data-dir "$WORK/charter" export --format csv --out "$WORK/register.csv"

    echo "== Building the Datasette database from the same CSV"
    # Every column as text, as the CSV gives it; id is the primary key. The FTS5 table covers the
    # text Charter's own index covers (title, summary, and a body of organisation name, team,
    # how it works, data used, public benefit, beneficiaries, affected communities), with the
    # same Porter stemming, so a word matches the same records on both.
    "$VENV/bin/sqlite-utils" insert "$WORK/register.db" projects "$WORK/register.csv" --csv --pk id
    "$VENV/bin/sqlite-utils" enable-fts "$WORK/register.db" projects \
        title summary how_it_works organisation_name team data_used public_benefit \
        intended_beneficiaries affected_communities \
        --fts5 --create-triggers --tokenize porter
    t2=$(date +%s.%N)
    {
        echo "generate_seconds $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}")"
        echo "datasette_build_seconds $(awk "BEGIN {printf \"%.1f\", $t2 - $t1}")"
        echo "charter_db_bytes $(du -cb "$WORK"/charter/charter.sqlite* | tail -1 | cut -f1)"
        echo "datasette_db_bytes $(stat -c %s "$WORK/register.db")"
        echo "csv_bytes $(stat -c %s "$WORK/register.csv")"
    } >"$RAW/sizes.txt"
    cat "$RAW/sizes.txt"

    echo "== Starting both servers on CPU $SERVER_CPU"
    taskset -c "$SERVER_CPU" "$CHARTER" --data-dir "$WORK/charter" serve --addr "127.0.0.1:$CHARTER_PORT" \
        >"$RAW/charter.log" 2>&1 &
    PIDS+=($!)
    wait_for "$C/healthz" "$RAW/charter.log" "${PIDS[-1]}"
    grep -q 'running at' "$RAW/charter.log" || die "charter did not say it is running"
    # -i: immutable (read-only, no locking, row count taken once at start) — Datasette's fastest
    # way to serve a file that does not change. suggest_facets off: otherwise every table JSON
    # also runs a query per column looking for facets, which Charter's search does not do.
    taskset -c "$SERVER_CPU" "$VENV/bin/datasette" serve -i "$WORK/register.db" \
        --host 127.0.0.1 --port "$DATASETTE_PORT" \
        --setting sql_time_limit_ms 5000 \
        --setting default_page_size 20 \
        --setting suggest_facets off \
        >"$RAW/datasette.log" 2>&1 &
    PIDS+=($!)
    wait_for "$D/-/versions.json" "$RAW/datasette.log" "${PIDS[-1]}"

    echo "== Every target answers 200"
    mid=$(printf 'LCR-%04d' $((size / 2)))
    expect_200 "$C/api/v1/projects?q=damp"
    expect_200 "$D/$DB/projects.json?_search=damp&_size=20"
    expect_200 "$C/api/v1/projects/$mid"
    expect_200 "$D/$DB/projects/$mid.json"
    expect_200 "$C/projects/$mid"
    expect_200 "$D/$DB/projects/$mid"

    echo "== Same matches on both, and each word's time alone (median of 3, idle servers)"
    "$PY" - "$C" "$D/$DB" bench/wrk/words.txt >"$RAW/words.md" <<'EOF'
import json, statistics, sys, time, urllib.request
charter, datasette, words_file = sys.argv[1:]
def get(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        body = json.load(r)
    return body, (time.perf_counter() - t) * 1000
print("| word | Charter total | Datasette total | Charter ms | Datasette ms |")
print("| --- | ---: | ---: | ---: | ---: |")
bad = []
for w in [l.strip() for l in open(words_file) if l.strip()]:
    cs, ds = [], []
    for _ in range(3):
        c, ct = get(f"{charter}/api/v1/projects?q={w}")
        d, dt = get(f"{datasette}/projects.json?_search={w}&_size=20")
        cs.append(ct); ds.append(dt)
    ctot, dtot = c["total"], d["filtered_table_rows_count"]
    if ctot != dtot or len(c["items"]) != len(d["rows"]):
        bad.append(w)
    print(f"| {w} | {ctot} | {dtot} | {statistics.median(cs):.1f} | {statistics.median(ds):.1f} |")
if bad:
    print(f"\nWARNING: different matches for {', '.join(bad)}")
EOF
    cat "$RAW/words.md"

    # name script prefix(charter) suffix(charter) prefix(datasette) suffix(datasette)
    targets=(
        "search search.lua /api/v1/projects?q= - /$DB/projects.json?_search= &_size=20"
        "record-json record.lua /api/v1/projects/ - /$DB/projects/ .json"
        "record-page record.lua /projects/ - /$DB/projects/ -"
    )
    for t in "${targets[@]}"; do
        read -r name script cpre csuf dpre dsuf <<<"$t"
        [[ $csuf == - ]] && csuf=""
        [[ $dsuf == - ]] && dsuf=""
        echo "== $name: warm-up ($WARMUP each)"
        run_wrk "charter $name warm-up" "$script" "$C" "$cpre" "$csuf" "$size" "$RAW/$name-charter-warmup.txt" "$WARMUP"
        run_wrk "datasette $name warm-up" "$script" "$D" "$dpre" "$dsuf" "$size" "$RAW/$name-datasette-warmup.txt" "$WARMUP"
        echo "== $name: $REPEATS x $DURATION each, taking turns"
        for r in $(seq 1 "$REPEATS"); do
            run_wrk "charter $name #$r" "$script" "$C" "$cpre" "$csuf" "$size" "$RAW/$name-charter-$r.txt" "$DURATION"
            run_wrk "datasette $name #$r" "$script" "$D" "$dpre" "$dsuf" "$size" "$RAW/$name-datasette-$r.txt" "$DURATION"
        done
    done
    stop_servers
    if [[ $KEEP != 1 ]]; then rm -rf "$WORK"; fi
    WORK=""

    "$PY" bench/report.py "$size" "$RAW" "$OUT/machine.md" >"$OUT/results-$size.md"
    echo
    cat "$OUT/results-$size.md"
done
