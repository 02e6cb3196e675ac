#!/usr/bin/env bash
# Retrieval quality: SciFact (or any BEIR folder) through the real indexer and query service in a fresh database
# on the embedded cluster (`hq eval`): dense, lexical and hybrid with the configured fusion, plus a fusion sweep
# over the same index (each reported as hybrid(SPEC)).
#
#   bench/search-eval.sh [DATASET_DIR]        (default ../shared/datasets/scifact)
#
# Environment: SPLIT (default test; choose parameters on train, report test), CANDIDATES (per leg; unset = 300
# candidates and 100 results, 50 = the service's own settings), FUSIONS (default "rrf:60 rrf:20 convex:0.4
# convex:0.5 convex:0.6 convex:0.7"), HQ_HOME.
# Output: the `hq eval --json` report on stdout and in bench/out/eval-<timestamp>.json, TREC run files beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATASET="${1:-$(pwd)/../shared/datasets/scifact}"
FUSIONS=${FUSIONS:-"rrf:60 rrf:20 convex:0.4 convex:0.5 convex:0.6 convex:0.7"}
mkdir -p bench/out
swift build -c release --product hq >&2
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
args=(--split "${SPLIT:-test}")
if [ -n "${CANDIDATES:-}" ]; then args+=(--candidates "$CANDIDATES"); fi
for f in $FUSIONS; do args+=(--fusion "$f"); done
echo "load before: $(uptime)" >&2
.build/release/hq eval "$DATASET" --json --run-file "bench/out/eval-${SPLIT:-test}-$STAMP.trec" "${args[@]}" | tee "bench/out/eval-${SPLIT:-test}-$STAMP.json"
echo "load after: $(uptime)" >&2
