import Foundation
import HQEmbedding
import HQNet
import HQServer
import HQTestSupport
import Logging
import Testing

@Suite("hq serve over loopback")
struct ServerTests {
    static let texts = [
        "How do I reset my password?", "Quarterly revenue grew 12% year over year.",
        "The cat sat on the mat.", "Kubernetes pods restart when the liveness probe fails.",
    ]

    @Test("the HTTP embedder through /v1/embeddings returns the in-process vectors", arguments: ["openai", "hq"])
    func vectorsMatchInProcess(provider: String) async throws {
        let server = try await Fixtures.startServer()
        defer { Task { await server.shutdown() } }
        let configuration = HTTPEmbedderConfiguration(
            url: server.baseURL, provider: HTTPEmbeddingProvider(name: provider)!)
        let remote = try HTTPEmbedder(configuration: configuration, logger: Fixtures.logger)
        let viaHTTP = try await remote.embed(Self.texts)
        let local = try await Fixtures.native.embed(Self.texts)
        #expect(viaHTTP.count == local.count)
        for (a, b) in zip(viaHTTP, local) { #expect(Fixtures.cosine(a, b) >= 0.99999) }
        #expect(remote.modelID == Fixtures.native.modelID)
    }

    @Test("/v1/embeddings: string input, base64 encoding and usage")
    func openAIShape() async throws {
        let server = try await Fixtures.startServer()
        defer { Task { await server.shutdown() } }
        let (status, json) = try await Fixtures.post(
            server.baseURL + "/v1/embeddings", #"{"input":"hello world","encoding_format":"base64","model":"x"}"#)
        #expect(status == 200)
        let data = try #require(json["data"] as? [[String: Any]])
        let encoded = try #require(data.first?["embedding"] as? String)
        let bytes = try #require(Data(base64Encoded: encoded))
        let vector = bytes.withUnsafeBytes { raw in
            (0..<raw.count / 4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
        let local = try await Fixtures.native.embed(["hello world"])[0]
        #expect(vector.count == 384)
        #expect(Fixtures.cosine(vector, local) >= 0.99999)
        let usage = try #require(json["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 4)  // [CLS] hello world [SEP]
        #expect(json["model"] as? String == Fixtures.native.modelID)
    }

    @Test("/embed answers in HQ's shape")
    func hqShape() async throws {
        let server = try await Fixtures.startServer()
        defer { Task { await server.shutdown() } }
        let (status, json) = try await Fixtures.post(server.baseURL + "/embed", #"{"input":"hello"}"#)
        #expect(status == 200)
        #expect((json["embedding"] as? [Any])?.count == 384)
        #expect(json["dimensions"] as? Int == 384)
        #expect(json["model"] as? String == Fixtures.native.modelID)
    }

    @Test(
        "bad requests get 400 with a JSON message",
        arguments: [
            ("{not json", "not valid JSON"),
            (#"{"model":"x"}"#, "'input' is required"),
            (#"{"input":""}"#, "'input' must not be empty"),
            (#"{"input":[]}"#, "'input' must not be empty"),
            (#"{"input":["a",""]}"#, "'input[1]' is empty"),
            (#"{"input":42}"#, "'input' must be a string or an array of strings"),
            (#"{"input":"a","encoding_format":"int8"}"#, "encoding_format"),
            (#"{"input":["a","b","c","d"]}"#, "at most 3"),
        ])
    func badRequests(body: String, message: String) async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder()) { $0.maxInputs = 3 }
        defer { Task { await server.shutdown() } }
        let (status, json) = try await Fixtures.post(server.baseURL + "/v1/embeddings", body)
        #expect(status == 400)
        #expect(Fixtures.errorMessage(json).contains(message), "\(Fixtures.errorMessage(json))")
        #expect((json["error"] as? [String: Any])?["code"] as? String == "invalid_request")
    }

    @Test("hq embed refuses empty texts with the message POST /v1/embeddings gives (one EmbedRequest)")
    func cliSameMessages() async throws {
        for (arguments, message) in [
            (["embed", ""], "'input' must not be empty"), (["embed", "a", ""], "'input[1]' is empty"),
        ] {
            let run = try await HQProcess.run(arguments, environment: ["HQ_EMBED_URL": nil])
            #expect(run.status != 0)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }

    @Test("an oversized body gets 413 with a JSON message")
    func oversizedBody() async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder()) { $0.maxBodyBytes = 1000 }
        defer { Task { await server.shutdown() } }
        let big = #"{"input":""# + String(repeating: "x", count: 5000) + #""}"#
        let (status, json) = try await Fixtures.post(server.baseURL + "/v1/embeddings", big)
        #expect(status == 413)
        #expect(Fixtures.errorMessage(json).contains("larger than 1000 bytes"))
        // The server still answers afterwards.
        let (after, _) = try await Fixtures.post(server.baseURL + "/embed", #"{"input":"ok"}"#)
        #expect(after == 200)
    }

    @Test("with HQ_API_KEY set, requests need the bearer token; /healthz does not")
    func authOn() async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder()) { $0.apiKey = "server-key" }
        defer { Task { await server.shutdown() } }
        let url = server.baseURL + "/v1/embeddings"
        let missing = try await Fixtures.post(url, #"{"input":"a"}"#)
        #expect(missing.status == 401)
        #expect(Fixtures.errorMessage(missing.json).contains("missing bearer token"))
        let wrong = try await Fixtures.post(url, #"{"input":"a"}"#, token: "server-kez")
        #expect(wrong.status == 401)
        #expect(Fixtures.errorMessage(wrong.json) == "invalid bearer token")
        let right = try await Fixtures.post(url, #"{"input":"a"}"#, token: "server-key")
        #expect(right.status == 200)
        let health = try await Fixtures.client.get(server.baseURL + "/healthz")
        #expect(health.status == 200)
        let metrics = try await Fixtures.client.get(server.baseURL + "/metrics")
        #expect(metrics.status == 401)
    }

    @Test("without HQ_API_KEY, no token is needed")
    func authOff() async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder())
        defer { Task { await server.shutdown() } }
        #expect(try await Fixtures.post(server.baseURL + "/embed", #"{"input":"a"}"#).status == 200)
        #expect(try await Fixtures.post(server.baseURL + "/embed", #"{"input":"a"}"#, token: "anything").status == 200)
    }

    @Test("the HTTP embedder reports the server's 401 without retrying")
    func embedderSeesAuthFailure() async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder()) { $0.apiKey = "server-key" }
        defer { Task { await server.shutdown() } }
        let configuration = HTTPEmbedderConfiguration(url: server.baseURL, apiKey: "wrong-key")
        let error = await #expect(throws: EmbeddingError.self) {
            try await HTTPEmbedder(configuration: configuration, logger: Fixtures.logger).embed(["a"])
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.context.contains("HTTP 401: invalid bearer token") == true)
        #expect(error.map { "\($0)" }?.contains("wrong-key") == false)
    }

    @Test("concurrent requests are micro-batched into shared model batches")
    func microBatching() async throws {
        let counting = CountingEmbedder(delay: .milliseconds(100))
        let server = try await Fixtures.startServer(embedder: counting) { $0.maxBatchesInFlight = 1 }
        defer { Task { await server.shutdown() } }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<12 {
                group.addTask { try await Fixtures.post(server.baseURL + "/embed", #"{"input":"text \#(i)"}"#).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(counting.calls.reduce(0, +) == 12)
        #expect(counting.calls.count < 12)
        #expect(counting.calls.count <= 4, "\(counting.calls)")
    }

    @Test("a full embedding queue answers 503 with Retry-After at once instead of queueing without bound")
    func boundedQueue() async throws {
        let counting = CountingEmbedder(delay: .milliseconds(300))
        let server = try await Fixtures.startServer(embedder: counting) {
            $0.maxBatchesInFlight = 1
            $0.maxBatchTexts = 1
            $0.maxPendingTexts = 4
        }
        defer { Task { await server.shutdown() } }
        let answers = try await withThrowingTaskGroup(of: HTTPClientResponse.self) { group in
            for i in 0..<16 {
                group.addTask {
                    var request = HTTPClientRequest(url: server.baseURL + "/v1/embeddings", method: .post)
                    request.setJSONBody(Data(#"{"input":"text \#(i)"}"#.utf8))
                    return try await Fixtures.client.execute(request)
                }
            }
            return try await group.reduce(into: [HTTPClientResponse]()) { $0.append($1) }
        }
        let served = answers.filter { $0.status == 200 }
        let refused = answers.filter { $0.status == 503 }
        #expect(served.count >= 5, "one running and four waiting are served")
        #expect(served.count + refused.count == 16, "\(answers.map(\.status))")
        #expect(!refused.isEmpty, "the queue holds at most 4 texts")
        for refusal in refused {
            let json = try JSONSerialization.jsonObject(with: refusal.body) as? [String: Any]
            #expect((json?["error"] as? [String: Any])?["code"] as? String == "embedder_busy")
            #expect(refusal.header("retry-after") == "1")
        }
        #expect(counting.calls.reduce(0, +) == served.count, "refused texts never reach the model")
    }

    @Test("/healthz and /metrics")
    func healthAndMetrics() async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder())
        defer { Task { await server.shutdown() } }
        _ = try await Fixtures.post(server.baseURL + "/v1/embeddings", #"{"input":["a","b"]}"#)
        let health = try await Fixtures.client.get(server.baseURL + "/healthz")
        let json = try #require(try JSONSerialization.jsonObject(with: health.body) as? [String: Any])
        #expect(json["status"] as? String == "ok")
        #expect(json["database"] as? String == "none")
        let metrics = String(decoding: try await Fixtures.client.get(server.baseURL + "/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"hq_http_requests_total{method="POST",route="/v1/embeddings",status="200"} 1"#))
        #expect(metrics.contains("hq_embed_texts_total 2"))
        #expect(metrics.contains("# TYPE hq_http_request_duration_seconds summary"))
    }

    @Test("unknown routes get a JSON 404")
    func notFound() async throws {
        let server = try await Fixtures.startServer(embedder: CountingEmbedder())
        defer { Task { await server.shutdown() } }
        let response = try await Fixtures.client.get(server.baseURL + "/nope")
        #expect(response.status == 404)
    }
}
