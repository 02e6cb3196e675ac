import Foundation
import HQIndexing
import HQStorage
import HQTestSupport
import Testing

/// Interactive edits must not queue behind bulk work (issue 14): after `hq reindex` marks every source pending, a
/// person's edit and a new document are leased first.
@Suite("Edits before bulk work in the indexing queue")
struct EditPriorityTests {
    static func lease(_ db: TestDB, _ limit: Int32) async throws -> Set<UUID> {
        let rows = try await db.pool.query("SELECT document_id FROM public.hq_lease_sources('priority-test', \(limit))")
        return Set(try rows.map { try $0.decode(UUID.self, column: 0) })
    }

    @Test(
        "an edit and a new document are leased before sources a reindex marked earlier; a reindex never demotes an edit"
    )
    func editsFirst() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        var ids: [UUID] = []
        for i in 0..<30 { ids.append(try await db.document("Doc \(i)", markdown: "Body \(i) about freight.")) }
        try await db.indexer(FakeEmbedder()).drain()

        // A waiting edit, then `hq reindex --all`: the edit keeps its place at the front.
        let early = ids[3]
        try await db.pool.execute(
            "UPDATE public.documents SET content = \(PostgresJSONB(try TestDB.jsonString("Edited before the reindex."))) WHERE id = \(early)"
        )
        let marked = try await db.pool.query("SELECT public.hq_mark_sources_pending()")
        #expect(try marked[0].decode(Int32.self, column: 0) == 30)

        // Edits after the bulk mark, and a new document.
        try await Task.sleep(for: .milliseconds(20))
        let late = ids[17]
        try await db.pool.execute(
            "UPDATE public.documents SET content = \(PostgresJSONB(try TestDB.jsonString("Edited during the reindex."))) WHERE id = \(late)"
        )
        let fresh = try await db.document("New", markdown: "Written while the reindex waits.")

        #expect(try await Self.lease(db, 3) == [early, late, fresh])
        // The rest is the bulk work, oldest first.
        #expect(try await Self.lease(db, 100).count == 28)
    }
}
