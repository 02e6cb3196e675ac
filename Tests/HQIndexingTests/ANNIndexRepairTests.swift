import Foundation
import HQIndexing
import HQStorage
import HQTestSupport
import Testing

/// The HNSW index is dropped for a first bulk load and built after it: an indexer that dies in between must not
/// leave search without it for good (issue 14).
@Suite("ANN index repair after an interrupted bulk load")
struct ANNIndexRepairTests {
    static func indexExists(_ pool: PostgresPool) async throws -> Bool {
        let rows = try await pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index
                           WHERE indexrelid = to_regclass('public.knowledge_chunk_vectors_embedding_hnsw_idx') AND indisvalid)
            """)
        return try rows[0].decode(Bool.self, column: 0)
    }

    @Test(
        "a loader killed after the drop: the next pass of any indexer rebuilds the index; a live loader is left alone")
    func repairsAfterCrash() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        try await db.document("Tides", markdown: "The moon's pull causes ocean tides.")
        #expect(try await Self.indexExists(db.pool))

        // A bulk loader, as the indexer runs one: the session lock, then the drop; it is still working.
        let loader = PostgresPool(
            configuration: PostgresConfiguration(db.url), maxConnections: 1, logger: TestDatabase.logger)
        try await loader.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(public.hq_ann_bulk_load_lock_key())")
            try await connection.execute("SELECT public.hq_drop_ann_index()")
        }
        #expect(try await Self.indexExists(db.pool) == false)

        // Another worker's pass while the loader lives: it indexes, and does not build the index under the load.
        let summary = try await db.indexer(FakeEmbedder()).drain()
        #expect(summary.indexed == 1)
        #expect(try await Self.indexExists(db.pool) == false)

        // The loader dies (its connection closes, the lock goes with it): the next pass rebuilds the index.
        await loader.close()
        try await db.indexer(FakeEmbedder()).drain()
        #expect(try await Self.indexExists(db.pool))

        // A pass with the index present changes nothing.
        let again = try await db.pool.query("SELECT public.hq_ensure_ann_index()")
        #expect(try again[0].decode(Bool.self, column: 0) == false)
    }
}

/// The same with a real `hq index` process killed with SIGKILL at each step of the bulk-load path after the drop:
/// while it loads, and while it builds the index (issue 14: `kill -9` on the bulk-load path).
@Suite("ANN index after kill -9 of a real bulk load")
struct KilledBulkLoadTests {
    static let environment = ["HQ_EMBED_URL": nil] as [String: String?]

    /// A first bulk load by a real `hq index` of 160 documents (threshold 10, so it drops and rebuilds the index).
    static func startLoader(_ db: TestDB) async throws -> Process {
        try await seed(db)
        return try launchLoader(db)
    }

    /// Enough work that the drop is seen while the loader runs.
    static func seed(_ db: TestDB) async throws {
        for i in 0..<160 {
            try await db.document("Doc \(i)", markdown: "Paragraph \(i) on supplier contracts, freight and invoices.")
        }
    }

    static func launchLoader(_ db: TestDB) throws -> Process {
        var variables = ProcessInfo.processInfo.environment
        variables["HQ_DATABASE_URL"] = db.url
        variables["HQ_EMBED_URL"] = nil
        let loader = Process()
        loader.executableURL = URL(fileURLWithPath: HQProcess.executable)
        loader.arguments = ["index", "--bulk-load-threshold", "10", "--batch-size", "4"]
        loader.environment = variables
        loader.standardInput = FileHandle.nullDevice
        loader.standardOutput = FileHandle.nullDevice
        loader.standardError = FileHandle.nullDevice
        try loader.run()
        return loader
    }

    /// Whether the loader dropped the ANN index while it ran (polled for up to 30 s).
    static func waitForDrop(_ db: TestDB, _ loader: Process) async throws -> Bool {
        for _ in 0..<3_000 where loader.isRunning {
            try await Task.sleep(for: .milliseconds(10))
            if try await !ANNIndexRepairTests.indexExists(db.pool) { return true }
        }
        return false
    }

    /// After the kill: the killed sessions go away, and the next `hq index` leaves a valid index and nothing pending
    /// that it could lease.
    static func expectRecovered(_ db: TestDB) async throws {
        for _ in 0..<200 {
            let rows = try await db.pool.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hq-index' AND datname = current_database()"
            )
            if try rows[0].decode(Int64.self, column: 0) == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let next = try await HQProcess.run(
            ["index"], environment: environment.merging(["HQ_DATABASE_URL": db.url]) { $1 })
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try await ANNIndexRepairTests.indexExists(db.pool))
        // Nothing is left pending but what the killed loader still holds a lease on (until it expires).
        let pending = try await db.scalar(
            Int64.self,
            """
            SELECT count(*) FROM public.knowledge_sources
             WHERE pending_since IS NOT NULL AND (indexing_leased_until IS NULL OR indexing_leased_until < now())
            """)
        #expect(pending == 0)
    }

    @Test("hq index killed between the drop and the rebuild: the next hq index rebuilds the index")
    func killedLoader() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let loader = try await Self.startLoader(db)
        let dropped = try await Self.waitForDrop(db, loader)
        kill(loader.processIdentifier, SIGKILL)
        loader.waitUntilExit()
        try #require(dropped, "the loader finished before its drop was seen")
        #expect(try await !ANNIndexRepairTests.indexExists(db.pool))
        try await Self.expectRecovered(db)
    }

    @Test("hq index killed while it builds the index: the next hq index leaves a valid index")
    func killedDuringIndexBuild() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        try await Self.seed(db)
        // Two locks make the order certain on any machine, however fast the load: the gate (SHARE on the chunks)
        // holds the loader's first chunk write until the index is dropped and the holder has its lock; the holder
        // (ROW EXCLUSIVE on the vectors; the loader's own writes are compatible with it) then holds the build, since
        // CREATE INDEX takes SHARE. Without the gate a fast load could reach the build before the holder's lock.
        let gate = PostgresPool(
            configuration: PostgresConfiguration(db.url), maxConnections: 1, logger: TestDatabase.logger)
        let holder = PostgresPool(
            configuration: PostgresConfiguration(db.url), maxConnections: 1, logger: TestDatabase.logger)
        defer {
            Task {
                await gate.close()
                await holder.close()
            }
        }
        // A connection goes back to its pool with its transaction rolled back, so both sessions stay leased while
        // their locks are needed.
        let loader = try await gate.withConnection { gateSession in
            try await gateSession.execute("BEGIN")
            try await gateSession.execute("LOCK TABLE public.knowledge_chunks IN SHARE MODE")
            let loader = try Self.launchLoader(db)
            let dropped = try await Self.waitForDrop(db, loader)
            try #require(dropped, "the loader finished before its drop was seen")
            try await holder.withConnection { connection in
                try await connection.execute("BEGIN")
                try await connection.execute("LOCK TABLE public.knowledge_chunk_vectors IN ROW EXCLUSIVE MODE")
                try await gateSession.execute("COMMIT")  // the load goes on; its build will wait for the holder
                var building = false
                for _ in 0..<6_000 where !building && loader.isRunning {
                    try await Task.sleep(for: .milliseconds(10))
                    building = try await db.scalar(
                        Bool.self,
                        """
                        SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                        WHERE application_name = 'hq-index' AND datname = current_database()
                                          AND query LIKE '%hq_create_ann_index%' AND wait_event_type = 'Lock')
                        """)
                }
                kill(loader.processIdentifier, SIGKILL)
                loader.waitUntilExit()
                try await connection.execute("ROLLBACK")
                try #require(building, "the loader never reached the index build")
            }
            return loader
        }
        #expect(loader.terminationReason == .uncaughtSignal)
        try await Self.expectRecovered(db)
    }
}
