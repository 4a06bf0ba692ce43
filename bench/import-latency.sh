#!/usr/bin/env bash
# How long other writes wait while a big import runs. See BENCHMARKS.md.
#
#   bench/import-latency.sh                          # SQLite, 5,000 rows, CLI and import page
#   BACKENDS="sqlite postgres" bench/import-latency.sh
#   CHARTER=/path/to/other/charter LABEL="before the change" bench/import-latency.sh   # another build
#
# For each backend: a fresh register (`charter generate`), a release `charter serve` on it, and a
# loop of small writes (each starts a draft over the write API with an organisation's token)
# running the whole time. Then a ROWS-row `charter import` (another process, on the same
# database) and, with WEB=1, the same number of rows through the import page (the server's own
# process). For each import: its duration, and the writes that were waiting at any moment of it:
# how many, their HTTP statuses, and p50/p99/max latency. Results: bench/out/import-latency.md
# (also printed); raw per-request timings under bench/out/import-latency/.
set -euo pipefail

BACKENDS=${BACKENDS:-sqlite}
ROWS=${ROWS:-5000}
WEB=${WEB:-1}
PORT=${PORT:-18090}
PG_PORT=${PG_PORT:-18094}   # the throwaway PostgreSQL cluster, for BACKENDS with postgres
SETTLE=${SETTLE:-3}         # seconds of writes measured before and after each import

cd "$(dirname "$0")/.."
OUT=bench/out/import-latency
RESULTS=bench/out/import-latency.md
mkdir -p "$OUT"

die() {
    echo "bench/import-latency.sh: FAILED: $*" >&2
    exit 1
}

for tool in cargo curl python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

if [[ -z ${CHARTER:-} ]]; then
    cargo build --release --locked -p charter-cli >&2
    CHARTER=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/charter
fi
[[ -x $CHARTER ]] || die "$CHARTER is not a program"

SERVER_PID=""
WRITER_PID=""
NOTES=""
PG_DIR=""
cleanup() {
    [[ -n $WRITER_PID ]] && kill "$WRITER_PID" 2>/dev/null || true
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    [[ -n $PG_DIR ]] && scripts/pg-test-cluster.sh stop "$PG_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

now() { python3 -c 'import time; print(f"{time.time():.6f}")'; }

{
    echo "# Write latency during a $ROWS-row import"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, charter: ${LABEL:-$CHARTER}"
    echo
    echo "| Backend | Import | Import took (s) | Writes during it | Statuses | p50 (ms) | p99 (ms) | Max (ms) |"
    echo "|---|---|---:|---:|---|---:|---:|---:|"
} >"$RESULTS"

for backend in $BACKENDS; do
    data=$OUT/$backend
    rm -rf "$data"
    mkdir -p "$data"
    case $backend in
        sqlite) url="sqlite:$data/charter.sqlite" ;;
        postgres)
            PG_DIR=$(mktemp -d /tmp/charter-import-latency-pg.XXXXXX)
            url=$(scripts/pg-test-cluster.sh start "$PG_DIR" "$PG_PORT" | tail -1)
            ;;
        *) die "BACKENDS=\"$BACKENDS\": each must be sqlite or postgres" ;;
    esac
    charter() { "$CHARTER" --data-dir "$data" --database-url "$url" "$@"; }

    charter generate --projects 500 >/dev/null
    charter export --format csv >"$data/export.csv"
    org=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))["organisation"])' "$data/export.csv")
    python3 bench/import/make-csv.py "$data/export.csv" "$ROWS" >"$data/list.csv"
    python3 bench/import/make-csv.py "$data/export.csv" "$ROWS" lean >"$data/lean.csv"
    # A token belongs to a person (builds before that took no --owner).
    charter user add --email "tokens@bench.example" --role organisation-admin \
        --organisation "$org" >/dev/null
    token=$(charter org token create --organisation "$org" --owner "tokens@bench.example" \
        --label bench --scope drafts 2>/dev/null ||
        charter org token create --organisation "$org" --label bench --scope drafts 2>/dev/null)
    link=$(charter user add --email "editor@bench.example" --role organisation-editor \
        --organisation "$org" --base-url "http://127.0.0.1:$PORT/")

    # Not through the function: $! must be the server itself, to stop it.
    "$CHARTER" --data-dir "$data" --database-url "$url" serve --addr "127.0.0.1:$PORT" \
        >"$data/serve.out" 2>"$data/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/api/v1/projects?per_page=1" >/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || die "charter serve stopped: $(tail -3 "$data/serve.err")"
        sleep 0.1
    done

    rm -f "$data/stop"
    python3 bench/import/writer.py "http://127.0.0.1:$PORT" "$token" "$data/raw.tsv" "$data/stop" &
    WRITER_PID=$!
    sleep "$SETTLE"

    start=$(now)
    what="charter import (CLI)"
    if ! charter import "$data/list.csv" --organisation "$org" >"$data/import.out" 2>&1; then
        echo "$backend charter import FAILED: $(tail -1 "$data/import.out")"
        what="charter import (CLI): FAILED, $(tail -1 "$data/import.out" | cut -c1-80)"
    fi
    end=$(now)
    took=$(python3 -c "print(f'{$end - $start:.2f}')")
    stats=$(python3 bench/import/summary.py "$data/raw.tsv" "$start" "$end")
    echo "$backend charter import: ${took}s; $stats"
    row() { # backend, what, took, stats
        python3 - "$@" <<'PY' >>"$RESULTS"
import sys
backend, what, took, stats = sys.argv[1:5]
s = dict(kv.split("=", 1) for kv in stats.split())
print(f"| {backend} | {what} | {took} | {s.get('writes', '0')} | {s.get('statuses', '')} | "
      f"{s.get('p50_ms', '')} | {s.get('p99_ms', '')} | {s.get('max_ms', '')} |")
PY
    }
    row "$backend" "$what" "$took" "$stats"
    sleep "$SETTLE"

    if [[ $WEB == 1 ]]; then
        what="import page"
        start=$(now)
        if web=$(python3 bench/import/web-import.py "http://127.0.0.1:$PORT" "$link" \
            "editor@bench.example" "$org" "$data/lean.csv" 2>&1); then
            eval "$(echo "$web" | tr ' ' '\n' | sed 's/^web_import_s=/took=/')"
        else
            end=$(now)
            took=$(python3 -c "print(f'{$end - $start:.2f}')")
            what="import page: FAILED, $(echo "$web" | tail -1 | cut -c1-80)"
        fi
        stats=$(python3 bench/import/summary.py "$data/raw.tsv" "$start" "$end")
        echo "$backend $what: ${took}s; $stats"
        row "$backend" "$what" "$took" "$stats"
        sleep "$SETTLE"
    fi

    touch "$data/stop"
    wait "$WRITER_PID" || true
    WRITER_PID=""
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    locked=$(cat "$data/serve.out" "$data/serve.err" | grep -c 'database is locked' || true)
    errors=$(cat "$data/serve.out" "$data/serve.err" | grep -c 'ERROR' || true)
    NOTES+="- $backend: the server logged $errors errors, $locked of them 'database is locked'."$'\n'
    if [[ -n $PG_DIR ]]; then
        scripts/pg-test-cluster.sh stop "$PG_DIR" >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
        PG_DIR=""
    fi
done

printf '\n%s' "$NOTES" >>"$RESULTS"
echo
cat "$RESULTS"
