public import Logging

/// A bounded set of connections shared by concurrent tasks.
///
/// ``withConnection(isolation:_:)`` leases a connection for the duration of a closure; when all
/// `maxConnections` are leased, callers wait in FIFO order. Connections are opened lazily. Before a
/// lease, an idle connection is checked without a round trip (a server restart is noticed there)
/// and replaced if dead; after a lease, a broken connection is discarded and one left inside a
/// transaction is rolled back. A statement that fails because the connection dropped throws a
/// ``PostgresError`` with ``PostgresError/isConnectionLost`` set; the next lease gets a fresh
/// connection. Statements are never retried automatically, since the pool cannot know whether
/// they are safe to repeat.
///
/// ```swift
/// let pool = PostgresPool(configuration: config, maxConnections: 4, logger: logger)
/// let count = try await pool.withConnection { conn in
///     try await conn.query("SELECT count(*) FROM documents").first!.decode(Int.self, column: 0)
/// }
/// await pool.close()
/// ```
public final class PostgresPool: Sendable {
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let state: PoolState

    /// Creates a pool; no connection is opened until first use.
    /// - Parameters:
    ///   - configuration: how each connection connects.
    ///   - maxConnections: the most connections open at once (at least 1).
    ///   - logger: receives pool and connection events.
    public init(configuration: PostgresConfiguration, maxConnections: Int = 4, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = PoolState(maxConnections: max(1, maxConnections))
    }

    /// Leases a connection for `body` and returns it to the pool afterwards.
    ///
    /// Do not keep the connection beyond `body`. If the task is cancelled while waiting for a
    /// connection, this throws `CancellationError`.
    /// - Throws: ``PostgresError`` (`connectionFailed`, `poolClosed`), or what `body` throws.
    public func withConnection<R>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> R
    ) async throws -> R {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs one statement on a leased connection.
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Runs one statement on a leased connection, returning the rows affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await withConnection { try await $0.execute(query) }
    }

    /// Runs `body` in a transaction on a leased connection (see ``PostgresConnection/transaction(isolation:_:)``).
    public func transaction<R>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> R
    ) async throws -> R {
        try await withConnection { connection in try await connection.transaction(body) }
    }

    /// Closes idle connections, fails waiters with `poolClosed`, and closes leased connections as
    /// they come back. Later leases throw `poolClosed`.
    public func close() async {
        for connection in await state.close() { await connection.close() }
    }

    // MARK: Leasing

    private func lease() async throws -> PostgresConnection {
        var grant = try await state.acquire()
        while true {
            switch grant {
            case .existing(let connection):
                if await connection.isAlive() { return connection }
                logger.info("postgres pool: discarding a dead connection")
                await connection.close()
                grant = .slot
            case .slot:
                do {
                    return try await PostgresConnection.connect(configuration, logger: logger)
                } catch {
                    await state.releaseSlot()
                    throw error
                }
            }
        }
    }

    private func release(_ connection: PostgresConnection) async {
        if connection.handle.sessionStatus == .inTransaction {
            // The body left a transaction open (it threw between BEGIN and COMMIT): end it here so
            // the next user starts clean.
            _ = try? await connection.handle.run(cancellable: false) { try $0.executeSimpleOnQueue("ROLLBACK") }
        }
        guard connection.handle.sessionStatus == .idle else {
            await connection.close()
            await state.releaseSlot()
            return
        }
        if let rejected = await state.giveBack(connection) { await rejected.close() }
    }
}
