import Foundation
import HQCore
public import HQStorage
public import Logging

/// Where integration tests get their PostgreSQL: the embedded cluster `hq` manages (started on demand
/// under `HQ_HOME`, as the real product does), or the server `HQ_TEST_DATABASE_URL` names.
///
/// Each test process gets its own databases (`hq_test_<pid>_<n>`); databases left by dead test
/// processes are dropped on first use.
public enum TestDatabase {
    public static let logger = Logger(label: "hq.tests")

    /// The repository root (for `db/migrations`, `models/`, fixtures), from this file's location.
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared` beside the repository (fixtures and datasets; read-only).
    public static var sharedDirectory: String { packageRoot + "/../shared" }

    /// The URL of a database created for this test process with the `vector` extension installed.
    /// Tests that share it use uniquely named tables.
    public static func url() async throws -> String {
        try await sharedDatabase.value
    }

    /// A configuration for ``url()``, tagged with `applicationName` so a test can find (and terminate)
    /// its own backends in `pg_stat_activity`.
    public static func configuration(applicationName: String = "hq-tests") async throws -> PostgresConfiguration {
        PostgresConfiguration(try await url(), applicationName: applicationName, connectTimeout: 5)
    }

    /// A URL of a fresh, empty database (with `vector` available) on the test server.
    public static func freshDatabase() async throws -> String {
        let server = try await serverURL.value
        let name = "hq_test_\(getpid())_\(counter.next())"
        let admin = try await PostgresConnection.connect(PostgresConfiguration(server), logger: logger)
        do {
            // `name` is built from fixed text and numbers only.
            try await admin.execute(script: "CREATE DATABASE \(name)")
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
        return try replacingDatabase(in: server, with: name)
    }

    /// A URL of a fresh database with every migration of `db/migrations` applied.
    public static func migratedDatabase() async throws -> String {
        let url = try await freshDatabase()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
        let set = try MigrationSet(directory: packageRoot + "/db/migrations")
        try await MigrationRunner(migrations: set, logger: logger).migrate(connection)
        await connection.close()
        return url
    }

    /// Whether ``restartIsolatedServer()`` can work here (always with the embedded cluster).
    public static var canRestartServer: Bool {
        ProcessInfo.processInfo.environment["HQ_TEST_DATABASE_URL"] == nil
            || ProcessInfo.processInfo.environment["HQ_TEST_PG_RESTART_CMD"] != nil
    }

    /// A configuration for a database on a second, private server that only restart tests use, so that
    /// restarting it never disturbs the tests running in parallel on the shared server.
    public static func isolatedConfiguration(applicationName: String = "hq-tests") async throws -> PostgresConfiguration
    {
        PostgresConfiguration(try await isolatedServerURL.value, applicationName: applicationName, connectTimeout: 5)
    }

    /// Restarts the private server of ``isolatedConfiguration(applicationName:)``, returning once it
    /// accepts connections again. Every session on it is dropped.
    public static func restartIsolatedServer() async throws {
        if let command = ProcessInfo.processInfo.environment["HQ_TEST_PG_RESTART_CMD"] {
            let status = try await run(["/bin/sh", "-c", command])
            guard status == 0 else { throw TestDatabaseError("restart command exited with status \(status)") }
            return
        }
        let cluster = isolatedCluster
        try await Task.detached {
            try cluster.stop()
            try cluster.start()
        }.value
    }

    /// `pg_dump --schema-only` of `url` with the embedded installation's pg_dump (for schema comparisons).
    public static func schemaDump(_ url: String) async throws -> String {
        let pgDump =
            ClusterConfiguration.resolve(environment: ProcessInfo.processInfo.environment)
            .postgresDirectory + "/bin/pg_dump"
        let output = NSTemporaryDirectory() + "hq-schema-\(getpid())-\(counter.next()).sql"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try await run([pgDump, "--schema-only", "--no-owner", "--file", output, url])
        guard status == 0, let text = try? String(contentsOfFile: output, encoding: .utf8) else {
            throw TestDatabaseError("pg_dump failed with status \(status)")
        }
        // pg_dump 18 brackets the script with \restrict / \unrestrict and a random key on each run.
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
    }

    // MARK: - Private

    /// A second embedded cluster beside the shared one (its own HQ_HOME under the shared one's).
    private static var isolatedCluster: EmbeddedCluster {
        let shared = ClusterConfiguration.resolve(environment: ProcessInfo.processInfo.environment)
        var env = ProcessInfo.processInfo.environment
        env["HQ_HOME"] = shared.home + "/isolated-test-server"
        return EmbeddedCluster(configuration: ClusterConfiguration.resolve(environment: env))
    }

    private static let isolatedServerURL = Task<String, any Error> {
        if let explicit = ProcessInfo.processInfo.environment["HQ_TEST_DATABASE_URL"], !explicit.isEmpty {
            return try await url()
        }
        let cluster = isolatedCluster
        return try await Task.detached {
            try cluster.start()
            return try cluster.socketURL()
        }.value
    }

    private static var embeddedCluster: EmbeddedCluster {
        EmbeddedCluster(configuration: ClusterConfiguration.resolve(environment: ProcessInfo.processInfo.environment))
    }

    private static let serverURL = Task<String, any Error> {
        let url: String
        if let explicit = ProcessInfo.processInfo.environment["HQ_TEST_DATABASE_URL"], !explicit.isEmpty {
            url = explicit
        } else {
            let cluster = embeddedCluster
            url = try await Task.detached {
                try cluster.start()
                return try cluster.socketURL()
            }.value
        }
        try await dropDatabasesOfDeadProcesses(serverURL: url)
        return url
    }

    private static func dropDatabasesOfDeadProcesses(serverURL: String) async throws {
        let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: logger)
        let rows = try await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'hq\\_test\\_%'")
        for row in rows {
            let name = try row.decode(String.self, column: 0)
            let parts = name.split(separator: "_")
            guard parts.count >= 4, let pid = Int32(parts[2]), pid != getpid(), kill(pid, 0) != 0 else { continue }
            // The name comes from the catalog and matched the fixed pattern above; quote it as an identifier.
            try? await admin.execute(script: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
        }
        await admin.close()
    }

    private static func replacingDatabase(in serverURL: String, with name: String) throws -> String {
        guard serverURL.contains("://") else { return serverURL + " dbname=\(name)" }
        guard var components = URLComponents(string: serverURL) else {
            throw TestDatabaseError("the test database URL is not a valid URL")
        }
        components.path = "/" + name
        return components.string!
    }

    private static let counter = Counter()

    private static let sharedDatabase = Task<String, any Error> {
        let url = try await freshDatabase()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
        try await connection.execute(script: "CREATE EXTENSION IF NOT EXISTS vector")
        await connection.close()
        return url
    }

    /// Runs a command and returns its exit status (posix_spawn + waitpid on a thread of its own).
    private static func run(_ arguments: [String]) async throws -> Int32 {
        try await BlockingWork.run {
            var pid: pid_t = 0
            let argv = arguments.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            let spawned = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
            guard spawned == 0 else { throw TestDatabaseError("cannot run \(arguments[0]): error \(spawned)") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        }
    }
}

/// A thread-safe increasing counter.
final class Counter: @unchecked Sendable {
    // Invariant: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// A test-environment problem (no server, bad URL).
public struct TestDatabaseError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
