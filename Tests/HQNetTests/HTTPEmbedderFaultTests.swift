import Foundation
import HQEmbedding
import HQTestSupport
import Logging
import Testing

@Suite("HTTPEmbedder against a fault-injecting server")
struct HTTPEmbedderFaultTests {
    static let secret = "sk-test-SECRET-1234567890"

    func embedder(
        _ server: FaultServer, provider: HTTPEmbeddingProvider = .openAI,
        _ tweak: (inout HTTPEmbedderConfiguration) -> Void = { _ in }
    )
        throws -> HTTPEmbedder
    {
        var configuration = HTTPEmbedderConfiguration(
            url: server.baseURL, provider: provider, model: "m", apiKey: Self.secret)
        configuration.retryBaseDelay = .milliseconds(20)
        configuration.maxRetryDelay = .seconds(3)
        configuration.maxAttempts = 3
        configuration.requestTimeout = .seconds(10)
        tweak(&configuration)
        return try HTTPEmbedder(configuration: configuration, logger: Logger(label: "test"))
    }

    @Test("texts are split by count, sent concurrently and reassembled in order")
    func batchingAndOrder() async throws {
        let server = try FaultServer { request, _ in
            // Answer in reverse index order: the embedder must sort by `index`.
            .json(200, FaultServer.openAIBody(count: FaultServer.inputCount(request), reversed: true))
        }
        defer { server.stop() }
        let embedder = try embedder(server) { $0.batchSize = 10 }
        let vectors = try await embedder.embed((0..<25).map { "text \($0)" })
        #expect(vectors.count == 25)
        #expect(server.requestCount == 3)
        #expect(server.received.map(FaultServer.inputCount).sorted() == [5, 10, 10])
        // Within each batch, vector i is filled with (i+1)/sqrt(384).
        let scale = 1 / Float(384).squareRoot()
        #expect(abs(vectors[0][0] - scale) < 1e-6)
        #expect(abs(vectors[9][0] - 10 * scale) < 1e-5)
        #expect(abs(vectors[10][0] - scale) < 1e-6)
        #expect(server.received.first?.json?["model"] as? String == "m")
        #expect(server.received.first?.headers["authorization"] == "Bearer \(Self.secret)")
    }

    @Test("batches are also cut by estimated tokens")
    func tokenBatching() async throws {
        let server = try FaultServer { request, _ in
            .json(200, FaultServer.openAIBody(count: FaultServer.inputCount(request)))
        }
        defer { server.stop() }
        let embedder = try embedder(server) { $0.maxBatchTokens = 300 }
        let long = String(repeating: "word ", count: 200)  // ≈ 252 estimated tokens
        _ = try await embedder.embed([long, long, long, "short"])
        #expect(server.requestCount == 3)
    }

