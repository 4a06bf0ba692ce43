#!/usr/bin/env bash
# Benchmark the plain-English checker against textstat 0.7.13 on the same texts, in the same run.
#
#   bash bench/plain-english/run.sh            # prints a summary for BENCHMARKS.md
#
# Both sides run single-threaded (pinned to one core when taskset exists) and are timed in CPU time of
# the benchmark thread, so other work on a shared machine does not count. textstat has every cache
# cleared before each text; its word lists, like ours, are loaded once beforehand and timed separately.
set -euo pipefail
cd "$(dirname "$0")/../.."
FIXTURES=crates/charter-core/tests/fixtures/textstat-0.7.13.json
VENV=${VENV:-/tmp/plain-english-bench-venv}
OUT=${OUT:-bench/plain-english/out}
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r scripts/textstat-fixtures/requirements.txt
fi

PIN=()
if command -v taskset >/dev/null 2>&1; then PIN=(taskset -c 0); fi

cargo build --release -q -p charter-core --example plain_english_bench
BIN="${CARGO_TARGET_DIR:-target}/release/examples/plain_english_bench"

echo "== textstat 0.7.13 (Python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())'))"
"${PIN[@]}" "$VENV/bin/python" bench/plain-english/textstat_bench.py "$FIXTURES" | tee "$OUT/textstat.txt"
echo "== charter-core plain_english"
"${PIN[@]}" "$BIN" "$FIXTURES" | tee "$OUT/charter.txt"

python3 - "$OUT/textstat.txt" "$OUT/charter.txt" <<'PY'
import json, platform, subprocess, sys
ts = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rs = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
ts_wps = ts["corpus_words"] / ts["corpus_s"]
full_wps = rs["corpus_words"] / rs["corpus_full_analysis_s"]
scores_wps = rs["corpus_words"] / rs["corpus_scores_only_s"]
print()
print(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; one core used.")
print(f"| | charter-core | textstat 0.7.13 | ratio |")
print(f"|---|---:|---:|---:|")
print(f"| 1,000-word text, full analysis (ours) vs seven scores (textstat) | {rs['analyse_1000_words_ms']:.2f} ms | {ts['scores_1000_words_ms']:.2f} ms | {ts['scores_1000_words_ms'] / rs['analyse_1000_words_ms']:.0f}× |")
print(f"| Corpus ({rs['texts']} texts, {rs['corpus_words']:,} words), full analysis | {full_wps:,.0f} words/s | {ts_wps:,.0f} words/s | {full_wps / ts_wps:.0f}× |")
print(f"| Corpus, counts and seven scores only | {scores_wps:,.0f} words/s | {ts_wps:,.0f} words/s | {scores_wps / ts_wps:.0f}× |")
print(f"| Loading word lists, once per process | {rs['warm_up_ms']:.1f} ms | {ts['load_ms']:.0f} ms | |")
PY
