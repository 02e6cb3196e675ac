#!/usr/bin/env bash
# Embedding throughput through `hq serve` (loopback HTTP, OpenAI-compatible route, libcurl client) vs the
# same native model in process.
#
#   bench/http.sh [ROUNDS]       (default 3)
#
# Modes (see bench/http/main.swift): batch32 (one client, requests of 32 passages), c8-batch32 (8 clients),
# c8-single (8 clients sending single queries, micro-batched by the server). Log: bench/out/http-<stamp>.jsonl;
# a median summary with the HTTP cost per mode on stdout.
#
# Environment: SCRATCH (swift scratch path, default .build-http), HQ_MODEL_DIR, CORPUS (default
# bench/out/minilm_corpus.json, built by bench/embed.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-3}
SCRATCH=${SCRATCH:-.build-http}
CORPUS=${CORPUS:-$ROOT/bench/out/minilm_corpus.json}
OUT_DIR=$ROOT/bench/out
mkdir -p "$OUT_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG=$OUT_DIR/http-$STAMP.jsonl
: >"$LOG"
say() { printf '%s\n' "$*" >&2; }
[ -s "$CORPUS" ] || { say "no corpus at $CORPUS: run bench/embed.sh once (it builds it)"; exit 1; }

say "== building hq-bench-http (release)"
swift build -c release --scratch-path "$SCRATCH" --product hq-bench-http >&2
BENCH=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/hq-bench-http

python3 -c 'import json,sys; print(json.dumps({"label":"machine","date":sys.argv[1],"cpu":sys.argv[2],"cores":sys.argv[3],"uptime_before":sys.argv[4]}))' \
    "$(date -u +%FT%TZ)" "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" "$(nproc)" "$(uptime)" >>"$LOG"
say "== load before: $(uptime)"
"$BENCH" --corpus "$CORPUS" --rounds "$ROUNDS" | tee -a "$LOG" >&2
python3 -c 'import json,sys; print(json.dumps({"label":"after","uptime_after":sys.argv[1]}))' "$(uptime)" >>"$LOG"
say "== load after: $(uptime)"

python3 - "$LOG" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"log: {sys.argv[1]}")
print(f"{'mode':<12} {'in-process/s':>13} {'http/s':>9} {'http cost':>10}   (median of rounds; per-round costs)")
for mode in ["batch32", "c8-batch32", "c8-single"]:
    per = {}
    for r in rows:
        if r.get("mode") == mode:
            per.setdefault(r["round"], {})[r["path"]] = r["texts_per_s"]
    rounds = [v for v in per.values() if "http" in v and "inprocess" in v]
    if not rounds: continue
    ip = statistics.median(v["inprocess"] for v in rounds)
    ht = statistics.median(v["http"] for v in rounds)
    costs = [1 - v["http"] / v["inprocess"] for v in rounds]
    print(f"{mode:<12} {ip:>13.1f} {ht:>9.1f} {100*statistics.median(costs):>9.1f}%   " + ", ".join(f"{100*c:.1f}%" for c in costs))
PY
