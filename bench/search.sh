#!/usr/bin/env bash
# The 100,000-chunk search benchmark, side by side with the incumbent's query on the same data:
#   1. hq-bench-search load    SciFact through the real indexer into ~100k sentence-sized chunks in database
#                              hq_bench_search (skipped when already built; vectors cached in .build/bench-cache);
#   2. hq-bench-search recall  filtered recall@10 vs an exact scan, short answers, in-process latency, and the
#                              incumbent (ivfflat lists=20, probes=1, filter after the scan);
#   3. `hq serve` on that database, loaded by wrk (POST /v1/search, every SciFact query, 70% unfiltered, the
#      rest over the filters) at 1, 8 and 32 concurrent clients;
#   4. bench/plot.py: PNG plots of latency against concurrency and of recall against latency.
#
#   bench/search.sh                  (DURATION=20 seconds per concurrency level; CLIENTS="1 8 32")
#
# Needs wrk (Debian package; installed here when running as root). Output: bench/out/search-<timestamp>.json
# and docs/bench/*.png. The first run embeds ~100k chunks (minutes); later runs reuse the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-"1 8 32"}
PORT=${PORT:-18787}
export HQ_ROOT=$ROOT
mkdir -p bench/out

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "bench/search.sh needs wrk: sudo apt-get install wrk" >&2
    exit 1
  fi
fi

swift build -c release --product hq >&2
swift build -c release --product hq-bench-search >&2
BIN=$(swift build -c release --show-bin-path)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
echo "load before: $(uptime)" >&2
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN/hq-bench-search" load
"$BIN/hq-bench-search" recall > "$WORK/recall.json"
"$BIN/hq-bench-search" bodies "$WORK/bodies.jsonl"

URL=$("$BIN/hq-bench-search" url)
HQ_DATABASE_URL=$URL "$BIN/hq" serve --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
BODIES="$WORK/bodies.jsonl" wrk -t1 -c1 -d5s -s bench/search/wrk.lua "http://127.0.0.1:$PORT" >/dev/null  # warm-up
echo "{\"rss_kb_after_warmup\": $(rss)}" > "$WORK/http.jsonl"
for c in $CLIENTS; do
  threads=$(( c < 2 ? c : 2 ))
  echo "http: $c clients, $DURATION s" >&2
  line=$(BODIES="$WORK/bodies.jsonl" wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s -s bench/search/wrk.lua \
    "http://127.0.0.1:$PORT" | sed -n 's/^WRK_JSON //p')
  echo "$line" >&2
  echo "{\"clients\": $c, \"rss_kb\": $(rss), \"wrk\": $line}" >> "$WORK/http.jsonl"
done
echo "load after: $(uptime)" >&2

OUT=bench/out/search-$STAMP.json
python3 - "$WORK/recall.json" "$WORK/http.jsonl" "$OUT" "$(uptime)" "$DURATION" <<'PY'
import json, sys
recall = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
result = {"recall": recall, "http": [l for l in lines if "clients" in l], "rss_kb_after_warmup": lines[0]["rss_kb_after_warmup"],
          "load_after": sys.argv[4], "seconds_per_level": int(sys.argv[5])}
json.dump(result, open(sys.argv[3], "w"), indent=1, sort_keys=True)
PY
echo "result: $OUT" >&2
bench/plot.sh "$OUT" >&2 || echo "plots skipped (bench/plot.sh failed)" >&2
cat "$OUT"
