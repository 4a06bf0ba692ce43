#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: `start DIR PORT` creates and starts one in DIR (as a
# non-root user, since initdb and pg_ctl refuse root) and prints its URL; `stop DIR` stops it;
# `resume DIR PORT` starts it again.
set -euo pipefail

run_as() {
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    if ! id "$user" >/dev/null 2>&1; then
      user=charter-pg
      id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    fi
    # runuser keeps the environment we pass and needs no password.
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

owner() {
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then echo postgres; else echo charter-pg; fi
  else
    id -un
  fi
}

case "${1:-}" in
  start)
    dir=${2:?usage: start DIR PORT}
    port=${3:?usage: start DIR PORT}
    mkdir -p "$dir"
    run_as true  # creates the user if needed
    chown "$(owner)" "$dir"
    chmod 700 "$dir"
    run_as initdb --pgdata="$dir/data" --username=charter --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log"; exit 1; }
    run_as pg_ctl --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log"; exit 1; }
    run_as psql -h 127.0.0.1 -p "$port" -U charter -d postgres -qc "CREATE DATABASE charter" >/dev/null
    echo "postgres://charter@127.0.0.1:$port/charter"
    ;;
  resume)
    # Start a cluster that `start` created and `stop` stopped.
    dir=${2:?usage: resume DIR PORT}
    port=${3:?usage: resume DIR PORT}
    run_as pg_ctl --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log"; exit 1; }
    ;;
  stop)
    dir=${2:?usage: stop DIR}
    [ -d "$dir/data" ] && run_as pg_ctl --pgdata="$dir/data" --mode=fast --wait stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start DIR PORT | resume DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
