"""A loopback embedding service that misbehaves on demand (OpenAI wire shape, POST /v1/embeddings).
The mode is read from MODE_FILE on every request:
  ok        forward to UPSTREAM (an `hq serve --no-database`: the real model over HTTP)
  slow      sleep 2 s, then forward
  garbage   200 with a body that is not JSON
  wrongdim  200 with well-formed JSON holding 3-dimensional vectors
  short     200 with one vector fewer than inputs
  error500  500 with a JSON error
Usage: embed_fault_server.py PORT UPSTREAM MODE_FILE"""
import http.server, json, sys, time, urllib.request

port, upstream, mode_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def reply(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = open(mode_file).read().strip()
        inputs = json.loads(body).get("input", [])
        n = len(inputs) if isinstance(inputs, list) else 1
        if mode == "garbage":
            return self.reply(200, b"\x89PNG\r\n\x1a\n not json at all {{{", "application/json")
        if mode == "wrongdim":
            data = [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(n)]
            return self.reply(200, json.dumps({"object": "list", "data": data, "model": "x"}).encode())
        if mode == "error500":
            return self.reply(500, b'{"error":{"message":"fault server: internal error"}}')
        if mode == "slow":
            time.sleep(2)
        request = urllib.request.Request(upstream + self.path, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as r:
            answer = r.read()
        if mode == "short":
            parsed = json.loads(answer)
            parsed["data"] = parsed["data"][:-1]
            answer = json.dumps(parsed).encode()
        self.reply(200, answer)

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
