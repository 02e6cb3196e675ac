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
    public var maxInputs: Int = 512
    /// Most texts in one model batch assembled from concurrent requests.
    public var maxBatchTexts: Int = 64
    /// Model batches running at once (the native embedder has two lanes by default).
    public var maxBatchesInFlight: Int = 2
    /// The chat-completions endpoint that writes draft-set variants; nil stores rendered templates.
    public var llm: LLMConfiguration?

    /// Retrieval pipeline tuning for the search routes (`SearchConfiguration.environment`).
    public var search = SearchConfiguration()

    /// The default configuration: 127.0.0.1:8787, no auth.
    public init() {}

    /// `host:port`, limits, and whether auth is on (never the key).
    public var description: String {
        "\(host):\(port) auth=\(apiKey == nil ? "off" : "on") max_body=\(maxBodyBytes) max_inputs=\(maxInputs) llm=\(llm == nil ? "off" : "on")"
    }
}
