#!/usr/bin/env bash
# Charter against Datasette, same data, same load, same run. See BENCHMARKS.md.
#
#   bench/serve.sh                       # 10,000 and 100,000 projects
#   SIZES=10000 DURATION=5s bench/serve.sh
#   BACKENDS="sqlite postgres" SIZES=100000 bench/serve.sh    # Charter on PostgreSQL as well
#   TARGETS=fresh-search SIZES=10000 bench/serve.sh            # only the fresh-search mode
#   BASELINE_BIN=/path/to/older/charter BASELINE_LABEL=7eb0896 bench/serve.sh  # and an older Charter
#
# For each size: a fresh `charter generate` register, exported as CSV; a Datasette database built
# from that same CSV (sqlite-utils, FTS5 over the same text Charter searches); both servers pinned
# to one core and wrk pinned to the other; search JSON, record JSON and the record's HTML page.
# With BACKENDS including postgres, the same register is also copied (`charter copy`) into a
# throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh, pinned to the servers' core too) and
# measured the same way twice: one `charter serve` on it, and two `charter serve` on the one
# database with the load split between them (two wrk processes at once, half the connections
# each, requests/s summed).
# The fresh-search mode (target fresh-search) sends FRESH_QUERIES distinct two-word queries made
# from the register's own words (two words of one entry's title and summary, so each finds
# something), each once per run, to every server: searches no remembered answer can serve.
# With BASELINE_BIN (an older charter release binary), that Charter is measured in the same run,
# taking turns with the others, on the same register: the older binary generates it, and the one
# measured copies its files (upgrading them as it opens them) and, with postgres, its own database
# in the same cluster; so "no slower than before" is judged on one machine at one time.
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
BACKENDS=${BACKENDS:-sqlite} # Charter's databases to measure: sqlite, postgres, or both
CHARTER_PG_PORT=${CHARTER_PG_PORT:-18082}   # charter serve on PostgreSQL
CHARTER_PG2_PORT=${CHARTER_PG2_PORT:-18083} # the second one, for the two-instance figure
PG_PORT=${PG_PORT:-18084}                   # the throwaway PostgreSQL cluster
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-1GB} # its shared_buffers (PostgreSQL's default is 128MB)
TARGETS=${TARGETS:-search record-json record-page fresh-search} # what to measure, in this order
FRESH_QUERIES=${FRESH_QUERIES:-25000} # distinct two-word queries for fresh-search (at least 20,000)
BASELINE_BIN=${BASELINE_BIN:-}       # an older charter to measure beside (see above)
BASELINE_LABEL=${BASELINE_LABEL:-before} # what the tables call it, say its commit
BEFORE_PORT=${BEFORE_PORT:-18085}       # the older charter on SQLite
BEFORE_PG_PORT=${BEFORE_PG_PORT:-18086} # the older charter on PostgreSQL

cd "$(dirname "$0")/.."
OUT=bench/out
VENV=$OUT/.venv
mkdir -p "$OUT"

die() {
    echo "bench/serve.sh: FAILED: $*" >&2
    exit 1
}

SQLITE=0
POSTGRES=0
for b in $BACKENDS; do
    case $b in
        sqlite) SQLITE=1 ;;
        postgres) POSTGRES=1 ;;
        *) die "BACKENDS=\"$BACKENDS\": each must be sqlite or postgres" ;;
    esac
done
[[ $SQLITE == 1 || $POSTGRES == 1 ]] || die "BACKENDS is empty: give sqlite, postgres or both"
# The two-instance figure splits the connections between two wrk processes.
[[ $POSTGRES == 0 || $CONNECTIONS -ge 2 ]] || die "CONNECTIONS must be at least 2 with postgres in BACKENDS"

for tool in cargo curl flock taskset wrk python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
if [[ $POSTGRES == 1 ]]; then
    for tool in initdb pg_ctl psql ps; do
        command -v "$tool" >/dev/null || die "$tool is not installed (PostgreSQL is in BACKENDS)"
    done
