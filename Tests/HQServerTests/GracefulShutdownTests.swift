import Foundation
import HQCore
import HQNet
import HQStorage
import HQTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 16: the server, the watch daemon and their pools run as services of one `ServiceGroup`; SIGTERM stops the
/// work in progress gracefully and closes the pools, leaving no session behind on the database.
@Suite("Graceful shutdown: SIGTERM stops hq serve and hq index --watch and closes their pools")
struct GracefulShutdownTests {
    /// Sessions with `application_name` = `name` on the test server.
    static func sessions(_ name: String) async throws -> Int {
        let pool = PostgresPool(
            configuration: try await TestDatabase.configuration(applicationName: "hq-tests-admin"), maxConnections: 1,
            logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        let rows = try await pool.query("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = \(name)")
        return try rows[0].decode(Int.self, column: 0)
    }

    /// Polls `condition` every 50 ms for up to 30 s.
    static func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<600 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestDatabaseError("timed out waiting for \(what)")
    }

    static func launch(_ arguments: [String], databaseURL: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestDatabase.packageRoot + "/.build/release/hq")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HQ_DATABASE_URL"] = databaseURL
        environment["HQ_EMBED_URL"] = nil
        environment["HQ_API_KEY"] = nil
        environment["HQ_MODEL_DIR"] = TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    static func exitStatus(_ process: Process) async throws -> Int32 {
        try await waitFor("the process to exit") { !process.isRunning }
        return process.terminationStatus
    }

    @Test("hq serve: SIGTERM ends the run with status 0 and its pool's sessions are closed")
    func serve() async throws {
        let url = try await TestDatabase.migratedDatabase()
        let name = "hq-serve"
        let database = url + (url.contains("?") ? "&" : "?") + "application_name=\(name)-\(getpid())"
        let (process, errors) = try Self.launch(["serve", "--port", "0"], databaseURL: database)
        defer { if process.isRunning { process.terminate() } }
        // The port is in the line `hq serve: listening on http://127.0.0.1:<port> (…)`.
        var port: Int?
        var seen = Data()
        try await Self.waitFor("hq serve to listen") {
            // A blocking read, so on a thread of its own: never on one of the cooperative pool's few threads.
            let handle = errors.fileHandleForReading
            seen.append(try await BlockingWork.run { handle.availableData })
            let text = String(decoding: seen, as: UTF8.self)
            if let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last ?? "")
            }
            return port != nil
        }
        let body = try JSONSerialization.data(withJSONObject: ["query": "", "mode": "lexical"])
        let response = try await HTTPClient.shared.postJSON("http://127.0.0.1:\(port!)/v1/search", json: body)
        #expect(response.status == 200)
        #expect(try await Self.sessions("\(name)-\(getpid())") >= 1)

        kill(process.processIdentifier, SIGTERM)
        #expect(try await Self.exitStatus(process) == 0)
        try await Self.waitFor("the pool's sessions to end") { try await Self.sessions("\(name)-\(getpid())") == 0 }
    }

    @Test("hq index --watch: SIGTERM ends the watch gracefully (status 0) and its sessions are closed")
    func watch() async throws {
        let url = try await TestDatabase.migratedDatabase()
        let (process, _) = try Self.launch(["index", "--watch"], databaseURL: url)
        defer { if process.isRunning { process.terminate() } }
        // The watcher LISTENs on a session of its own once it runs.
        let database = String(url.split(separator: "?")[0].split(separator: "/").last ?? "")
        func sessions(_ pattern: String) async throws -> Int {
            let pool = PostgresPool(
                configuration: try await TestDatabase.configuration(applicationName: "hq-tests-admin"),
                maxConnections: 1,
                logger: TestDatabase.logger)
            defer { Task { await pool.close() } }
            let rows = try await pool.query(
                """
                SELECT count(*)::int FROM pg_stat_activity
                WHERE datname = \(database) AND application_name LIKE \(pattern)
                """)
            return try rows[0].decode(Int.self, column: 0)
        }
        // Once its LISTEN session is up, the watcher is in its loop (a signal during start-up ends it with 130).
        try await Self.waitFor("the watcher to listen") { try await sessions("hq-index-listen") >= 1 }

        kill(process.processIdentifier, SIGTERM)
        let status = try await Self.exitStatus(process)
        #expect(status == 0, "hq index --watch exited with \(status) on SIGTERM")
        try await Self.waitFor("the watcher's sessions to end") { try await sessions("hq-index%") == 0 }
    }
}
