import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("Migrations against the real embedded PostgreSQL")
struct MigrationTests {
    let set: MigrationSet

    init() throws {
        set = try MigrationSet(directory: TestDatabase.packageRoot + "/db/migrations")
    }

    @Test("the seed's seventeen files are all present, in order")
    func filesInOrder() {
        let names = set.migrations.map(\.name)
        for required in [
            "001_extensions", "002_enums", "003_shared_functions", "004_workspace", "005_crm", "006_gateways",
            "007_agents", "008_interactions", "009_tasks_streams", "010_comments_attachments",
            "011_assets_documents", "012_audit_notifications", "013_agent_inbox", "014_agent_commands",
            "015_usage_budgets", "016_rls_realtime_storage", "017_setup_wizard",
        ] {
            #expect(names.contains(required), "missing \(required)")
        }
        #expect(names == names.sorted())
        #expect(set.migrations.map(\.version) == set.migrations.map(\.version).sorted())
    }

    @Test("checksum is HQ's: the first 16 hex digits of the file's SHA-256")
    func checksum() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        let m = Migration(version: 1, name: "x", sql: "abc")
        #expect(m.checksum == "ba7816bf8f01cfea")
        let long = Migration(version: 1, name: "x", sql: String(repeating: "a", count: 1000))
        // SHA-256 of 1000 × "a" (multi-block input).
        #expect(long.checksum == "41edece42d63e8d9")
    }

    @Test("applying every file twice succeeds and leaves an identical schema")
    func idempotent() async throws {
        let url = try await TestDatabase.freshDatabase()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        let runner = MigrationRunner(migrations: set, logger: TestDatabase.logger)
        try await runner.applyAll(connection)
        let first = try await TestDatabase.schemaDump(url)
        try await runner.applyAll(connection)
        let second = try await TestDatabase.schemaDump(url)
        await connection.close()
        #expect(first.contains("CREATE TABLE public.knowledge_chunks"))
        #expect(first.count > 10_000)
        let firstLines = first.split(separator: "\n")
        let secondLines = second.split(separator: "\n")
        let differing = zip(firstLines, secondLines).first { $0 != $1 }
        #expect(firstLines.count == secondLines.count)
        #expect(differing == nil, "first difference: \(String(describing: differing))")
    }

    @Test("the runner records each file once, skips unchanged files and re-applies a changed one")
    func runnerRecords() async throws {
        let url = try await TestDatabase.freshDatabase()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        let runner = MigrationRunner(migrations: set, logger: TestDatabase.logger)
        let first = try await runner.migrate(connection)
        #expect(first.allSatisfy { $0.outcome == .applied })
        let second = try await runner.migrate(connection)
        #expect(second.allSatisfy { $0.outcome == .unchanged })
        let rows = try await connection.query("SELECT version, checksum FROM _yourhq_migrations ORDER BY version")
        #expect(rows.count == set.migrations.count)
        for (row, migration) in zip(rows, set.migrations) {
            let (version, checksum) = try row.decode((Int32, String).self)
            #expect(Int(version) == migration.version)
            #expect(checksum == migration.checksum)
        }
        _ = try await connection.execute("UPDATE _yourhq_migrations SET checksum = 'stale' WHERE version = 3")
        let third = try await runner.migrate(connection)
        #expect(third.filter { $0.outcome == .reapplied }.map(\.name) == ["003_shared_functions"])
        let roles = try await connection.query(
            "SELECT count(*)::int4 FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')")
        #expect(try roles[0].decode(Int32.self, column: 0) == 3)
        await connection.close()
    }

    @Test("vectors bind as parameters when pgvector lives in the extensions schema (as the migrations install it)")
    func vectorParameterInExtensionsSchema() async throws {
        let url = try await TestDatabase.migratedDatabase()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        let schema = try await connection.query(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'"
        )
        #expect(try schema[0].decode(String.self, column: 0) == "extensions")
        let rows = try await connection.query(
            """
            SELECT (\(PostgresVector([1, 0, 0])) OPERATOR(extensions.<=>) '[0,1,0]'::extensions.vector)::float8, \
            \(PostgresHalfVector([0.5, 0.25]))::text
            """)
        #expect(abs(try rows[0].decode(Double.self, column: 0) - 1.0) < 1e-9)
        #expect(try rows[0].decode(String.self, column: 1) == "[0.5,0.25]")
        await connection.close()
    }

    @Test("a failing file is reported by name and leaves nothing of itself behind")
    func failingFile() async throws {
        let dir = NSTemporaryDirectory() + "hq-mig-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "CREATE TABLE good_one (id int);".write(toFile: dir + "/001_good.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;".write(
            toFile: dir + "/002_bad.sql", atomically: true, encoding: .utf8)
        let url = try await TestDatabase.freshDatabase()
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        let runner = MigrationRunner(migrations: try MigrationSet(directory: dir), logger: TestDatabase.logger)
        await #expect {
            try await runner.migrate(connection)
        } throws: { error in
            "\(error)".contains("002_bad.sql") && "\(error)".contains("no_such_table")
        }
        let tables = try await connection.query(
            "SELECT count(*)::int4 FROM pg_tables WHERE tablename IN ('good_one', 'half_done')")
        #expect(try tables[0].decode(Int32.self, column: 0) == 1)
        await connection.close()
    }

    @Test("the bundle holds every file, each in its own transaction")
    func bundle() {
        let text = set.bundle()
        for migration in set.migrations {
            #expect(text.contains("===== \(migration.name).sql"))
        }
        #expect(text.components(separatedBy: "\nBEGIN;\n").count == set.migrations.count + 1)
    }
}
