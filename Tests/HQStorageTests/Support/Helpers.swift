import Foundation
import HQStorage
import HQTestSupport
import Testing

/// All suites that talk to the server nest in this one so they run one at a time: the restart test
/// drops every session, and the pool tests count backends.
@Suite(.serialized) enum PostgresIntegration {}

/// Opens a connection to the test database, runs `body`, and closes it.
func withTestConnection<R>(
    applicationName: String = "hq-tests", _ body: (PostgresConnection) async throws -> R
) async throws -> R {
    let connection = try await PostgresConnection.connect(
        try await TestDatabase.configuration(applicationName: applicationName), logger: TestDatabase.logger)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

/// A table name no other test uses.
func uniqueTableName(_ prefix: String) -> String {
    prefix + "_" + UUID().uuidString.prefix(8).lowercased()
}

/// Deterministic pseudo-random floats (a xorshift), so failures reproduce.
func pseudoRandomFloats(count: Int, seed: UInt64) -> [Float] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Float(Double(state % 2_000_001) / 1_000_000 - 1)
    }
}

/// Decodes the single value of a one-row, one-column result.
func scalar<T: PostgresDecodable>(_ type: T.Type, _ rows: PostgresRows) throws -> T {
    guard let row = rows.first else { throw TestDatabaseError("no rows") }
    return try row.decode(type, column: 0)
}

/// Terminates every server session whose `application_name` is `applicationName`, as a network
/// failure or an administrator would, waiting until they are gone; returns how many there were.
@discardableResult
func terminateBackends(applicationName: String) async throws -> Int {
    try await withTestConnection(applicationName: "hq-tests-admin") { (admin: PostgresConnection) async throws in
        try await admin.query(
            """
            SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
            WHERE application_name = \(applicationName) AND pid <> pg_backend_pid()
            """
        ).count
    }
}

/// Waits until a session with `application_name` = `applicationName` is running `pg_sleep` on the server (a
/// fixed pause before cancelling or terminating is a race on a loaded machine: the statement may not have been
/// sent yet, and then the interruption lands on nothing or never reaches the server). Gives up after 30 s.
func waitUntilSleeping(applicationName: String) async throws {
    for _ in 0..<600 {
        let running = try await withTestConnection(applicationName: "hq-tests-admin") {
            (admin: PostgresConnection) async throws -> Int in
            try scalar(
                Int.self,
                await admin.query(
                    """
                    SELECT count(*)::int FROM pg_stat_activity
                    WHERE application_name = \(applicationName) AND state = 'active' AND query LIKE '%pg_sleep%'
                      AND pid <> pg_backend_pid()
                    """))
        }
        if running > 0 { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestDatabaseError("no session of \(applicationName) started pg_sleep within 30 s")
}

/// Counts server sessions with `application_name` = `applicationName`.
func backendCount(applicationName: String) async throws -> Int {
    try await withTestConnection(applicationName: "hq-tests-admin") { (admin: PostgresConnection) async throws in
        try scalar(
            Int.self,
            await admin.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = \(applicationName)"))
    }
}

/// Closes the listener after `seconds` so a test waiting on its sequence cannot hang.
func closeAfter(_ seconds: Int, _ listener: PostgresListener) -> Task<Void, any Error> {
    Task {
        try await Task.sleep(for: .seconds(seconds))
        await listener.close()
    }
}
