#!/usr/bin/env bash
# Slow and trickling connections against a real `charter serve` (scripts/slow-clients.py), twice:
# with the default per-address connection cap (the attack from 127.0.0.1, a fresh client from
# 127.0.0.2), and with no per-address cap, as behind a proxy (everyone from 127.0.0.1), where
# the header and body time limits, the connection cap and checking tokens before reading bodies
# must hold on their own. The server starts with the common open-file limit of 1,024.
#   scripts/slow-clients.sh target/debug/charter [PORT]
set -euo pipefail
bin=$(realpath "$1")
port=${2:-18181}
here=$(dirname "$0")
work=$(mktemp -d /tmp/charter-slow.XXXXXX)
pid=""
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=""; }
trap 'stop; rm -rf "$work"' EXIT

run() {
  local label=$1 from=$2; shift 2
  echo "--- $label"
  (ulimit -Sn 1024; exec "$bin" --data-dir "$work" serve --addr "127.0.0.1:$port" \
      --header-timeout-seconds 3 --body-timeout-seconds 5 "$@" >"$work/serve.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 100); do
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done
  python3 "$here/slow-clients.py" --port "$port" --pid "$pid" --fresh-from "$from" --header-timeout 3
  stop
}

# The demo register once, so both runs serve the same pages.
"$bin" --data-dir "$work" migrate >/dev/null
run "per-address cap (default)" 127.0.0.2 --demo
run "no per-address cap (as behind a proxy)" 127.0.0.1 --max-connections-per-address 0
