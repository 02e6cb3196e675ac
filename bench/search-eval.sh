#!/usr/bin/env bash
# Retrieval quality: SciFact (or any BEIR folder) through the real indexer and query service in a fresh database
# on the embedded cluster (`hq eval`): dense, lexical and hybrid with the configured fusion, plus a fusion sweep
# over the same index (each reported as hybrid(SPEC)), on the train split (where choices are made) and the test
# split (where they are reported), both over one indexing.
#
#   bench/search-eval.sh [DATASET_DIR]        (default ../shared/datasets/scifact)
#
# Environment: SPLITS (default "train test"), CANDIDATES (per leg; default 50 with 10 results per query: the
# service's own settings; empty = 300 candidates and 100 results, for Recall@100), FUSIONS (default "rrf:10 rrf:60
# rrf:20 rrf:5 convex:0.4 convex:0.5 convex:0.6 convex:0.65 convex:0.7 convex:0.8 dbsf:0.4 dbsf:0.5 dbsf:0.6
# dbsf:0.7"), HQ_MODEL (all-MiniLM-L6-v2 or bge-small-en-v1.5), HQ_HOME.
# Output: the `hq eval --json` reports (one per split) on stdout and in bench/out/eval-<timestamp>.json, TREC run
# files beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATASET="${1:-$(pwd)/../shared/datasets/scifact}"
FUSIONS=${FUSIONS-"rrf:10 rrf:60 rrf:20 rrf:5 convex:0.4 convex:0.5 convex:0.6 convex:0.65 convex:0.7 convex:0.8 dbsf:0.4 dbsf:0.5 dbsf:0.6 dbsf:0.7"}
CANDIDATES=${CANDIDATES-50}
mkdir -p bench/out
swift build -c release --product hq >&2
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
args=()
for split in ${SPLITS:-train test}; do args+=(--split "$split"); done
if [ -n "$CANDIDATES" ]; then args+=(--candidates "$CANDIDATES"); fi
for f in $FUSIONS; do args+=(--fusion "$f"); done
echo "load before: $(uptime)" >&2
.build/release/hq eval "$DATASET" --json --run-file "bench/out/eval-$STAMP.trec" "${args[@]}" | tee "bench/out/eval-$STAMP.json"
echo "load after: $(uptime)" >&2
