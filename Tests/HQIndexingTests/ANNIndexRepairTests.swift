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

/// The same with a real `hq index` process killed with SIGKILL after it dropped the index (issue 14: `kill -9` on the
/// bulk-load path).
@Suite("ANN index after kill -9 of a real bulk load")
struct KilledBulkLoadTests {
    @Test("hq index killed between the drop and the rebuild: the next hq index rebuilds the index")
    func killedLoader() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        // Enough work that the drop is seen while the loader runs, even with both of its lanes loading.
        for i in 0..<160 {
            try await db.document("Doc \(i)", markdown: "Paragraph \(i) on supplier contracts, freight and invoices.")
        }
        let environment = ["HQ_DATABASE_URL": db.url, "HQ_EMBED_URL": nil] as [String: String?]
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        let loader = Process()
        loader.executableURL = URL(fileURLWithPath: HQProcess.executable)
        loader.arguments = ["index", "--bulk-load-threshold", "10", "--batch-size", "4"]
        loader.environment = variables
        loader.standardInput = FileHandle.nullDevice
        loader.standardOutput = FileHandle.nullDevice
        loader.standardError = FileHandle.nullDevice
        try loader.run()
        var dropped = false
        for _ in 0..<3_000 where !dropped && loader.isRunning {
            try await Task.sleep(for: .milliseconds(10))
            dropped = try await !ANNIndexRepairTests.indexExists(db.pool)
        }
        kill(loader.processIdentifier, SIGKILL)
        loader.waitUntilExit()
        try #require(dropped, "the loader finished before its drop was seen")
        #expect(try await !ANNIndexRepairTests.indexExists(db.pool))
        // The killed session goes away with its socket (and its lock with it).
        for _ in 0..<100 {
            let rows = try await db.pool.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hq-index' AND datname = current_database()"
            )
            if try rows[0].decode(Int64.self, column: 0) == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let next = try HQProcess.run(["index"], environment: environment)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try await ANNIndexRepairTests.indexExists(db.pool))
    }
}
