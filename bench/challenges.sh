#!/usr/bin/env bash
# Residents' challenges and questions at scale: the organisation's inbox (filters, pages), the
# public statistics and the charter body's late list, timed on a register with 100,000 items on
# SQLite and on PostgreSQL.
#
#   bench/challenges.sh                         # PROJECTS=2000 CHALLENGES=100000 RUNS=21
#   BACKENDS=sqlite bench/challenges.sh         # SQLite only
#
# For each backend: a fresh register from `charter generate --projects P --challenges C` (seed
# 42), then crates/charter-web/examples/challenges_bench.rs sends each request through the real
# router (no network) and prints the median and slowest time of RUNS requests.
# PostgreSQL runs in a throwaway cluster (scripts/pg-test-cluster.sh) on PG_PORT.
set -euo pipefail

PROJECTS=${PROJECTS:-2000}
CHALLENGES=${CHALLENGES:-100000}
RUNS=${RUNS:-21}
BACKENDS=${BACKENDS:-sqlite postgres}
PG_PORT=${PG_PORT:-18094}

cd "$(dirname "$0")/.."
OUT="$PWD/bench/out/challenges"   # absolute: the PostgreSQL socket lives in it
rm -rf "$OUT"
mkdir -p "$OUT"

cargo build --release --locked -p charter-cli -p charter-web --bins --example challenges_bench
cp target/release/charter "$OUT/charter"
cp target/release/examples/challenges_bench "$OUT/challenges_bench"

for backend in $BACKENDS; do
    case $backend in
        sqlite) url="sqlite:$OUT/sqlite/charter.sqlite"; mkdir -p "$OUT/sqlite" ;;
        postgres)
            scripts/pg-test-cluster.sh start "$OUT/pg" "$PG_PORT" >/dev/null
            trap 'scripts/pg-test-cluster.sh stop "$OUT/pg" >/dev/null 2>&1 || true' EXIT
            url="postgres://charter@127.0.0.1:$PG_PORT/charter" ;;
        *) echo "BACKENDS: each must be sqlite or postgres" >&2; exit 1 ;;
    esac
    echo "## $backend"
    "$OUT/charter" --data-dir "$OUT/$backend-data" --database-url "$url" \
        generate --projects "$PROJECTS" --challenges "$CHALLENGES" --seed 42
    "$OUT/challenges_bench" "$url" "$RUNS" | tee "$OUT/results-$backend.md"
done
