#!/usr/bin/env bash
# Native embedder benchmark, side by side with the reference engines in the same run.
#
#   bench/embed.sh [ROUNDS]        (default 3 rounds; each round runs every engine with --reps 3)
#
# Per round, alternating so both see the same machine: hq-bench-embed throughput (passages ~199 tokens,
# queries ~9.4 tokens, batch 32, plus single-query latency), then sentence-transformers (PyTorch CPU,
# 2 threads) from ../shared/fixtures/minilm/bench_reference.py on the same corpus. If torch cannot
# be installed, the numpy reference of the same script runs instead (and the summary says so).
# Then the peak RSS of embedding 1,000 passages and the agreement with the golden vectors.
# Output: bench/out/embed-<timestamp>.jsonl and a median summary on stdout.
#
# Environment: SCRATCH (swift scratch path, default .build-embed), VENV (default .build-venv),
# FIXTURES (default ../shared/fixtures/minilm), HQ_MODEL_DIR (default models/all-MiniLM-L6-v2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-3}
SCRATCH=${SCRATCH:-.build-embed}
VENV=${VENV:-$ROOT/.build-venv}
FIXTURES=${FIXTURES:-$ROOT/../shared/fixtures/minilm}
MODEL_DIR=${HQ_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}
OUT_DIR=$ROOT/bench/out
mkdir -p "$OUT_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG=$OUT_DIR/embed-$STAMP.jsonl
CORPUS=$OUT_DIR/minilm_corpus.json
: >"$LOG"

say() { printf '%s\n' "$*" >&2; }
meta() { python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@" >>"$LOG"; }

say "== load before: $(uptime)"
meta label machine date "$(date -u +%FT%TZ)" cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    cores "$(nproc)" uptime_before "$(uptime)" openblas "$(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo '?')" \
    swift "$(swift --version 2>&1 | head -1)"

say "== building hq-bench-embed (release)"
swift build -c release --scratch-path "$SCRATCH" --product hq-bench-embed >&2
BENCH=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/hq-bench-embed

say "== reference environment ($VENV)"
ENGINE=st
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c 'import sentence_transformers, torch' 2>/dev/null; then
    # pip's find-links (/opt/wheels here) supplies the CPU torch wheel; PyPI the rest.
    if ! timeout 900 "$VENV/bin/pip" install -q torch sentence-transformers threadpoolctl safetensors tokenizers >&2; then
        say "   torch/sentence-transformers could not be installed: falling back to the numpy reference"
        ENGINE=numpy
        "$VENV/bin/pip" install -q numpy safetensors threadpoolctl >&2
    fi
fi
PY=$VENV/bin/python

if [ ! -s "$CORPUS" ]; then
    (cd "$FIXTURES" && "$PY" bench_reference.py corpus --model-dir "$MODEL_DIR" --out "$CORPUS") >&2
fi

for round in $(seq 1 "$ROUNDS"); do
    say "== round $round/$ROUNDS: $(uptime)"
    "$BENCH" throughput --corpus "$CORPUS" --model-dir "$MODEL_DIR" --reps 3 | sed "s/^{/{\"round\": $round, /" | tee -a "$LOG" >&2
    (cd "$FIXTURES" && HF_HUB_OFFLINE=1 "$PY" bench_reference.py "$ENGINE" --model-dir "$MODEL_DIR" \
        --corpus "$CORPUS" --threads 2 --batch-size 32 --reps 3) | sed "s/^{/{\"round\": $round, /" | tee -a "$LOG" >&2
done

say "== peak RSS, 1,000 passages (fresh process)"
"$BENCH" rss --corpus "$CORPUS" --model-dir "$MODEL_DIR" --passages 1000 | tee -a "$LOG" >&2
say "== agreement with the golden vectors"
"$BENCH" check --golden "$FIXTURES/golden.json" --model-dir "$MODEL_DIR" | tee -a "$LOG" >&2
meta label after uptime_after "$(uptime)"
say "== load after: $(uptime)"

python3 - "$LOG" "$ENGINE" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
engine = sys.argv[2]
def med(label, key):
    v = [r[key] for r in rows if r.get("label") == label and key in r]
    return (statistics.median(v), min(v), max(v), len(v)) if v else None
def line(name, label, key, unit):
    m = med(label, key)
    if m: print(f"{name:<34} {m[0]:>9.1f} {unit:<10} (rounds: {m[3]}, range {m[1]:.1f}-{m[2]:.1f})")
ref = "st" if engine == "st" else "numpy"
ref_name = "sentence-transformers (torch)" if engine == "st" else "numpy reference (torch unavailable)"
print(f"log: {sys.argv[1]}")
print("median over rounds of each round's median-of-3:")
line("native passages/s", "native_passages", "per_s_median", "/s")
line(f"{ref_name} passages/s", f"{ref}_passages", "per_s_median", "/s")
line("native queries/s", "native_queries", "per_s_median", "/s")
line(f"{ref_name} queries/s", f"{ref}_queries", "per_s_median", "/s")
line("native passage tokens/s", "native_passages", "tokens_per_s_median", "tok/s")
line("native query tokens/s", "native_queries", "tokens_per_s_median", "tok/s")
line("native single-query latency", "native_single_query_latency", "median_ms", "ms median")
line("native single-query latency p90", "native_single_query_latency", "p90_ms", "ms")
line("native peak RSS, 1,000 passages", "native_peak_rss", "peak_rss_mb", "MB")
for r in rows:
    if r.get("label") == "native_vs_golden":
        print(f"golden: max |diff| {r['batched_max_abs_diff']:.2e} batched, {r['alone_max_abs_diff']:.2e} alone; "
              f"1-min cos {max(r['batched_one_minus_min_cos'], r['alone_one_minus_min_cos']):.1e}")
fc = [f for r in rows for f in r.get("foreign_cores_all", [])]
if fc: print(f"foreign load during throughput reps (cores): median {statistics.median(fc):.2f}, max {max(fc):.2f}")
PY
