public import Logging

/// Applies a `MigrationSet` to a database, recording each file in `_yourhq_migrations` the way HQ's own
/// runner does (version, name, first 16 hex of the file's SHA-256, applied_at).
///
/// Each file runs in one transaction together with its record. Files are idempotent by contract, so a
/// file whose checksum changed since it was recorded is applied again (HQ's runner would stop there).
/// Concurrent runners serialise on an advisory lock.
public struct MigrationRunner: Sendable {
    /// What happened to one file.
    public enum Outcome: String, Sendable {
        case applied, reapplied, unchanged
    }

    public let migrations: MigrationSet
    let logger: Logger

    public init(migrations: MigrationSet, logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// The roles Supabase provides and the migrations grant to; created NOLOGIN on a plain cluster.
    public static let supabaseRoles = ["anon", "authenticated", "service_role"]

    /// Creates the Supabase roles a plain cluster lacks, then applies every new or changed file in order.
    /// - Returns: each file's name and outcome, in order.
    /// - Throws: `MigrationError` naming the file and the server's message when a file fails; earlier
    ///   files stay applied, the failing one leaves nothing behind.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) async throws -> [(name: String, outcome: Outcome)] {
        _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        do {
            let result = try await migrateLocked(connection)
            _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            return result
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            throw error
        }
    }

    /// Applies every file in order regardless of what is recorded (used to prove idempotency).
    public func applyAll(_ connection: PostgresConnection) async throws {
        try await createMissingRoles(connection)
        try await createRecordTable(connection)
        for migration in migrations.migrations {
            try await apply(migration, on: connection)
        }
    }

    /// Creates `anon`, `authenticated` and `service_role` (NOLOGIN; `service_role` with BYPASSRLS, as on
    /// Supabase) when missing. Skipped quietly without the privilege to create roles.
    public func createMissingRoles(_ connection: PostgresConnection) async throws {
        for role in Self.supabaseRoles {
            let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)")
            guard exists.isEmpty else { continue }
            let bypass = role == "service_role" ? " BYPASSRLS" : ""
            do {
                // Role names are the fixed constants above, quoted as identifiers. Roles are cluster-wide, so
                // runners migrating different databases at once race here: losing the race (duplicate_object,
                // or unique_violation on pg_authid) means the role exists, which is all we need.
                try await connection.execute(
                    script: """
                        DO $$ BEGIN CREATE ROLE "\(role)" NOLOGIN\(bypass);
                        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$
                        """)
                logger.info("created role", metadata: ["role": "\(role)"])
            } catch let error as PostgresError where error.sqlState == "42501" {
                logger.warning("cannot create role; grants to it are skipped", metadata: ["role": "\(role)"])
            }
        }
    }

    private static let lockKey: Int64 = 0x4851_5345_4152_4348  // "HQSEARCH"

    private func migrateLocked(_ connection: PostgresConnection) async throws -> [(name: String, outcome: Outcome)] {
        try await createMissingRoles(connection)
        try await createRecordTable(connection)
        var recorded: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM public._yourhq_migrations") {
            let (version, checksum) = try row.decode((Int32, String).self)
            recorded[Int(version)] = checksum
        }
        var outcomes: [(name: String, outcome: Outcome)] = []
        for migration in migrations.migrations {
            let outcome: Outcome
            switch recorded[migration.version] {
            case migration.checksum?: outcome = .unchanged
            case nil: outcome = .applied
            default: outcome = .reapplied
            }
            if outcome != .unchanged {
                try await apply(migration, on: connection)
                logger.info("migration \(outcome.rawValue)", metadata: ["file": "\(migration.name)"])
            }
            outcomes.append((migration.name, outcome))
        }
        return outcomes
    }

    private func createRecordTable(_ connection: PostgresConnection) async throws {
        try await connection.execute(
            script: """
                CREATE TABLE IF NOT EXISTS public._yourhq_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        do {
            try await connection.transaction { tx in
                try await tx.execute(script: migration.sql)
                try await tx.execute(
                    """
                    INSERT INTO public._yourhq_migrations (version, name, checksum) \
                    VALUES (\(Int32(migration.version)), \(migration.name), \(migration.checksum)) \
                    ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, \
                    applied_at = now()
                    """)
            }
        } catch let error as PostgresError {
            throw MigrationError(.failed, "\(migration.name).sql failed: \(error)")
        }
    }
}
