#!/usr/bin/env bash
# Restarts PostgreSQL under a running `charter serve` and checks that requests fail cleanly while
# the database is down (503, never a hang or a 500 page) and that service resumes by itself.
# Usage: pg-restart-check.sh CHARTER_BIN DATABASE_URL CLUSTER_DIR PORT
set -euo pipefail
bin=$1 url=$2 dir=$3 port=$4
here=$(dirname "$0")
log=$(mktemp)
"$bin" --database-url "$url" serve --demo --addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "running at" "$log" && break; sleep 0.1; done
base=$(grep -o 'http://[^/]*' "$log" | head -1)
# The status code, or 000 when there is no answer within 30 seconds (which counts as a failure).
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base$1" || true; }

[ "$(status /api/v1/projects)" = 200 ] || { echo "not serving before the restart"; cat "$log"; exit 1; }
"$here/pg-test-cluster.sh" stop "$dir"
for path in /api/v1/projects /projects /healthz; do
  got=$(status "$path")
  [ "$got" = 503 ] || { echo "while the database was down, $path answered $got, not 503"; cat "$log"; exit 1; }
done
"$here/pg-test-cluster.sh" resume "$dir" "$port"
for _ in $(seq 100); do [ "$(status /healthz)" = 200 ] && break; sleep 0.2; done
for path in /api/v1/projects /projects /projects/LCR-0001; do
  got=$(status "$path")
  [ "$got" = 200 ] || { echo "after the database came back, $path answered $got"; cat "$log"; exit 1; }
done
echo "PostgreSQL restart: requests failed cleanly (503) while it was down and service resumed by itself."