    @Test("429 with Retry-After is retried after the delay it asks for")
    func retryAfter429() async throws {
        let server = try FaultServer { request, n in
            n == 1
                ? .json(429, #"{"error":{"message":"slow down"}}"#, headers: [("Retry-After", "1")])
                : .json(200, FaultServer.openAIBody(count: FaultServer.inputCount(request)))
        }
        defer { server.stop() }
        let started = ContinuousClock.now
        let vectors = try await embedder(server).embed(["a", "b"])
        #expect(vectors.count == 2)
        #expect(server.requestCount == 2)
        #expect(ContinuousClock.now - started >= .milliseconds(950))
    }

    @Test("500 then success is retried once")
    func serverErrorThenSuccess() async throws {
        let server = try FaultServer { request, n in
            n == 1
                ? .json(500, #"{"error":"boom"}"#)
                : .json(200, FaultServer.openAIBody(count: FaultServer.inputCount(request)))
        }
        defer { server.stop() }
        let vectors = try await embedder(server).embed(["a"])
        #expect(vectors.count == 1)
        #expect(server.requestCount == 2)
    }

    @Test("persistent 503 gives up after maxAttempts with status and provider message")
    func persistentServerError() async throws {
        let server = try FaultServer { _, _ in .json(503, #"{"error":{"message":"model loading"}}"#) }
        defer { server.stop() }
        let error = await #expect(throws: EmbeddingError.self) { try await embedder(server).embed(["a"]) }
        #expect(server.requestCount == 3)
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.context.contains("HTTP 503") == true)
        #expect(error?.context.contains("model loading") == true)
    }

    @Test(
        "other 4xx are not retried; the error has the status and message but never the key",
        arguments: [400, 401, 404, 422])
    func clientErrorsNotRetried(status: Int) async throws {
        let server = try FaultServer { _, _ in
            .json(status, #"{"error":{"message":"Incorrect API key provided: \#(Self.secret)"}}"#)
        }
        defer { server.stop() }
        let error = await #expect(throws: EmbeddingError.self) { try await embedder(server).embed(["a"]) }
        #expect(server.requestCount == 1)
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("HTTP \(status)"))
        #expect(text.contains("Incorrect API key provided"))
        #expect(!text.contains(Self.secret))
    }

    @Test("a response slower than the timeout is retried, then fails clearly; nothing hangs")
    func slowResponse() async throws {
        let server = try FaultServer { _, _ in .after(.seconds(20), .json(200, FaultServer.openAIBody(count: 1))) }
        defer { server.stop() }
        let started = ContinuousClock.now
        let error = await #expect(throws: EmbeddingError.self) {
            try await embedder(server) {
                $0.requestTimeout = .milliseconds(250)
                $0.maxAttempts = 2
            }.embed(["a"])
        }
        // Two 250 ms attempts against a server that answers after 20 s: far below it even on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(server.requestCount == 2)
        #expect(error?.context.contains("timedOut") == true)
    }

    @Test("a connection reset mid-body is retried")
    func resetThenSuccess() async throws {
        let server = try FaultServer { request, n in
            n == 1
                ? .resetMidBody(declared: 5000, partial: Array(#"{"data":[{"index":0,"embedding":[0.1,"#.utf8))
                : .json(200, FaultServer.openAIBody(count: FaultServer.inputCount(request)))
        }
        defer { server.stop() }
        let vectors = try await embedder(server).embed(["a"])
        #expect(vectors.count == 1)
        #expect(server.requestCount == 2)
    }

    @Test(
        "invalid 200 responses fail with a clear error and are not retried",
        arguments: [
            ("malformed", #"{"data": [ {"index": 0, "embedding": [0.1, 0.2"#, "not the JSON"),
            ("wrong count", FaultServer.openAIBody(count: 1), "expected 2 vectors, got 1"),
            ("wrong dimensions", FaultServer.openAIBody(count: 2, dimensions: 768), "768 dimensions, expected 384"),
            ("duplicate index", #"{"data":[{"index":0,"embedding":[]},{"index":0,"embedding":[]}]}"#, "index"),
        ])
    func invalidResponses(name: String, body: String, expected: String) async throws {
        let server = try FaultServer { _, _ in .json(200, body) }
        defer { server.stop() }
        let error = await #expect(throws: EmbeddingError.self) { try await embedder(server).embed(["a", "b"]) }
        #expect(server.requestCount == 1)
        #expect(error?.context.contains(expected) == true, "\(name): \(error.map { "\($0)" } ?? "")")
    }

    @Test("Ollama, TEI and HQ wire shapes", arguments: ["ollama", "tei", "hq"])
    func providerShapes(name: String) async throws {
        let provider = try #require(HTTPEmbeddingProvider(name: name))
        let vector = "[" + [String](repeating: "0.05", count: 384).joined(separator: ",") + "]"
        let server = try FaultServer { request, _ in
            let count = (request.json?["input"] as? [Any])?.count ?? (request.json?["inputs"] as? [Any])?.count ?? 1
            let many = "[" + [String](repeating: vector, count: count).joined(separator: ",") + "]"
            switch (request.path, name) {
            case ("/api/embed", "ollama"): return .json(200, #"{"model":"m","embeddings":\#(many)}"#)
            case ("/embed", "tei"): return .json(200, many)
            case ("/embed", "hq"): return .json(200, #"{"embedding":\#(vector),"model":"m","dimensions":384}"#)
            default: return .json(404, #"{"error":"wrong path \#(request.path)"}"#)
            }
        }
        defer { server.stop() }
        let vectors = try await embedder(server, provider: provider).embed(["a", "b", "c"])
        #expect(vectors.count == 3)
        #expect(vectors.allSatisfy { $0.count == 384 })
        #expect(server.requestCount == (name == "hq" ? 3 : 1))
    }

    @Test("the factory returns the HTTP embedder when a service is configured")
    func factory() throws {
        let remote = HTTPEmbedderConfiguration(url: "http://127.0.0.1:1/v1", provider: .openAI, model: "x")
        let embedder = try EmbedderFactory.make(
            remote: remote, modelDirectory: URL(fileURLWithPath: "/nonexistent"), logger: Logger(label: "test"))
        let http = try #require(embedder as? HTTPEmbedder)
        #expect(http.endpoint == "http://127.0.0.1:1/v1/embeddings")
        #expect(!"\(remote)".contains("sk-"))
    }
}
