import Foundation
import HQStorage
import Logging

/// Where integration tests get their PostgreSQL server. The only place that knows; replace the
/// bodies (e.g. with "start the embedded cluster") without touching the tests.
///
/// For now: the server URL comes from `HQ_TEST_DATABASE_URL` (a superuser connection on a server
/// with pgvector available), and restarting runs the shell command in `HQ_TEST_PG_RESTART_CMD`.
enum TestDatabase {
    static let logger = Logger(label: "hq.tests.postgres")

    /// The URL of a database created for this test process, with the `vector` extension installed.
    /// Tests share it and use uniquely named tables.
    static func url() async throws -> String {
        try await database.value
    }

    /// A configuration for ``url()``, tagged with `applicationName` so a test can find (and
    /// terminate) its own backends in `pg_stat_activity`.
    static func configuration(applicationName: String = "hq-tests") async throws -> PostgresConfiguration {
        PostgresConfiguration(try await url(), applicationName: applicationName, connectTimeout: 5)
    }

    /// Whether ``restartServer()`` can work here.
    static var canRestartServer: Bool {
        ProcessInfo.processInfo.environment["HQ_TEST_PG_RESTART_CMD"] != nil
    }

    /// Restarts the PostgreSQL server, returning once it accepts connections again. Every session
    /// on it is dropped, so the suite calling this must not overlap with other database tests.
    static func restartServer() async throws {
        guard let command = ProcessInfo.processInfo.environment["HQ_TEST_PG_RESTART_CMD"] else {
            throw TestDatabaseError("set HQ_TEST_PG_RESTART_CMD to a command that restarts the test server")
        }
        let status = try await run(["/bin/sh", "-c", command])
        guard status == 0 else { throw TestDatabaseError("restart command exited with status \(status)") }
    }

    private static let database = Task<String, any Error> {
        guard let serverURL = ProcessInfo.processInfo.environment["HQ_TEST_DATABASE_URL"] else {
            throw TestDatabaseError("set HQ_TEST_DATABASE_URL to a PostgreSQL server with pgvector (superuser)")
        }
        let name = "hq_test_" + UUID().uuidString.prefix(8).lowercased()
        let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: logger)
        try await admin.execute(script: "CREATE DATABASE \(name)")
        await admin.close()
        let url = try replacingDatabase(in: serverURL, with: name)
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
        try await connection.execute(script: "CREATE EXTENSION IF NOT EXISTS vector")
        await connection.close()
        return url
    }

    private static func replacingDatabase(in serverURL: String, with name: String) throws -> String {
        guard serverURL.contains("://") else { return serverURL + " dbname=\(name)" }
        guard var components = URLComponents(string: serverURL) else {
            throw TestDatabaseError("HQ_TEST_DATABASE_URL is not a valid URL")
        }
        components.path = "/" + name
        return components.string!
    }

    /// Runs a command and returns its exit status. `posix_spawn` plus a blocking `waitpid` on a
    /// dispatch thread: Foundation's `Process` termination handler did not fire reliably here.
    private static func run(_ arguments: [String]) async throws -> Int32 {
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
        guard spawned == 0 else { throw TestDatabaseError("cannot run \(arguments[0]): error \(spawned)") }
        let child = pid
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
                continuation.resume(returning: status & 0x7F == 0 ? (status >> 8) & 0xFF : -1)
            }
        }
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
