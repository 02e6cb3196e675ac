import HQEmbedding
public import HQKnowledge
public import HQSearch

/// Where `hq serve` listens and the limits it enforces. Executables fill it from flags and the environment.
public struct ServerConfiguration: Sendable, CustomStringConvertible {
    /// Interface to bind (default loopback only).
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests).
    public var port: Int = 8787
    /// When set, every route except `GET /healthz` needs `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int = 4 << 20
    /// Most texts in one embeddings request (400 beyond).
    public var maxInputs: Int = EmbedRequest.defaultMaxInputs
    /// Most texts in one model batch assembled from concurrent requests.
    public var maxBatchTexts: Int = 64
    /// Most texts waiting for the model across all requests; a request that would queue more answers 503 with
    /// `Retry-After` instead of growing the queue without bound.
    public var maxPendingTexts: Int = 4096
    /// Model batches running at once (the native embedder has two lanes by default).
    public var maxBatchesInFlight: Int = 2
    /// The chat-completions endpoint that writes draft-set variants; nil stores rendered templates.
    public var llm: LLMConfiguration?

    /// Retrieval pipeline tuning for the search routes (`SearchConfiguration.environment`).
    public var search = SearchConfiguration()

    /// The default configuration: 127.0.0.1:8787, no auth.
    public init() {}

    /// Checks that the server is closed by default: without ``apiKey`` it may bind a loopback address only
    /// (``LoopbackHost/isLoopbackBindAddress(_:)``), so nothing beyond this machine can reach an unauthenticated API.
    /// - Throws: ``ServerConfigurationError`` naming the two ways out (set `HQ_API_KEY`, or bind 127.0.0.1).
    public func validate() throws(ServerConfigurationError) {
        let hasKey = !(apiKey ?? "").isEmpty
        guard hasKey || LoopbackHost.isLoopbackBindAddress(host) else {
            throw ServerConfigurationError(
                message:
                    "refusing to listen on \(host) without an API key: anyone who can reach it could read the knowledge base",
                hint: "set HQ_API_KEY to require 'Authorization: Bearer <key>', or bind loopback with --host 127.0.0.1")
        }
        guard maxPendingTexts > 0 else {
            throw ServerConfigurationError(message: "maxPendingTexts must be positive", hint: "use the default 4096")
        }
    }

    /// `host:port`, limits, and whether auth is on (never the key).
    public var description: String {
        "\(host):\(port) auth=\(apiKey == nil ? "off" : "on") max_body=\(maxBodyBytes) max_inputs=\(maxInputs) llm=\(llm == nil ? "off" : "on")"
    }
}

/// A server configuration that must not be served, with what to do about it (never contains the key).
public struct ServerConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    /// The next step for the operator.
    public let hint: String

    /// `message (hint)`.
    public var description: String { "\(message) (\(hint))" }
}
