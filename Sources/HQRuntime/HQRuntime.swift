import HQCore
public import HQEmbedding
public import HQKnowledge
public import HQSearch
public import HQStorage
public import Logging

/// The one runtime every front works through: `hq serve`, `hq mcp` and each CLI command get their database pool,
/// their embedder (the built-in model or an HTTP service, chosen by one rule in the executable) and one
/// ``SearchService`` with its configuration and query-embedding cache from here, and build boot and draft-set
/// services over that same search service.
///
/// Two ways to make one:
/// - lazily, from a way to locate the database and a way to make the embedder (``init(databaseURL:makeEmbedder:makeTokenCounter:configuration:logger:)``):
///   nothing opens until a call needs it, a failure is reported and retried on the next call (`hq mcp`, the CLI);
/// - from a pool and an embedder already made (``init(pool:embedder:configuration:logger:)``): `hq serve`, whose
///   embedder batches queries from concurrent requests together.
///
/// ```swift
/// let runtime = HQRuntime(databaseURL: { url }, makeEmbedder: { try NativeEmbedder(modelDirectory: dir) }, logger: logger)
/// let answer = try await runtime.search(needsEmbedder: request.needsEmbedder).search(request)
/// await runtime.close()
/// ```
public actor HQRuntime {
    /// Pool sizing, session settings and the services' configuration.
    public struct Configuration: Sendable {
        /// Most connections open at once.
        public var maxConnections = 4
        /// Seconds to wait for a connection before reporting the database unreachable.
        public var connectTimeout = 5
        /// `application_name` of the connections.
        public var applicationName = "hq"
        /// `statement_timeout` of every session in milliseconds (`HQ_STATEMENT_TIMEOUT_MS`); nil keeps the server's.
        public var statementTimeoutMilliseconds: Int? = 30_000
        /// Retrieval tuning (`HQ_SEARCH_*`), for every service built here.
        public var search = SearchConfiguration()
        /// The chat-completions endpoint that writes draft-set variants; nil stores rendered templates.
        public var llm: LLMConfiguration?

        /// The defaults.
        public init() {}
    }

    private let databaseURL: (@Sendable () throws -> String)?
    private let makeEmbedder: (@Sendable () throws -> any Embedder)?
    private let makeTokenCounter: (@Sendable () throws -> any TokenCounter)?
    /// The configuration the services get.
    public nonisolated let configuration: Configuration
    /// Where the services log (never URLs, keys or request text above `.debug`).
    public nonisolated let logger: Logger
    private var poolTask: Task<PostgresPool, any Error>?
    private var embedderTask: Task<any Embedder, any Error>?
    private var lexicalService: SearchService?
    private var fullService: SearchService?
    /// The boot budget counter once known (given, or loaded once by `makeTokenCounter`).
    private var tokenCounter: (any TokenCounter)?

    /// A runtime that opens the database and the embedder on first use.
    /// - Parameters:
    ///   - databaseURL: locates the database (may start the embedded cluster; runs on its own thread).
    ///   - makeEmbedder: creates the embedder (may load model weights; runs on its own thread).
    ///   - makeTokenCounter: counts boot budgets when no query needs the whole model (e.g. the model's vocabulary
    ///     only); nil counts with the embedder when it loads, else with an estimate.
    ///   - configuration: pool settings and service configuration.
    ///   - logger: receives open failures (never URLs or keys).
    public init(
        databaseURL: @escaping @Sendable () throws -> String,
        makeEmbedder: @escaping @Sendable () throws -> any Embedder,
        makeTokenCounter: (@Sendable () throws -> any TokenCounter)? = nil,
        configuration: Configuration = .init(),
        logger: Logger
    ) {
        self.databaseURL = databaseURL
        self.makeEmbedder = makeEmbedder
        self.makeTokenCounter = makeTokenCounter
        self.configuration = configuration
        self.logger = logger
    }

    /// A runtime over a pool and an embedder already made (the caller closes the pool); boot budgets are counted
    /// with the embedder's ``Embedder/tokenCounter``.
    public init(pool: PostgresPool?, embedder: any Embedder, configuration: Configuration = .init(), logger: Logger) {
        self.databaseURL = nil
        self.makeEmbedder = nil
        self.makeTokenCounter = nil
        self.tokenCounter = embedder.tokenCounter
        self.configuration = configuration
        self.logger = logger
        self.poolTask = pool.map { pool in Task { pool } }
        self.embedderTask = Task { embedder }
    }

    /// The pool, locating the database on first use (connections themselves open lazily).
    /// - Throws: ``RuntimeError`` `databaseUnavailable` when the database cannot be located or started.
    public func pool() async throws(RuntimeError) -> PostgresPool {
        guard let task = poolTask ?? makePoolTask() else {
            throw RuntimeError(.databaseUnavailable, "this process runs without a database")
        }
        poolTask = task
        do {
            return try await task.value
        } catch {
            // Forget only this attempt: a concurrent caller may already have started the next one.
            if poolTask == task { poolTask = nil }
            logger.warning("cannot locate the database", metadata: ["error": "\(error)"])
            throw RuntimeError(.databaseUnavailable, "\(error)")
        }
    }

    private func makePoolTask() -> Task<PostgresPool, any Error>? {
        guard let databaseURL else { return nil }
        return Task { [configuration, logger] in
            let url = try await BlockingWork.run(databaseURL)
            let postgres = PostgresConfiguration(
                url, applicationName: configuration.applicationName, connectTimeout: configuration.connectTimeout,
                statementTimeoutMilliseconds: configuration.statementTimeoutMilliseconds)
            return PostgresPool(configuration: postgres, maxConnections: configuration.maxConnections, logger: logger)
        }
    }

    /// The embedder, made on first use.
    /// - Throws: ``RuntimeError`` `embedderUnavailable` when it cannot be made.
    public func embedder() async throws(RuntimeError) -> any Embedder {
        let task: Task<any Embedder, any Error>
        if let embedderTask {
            task = embedderTask
        } else if let makeEmbedder {
            task = Task { try await BlockingWork.run(makeEmbedder) }
        } else {
            throw RuntimeError(.embedderUnavailable, "no embedder is configured")
        }
        embedderTask = task
        do {
            return try await task.value
        } catch {
            if embedderTask == task { embedderTask = nil }
            logger.warning("cannot load the embedder", metadata: ["error": "\(error)"])
            throw RuntimeError(.embedderUnavailable, "\(error)")
        }
    }

    /// The search service: with the embedder when `needsEmbedder` or once it is loaded (lexical searches never
    /// wait for a model). One service per runtime once the embedder is there, so one query-embedding cache.
    public func search(needsEmbedder: Bool) async throws(RuntimeError) -> SearchService {
        if let fullService { return fullService }
        let pool = try await pool()
        if needsEmbedder {
            let embedder = try await embedder()
            if let fullService { return fullService }
            let service = SearchService(
                pool: pool, embedder: embedder, configuration: configuration.search, logger: logger)
            fullService = service
            return service
        }
        if let lexicalService { return lexicalService }
        let service = SearchService(pool: pool, embedder: nil, configuration: configuration.search, logger: logger)
        lexicalService = service
        return service
    }

    /// A boot service over the runtime's search service, counting tokens with the model's tokenizer when it can.
    public func boot(needsEmbedder: Bool) async throws(RuntimeError) -> BootService {
        let search = try await search(needsEmbedder: needsEmbedder)
        let pool = try await pool()
        if let tokenCounter {
            return BootService(pool: pool, search: search, tokenCounter: tokenCounter, logger: logger)
        }
        if let makeTokenCounter, !needsEmbedder, fullService == nil {
            do {
                // Loaded once per runtime, not per call.
                let counter = try await BlockingWork.run(makeTokenCounter)
                tokenCounter = counter
                return BootService(pool: pool, search: search, tokenCounter: counter, logger: logger)
            } catch {
                logger.warning("cannot load the tokenizer; counting with an estimate", metadata: ["error": "\(error)"])
            }
        }
        // Without a query the model is optional: its tokenizer counts when it loads, an estimate otherwise.
        let embedder: (any Embedder)? = needsEmbedder ? try await embedder() : try? await embedder()
        return BootService(pool: pool, search: search, countingWith: embedder, logger: logger)
    }

    /// A draft-set assembler over the runtime's search service; `llm` overrides the configured one (nil: none).
    public func draftSets(llm: LLMConfiguration?? = .none) async throws(RuntimeError) -> DraftSetAssembler {
        DraftSetAssembler(
            pool: try await pool(), search: try await search(needsEmbedder: true), llm: llm ?? configuration.llm,
            logger: logger)
    }

    /// A draft-set assembler for reading stored sets only (no embedder needed).
    public func draftSetReader() async throws(RuntimeError) -> DraftSetAssembler {
        DraftSetAssembler(
            pool: try await pool(), search: try await search(needsEmbedder: false), llm: nil, logger: logger)
    }

    /// Closes the pool if this runtime opened it.
    public func close() async {
        guard databaseURL != nil, let task = poolTask else { return }
        poolTask = nil
        if let pool = try? await task.value { await pool.close() }
    }
}

/// A service the runtime could not provide: the database or the embedder.
public struct RuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which service.
    public enum Code: String, Sendable, Hashable {
        /// The database cannot be located, started or reached.
        case databaseUnavailable
        /// The embedder cannot be made (model files missing, a bad HTTP embedder configuration).
        case embedderUnavailable
    }

    /// Which service.
    public let code: Code
    /// Why, without URLs or keys.
    public let context: String

    /// Creates an error.
    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public var description: String {
        switch code {
        case .databaseUnavailable: "the database is not available: \(context)"
        case .embedderUnavailable: "the embedding model is not available: \(context)"
        }
    }
}
