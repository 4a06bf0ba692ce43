#!/usr/bin/env bash
# Property-based tests of the JSON API against its own OpenAPI document: starts
# `charter serve --demo` on a throwaway data folder and a free port, makes an organisation token
# with the drafts and optout-check scopes so the write API is tested past 401, and runs
# Schemathesis (pinned with every dependency, in a throwaway virtual environment) over every operation.
# Any 5xx, undocumented status code, wrong content type, response that does not match its
# schema or missing documented header fails the run.
#
# Usage: scripts/schemathesis.sh [CHARTER_BIN [SCHEMATHESIS_OPTION...]]
#   CHARTER_BIN defaults to target/debug/charter; further options go to `schemathesis run`
#   (such as --continue-on-failure, or --report har to see every request and response).
# Environment: SCHEMATHESIS_MAX_EXAMPLES (default 100) cases per operation and phase;
#              SCHEMATHESIS_SEED to repeat a run (each run prints its seed);
#              SCHEMATHESIS_REPORT_DIR to keep a JUnit report there.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
bin=${1:-target/debug/charter}
[ $# -gt 0 ] && shift
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-100}
[ -x "$bin" ] || { echo "no charter binary at $bin: run cargo build -p charter-cli first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/charter-schemathesis.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "Installing Schemathesis $SCHEMATHESIS_VERSION into a throwaway virtual environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  --constraint scripts/schemathesis-constraints.txt "schemathesis==$SCHEMATHESIS_VERSION"

data="$work/data"
log="$work/serve.log"
"$bin" --data-dir "$data" serve --demo --addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "running at" "$log" && break; sleep 0.1; done
base=$(grep -o 'http://[^/ ]*' "$log" | head -1 || true)
[ -n "$base" ] || { echo "charter serve did not start:" >&2; cat "$log" >&2; exit 1; }
echo "Serving the demo register at $base"

# The token is made in the same database the server uses (SQLite allows both at once), for an
# administrator of the organisation: a token always belongs to a person.
"$bin" --data-dir "$data" user add --email ci-tokens@knowsley.example --role organisation-admin \
  --organisation knowsley-council >/dev/null
token=$("$bin" --data-dir "$data" org token create --organisation knowsley-council \
  --owner ci-tokens@knowsley.example --label ci --scope drafts --scope optout-check)

# One draft to start from, so that reading, replacing and submitting a draft get past 404.
draft=$(curl -sS --fail-with-body -X POST "$base/api/v1/drafts" \
  -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  --data '{"title": "Schemathesis test entry", "status": "planned", "uses_ai": false, "decision_role": "information-only"}')
read -r draft_id draft_lock < <(printf '%s' "$draft" |
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["id"], d["lock"])')

# Half the generated ids are real ones (that draft, the demo register's projects), and half the
# If-Match headers that draft's ETag, so that replacing and submitting it can succeed.
config="$work/schemathesis.toml"
{
  echo '[dictionaries.drafts]'
  echo "values = [$draft_id]"
  echo '[dictionaries.locks]'
  echo "values = ['\"$draft_lock\"']"
  echo '[dictionaries.projects]'
  printf 'values = ['; for n in $(seq 1 50); do printf '"LCR-%04d", ' "$n"; done; echo ']'
  echo '[[operations]]'
  echo 'include-path-regex = "^/api/v1/drafts/"'
  echo 'parameters = { "path.id" = { dictionary = "drafts", probability = 0.5 }, "header.If-Match" = { dictionary = "locks", probability = 0.5 } }'
  echo '[[operations]]'
  echo 'include-path-regex = "^/api/v1/projects/"'
  echo 'parameters = { "path.id" = { dictionary = "projects", probability = 0.5 } }'
} >"$config"

extra_args=()
[ -n "${SCHEMATHESIS_SEED:-}" ] && extra_args+=(--seed "$SCHEMATHESIS_SEED")
if [ -n "${SCHEMATHESIS_REPORT_DIR:-}" ]; then
  extra_args+=(--report junit --report-dir "$(realpath -m "$SCHEMATHESIS_REPORT_DIR")")
fi

# Run from the temporary folder: Schemathesis keeps a cache in the folder it runs in.
# One worker: Hypothesis parses lambdas with Python's ast module, and on Python 3.11 before
# 3.11.8 two threads doing that at once can fail with "AST constructor recursion depth mismatch"
# (CPython gh-106905), a failure of the tool and not of the API.
status=0
cd "$work"
"$work/venv/bin/schemathesis" --config-file "$config" run "$base/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --header "Authorization: Bearer $token" \
  --max-examples "$max_examples" \
  --phases examples,coverage,fuzzing \
  --workers 1 \
  --request-timeout 30 \
  --generation-database none \
  --suppress-health-check too_slow,filter_too_much,data_too_large \
  --no-color \
  "${extra_args[@]}" "$@" || status=$?

if [ "$status" -ne 0 ]; then
  echo "Schemathesis found responses that break the API's own OpenAPI document (exit $status)." >&2
  echo "The server's log:" >&2
  tail -50 "$log" >&2
fi
exit "$status"