fi
# Two runs at once would share bench/out/ and each other's CPU: refuse to start a second.
exec 9>"$OUT/serve.lock"
flock -n 9 || die "another bench/serve.sh is running (it holds $OUT/serve.lock)"
ports=("$CHARTER_PORT" "$DATASETTE_PORT")
[[ $POSTGRES == 1 ]] && ports+=("$CHARTER_PG_PORT" "$CHARTER_PG2_PORT" "$PG_PORT")
if [[ -n $BASELINE_BIN ]]; then
    [[ -x $BASELINE_BIN ]] || die "BASELINE_BIN=$BASELINE_BIN is not an executable"
    [[ $BASELINE_LABEL =~ ^[A-Za-z0-9._-]+$ ]] || die "BASELINE_LABEL=$BASELINE_LABEL: letters, digits, . _ - only"
    [[ $SQLITE == 1 ]] && ports+=("$BEFORE_PORT")
    [[ $POSTGRES == 1 ]] && ports+=("$BEFORE_PG_PORT")
fi
for port in "${ports[@]}"; do
    # Anything that accepts a connection, HTTP or not (a PostgreSQL server, say).
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "something is already listening on 127.0.0.1:$port (set CHARTER_PORT / DATASETTE_PORT / CHARTER_PG_PORT / CHARTER_PG2_PORT / PG_PORT / BEFORE_PORT / BEFORE_PG_PORT)"
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
# By default the work tree as it is. CHARTER_BIN=<path> uses a release binary built beforehand.
# CHARTER_REV=<commit> builds a clean copy of that commit instead
# (git archive, own target dir under bench/out/), so uncommitted work in the tree is not measured.
# Either way the binary is copied, so a build by someone else during the run cannot swap it.
if [[ -n ${CHARTER_BIN:-} ]]; then
    # A release binary built beforehand (say, while other work used the machine); its sha256 is
    # recorded below, and the commit it was said to be built from.
    [[ -x $CHARTER_BIN ]] || die "CHARTER_BIN=$CHARTER_BIN is not an executable"
    built=$CHARTER_BIN
    charter_version="binary $CHARTER_BIN, built from $(git rev-parse --short HEAD) (work tree)"
elif [[ -n ${CHARTER_REV:-} ]]; then
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
    charter_version="$(git rev-parse --short HEAD)"
    if [[ $dirty -gt 0 ]]; then
        charter_version+=" plus uncommitted changes in $dirty files"
    fi
fi
cp "$built" "$OUT/charter"
CHARTER=$PWD/$OUT/charter
BEFORE=""
if [[ -n $BASELINE_BIN ]]; then
    cp "$BASELINE_BIN" "$OUT/charter-before"
    BEFORE=$PWD/$OUT/charter-before
