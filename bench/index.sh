#!/usr/bin/env bash
# Indexer benchmark: SciFact (5,183 abstracts) end to end into a fresh database, the pure embedder on the same
# chunks in the same run, then `reindex --all` with nothing changed.
#
#   bench/index.sh [CORPUS]      (default ../shared/datasets/scifact/corpus.jsonl)
#
# Environment: SCRATCH (swift scratch path, default .build-index), HQ_DATABASE_URL (default: the embedded
# cluster under HQ_HOME), HQ_MODEL_DIR. Output: a JSON line on stdout, progress on stderr, and
# bench/out/index-<timestamp>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-index}
mkdir -p bench/out
swift build -c release --scratch-path "$SCRATCH" --product hq-bench-index >&2
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
echo "load before: $(uptime)" >&2
OUT=bench/out/index-$(date -u +%Y%m%dT%H%M%SZ).json
HQ_ROOT=$PWD "$SCRATCH/release/hq-bench-index" "$@" | tee "$OUT"
echo "load after: $(uptime)" >&2
