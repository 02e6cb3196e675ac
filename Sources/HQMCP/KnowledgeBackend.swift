public import HQEmbedding
public import HQSearch
public import HQStorage
public import Logging

/// The database pool, embedder and search service the tools share, opened on first use.
///
/// Nothing is opened at start, so `hq mcp` answers the handshake at once and keeps running while the
/// database is down: each call that needs it tries again and reports what failed. A failed open is not
/// cached.
///
/// ```swift
/// let backend = KnowledgeBackend(
///     databaseURL: { "postgresql:///hq" }, makeEmbedder: { try NativeEmbedder(modelDirectory: dir) }, logger: logger)
/// let service = try await backend.searchService(needsEmbedder: true)
/// ```
public actor KnowledgeBackend {
    /// Pool sizing and connection settings.
    public struct Configuration: Sendable, Hashable {
        /// Most connections open at once.
        public var maxConnections = 4
        /// Seconds to wait for a connection before reporting the database unreachable.
        public var connectTimeout = 5
        /// `application_name` of the connections.
        public var applicationName = "hq-mcp"
        /// `statement_timeout` of every session in milliseconds (`HQ_STATEMENT_TIMEOUT_MS` in `hq mcp`); nil keeps the
        /// server's setting.
        public var statementTimeoutMilliseconds: Int? = 30_000

        /// The defaults.
        public init() {}
    }

    private let databaseURL: @Sendable () throws -> String
    private let makeEmbedder: @Sendable () throws -> any Embedder
    private let configuration: Configuration
    /// Where the tools log (stderr in `hq mcp`).
    public let logger: Logger
    private var poolTask: Task<PostgresPool, any Error>?
    private var embedderTask: Task<any Embedder, any Error>?
    private var lexicalService: SearchService?
    private var fullService: SearchService?

    /// Creates a backend; nothing is opened until a tool needs it.
    /// - Parameters:
    ///   - databaseURL: locates the database (may start the embedded cluster; runs on its own thread).
    ///   - makeEmbedder: creates the query embedder (may load model weights; runs on its own thread).
    ///   - configuration: pool settings.
    ///   - logger: receives open failures (never URLs or keys).
    public init(
        databaseURL: @escaping @Sendable () throws -> String,
        makeEmbedder: @escaping @Sendable () throws -> any Embedder,
        configuration: Configuration = .init(),
        logger: Logger
    ) {
        self.databaseURL = databaseURL
        self.makeEmbedder = makeEmbedder
        self.configuration = configuration
        self.logger = logger
    }

    /// The pool, locating the database on first use (connections themselves open lazily).
    /// - Throws: ``MCPToolError`` `unavailable` when the database cannot be located or started.
    public func pool() async throws -> PostgresPool {
        let task =
            poolTask
            ?? Task { [databaseURL, configuration, logger] in
                let url = try await BlockingWork.run(databaseURL)
                let postgres = PostgresConfiguration(
                    url, applicationName: configuration.applicationName, connectTimeout: configuration.connectTimeout,
                    statementTimeoutMilliseconds: configuration.statementTimeoutMilliseconds)
                return PostgresPool(
                    configuration: postgres, maxConnections: configuration.maxConnections, logger: logger)
            }
        poolTask = task
        do {
            return try await task.value
        } catch {
            // Forget only this attempt: a concurrent caller may already have started the next one.
            if poolTask == task { poolTask = nil }
            logger.warning("cannot locate the database", metadata: ["error": "\(error)"])
            throw MCPToolError(
                .unavailable,
                "HQ's database is not available: \(error). Check HQ_DATABASE_URL in this MCP server's configuration "
                    + "(or run `hq db status` for the embedded database), then call the tool again.")
        }
    }

    /// The query embedder, loaded on first use.
    /// - Throws: ``MCPToolError`` `unavailable` when it cannot be created.
    public func embedder() async throws -> any Embedder {
        let task = embedderTask ?? Task { [makeEmbedder] in try await BlockingWork.run(makeEmbedder) }
        embedderTask = task
        do {
            return try await task.value
        } catch {
            if embedderTask == task { embedderTask = nil }
            logger.warning("cannot load the embedder", metadata: ["error": "\(error)"])
            throw MCPToolError(
                .unavailable,
                "The embedding model is not available: \(error). Search with mode \"lexical\" meanwhile "
                    + "(keyword matching, no model needed), or check HQ_MODEL_DIR / HQ_EMBED_URL.")
        }
    }

    /// A search service over the pool; with the embedder when `needsEmbedder` or once it is loaded.
    public func searchService(needsEmbedder: Bool) async throws -> SearchService {
        if let fullService { return fullService }
        let pool = try await pool()
        if needsEmbedder {
            let embedder = try await embedder()
            if let fullService { return fullService }
            let service = SearchService(pool: pool, embedder: embedder, logger: logger)
            fullService = service
            return service
        }
        if let lexicalService { return lexicalService }
        let service = SearchService(pool: pool, embedder: nil, logger: logger)
        lexicalService = service
        return service
    }

    /// Closes the pool if it was opened.
    public func close() async {
        guard let task = poolTask else { return }
        poolTask = nil
        if let pool = try? await task.value { await pool.close() }
    }
}