fi

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
    if [[ -n $BEFORE ]]; then
        echo "| older charter beside it | $BASELINE_LABEL, binary $BASELINE_BIN, sha256 $(sha256sum "$BEFORE" | cut -c1-16)… |"
    fi
    echo "| charter SQLite | $(grep -A1 '^name = "libsqlite3-sys"' Cargo.lock | sed -n 's/version = "\(.*\)"/libsqlite3-sys \1 (bundled)/p') |"
    echo "| datasette | $("$VENV/bin/datasette" --version | awk '{print $NF}') |"
    echo "| sqlite-utils | $("$VENV/bin/sqlite-utils" --version | awk '{print $NF}') |"
    echo "| uvicorn | $("$PY" -c 'import uvicorn; print(uvicorn.__version__)') |"
    echo "| Python / its SQLite | $("$PY" -c 'import sys, sqlite3; print(sys.version.split()[0], "/", sqlite3.sqlite_version)') |"
    echo "| wrk | $(wrk -v 2>&1 | head -1 | awk '{print $2}') |"
    if [[ $POSTGRES == 1 ]]; then
        echo "| PostgreSQL | $(pg_ctl --version | sed 's/^pg_ctl (PostgreSQL) //'), throwaway cluster (scripts/pg-test-cluster.sh), shared_buffers $PG_SHARED_BUFFERS |"
    fi
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
PG_DIR=""  # the throwaway PostgreSQL cluster of the size being measured
PG_PM=""   # its postmaster's pid
stop_postgres() {
    if [[ -n $PG_DIR ]]; then
        scripts/pg-test-cluster.sh stop "$PG_DIR"
        if [[ $KEEP == 1 ]]; then
            echo "   kept the PostgreSQL cluster in $PG_DIR (stopped; scripts/pg-test-cluster.sh resume $PG_DIR $PG_PORT)"
        else
            rm -rf "$PG_DIR"
        fi
    fi
    PG_DIR=""
    PG_PM=""
}
cleanup() {
    stop_servers
    stop_postgres
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

start_charter() { # BINARY NAME PORT URL ARGS... (ARGS go before `serve`: where the database is)
    local binary=$1 name=$2 port=$3 url=$4
    shift 4
    T_LAUNCH=$(date +%s.%N)
    taskset -c "$SERVER_CPU" "$binary" "$@" serve --addr "127.0.0.1:$port" >"$RAW/$name.log" 2>&1 &
    PIDS+=($!)
    wait_for "$url/healthz" "$RAW/$name.log" "${PIDS[-1]}"
    T_UP=$(date +%s.%N)
}

# charter serve opens its port at once and checks the register's history beside serving; it
# says "running at" once the check has passed. Waits for that and notes when (NAME_checked_seconds).
wait_checked() { # NAME
    local name=$1 pid=${PIDS[-1]}
    for _ in $(seq 1 1200); do
        grep -q 'running at' "$RAW/$name.log" && break
        kill -0 "$pid" 2>/dev/null || { cat "$RAW/$name.log" >&2; die "$name stopped during its history check"; }
        sleep 0.1
    done
    grep -q 'running at' "$RAW/$name.log" || die "$name did not finish its history check in 120 s"
    echo "${name}_checked_seconds $(awk "BEGIN {printf \"%.2f\", $(date +%s.%N) - $T_LAUNCH}")" >>"$RAW/sizes.txt"
}

# How long a server took to answer at all and to answer its first search (the search index is
# built at start, beside serving), the index's own figures from the log, and the process's memory
# once the index is built. Appended to sizes.txt as NAME_… lines.
startup_figures() { # NAME URL
    local name=$1 url=$2 pid=${PIDS[-1]} line t_search
    curl -fs -o /dev/null --max-time 120 "$url/api/v1/projects?q=startupcheck" \
        || die "$name did not answer its first search"
    t_search=$(date +%s.%N)
    for _ in $(seq 1 50); do
        grep -q 'search index built' "$RAW/$name.log" && break
        sleep 0.1
    done
    line=$(grep -m1 'search index built' "$RAW/$name.log" | sed 's/\x1b\[[0-9;]*m//g') \
        || die "$name did not log its index build"
    {
        echo "${name}_up_seconds $(awk "BEGIN {printf \"%.2f\", $T_UP - $T_LAUNCH}")"
        echo "${name}_first_search_seconds $(awk "BEGIN {printf \"%.2f\", $t_search - $T_LAUNCH}")"
        echo "${name}_index_entries $(sed -n 's/.*entries=\([0-9]*\).*/\1/p' <<<"$line")"
        echo "${name}_index_words $(sed -n 's/.*words=\([0-9]*\).*/\1/p' <<<"$line")"
        echo "${name}_index_mib $(sed -n 's/.*megabytes=\([0-9]*\).*/\1/p' <<<"$line")"
        echo "${name}_index_build_ms $(sed -n 's/.*millis=\([0-9]*\).*/\1/p' <<<"$line")"
        echo "${name}_rss_mib $(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status")"
    } >>"$RAW/sizes.txt"
    grep "^${name}_" "$RAW/sizes.txt" | sed 's/^/   /'
}

