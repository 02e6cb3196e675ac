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
