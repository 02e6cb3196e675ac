public import HQEmbedding
public import HQStorage
public import Logging

/// What route handlers need, built once per server: configuration, the embedder, the database pool if any,
/// metrics and the logger. Route groups receive it in ``RouteGroup/addRoutes(to:server:)``.
public struct ServerContext: Sendable {
    /// Listening address and limits.
    public let configuration: ServerConfiguration
    /// The embedder requests are served with (micro-batched through ``embed(_:)``).
    public let embedder: any Embedder
    /// The database, for DB-backed routes; nil when the server runs without one (those routes answer 503).
    public let database: PostgresPool?
    /// The server's logger (no request text above `.debug`, no secrets ever).
    public let logger: Logger
    /// Counters and timings rendered at `GET /metrics`; routes may record their own.
    public let metrics: ServerMetrics

    let batcher: MicroBatcher
    let databaseHealth = DatabaseHealth()

    /// Creates the context.
    /// - Parameters:
    ///   - configuration: address and limits.
    ///   - embedder: the embedder to serve.
    ///   - database: the pool for DB-backed routes, if any.
    ///   - logger: the server's logger.
    public init(configuration: ServerConfiguration, embedder: any Embedder, database: PostgresPool? = nil, logger: Logger) {
        self.configuration = configuration
        self.embedder = embedder
        self.database = database
        self.logger = logger
        self.metrics = ServerMetrics()
        self.batcher = MicroBatcher(
            embedder: embedder, maxBatchTexts: configuration.maxBatchTexts,
            maxInFlight: configuration.maxBatchesInFlight, maxPendingTexts: configuration.maxPendingTexts, metrics: metrics)
    }

    /// Embeds `texts` together with whatever other requests are waiting: one model batch for many callers.
    /// - Returns: one vector and token count per text, in order.
    public func embed(_ texts: [String]) async throws -> [EmbeddedText] {
        try await batcher.embed(texts)
    }
}

/// A served text's vector and how many model tokens it took (for `usage`).
public struct EmbeddedText: Sendable {
    /// The vector (`dimensions` floats).
    public let vector: [Float]
    /// Tokens the model saw (estimated as UTF-8 bytes / 4 + 2 for embedders that do not report them).
    public let tokens: Int
}
