import Foundation
import HQStorage
import HQTestSupport
import Testing

/// Databases for the schema tests: every migration is applied once (``TestDatabase/migratedDatabase()``), then
/// each test gets its own copy of that database (`CREATE DATABASE … TEMPLATE`), which is much faster than
/// migrating again and keeps tests that touch singletons (workspace, the spawner, command queue) apart.
enum SchemaDatabase {
    private static let template = Task<String, any Error> { try await TestDatabase.migratedDatabase() }
    /// A small database to issue CREATE DATABASE from (never the template itself: copying needs it idle).
    private static let admin = Task<String, any Error> { try await TestDatabase.freshDatabase() }

    /// The URL of a new database holding every migration.
    static func fresh() async throws -> String {
        let templateURL = try await template.value
        let templateName = try databaseName(in: templateURL)
        // Named like TestDatabase's databases, so databases of dead test processes are dropped the same way.
        let name = "hq_test_\(getpid())_s\(UUID().uuidString.prefix(8).lowercased())"
        let adminConnection = try await PostgresConnection.connect(
            PostgresConfiguration(try await admin.value), logger: TestDatabase.logger)
        do {
            // Both names consist of fixed text, digits and hex only.
            try await adminConnection.execute(script: "CREATE DATABASE \(name) TEMPLATE \(templateName)")
            await adminConnection.close()
        } catch {
            await adminConnection.close()
            throw error
        }
        return templateURL.replacingOccurrences(of: templateName, with: name)
    }

    /// Opens a connection to a new migrated database, runs `body`, closes it and drops the database (so the next
    /// test run has no leftovers to drop).
    static func withDatabase<R>(_ body: (PostgresConnection, String) async throws -> R) async throws -> R {
        let url = try await fresh()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        do {
            let result = try await body(connection, url)
            await connection.close()
            await drop(url)
            return result
        } catch {
            await connection.close()
            await drop(url)
            throw error
        }
    }

    /// Drops a database these tests created (best effort).
    static func drop(_ url: String) async {
        guard let name = try? databaseName(in: url), name.hasPrefix("hq_test_"),
            let adminURL = try? await admin.value,
            let connection = try? await PostgresConnection.connect(
                PostgresConfiguration(adminURL), logger: TestDatabase.logger)
        else { return }
        // The name matched the fixed test pattern; quoted as an identifier.
        try? await connection.execute(
            script: "DROP DATABASE IF EXISTS \(PostgresQuery.quoteIdentifier(name)) WITH (FORCE)")
        await connection.close()
    }

    static func databaseName(in url: String) throws -> String {
        if url.contains("://"), let components = URLComponents(string: url) {
            return String(components.path.drop { $0 == "/" })
        }
        guard let range = url.range(of: "dbname=", options: .backwards) else {
            throw TestDatabaseError("no database name in the test URL")
        }
        return String(url[range.upperBound...].prefix { !$0.isWhitespace })
    }
}

extension PostgresConnection {
    /// The single value of a one-row, one-column query.
    func value<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T {
        let rows = try await self.query(query)
        guard let row = rows.first else { throw TestDatabaseError("no rows for: \(query.sql)") }
        return try row.decode(type, column: 0)
    }

    /// Creates an agent and returns its id.
    func agent(_ slug: String, name: String? = nil) async throws -> UUID {
        try await value(
            UUID.self, "INSERT INTO agents (name, slug) VALUES (\(name ?? slug.uppercased()), \(slug)) RETURNING id")
    }
}

/// Expects `body` to fail with a server error of SQLSTATE `state` whose message contains `message`.
func expectServerError(
    _ state: String, _ message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected SQLSTATE \(state), but the statement succeeded", sourceLocation: sourceLocation)
    } catch let error as PostgresError {
        #expect(error.sqlState == state, "\(error)", sourceLocation: sourceLocation)
        if let message {
            #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
