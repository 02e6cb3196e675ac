public import HQStorage
import Synchronization

extension ServerContext {
    /// Runs `body` on a pooled connection, answering 503 (JSON, `Retry-After`) quickly when Postgres is down.
    ///
    /// With no database configured, or within two seconds of a failed connection, it throws at once instead
    /// of waiting on a connect timeout for every request.
    /// - Throws: ``APIError/databaseUnavailable(_:)`` when the database cannot be reached; `body`'s errors
    ///   otherwise (a lost connection also becomes 503).
    public func withDatabase<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        guard let database else { throw APIError.databaseUnavailable("this server runs without a database") }
        return try await withDatabaseOutagesAs503 { try await database.withConnection(body) }
    }

    /// Runs `body`, which uses the database through a service of its own (one that takes connections from the
    /// server's pool itself), with the same outage handling as ``withDatabase(_:)``: 503 at once while the
    /// database is known to be down, and a lost or refused connection inside `body` becomes 503.
    ///
    /// Use this, not ``withDatabase(_:)``, around services: holding a connection while the service asks the same
    /// pool for more starves the pool under concurrent requests.
    public func withDatabaseOutagesAs503<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        guard database != nil else { throw APIError.databaseUnavailable("this server runs without a database") }
        if databaseHealth.isCoolingDown { throw APIError.databaseUnavailable() }
        do {
            let result = try await body()
            databaseHealth.markUp()
            return result
        } catch let error as PostgresError where error.sqlState == "57014" {
            // statement_timeout (or a cancel): the database is fine, this request was too costly or unlucky.
            logger.warning("database statement cancelled", metadata: ["sqlstate": "57014"])
            throw APIError.statementTimeout()
        } catch let error as PostgresError where Self.isUnavailability(error) {
            databaseHealth.markDown()
            logger.warning("database unavailable", metadata: ["kind": "\(error.kind)"])
            throw APIError.databaseUnavailable()
        }
    }

    /// True when the database is configured and not known to be down (for health reports).
    public var databaseLooksAvailable: Bool { database != nil && !databaseHealth.isCoolingDown }

    static func isUnavailability(_ error: PostgresError) -> Bool {
        error.isConnectionLost || error.kind == .connectionFailed || error.kind == .connectionClosed
            || error.kind == .poolClosed
    }
}

/// Remembers a recent connection failure so DB-backed routes fail fast for a short while.
final class DatabaseHealth: Sendable {
    private let downUntil = Mutex<ContinuousClock.Instant?>(nil)
    private let coolDown: Duration = .seconds(2)

    var isCoolingDown: Bool {
        downUntil.withLock { until in until.map { ContinuousClock.now < $0 } ?? false }
    }

    func markDown() { downUntil.withLock { $0 = ContinuousClock.now + coolDown } }
    func markUp() { downUntil.withLock { $0 = nil } }
}
