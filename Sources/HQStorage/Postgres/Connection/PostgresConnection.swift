public import Logging

/// One session with a PostgreSQL server, over libpq.
///
/// Every blocking libpq call runs on the connection's own serial queue, never on Swift's cooperative
/// thread pool; the async methods suspend until it finishes. Operations from different tasks are
/// serialised, but a connection carries session state (transactions), so give each unit of work its
/// own connection, usually by leasing from a ``PostgresPool``.
///
/// Values reach the server only as bind parameters (see ``PostgresQuery``); statements are prepared
/// once per connection and reused. Results use the binary format.
///
/// ```swift
/// let conn = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
/// let rows = try await conn.query("SELECT id, title FROM documents WHERE folder_id = \(folderID)")
/// await conn.close()
/// ```
public final class PostgresConnection: Sendable {
    let handle: ConnectionHandle

    private init(handle: ConnectionHandle) { self.handle = handle }

    /// Opens a connection.
    /// - Parameters:
    ///   - configuration: where and how to connect.
    ///   - logger: receives connection events and server notices (debug); never values or secrets.
    /// - Throws: ``PostgresError`` of kind `connectionFailed` (its description never shows a password).
    public static func connect(_ configuration: PostgresConfiguration, logger: Logger) async throws
        -> PostgresConnection
    {
        PostgresConnection(handle: try await ConnectionHandle.connect(configuration, logger: logger))
    }

    /// Runs one statement with bind parameters and returns its rows.
    ///
    /// A cancelled task asks the server to cancel the statement (SQLSTATE 57014).
    /// - Complexity: one round trip once the statement is prepared (two the first time per connection).
    /// - Throws: ``PostgresError`` (`server` with SQLSTATE, `connectionLost`, `encoding`, …).
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await handle.run { try $0.executeOnQueue(query) }
    }

    /// Runs one statement with bind parameters and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await self.query(query).affectedRows
    }

    /// Runs a script of one or more statements separated by semicolons, without parameters, through
    /// the simple query protocol (for migrations and DDL). Unless the script has its own
    /// `BEGIN`/`COMMIT`, the server runs it as one implicit transaction.
    /// - Throws: ``PostgresError`` from the first failing statement.
    public func execute(script: String) async throws {
        try await handle.run { try $0.executeScriptOnQueue(script) }
    }

    /// The server process id serving this session (useful in logs and with `pg_terminate_backend`).
    public func backendPID() async throws -> Int {
        try await handle.run(cancellable: false) { $0.backendPIDOnQueue }
    }

    /// Whether the connection is still usable, checked without a round trip.
    public func isAlive() async -> Bool {
        (try? await handle.run(cancellable: false) { $0.checkAliveOnQueue() }) ?? false
    }

    /// Whether the last operation left the connection closed or broken.
    public var isClosed: Bool {
        switch handle.sessionStatus {
        case .broken, .closed: true
        case .idle, .inTransaction: false
        }
    }

    /// Closes the session. Later calls throw ``PostgresError`` of kind `connectionClosed`.
    public func close() async {
        _ = try? await handle.run(cancellable: false) { $0.closeOnQueue() }
    }
}
