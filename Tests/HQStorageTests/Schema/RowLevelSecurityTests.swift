import Foundation
import HQStorage
import HQTestSupport
import Testing

/// PostgREST answers as `anon` (no login) or `authenticated`; on Supabase both hold privileges on every table in
/// `public`, so row-level security is what keeps a table's rows from anon. These tests give anon Supabase's default
/// grants and read every table as anon, and enumerate the catalog so that a future table without RLS fails here.
@Suite("Row-level security: anon reads nothing of ours")
struct RowLevelSecurityTests {
    /// Every ordinary or partitioned table in `public`.
    private static func publicTables(_ db: PostgresConnection) async throws -> [(name: String, rls: Bool)] {
        try await db.query(
            """
            SELECT c.relname::text, c.relrowsecurity FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
             ORDER BY 1
            """
        ).map { try $0.decode((String, Bool).self) }.map { (name: $0.0, rls: $0.1) }
    }

    @Test("every table in public, _yourhq_migrations included, has row-level security on")
    func everyTableHasRowLevelSecurity() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let tables = try await Self.publicTables(db)
            #expect(tables.count >= 35, "the catalog query sees the project's tables")
            #expect(tables.contains { $0.name == "_yourhq_migrations" })
            #expect(tables.filter { !$0.rls }.map(\.name) == [])
            // Not FORCE: the owner (migrations, the indexer) is not subject to the policies.
            let forced = try await db.query(
                """
                SELECT c.relname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relforcerowsecurity
                """
            ).map { try $0.decode(String.self, column: 0) }
            #expect(forced == [])
        }
    }

    @Test("as anon with Supabase's default grants, every table in public returns no rows or is denied")
    func anonReadsNothing() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            try await db.execute(script: "GRANT SELECT ON ALL TABLES IN SCHEMA public TO anon, authenticated")
            let tables = try await Self.publicTables(db)
            var ownerRows: [String: Int] = [:]
            for table in tables {
                ownerRows[table.name] = try await Self.count(table.name, as: nil, on: db)
            }
            #expect((ownerRows["_yourhq_migrations"] ?? 0) > 0, "the owner still reads the migration record")
            #expect(ownerRows.values.filter { $0 > 0 }.count >= 3, "some tables hold rows to leak")

            for table in tables {
                let anonRows = try await Self.count(table.name, as: "anon", on: db)
                #expect(anonRows == nil || anonRows == 0, "anon read \(anonRows ?? 0) rows of \(table.name)")
            }
            // authenticated has HQ's full-access policies on HQ's tables, but nothing on the migration record.
            let authenticatedRows = try await Self.count("_yourhq_migrations", as: "authenticated", on: db)
            #expect(authenticatedRows == nil || authenticatedRows == 0)
            // service_role (BYPASSRLS, and a policy for a stand-in without it) keeps working.
            let serviceRows = try await Self.count("_yourhq_migrations", as: "service_role", on: db)
            #expect(serviceRows == ownerRows["_yourhq_migrations"])
        }
    }

    @Test("migrating again as the owner still works with RLS on the record table")
    func ownerKeepsMigrating() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let set = try MigrationSet(directory: TestDatabase.packageRoot + "/db/migrations")
            try await db.execute("UPDATE public._yourhq_migrations SET checksum = 'stale' WHERE version = 19")
            let outcomes = try await MigrationRunner(migrations: set, logger: TestDatabase.logger).migrate(db)
            #expect(outcomes.first { $0.name.hasPrefix("019_") }?.outcome == .reapplied)
            #expect(outcomes.filter { $0.outcome == .applied }.isEmpty)
        }
    }

    /// `count(*)` of `table` as `role` (nil: the connection's own role); nil when permission is denied.
    private static func count(_ table: String, as role: String?, on db: PostgresConnection) async throws -> Int? {
        if let role { try await db.execute(script: "SET ROLE \(PostgresQuery.quoteIdentifier(role))") }
        do {
            let rows = try await db.query(
                PostgresQuery(unsafeSQL: "SELECT count(*) FROM public.\(PostgresQuery.quoteIdentifier(table))"))
            let value = try rows[0].decode(Int.self, column: 0)
            if role != nil { try await db.execute(script: "RESET ROLE") }
            return value
        } catch let error as PostgresError where error.sqlState == "42501" {
            if role != nil { try await db.execute(script: "RESET ROLE") }
            return nil
        }
    }
}
