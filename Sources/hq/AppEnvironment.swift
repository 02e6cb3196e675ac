import Foundation
import HQKnowledge
import HQSearch
import HQStorage
import Logging

/// Everything `hq` reads from the environment, in one place (library code never reads it).
struct AppEnvironment {
    let variables: [String: String]
    let cluster: ClusterConfiguration

    init(variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
        self.cluster = ClusterConfiguration.resolve(environment: variables)
    }

    /// `HQ_DATABASE_URL`, else `DATABASE_URL`; nil means the embedded cluster.
    var externalDatabaseURL: String? {
        for key in ["HQ_DATABASE_URL", "DATABASE_URL"] {
            if let value = variables[key], !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
        }
        return nil
    }

    /// The connection URL to use, starting the embedded cluster on demand when no URL is configured.
    func databaseURL(startIfNeeded: Bool = true) throws -> String {
        if let external = externalDatabaseURL { return external }
        let cluster = EmbeddedCluster(configuration: cluster)
        if startIfNeeded && !cluster.status().running {
            try cluster.start()
        }
        return try cluster.socketURL()
    }

    /// The repository's files (`db/migrations`, `models/`) for a binary at `.build/<config>/hq`, or the
    /// current directory as a fallback. `HQ_ROOT` overrides.
    var projectRoot: String {
        if let root = variables["HQ_ROOT"], !root.isEmpty { return root }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: dir.path + "/db/migrations") { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }

    /// `HQ_STATEMENT_TIMEOUT_MS`: the `statement_timeout` of every session `hq serve` and `hq mcp` open (default 30000).
    /// - Throws: ``CLIError`` naming the variable when it is not an integer from 100 to 3600000.
    func statementTimeoutMilliseconds() throws -> Int {
        guard let text = variables["HQ_STATEMENT_TIMEOUT_MS"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty
        else {
            return 30_000
        }
        guard let value = Int(text), (100...3_600_000).contains(value) else {
            throw CLIError(
                "HQ_STATEMENT_TIMEOUT_MS must be an integer from 100 to 3600000 (milliseconds)",
                hint: "unset it for the default 30000")
        }
        return value
    }

    var migrationsDirectory: String {
        variables["HQ_MIGRATIONS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? projectRoot + "/db/migrations"
    }
}

extension AppEnvironment {
    /// A logger writing to stderr at `HQ_LOG_LEVEL` (default `warning`).
    var logger: Logger {
        var logger = Logger(label: "hq")
        logger.logLevel = variables["HQ_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        return logger
    }

    /// Runs `body` on one connection to the configured database, closing it afterwards.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let url = try CLIError.wrap { try databaseURL() }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
        } catch let error as PostgresError {
            throw CLIError(
                "cannot connect to the database: \(error)", hint: "check HQ_DATABASE_URL, or run: hq db status")
        }
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch let error as MigrationError {
            await connection.close()
            throw CLIError(error.message, hint: error.hint)
        } catch {
            await connection.close()
            throw error
        }
    }
}

extension AppEnvironment {
    /// Opens a pool on the configured database, runs `body` with it and closes it, turning the libraries' errors
    /// into one-line CLI errors with a hint (what failed, what to do next).
    func withDatabasePool<T>(
        application: String, maxConnections: Int, _ body: (PostgresPool) async throws -> T
    ) async throws -> T {
        let url = try CLIError.wrap { try databaseURL() }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url, applicationName: application), maxConnections: maxConnections,
            logger: logger)
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw Self.cliError(for: error, flags: [:])
        }
    }
}
