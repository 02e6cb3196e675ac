#!/usr/bin/env bash
# Freshness (issue 14): how long a change takes from its committed transaction to the first `POST /v1/search` that
# reflects it, on a copy of the 100k-chunk database while people search and a bulk job runs:
#   - `hq serve` on the copy, and `hq index --watch` (HQ_LOG_LEVEL=debug: its per-source stage times);
#   - 8 clients searching all the time (wrk, every SciFact query, hybrid, as bench/search.sh);
#   - `hq reindex --folder Bench/Other` beside them (the default chunking, so it re-chunks and re-embeds: real work),
#     started after the targets are indexed and stopped (SIGTERM) when the edits are done;
#   - 200 changes, 40 of each kind (new document, one-paragraph edit of a ~3,000-word document, archive, delete, an
#     asset's file replaced by one of the same name and size), one at a time in a seeded order, 150–400 ms apart.
# Prints per kind p50 / p95 / p99 and the median of each stage (commit → lease asked, lease, extract, embed, write,
# written → visible); bench/out/freshness-<timestamp>.json. The copy is dropped afterwards.
#
#   bench/freshness.sh            (needs the database from bench/search.sh: hq-bench-search load builds it)
#   CLIENTS=0 bench/freshness.sh  (no searching clients)     BULK=0 bench/freshness.sh  (no bulk job)
#   BIN=/path/to/.build/release bench/freshness.sh  (another build, e.g. a worktree of an older commit)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18791}
CLIENTS=${CLIENTS:-8}
BULK=${BULK:-1}
export HQ_ROOT=$PWD
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk (bench/search.sh installs it as root)" >&2; exit 1; }
# BIN=<another build's bin directory> runs that build instead (an A/B of two commits on the same data).
if [ -z "${BIN:-}" ]; then
  for product in hq hq-bench-search hq-bench-freshness; do swift build -c release --product "$product" >&2; done
  BIN=$(swift build -c release --show-bin-path)
fi
"$BIN/hq-bench-search" load
"$BIN/hq-bench-search" copy fresh
URL=$("$BIN/hq-bench-search" url fresh)
WORK=$(mktemp -d)
FILES=$WORK/files
mkdir -p "$FILES"
cleanup() {
  kill "${SERVER:-}" "${WATCHER:-}" "${REINDEXER:-}" "${WRK:-}" 2>/dev/null || true
  sleep 1
  "$BIN/hq-bench-search" drop fresh || true
  rm -rf "$WORK"
}
trap cleanup EXIT
HQ_DATABASE_URL=$URL "$BIN/hq" db migrate >&2
"$BIN/hq-bench-search" bodies "$WORK/bodies.jsonl"
HQ_DATABASE_URL=$URL "$BIN/hq" serve --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
HQ_DATABASE_URL=$URL HQ_LOG_LEVEL=debug "$BIN/hq" index --watch --files-root "$FILES" > "$WORK/watch.log" 2>&1 &
WATCHER=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }

"$BIN/hq-bench-freshness" setup --database "$URL" --files "$FILES"
echo "load before: $(uptime)" >&2
if [ "$CLIENTS" -gt 0 ]; then
  BODIES="$WORK/bodies.jsonl" wrk -t2 -c"$CLIENTS" -d1h --timeout 10s -s bench/search/wrk.lua \
    "http://127.0.0.1:$PORT" > "$WORK/wrk.log" 2>&1 &
  WRK=$!
fi
: > "$WORK/reindex.log"
if [ "$BULK" = 1 ]; then
  HQ_DATABASE_URL=$URL "$BIN/hq" reindex --folder Bench/Other > "$WORK/reindex.log" 2>&1 &
  REINDEXER=$!
fi
sleep 10  # the bulk job under way
ps -L -o tid=,ni=,pcpu=,comm= -p "${REINDEXER:-0}" > "$WORK/reindex-threads.txt" 2>/dev/null || true
"$BIN/hq-bench-freshness" edits --database "$URL" --server "http://127.0.0.1:$PORT"
echo "load after: $(uptime)" >&2
reindex_running=$(kill -0 "${REINDEXER:-0}" 2>/dev/null && echo true || echo false)
kill -TERM ${REINDEXER:-} ${WRK:-} 2>/dev/null || true
wait ${REINDEXER:-} 2>/dev/null || true
mkdir -p bench/out
OUT=bench/out/freshness-$(date -u +%Y%m%dT%H%M%SZ).json
"$BIN/hq-bench-freshness" report --database "$URL" --timings "$WORK/watch.log" > "$WORK/report.json"
python3 - "$WORK/report.json" "$OUT" "$reindex_running" "$WORK/reindex.log" "$(uptime)" "$WORK/reindex-threads.txt" "$CLIENTS" "$BULK" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
report["reindex_threads_tid_nice_cpu"] = [l.split()[:3] for l in open(sys.argv[6]) if l.strip()]
report["load_after"] = sys.argv[5]
report["searching_clients"] = int(sys.argv[7]); report["bulk_job"] = sys.argv[8] == "1"
report["bulk_job_still_running_at_the_end"] = sys.argv[3] == "true"
report["reindex_log_tail"] = open(sys.argv[4]).read()[-400:]
json.dump(report, open(sys.argv[2], "w"), indent=1, sort_keys=True)
for kind, r in sorted(report.items()):
    if not isinstance(r, dict): continue
    stages = r.get("stage_medians_ms", {})
    order = ["commit_to_lease_asked", "lease", "extract", "embed", "write", "written_to_visible"]
    split = " → ".join(f"{s} {stages[s]:.0f}" for s in order if s in stages)
    print(f"{kind}: n {r['n']}, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f}, p99 {r['p99_ms']:.0f}, "
          f"max {r['max_ms']:.0f}, not visible in 30 s: {r['not_visible_within_30s']}" + (f"\n    stages (median ms): {split}" if split else ""))
print(f"bulk job still running at the end: {report['bulk_job_still_running_at_the_end']}")
print(f"result: {sys.argv[2]}")
PY