expect_200() { # URL
    local code
    code=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$1") || true
    [[ $code == 200 ]] || die "GET $1 answered $code, not 200"
    echo "   200  $1"
}

C=http://127.0.0.1:$CHARTER_PORT
D=http://127.0.0.1:$DATASETTE_PORT
P=http://127.0.0.1:$CHARTER_PG_PORT
P2=http://127.0.0.1:$CHARTER_PG2_PORT
B=http://127.0.0.1:$BEFORE_PORT
BP=http://127.0.0.1:$BEFORE_PG_PORT
DB=register # Datasette's name for register.db

# Busy jiffies of one CPU (user, nice, system, irq, softirq, steal) from /proc/stat.
cpu_busy() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# CPU jiffies (user + system, all threads) the servers have used so far: Charter, Datasette and,
# when it runs, PostgreSQL (its postmaster, the children it has reaped, and its live children).
servers_busy() {
    local pid total=0
    for pid in "${PIDS[@]}"; do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    if [[ -n $PG_PM ]]; then
        total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$PG_PM/stat")))
        for pid in $(ps -o pid= --ppid "$PG_PM"); do
            # A backend may exit between ps and here: it then counts in the postmaster's figure.
            total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
        done
    fi
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

# wrk itself, with what report.py reads before its output. QUIET SCRIPT URL PREFIX SUFFIX MAX_ID
# CONNECTIONS SEED DURATION
wrk_once() {
    local quiet=$1 script=$2 url=$3 prefix=$4 suffix=$5 max_id=$6 connections=$7 seed=$8 duration=$9
    echo "LOADAVG $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "OTHERS_BEFORE_PCT $quiet"
    echo "COMMAND BENCH_PREFIX='$prefix' BENCH_SUFFIX='$suffix' BENCH_MAX_ID=$max_id BENCH_SEED=$seed taskset -c $LOAD_CPU wrk -t1 -c$connections -d$duration --timeout $TIMEOUT --latency -s bench/wrk/$script $url"
    BENCH_PREFIX=$prefix BENCH_SUFFIX=$suffix BENCH_MAX_ID=$max_id BENCH_SEED=$seed \
        taskset -c "$LOAD_CPU" wrk -t1 -c"$connections" -d"$duration" --timeout "$TIMEOUT" --latency \
        -s "bench/wrk/$script" "$url"
}

# What other processes took of the server's CPU since C0 S0 T0: interference, in %.
others_since() { # C0 S0 T0
    local c1 s1 t1
    c1=$(cpu_busy "$SERVER_CPU"); s1=$(servers_busy); t1=$(date +%s%N)
    echo $(( ((c1 - $1) - (s1 - $2)) * 100 * 1000000000 / ($(getconf CLK_TCK) * (t1 - $3)) ))
}

report_line() { # NAME OUTFILE
    local line
    line=$(grep '^BENCH_RESULT' "$2") || { cat "$2" >&2; die "no result from wrk for $1"; }
    echo "   $1: $(grep '^Requests/sec' "$2" | awk '{print $2}') req/s, others on server CPU $(grep '^OTHERS_DURING_PCT' "$2" | cut -d' ' -f2)%  ${line#BENCH_RESULT }"
}

# One wrk run. NAME SCRIPT URL PREFIX SUFFIX MAX_ID OUTFILE DURATION
run_wrk() {
    local name=$1 script=$2 url=$3 prefix=$4 suffix=$5 max_id=$6 out=$7 duration=$8
    local quiet c0 s0 t0
    quiet=$(wait_for_quiet)
    c0=$(cpu_busy "$SERVER_CPU"); s0=$(servers_busy); t0=$(date +%s%N)
    wrk_once "$quiet" "$script" "$url" "$prefix" "$suffix" "$max_id" "$CONNECTIONS" 42 "$duration" \
        >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $name"; }
    echo "OTHERS_DURING_PCT $(others_since "$c0" "$s0" "$t0")" >>"$out"
    report_line "$name" "$out"
}

# Two wrk runs at once, one per instance, the connections split between them (the first takes
# the odd one) and different request sequences (seeds 42 and 43): the same total load as run_wrk,
# shared by two servers. NAME SCRIPT URL_A URL_B PREFIX SUFFIX MAX_ID OUT_A OUT_B DURATION
run_wrk_pair() {
    local name=$1 script=$2 url_a=$3 url_b=$4 prefix=$5 suffix=$6 max_id=$7 out_a=$8 out_b=$9 duration=${10}
    local quiet c0 s0 t0 pid_a pid_b others ok=1
    local conn_a=$(( (CONNECTIONS + 1) / 2 )) conn_b=$(( CONNECTIONS / 2 ))
    quiet=$(wait_for_quiet)
    c0=$(cpu_busy "$SERVER_CPU"); s0=$(servers_busy); t0=$(date +%s%N)
    wrk_once "$quiet" "$script" "$url_a" "$prefix" "$suffix" "$max_id" "$conn_a" 42 "$duration" >"$out_a" 2>&1 &
    pid_a=$!
    wrk_once "$quiet" "$script" "$url_b" "$prefix" "$suffix" "$max_id" "$conn_b" 43 "$duration" >"$out_b" 2>&1 &
    pid_b=$!
    wait "$pid_a" || ok=0
    wait "$pid_b" || ok=0
    [[ $ok == 1 ]] || { cat "$out_a" "$out_b" >&2; die "wrk failed for $name"; }
    others=$(others_since "$c0" "$s0" "$t0")
    echo "OTHERS_DURING_PCT $others" >>"$out_a"
    echo "OTHERS_DURING_PCT $others" >>"$out_b"
    report_line "$name (first instance)" "$out_a"
    report_line "$name (second instance)" "$out_b"
}

# One run of one configuration, on the size being measured. CONFIG NAME SCRIPT PREFIX SUFFIX TAG
# DURATION. CONFIG: charter (SQLite), charter-pg (one instance on PostgreSQL), charter-pg2 (two
# instances on that database, the load split between them) or datasette. TAG: warmup or the run's
# number. Raw output: NAME-CONFIG-TAG.txt (charter-pg2: NAME-CONFIG-TAG-a.txt and -b.txt).
measure() {
    local config=$1 name=$2 script=$3 prefix=$4 suffix=$5 tag=$6 duration=$7 label
    label="$config $name $([[ $tag == warmup ]] && echo warm-up || echo "#$tag")"
    case $config in
        charter-pg2)
            run_wrk_pair "$label" "$script" "$P" "$P2" "$prefix" "$suffix" "$size" \
                "$RAW/$name-$config-$tag-a.txt" "$RAW/$name-$config-$tag-b.txt" "$duration" ;;
        *)
            local url
            case $config in
                charter) url=$C ;; charter-pg) url=$P ;; before) url=$B ;; before-pg) url=$BP ;;
                datasette) url=$D ;;
            esac
            run_wrk "$label" "$script" "$url" "$prefix" "$suffix" "$size" "$RAW/$name-$config-$tag.txt" "$duration" ;;
    esac
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

    t0=$(date +%s.%N)
    if [[ -n $BEFORE ]]; then
        # The older charter cannot open a database a newer one has upgraded: it generates, and the
        # newer one upgrades a copy of the files.
        echo "== Generating with the older charter ($BASELINE_LABEL: generate --projects $size), copied for this one"
        mkdir -p "$WORK/before"
        "$BEFORE" --data-dir "$WORK/before" generate --projects "$size" 2>/dev/null
        cp -a "$WORK/before/." "$WORK/charter/"
    else
        echo "== Generating (charter generate --projects $size)"
        "$CHARTER" --data-dir "$WORK/charter" generate --projects "$size" 2>/dev/null
    fi
    t1=$(date +%s.%N)
    "$CHARTER" --data-dir "$WORK/charter" export --format csv --out "$WORK/register.csv"
    # Two words of one entry's title and summary (letters only, three or more, not the most common
    # words): FRESH_QUERIES distinct pairs in a fixed random order.
    "$PY" bench/fresh_queries.py "$WORK/register.csv" "$FRESH_QUERIES" >"$RAW/fresh-queries.txt" \
        || die "could not make the fresh-search queries"
    echo "   $(wc -l <"$RAW/fresh-queries.txt") distinct two-word queries, such as $(head -3 "$RAW/fresh-queries.txt" | tr '\n' ' ')"

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

    if [[ $POSTGRES == 1 ]]; then
        echo "== PostgreSQL: a throwaway cluster on CPU $SERVER_CPU, filled with charter copy"
        PG_DIR=$(mktemp -d /tmp/charter-bench-pg.XXXXXX)
        # Started under taskset, so the postmaster and every backend it forks share the servers' core.
        PG_URL=$(taskset -c "$SERVER_CPU" scripts/pg-test-cluster.sh start "$PG_DIR" "$PG_PORT")
        psql "$PG_URL" -qc "ALTER SYSTEM SET shared_buffers = '$PG_SHARED_BUFFERS'" >/dev/null
        scripts/pg-test-cluster.sh stop "$PG_DIR"
        taskset -c "$SERVER_CPU" scripts/pg-test-cluster.sh resume "$PG_DIR" "$PG_PORT"
        PG_PM=$(head -1 "$PG_DIR/data/postmaster.pid")
        [[ $(psql "$PG_URL" -Atc "SHOW shared_buffers") == "$PG_SHARED_BUFFERS" ]] \
            || die "PostgreSQL did not take shared_buffers = $PG_SHARED_BUFFERS"
        t3=$(date +%s.%N)
        "$CHARTER" copy --from "sqlite:$WORK/charter/charter.sqlite" --to "$PG_URL" >"$RAW/pg-copy.log" 2>&1 \
            || { cat "$RAW/pg-copy.log" >&2; die "charter copy to PostgreSQL failed"; }
        psql "$PG_URL" -qc "VACUUM ANALYZE" >/dev/null
        t4=$(date +%s.%N)
        if [[ -n $BEFORE ]]; then
            BEFORE_PG_URL=${PG_URL%/*}/before
            psql "$PG_URL" -qc "CREATE DATABASE before" >/dev/null
            "$BEFORE" copy --from "sqlite:$WORK/before/charter.sqlite" --to "$BEFORE_PG_URL" >"$RAW/pg-copy-before.log" 2>&1 \
                || { cat "$RAW/pg-copy-before.log" >&2; die "the older charter's copy to PostgreSQL failed"; }
            psql "$BEFORE_PG_URL" -qc "VACUUM ANALYZE" >/dev/null
        fi
    fi
    {
        echo "generate_seconds $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}")"
        echo "datasette_build_seconds $(awk "BEGIN {printf \"%.1f\", $t2 - $t1}")"
        echo "charter_db_bytes $(du -cb "$WORK"/charter/charter.sqlite* | tail -1 | cut -f1)"
        echo "datasette_db_bytes $(stat -c %s "$WORK/register.db")"
        echo "csv_bytes $(stat -c %s "$WORK/register.csv")"
        [[ -n $BEFORE ]] && echo "baseline_label $BASELINE_LABEL"
        if [[ $POSTGRES == 1 ]]; then
            echo "pg_copy_seconds $(awk "BEGIN {printf \"%.1f\", $t4 - $t3}")"
            echo "pg_db_bytes $(psql "$PG_URL" -Atc "SELECT pg_database_size(current_database())")"
        fi
    } >"$RAW/sizes.txt"
    cat "$RAW/sizes.txt"

    echo "== Starting the servers on CPU $SERVER_CPU"
    if [[ $SQLITE == 1 ]]; then
        start_charter "$CHARTER" charter "$CHARTER_PORT" "$C" --data-dir "$WORK/charter"
        startup_figures charter "$C"
        wait_checked charter
    fi
    if [[ $POSTGRES == 1 ]]; then
        start_charter "$CHARTER" charter-pg "$CHARTER_PG_PORT" "$P" --database-url "$PG_URL"
        startup_figures charter-pg "$P"
        wait_checked charter-pg
        start_charter "$CHARTER" charter-pg2 "$CHARTER_PG2_PORT" "$P2" --database-url "$PG_URL"
        wait_checked charter-pg2
    fi
    if [[ -n $BEFORE ]]; then
        # Its start-up is not reported: it may check its history before it answers at all.
        [[ $SQLITE == 1 ]] && start_charter "$BEFORE" before "$BEFORE_PORT" "$B" --data-dir "$WORK/before"
        [[ $POSTGRES == 1 ]] && start_charter "$BEFORE" before-pg "$BEFORE_PG_PORT" "$BP" --database-url "$BEFORE_PG_URL"
    fi
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

    # Each Charter that runs, as "name url": charter (SQLite), charter-pg and charter-pg2 (PostgreSQL).
    charters=()
    [[ $SQLITE == 1 ]] && charters+=("charter $C")
    [[ $POSTGRES == 1 ]] && charters+=("charter-pg $P" "charter-pg2 $P2")
    [[ -n $BEFORE && $SQLITE == 1 ]] && charters+=("before $B")
    [[ -n $BEFORE && $POSTGRES == 1 ]] && charters+=("before-pg $BP")

    echo "== Every target answers 200"
    mid=$(printf 'LCR-%04d' $((size / 2)))
    for c in "${charters[@]}"; do
        read -r _ url <<<"$c"
        expect_200 "$url/api/v1/projects?q=damp"
        expect_200 "$url/api/v1/projects/$mid"
        expect_200 "$url/projects/$mid"
    done
    expect_200 "$D/$DB/projects.json?_search=damp&_size=20"
    expect_200 "$D/$DB/projects/$mid.json"
    expect_200 "$D/$DB/projects/$mid"

    if [[ $SQLITE == 1 && $POSTGRES == 1 ]]; then
        echo "== The same records from SQLite and PostgreSQL"
        "$PY" - "$C" "$P" "$P2" "$size" <<'EOF' || die "the backends' records differ"
import json, sys, urllib.request
sqlite, pg, pg2, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def get(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.load(r)
ids = sorted({1, max(size // 2, 1), size})
for n in ids:
    path = f"/api/v1/projects/LCR-{n:04d}"
    want = get(sqlite, path)
    for base in (pg, pg2):
        if get(base, path) != want:
            sys.exit(f"{base}{path} differs from {sqlite}{path}")
print(f"   the same JSON from every Charter for LCR-{', LCR-'.join(f'{n:04d}' for n in ids)}")
EOF
    fi

    echo "== Matches per word on each server, and each word's time alone (median of 3, idle servers)"
    # One PostgreSQL instance is enough here: the second serves the same database.
    words_args=()
    [[ $SQLITE == 1 ]] && words_args+=("Charter=$C")
    [[ $POSTGRES == 1 ]] && words_args+=("Charter PostgreSQL=$P")
    "$PY" - "$D/$DB" bench/wrk/words.txt "${words_args[@]}" >"$RAW/words.md" <<'EOF'
import json, statistics, sys, time, urllib.request
datasette, words_file = sys.argv[1:3]
charters = [a.split("=", 1) for a in sys.argv[3:]]  # (label, url)
def get(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        body = json.load(r)
    return body, (time.perf_counter() - t) * 1000
labels = [label for label, _ in charters] + ["Datasette"]
print("| word | " + " | ".join(f"{l} total" for l in labels) + " | " + " | ".join(f"{l} ms" for l in labels) + " |")
print("| --- |" + " ---: |" * (2 * len(labels)))
bad = {label: [] for label, _ in charters}
for w in [l.strip() for l in open(words_file) if l.strip()]:
    times = [[] for _ in labels]
    for _ in range(3):
        got = []
        for i, (_, url) in enumerate(charters):
            c, ct = get(f"{url}/api/v1/projects?q={w}")
            got.append(c)
            times[i].append(ct)
        d, dt = get(f"{datasette}/projects.json?_search={w}&_size=20")
        times[-1].append(dt)
    dtot = d["filtered_table_rows_count"]
    for (label, _), c in zip(charters, got):
        if c["total"] != dtot or len(c["items"]) != len(d["rows"]):
            bad[label].append(w)
    totals = [c["total"] for c in got] + [dtot]
    print(f"| {w} | " + " | ".join(str(t) for t in totals) + " | "
          + " | ".join(f"{statistics.median(ts):.1f}" for ts in times) + " |")
for label, words in bad.items():
    if words:
        print(f"\nWARNING: {label} and Datasette match differently for {', '.join(words)}")
EOF
    cat "$RAW/words.md"

    # What is measured, taking turns (see measure).
    configs=()
    [[ $SQLITE == 1 ]] && configs+=(charter)
    [[ -n $BEFORE && $SQLITE == 1 ]] && configs+=(before)
    [[ $POSTGRES == 1 ]] && configs+=(charter-pg)
    [[ -n $BEFORE && $POSTGRES == 1 ]] && configs+=(before-pg)
    [[ $POSTGRES == 1 ]] && configs+=(charter-pg2)
    configs+=(datasette)
    # name script prefix(charter) suffix(charter) prefix(datasette) suffix(datasette)
    all_targets=(
        "search search.lua /api/v1/projects?q= - /$DB/projects.json?_search= &_size=20"
        "record-json record.lua /api/v1/projects/ - /$DB/projects/ .json"
        "record-page record.lua /projects/ - /$DB/projects/ -"
        "fresh-search fresh.lua /api/v1/projects?q= - /$DB/projects.json?_search= &_size=20"
    )
    export BENCH_QUERIES=$RAW/fresh-queries.txt
    for want in $TARGETS; do
        t=""
        for candidate in "${all_targets[@]}"; do
            [[ ${candidate%% *} == "$want" ]] && t=$candidate
        done
        [[ -n $t ]] || die "TARGETS: \"$want\" is not one of search, record-json, record-page, fresh-search"
        read -r name script cpre csuf dpre dsuf <<<"$t"
        [[ $csuf == - ]] && csuf=""
        [[ $dsuf == - ]] && dsuf=""
        echo "== $name: warm-up ($WARMUP each)"
        for config in "${configs[@]}"; do
            if [[ $config == datasette ]]; then pre=$dpre suf=$dsuf; else pre=$cpre suf=$csuf; fi
            measure "$config" "$name" "$script" "$pre" "$suf" warmup "$WARMUP"
        done
        echo "== $name: $REPEATS x $DURATION each, taking turns"
        for r in $(seq 1 "$REPEATS"); do
            for config in "${configs[@]}"; do
                if [[ $config == datasette ]]; then pre=$dpre suf=$dsuf; else pre=$cpre suf=$csuf; fi
                measure "$config" "$name" "$script" "$pre" "$suf" "$r" "$DURATION"
            done
        done
    done
    stop_servers
    stop_postgres
    if [[ $KEEP != 1 ]]; then rm -rf "$WORK"; fi
    WORK=""

    "$PY" bench/report.py "$size" "$RAW" "$OUT/machine.md" >"$OUT/results-$size.md"
    echo
    cat "$OUT/results-$size.md"
done
