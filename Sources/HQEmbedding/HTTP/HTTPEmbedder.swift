public import HQNet
public import Logging

/// An ``Embedder`` that calls an embedding service over HTTP (OpenAI-compatible, Ollama, TEI or HQ's own).
///
/// Texts are split into requests by count (``HTTPEmbedderConfiguration/batchSize``) and by estimated tokens
/// (``HTTPEmbedderConfiguration/maxBatchTokens``); at most ``HTTPEmbedderConfiguration/maxConcurrency``
/// requests of this embedder are in flight at once, whoever calls. 429, 5xx, timeouts and broken
/// connections are retried with exponential backoff and jitter, honouring `Retry-After`; other 4xx are not.
/// Every response is checked: vector count, `index` order, dimensions, finite numbers.
///
/// ```swift
/// var config = HTTPEmbedderConfiguration(url: "http://127.0.0.1:8787", provider: .openAI)
/// let embedder = try HTTPEmbedder(configuration: config, logger: logger)
/// let vectors = try await embedder.embed(["first chunk", "second chunk"])
/// ```
public final class HTTPEmbedder: Embedder {
    /// The configured model name.
    public var modelID: String { configuration.model }
    /// The vector length every response must have.
    public var dimensions: Int { configuration.dimensions }
    /// The configured input limit in tokens.
    public var maxTokens: Int { configuration.maxTokens }
    /// The settings this embedder was created with.
    public let configuration: HTTPEmbedderConfiguration
    /// The full endpoint URL requests go to.
    public let endpoint: String

    let client: HTTPClient
    let limiter: ConcurrencyLimiter
    let logger: Logger

    /// Creates an embedder; nothing is sent until the first `embed`.
    /// - Parameters:
    ///   - configuration: service, model, key, limits, retries.
    ///   - client: the HTTP client to share (default: a new one with the configuration's timeouts and cap).
    ///   - logger: receives retries and failures (status, host, attempt); never texts or keys.
    /// - Throws: `EmbeddingError.invalidConfiguration` for a URL that is not http(s) or non-positive limits.
    public init(configuration: HTTPEmbedderConfiguration, client: HTTPClient? = nil, logger: Logger)
        throws(EmbeddingError)
    {
        let url = configuration.url.lowercased()
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw EmbeddingError(.invalidConfiguration, "HQ_EMBED_URL must be an http:// or https:// URL")
        }
        guard configuration.batchSize > 0, configuration.maxBatchTokens > 0, configuration.maxConcurrency > 0,
            configuration.maxAttempts > 0, configuration.dimensions > 0
        else {
            throw EmbeddingError(
                .invalidConfiguration, "batch size, batch tokens, concurrency, attempts and dimensions must be positive"
            )
        }
        self.configuration = configuration
        self.endpoint = configuration.provider.endpoint(for: configuration.url)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectTimeout = configuration.connectTimeout
        clientConfiguration.timeout = configuration.requestTimeout
        clientConfiguration.maxResponseBytes = configuration.maxResponseBytes
        clientConfiguration.maxConnectionsPerHost = max(configuration.maxConcurrency, 2)
        self.client = client ?? HTTPClient(configuration: clientConfiguration, logger: logger)
        self.limiter = ConcurrencyLimiter(limit: configuration.maxConcurrency)
        self.logger = logger
    }

    /// Embeds `texts` through the service, returning one vector per text, in order.
    /// - Throws: `EmbeddingError` (`serviceUnavailable` after retries, or for an invalid response;
    ///   `invalidInput` when the service rejects the input; `invalidConfiguration` for 401/403/404), or
    ///   `CancellationError`. Never a partial result.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        if texts.isEmpty { return [] }
        let batches = Self.batches(
            of: texts, maxCount: configuration.provider.acceptsBatches ? configuration.batchSize : 1,
            maxTokens: configuration.maxBatchTokens)
        if batches.count == 1 {
            return try await limiter.withPermit { try await self.embedBatch(texts) }
        }
        return try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (number, range) in batches.enumerated() {
                let slice = Array(texts[range])
                group.addTask { (number, try await self.limiter.withPermit { try await self.embedBatch(slice) }) }
            }
            var parts = [[[Float]]](repeating: [], count: batches.count)
            for try await (number, vectors) in group { parts[number] = vectors }
            return parts.flatMap { $0 }
        }
    }

    /// Splits `texts` into consecutive ranges of at most `maxCount` texts and about `maxTokens` estimated
    /// tokens (a single longer text gets a range of its own).
    /// - Complexity: O(n) in the total UTF-8 length.
    static func batches(of texts: [String], maxCount: Int, maxTokens: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (i, text) in texts.enumerated() {
            let estimate = text.utf8.count / 4 + 2
            if i > start && (i - start >= maxCount || tokens + estimate > maxTokens) {
                ranges.append(start..<i)
                start = i
                tokens = 0
            }
            tokens += estimate
        }
        ranges.append(start..<texts.count)
        return ranges
    }
}
