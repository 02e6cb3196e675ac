#!/usr/bin/env bash
# Load (issue 9): `hq serve` on a copy of the 100k-chunk benchmark database under 32 concurrent clients for 60 s
# of mixed requests (3 searches to 1 embedding request), while `hq reindex --all` runs beside it from 10 s on. The
# reindex uses the default chunking, so it re-chunks and re-embeds every source (real work on the same two cores
# and the same tables); it is stopped with SIGTERM when the load ends (a graceful stop: leases released).
# Checks: zero errors, p99 recorded, server memory flat (RSS sampled every 5 s; the last sample within 10% of the
# one after warm-up), the reindex made progress and stopped cleanly, nothing left leased. Prints PASS/FAIL lines
# and a JSON summary (bench/out/load-<timestamp>.json); the copy is dropped afterwards.
#
#   bench/load.sh                    (CLIENTS=32 DURATION=60; needs the database from bench/search.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-60}
PORT=${PORT:-18789}
export HQ_ROOT=$PWD
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk (bench/search.sh installs it as root)" >&2; exit 1; }
swift build -c release --product hq >&2
swift build -c release --product hq-bench-search >&2
BIN=$(swift build -c release --show-bin-path)
"$BIN/hq-bench-search" load
"$BIN/hq-bench-search" copy load
URL=$("$BIN/hq-bench-search" url load)
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" "${SAMPLER:-}" "${REINDEXER:-}" 2>/dev/null || true; sleep 1; "$BIN/hq-bench-search" drop load || true; rm -rf "$WORK"' EXIT
"$BIN/hq-bench-search" bodies "$WORK/bodies.jsonl"
HQ_DATABASE_URL=$URL "$BIN/hq" serve --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
BODIES="$WORK/bodies.jsonl" EMBED_EVERY=4 wrk -t2 -c8 -d5s -s bench/search/wrk.lua "http://127.0.0.1:$PORT" >/dev/null
echo "load before: $(uptime)" >&2
( while kill -0 "$SERVER" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; sleep 5; done ) > "$WORK/rss" &
SAMPLER=$!
( sleep 10; exec env HQ_DATABASE_URL="$URL" "$BIN/hq" reindex --all ) > "$WORK/reindex.log" 2>&1 &
REINDEXER=$!
line=$(BODIES="$WORK/bodies.jsonl" EMBED_EVERY=4 wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout 10s -s bench/search/wrk.lua \
  "http://127.0.0.1:$PORT" | tee "$WORK/wrk.log" | sed -n 's/^WRK_JSON //p')
[ -n "$line" ] || { echo "wrk gave no result:" >&2; cat "$WORK/wrk.log" "$WORK/serve.log" >&2; exit 1; }
kill -TERM "$REINDEXER" 2>/dev/null || true
status=0; wait "$REINDEXER" || status=$?
echo "exit $status" >> "$WORK/reindex.log"
kill "$SAMPLER" 2>/dev/null || true
HQ_DATABASE_URL=$URL "$BIN/hq" index status --json > "$WORK/status.json" 2>/dev/null || echo '{}' > "$WORK/status.json"
echo "load after: $(uptime)" >&2
mkdir -p bench/out
OUT=bench/out/load-$(date -u +%Y%m%dT%H%M%SZ).json
python3 - "$line" "$WORK/rss" "$WORK/reindex.log" "$OUT" "$CLIENTS" "$DURATION" "$WORK/status.json" <<'PY'
import json, sys
wrk = json.loads(sys.argv[1]); rss = [int(x) for x in open(sys.argv[2]) if x.strip()]
log = open(sys.argv[3]).read()
status = json.load(open(sys.argv[7]))
exit_line = next((l for l in log.splitlines() if l.startswith("exit ")), "exit ?")
# Stopped by SIGTERM: hq finishes the write in flight, releases its leases and exits 130 (or 0 if it was done);
# nothing may stay leased.
reindex_ok = exit_line in ("exit 0", "exit 130") and status.get("leased", 0) == 0
errors = wrk["errors_status"] + wrk["errors_socket"]
first, last = rss[1] if len(rss) > 1 else rss[0], rss[-1]
flat = last <= first * 1.10
result = {"clients": int(sys.argv[5]), "seconds": int(sys.argv[6]), "wrk": wrk, "rss_kb": rss, "reindex_ok": reindex_ok,
          "reindex_exit": exit_line, "index_status_after": status, "errors": errors, "memory_flat": flat}
json.dump(result, open(sys.argv[4], "w"), indent=1)
print(("PASS" if errors == 0 else "FAIL") + f": {wrk['requests']} requests, {errors} errors, "
      f"{wrk['requests_per_s']:.1f}/s, p50 {wrk['p50_ms']:.0f} ms, p99 {wrk['p99_ms']:.0f} ms")
print(("PASS" if flat else "FAIL") + f": RSS {first // 1024} MB after warm-up, {last // 1024} MB at the end "
      f"(samples: {', '.join(str(r // 1024) for r in rss)} MB)")
print(("PASS" if reindex_ok else "FAIL") + f": hq reindex --all ran beside the load and stopped cleanly ({exit_line}); "
      f"index status after: {status}")
print(f"result: {sys.argv[4]}")
PY
