import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport
import Synchronization
import Testing

/// `hq reindex --model` while `hq index --watch` runs and documents are edited throughout (issue 14): the switch
/// completes, search has live-model vectors at every moment, and afterwards every chunk has a vector of the new live
/// model, none missing and none twice. Every edit succeeds: before migration 021 an edit landing while its
/// document's chunk set was written deadlocked with the write (opposite row-lock order), and PostgreSQL cancelled
/// one of them, sometimes the user's edit.
@Suite("Model switch under a running watcher and edits")
struct ModelSwitchRaceTests {
    static func scalar(_ db: TestDB, _ query: PostgresQuery) async throws -> Int64 {
        try await db.pool.query(query)[0].decode(Int64.self, column: 0)
    }

    /// Non-archived chunks without a vector of the workspace's live model.
    static func missingLive(_ db: TestDB) async throws -> Int64 {
        try await scalar(
            db,
            """
            SELECT count(*) FROM public.knowledge_chunks c JOIN public.knowledge_sources s ON s.id = c.source_id
             WHERE s.archived_at IS NULL AND NOT EXISTS (
               SELECT 1 FROM public.knowledge_chunk_vectors v
                WHERE v.chunk_id = c.id AND v.model = (SELECT embedding_model FROM public.workspace))
            """)
    }

    @Test("the watcher writes both models during the switch and follows the promotion; no chunk loses its live vector")
    func switchWithWatcherAndEdits() async throws {
        let db = try await TestDB.make(connections: 8)
        defer { Task { await db.pool.close() } }
        var ids: [UUID] = []
        for i in 0..<40 {
            ids.append(try await db.document("Doc \(i)", markdown: "Body \(i) on supplier contracts and freight."))
        }
        let old = FakeEmbedder()
        let next = FakeEmbedder(modelID: "test/next-model")
        try await db.indexer(old).drain()

        // The watcher knows how to load the next model by its id, as `hq index --watch` does for built-in models.
        let watcher = db.indexer(old) {
            $0.pollSeconds = 0.3
            $0.embedderForModel = { id in id == next.modelID ? next : nil }
        }
        let watching = Task { try await watcher.watch(listeningWith: PostgresConfiguration(db.url)) }

        // Edits throughout: a document's text changes every 25 ms until told to stop.
        let editing = Atomic<Bool>(true)
        let edits = Atomic<Int>(0)
        let editor = Task {
            var n = 0
            while editing.load(ordering: .relaxed) {
                let id = ids[n % ids.count]
                let text = try TestDB.jsonString("Edit \(n) of this document: supplier contracts, freight, invoices.")
                try await db.pool.execute(
                    "UPDATE public.documents SET content = \(PostgresJSONB(text)) WHERE id = \(id)")
                n += 1
                edits.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        // Search's view at every moment: the live model has vectors to search.
        let watching2 = Atomic<Bool>(true)
        let emptyMoments = Atomic<Int>(0)
        let observer = Task {
            while watching2.load(ordering: .relaxed) {
                let live = try await Self.scalar(
                    db,
                    """
                    SELECT count(*) FROM public.knowledge_chunk_vectors
                     WHERE model = (SELECT embedding_model FROM public.workspace)
                    """)
                if live == 0 { emptyMoments.add(1, ordering: .relaxed) }
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        try await Task.sleep(for: .milliseconds(300))
        let result = try await db.indexer(old) { $0.nextEmbedder = next }.changeModel()
        #expect(result.promoted && result.liveModel == next.modelID, "\(result)")
        // Edits go on after the promotion: the watcher must now embed with the new live model.
        try await Task.sleep(for: .milliseconds(800))
        editing.store(false, ordering: .relaxed)
        try await editor.value
        #expect(edits.load(ordering: .relaxed) > 20)

        // The watcher catches up; it is still running (it followed the promotion instead of stopping).
        var settled = false
        var (pending, missing): (Int64, Int64) = (-1, -1)
        for _ in 0..<300 where !settled {
            try await Task.sleep(for: .milliseconds(200))
            pending = try await Self.scalar(
                db, "SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL")
            missing = try await Self.missingLive(db)
            settled = pending == 0 && missing == 0
        }
        watching2.store(false, ordering: .relaxed)
        try await observer.value
        #expect(settled, "\(pending) sources pending, \(missing) chunks without a live vector after 60 s")
        #expect(emptyMoments.load(ordering: .relaxed) == 0)
        let duplicates = try await Self.scalar(
            db,
            "SELECT count(*) FROM (SELECT chunk_id, model FROM public.knowledge_chunk_vectors GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        #expect(duplicates == 0)
        let stale = try await Self.scalar(
            db, "SELECT count(*) FROM public.knowledge_chunk_vectors WHERE model <> \(next.modelID)")
        #expect(stale == 0, "vectors of the old model survive the promotion")
        #expect(!watching.isCancelled)
        watching.cancel()
        let outcome = await watching.result
        if case .failure(let error) = outcome { Issue.record("the watcher stopped: \(error)") }
    }
}
