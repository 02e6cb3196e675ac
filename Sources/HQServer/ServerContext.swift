public import HQEmbedding
public import HQKnowledge
public import HQRuntime
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
    /// The one runtime of the server: its search service (with ``ServerConfiguration/search`` and one query cache,
    /// embedding queries through the micro-batcher), and the boot and draft-set services built over it.
    public let runtime: HQRuntime

    let batcher: MicroBatcher
    let databaseHealth = DatabaseHealth()

    /// Creates the context.
    /// - Parameters:
    ///   - configuration: address and limits.
    ///   - embedder: the embedder to serve.
    ///   - database: the pool for DB-backed routes, if any.
    ///   - logger: the server's logger.
    public init(
        configuration: ServerConfiguration, embedder: any Embedder, database: PostgresPool? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.embedder = embedder
        self.database = database
        self.logger = logger
        self.metrics = ServerMetrics()
        let batcher = MicroBatcher(
            embedder: embedder, maxBatchTexts: configuration.maxBatchTexts,
            maxInFlight: configuration.maxBatchesInFlight, maxPendingTexts: configuration.maxPendingTexts,
            metrics: metrics)
        self.batcher = batcher
        var runtimeConfiguration = HQRuntime.Configuration()
        runtimeConfiguration.search = configuration.search
        runtimeConfiguration.llm = configuration.llm
        self.runtime = HQRuntime(
            pool: database, embedder: BatchedEmbedder(batcher: batcher, embedder: embedder),
            configuration: runtimeConfiguration, logger: logger)
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

/// The server's micro-batched embedder as an ``Embedder`` for the query services: a query embedding waits for the
/// next model batch together with the other requests' texts.
struct BatchedEmbedder: Embedder {
    let batcher: MicroBatcher
    let embedder: any Embedder
    var modelID: String { embedder.modelID }
    var dimensions: Int { embedder.dimensions }
    var maxTokens: Int { embedder.maxTokens }
    var tokenCounter: any TokenCounter { embedder.tokenCounter }
    var queryPrefix: String { embedder.queryPrefix }
    func embed(_ texts: [String]) async throws -> [[Float]] { try await batcher.embed(texts).map(\.vector) }
}
