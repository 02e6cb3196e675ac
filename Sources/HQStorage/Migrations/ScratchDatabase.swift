import Foundation
public import Logging

/// A throw-away database for evaluations: created on the server of a URL, migrated, used, dropped.
///
/// ```swift
/// let report = try await ScratchDatabase.with(serverURL: url, prefix: "eval", migrationsDirectory: "db/migrations",
///                                              logger: logger) { pool, databaseURL in … }
/// ```
public enum ScratchDatabase {
    /// Creates `hq_<prefix>_<pid>_<random>` beside the database of `serverURL`, applies every migration of
    /// `migrationsDirectory`, runs `body` with a pool on it and its URL, then drops it (unless `keep`).
    /// - Throws: `PostgresError`, `MigrationError` (also for a URL that is not `postgresql://`), and
    ///   whatever `body` throws (the database is dropped all the same).
    public static func with<T: Sendable>(
        serverURL: String, prefix: String, migrationsDirectory: String, keep: Bool = false,
        applicationName: String = "hq-eval",
        logger: Logger, _ body: (PostgresPool, String) async throws -> T
    ) async throws -> T {
        let safePrefix = String(
            prefix.unicodeScalars.filter { ("a"..."z").contains($0) || $0 == "_" }.map(Character.init))
        // Fixed text and digits only: the name is spliced into CREATE/DROP DATABASE, which take no parameters.
        let name = "hq_\(safePrefix)_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: logger)
        do {
            try await admin.execute(script: "CREATE DATABASE \(name)")
        } catch {
            await admin.close()
            throw error
        }
        let url = try replacingDatabase(in: serverURL, with: name)
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url, applicationName: applicationName), maxConnections: 4,
            logger: logger)
        func cleanUp() async {
            await pool.close()
            if keep {
                logger.warning("kept the database \(name) (drop it with DROP DATABASE \(name))")
            } else {
                try? await admin.execute(script: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
            await admin.close()
        }
        do {
            let migrator = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
            do {
                try await MigrationRunner(migrations: try MigrationSet(directory: migrationsDirectory), logger: logger)
                    .migrate(migrator)
                await migrator.close()
            } catch {
                await migrator.close()
                throw error
            }
            let result = try await body(pool, url)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// `url` with its database name replaced by `name` (query parameters kept).
    public static func replacingDatabase(in url: String, with name: String) throws -> String {
        guard let scheme = url.range(of: "://") else {
            throw MigrationError(
                .failed, "a scratch database needs a postgresql:// URL",
                hint: "set HQ_DATABASE_URL to a postgresql:// URL")
        }
        let afterScheme = url[scheme.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let rest = url[pathStart...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        return String(url[..<pathStart]) + "/" + name + String(rest[queryStart...])
    }
}
