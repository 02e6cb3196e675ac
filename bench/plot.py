"""Plots of a bench/search.sh result (JSON): latency against concurrency, recall against latency."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result = json.load(open(sys.argv[1]))
out = sys.argv[2]

http = result["http"]
clients = [level["clients"] for level in http]
fig, ax = plt.subplots(figsize=(6, 4))
for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
    ax.plot(clients, [level["wrk"][key] for level in http], marker="o", label=label)
ax.set_xscale("log", base=2)
ax.set_xticks(clients, [str(c) for c in clients])
ax.set_xlabel("concurrent clients")
ax.set_ylabel("latency (ms)")
ax.set_title("POST /v1/search on 100k chunks (hq serve, wrk)")
for c, level in zip(clients, http):
    ax.annotate(f'{level["wrk"]["requests_per_s"]:.0f} req/s', (c, level["wrk"]["p50_ms"]), textcoords="offset points",
                xytext=(4, -12), fontsize=8)
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(f"{out}/search-latency.png", dpi=110)

fig, ax = plt.subplots(figsize=(6, 4))
for row in result["recall"]["filters"]:
    for system, marker in (("ours", "o"), ("incumbent", "x")):
        ms = row[system]["ms"]["p50"]
        recall = row[system]["recall_at_10"]
        ax.scatter([ms], [recall], marker=marker, color="C0" if system == "ours" else "C3")
        ax.annotate(row["filter"], (ms, recall), textcoords="offset points", xytext=(4, 2), fontsize=7)
ax.scatter([], [], marker="o", color="C0", label="HQ Search dense leg (HNSW halfvec, iterative scan / exact)")
ax.scatter([], [], marker="x", color="C3", label="incumbent (ivfflat lists=20, probes=1, post-filter)")
ax.set_xlabel("median latency per query, in process (ms)")
ax.set_ylabel("recall@10 vs exact filtered scan")
ax.set_ylim(-0.02, 1.05)
ax.set_title("Filtered recall on 100k chunks")
ax.grid(alpha=0.3)
ax.legend(fontsize=7, loc="lower right")
fig.tight_layout()
fig.savefig(f"{out}/search-recall.png", dpi=110)
print(f"plots: {out}/search-latency.png, {out}/search-recall.png")
