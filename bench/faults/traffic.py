"""Sends POST /v1/search in a loop from several threads and writes one JSON line per answer:
{"t": unix time at the answer, "ms": latency, "status": code, "json": body is JSON with error.message when not 200}.
Usage: traffic.py BASE_URL SECONDS OUT.jsonl [THREADS]"""
import json, sys, threading, time, urllib.request, urllib.error

base, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 4
lines, lock = [], threading.Lock()
stop = time.time() + seconds
body = json.dumps({"query": "shipment ledger", "limit": 3, "mode": "lexical"}).encode()

def worker():
    while time.time() < stop:
        start = time.time()
        request = urllib.request.Request(base + "/v1/search", data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                status, payload = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, payload = e.code, e.read()
        except Exception as e:  # refused, reset, timeout: the server itself failed
            status, payload = 0, str(e).encode()
        end = time.time()
        try:
            parsed = json.loads(payload)
            ok = status == 200 or isinstance(parsed.get("error", {}).get("message"), str)
        except Exception:
            ok = False
        with lock:
            lines.append({"t": end, "ms": round((end - start) * 1000, 1), "status": status, "json": ok})
        time.sleep(0.05)

ts = [threading.Thread(target=worker) for _ in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
with open(out, "w") as f:
    for line in sorted(lines, key=lambda l: l["t"]):
        f.write(json.dumps(line) + "\n")
