#!/bin/sh
# SciFact (or any BEIR folder) through the real indexer and query service, all three modes, in a fresh
# database on the embedded test cluster. Prints the `hq eval --json` report.
#   bench/search-eval.sh [DATASET_DIR]        (default ../shared/datasets/scifact)
# Once `hq eval` is wired into hq: hq eval DATASET_DIR --json --run-file run.trec gives the same figures.
set -eu
cd "$(dirname "$0")/.."
DATASET="${1:-$(pwd)/../shared/datasets/scifact}"
HQ_HOME="${HQ_HOME:-/tmp/hq-home-search}" HQ_EVAL_DATASET="$DATASET" HQ_EVAL_RUN_FILE="${HQ_EVAL_RUN_FILE:-/tmp/hq-scifact.trec}" \
  swift test -c release --scratch-path "${SCRATCH:-.build-search}" --filter DatasetEvalBenchmark 2>&1 \
  | sed -n 's/^HQ_EVAL_REPORT //p'
