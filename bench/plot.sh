#!/usr/bin/env bash
# PNG plots of a bench/search.sh result: latency against concurrency, recall against latency.
#   bench/plot.sh bench/out/search-<timestamp>.json    (writes docs/bench/*.png)
# matplotlib comes from PyPI into a venv under .build (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build/bench-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q matplotlib
fi
mkdir -p docs/bench
"$VENV/bin/python" bench/plot.py "$1" docs/bench
