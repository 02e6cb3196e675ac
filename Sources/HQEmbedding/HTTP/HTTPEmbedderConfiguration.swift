/// How to reach an embedding service and how hard to push it.
///
/// Executables build it from `HQ_EMBED_URL`, `HQ_EMBED_PROVIDER`, `HQ_EMBED_MODEL` and `HQ_EMBED_API_KEY`
/// (and flags); libraries never read the environment. `description` never shows the API key.
public struct HTTPEmbedderConfiguration: Sendable, CustomStringConvertible {
    /// The service's base URL or full endpoint, e.g. `http://127.0.0.1:8787` or `https://api.openai.com/v1`.
    public var url: String
    /// The wire protocol.
    public var provider: HTTPEmbeddingProvider
    /// The model name sent to the service and stored with every vector.
    public var model: String
    /// Bearer token, if the service needs one. Never logged nor put in errors.
    public var apiKey: String?
    /// Length every returned vector must have (the database column's size).
    public var dimensions: Int = 384
    /// Longest input in model tokens the service accepts (what chunkers aim below).
    public var maxTokens: Int = 256
    /// Most texts per request.
    public var batchSize: Int = 32
    /// Most estimated tokens per request (about one token per 4 bytes of UTF-8, plus 2).
    public var maxBatchTokens: Int = 8192
    /// Most requests in flight at once, across all callers of one embedder.
    public var maxConcurrency: Int = 4
    /// Longest wait for a connection.
    public var connectTimeout: Duration = .seconds(5)
    /// Longest wait for one request's complete response.
    public var requestTimeout: Duration = .seconds(60)
    /// Tries per request, the first included (429, 5xx, timeouts and broken connections are retried).
    public var maxAttempts: Int = 5
    /// First retry delay; doubled on each further retry, with jitter.
    public var retryBaseDelay: Duration = .milliseconds(250)
    /// Ceiling of the computed retry delay, and of a `Retry-After` the embedder is willing to honour.
    public var maxRetryDelay: Duration = .seconds(30)
    /// Largest response body accepted.
    public var maxResponseBytes: Int = 64 << 20

    /// Creates a configuration with defaults for everything but the service.
    /// - Parameters:
    ///   - url: base URL or full endpoint.
    ///   - provider: the wire protocol (`openAI` by default).
    ///   - model: the model name (default: the built-in model's id, which `hq serve` answers to).
    ///   - apiKey: bearer token, if any.
    public init(
        url: String, provider: HTTPEmbeddingProvider = .openAI,
        model: String = HTTPEmbedderConfiguration.defaultModel, apiKey: String? = nil
    ) {
        self.url = url
        self.provider = provider
        self.model = model
        self.apiKey = apiKey
    }

    /// The built-in model's id.
    public static let defaultModel = "sentence-transformers/all-MiniLM-L6-v2"

    /// `provider url model …`, with the API key shown only as present or absent.
    public var description: String {
        "\(provider) \(url) model=\(model) dims=\(dimensions) batch=\(batchSize) concurrency=\(maxConcurrency) "
            + "api_key=\(apiKey == nil ? "none" : "set")"
    }
}
