import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport
import Synchronization
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

    @Test("the watcher indexes an edit while its bulk batch is stuck embedding (the edits lane does not wait for it)")
    func editWhileBulkBatchRuns() async throws {
        let db = try await TestDB.make(connections: 8)
        defer { Task { await db.pool.close() } }
        // A backlog of bulk work: 40 documents waiting at bulk priority, as after `hq reindex`.
        for i in 0..<40 { try await db.document("Bulk \(i)", markdown: "Bulk backlog text \(i) on pallets.") }
        try await db.pool.execute("UPDATE public.knowledge_sources SET pending_priority = 1")
        // Embedding any bulk text blocks until the test opens the gate: a bulk batch in flight for as long as needed.
        let embedder = GatedEmbedder(FakeEmbedder(), blocking: "Bulk backlog")
        let watcher = db.indexer(embedder) { $0.pollSeconds = 60 }
        let task = Task { try await watcher.watch(listeningWith: PostgresConfiguration(db.url)) }
        defer { task.cancel() }
        try await embedder.waitUntilBlocked()

        let edited = try await db.document("Edit", markdown: "A person's edit about cold storage.")
        var indexed = false
        for _ in 0..<150 where !indexed {
            try await Task.sleep(for: .milliseconds(100))
            indexed = try await !db.chunks(document: edited).isEmpty
        }
        // Before this change the edit was leased into the batch after the stuck one and waited for the gate.
        #expect(indexed, "the edit waited for the bulk batch")
        let bulkPending = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL")
        #expect(bulkPending == 40, "the bulk work was still in flight")

        embedder.open()
        var drained = false
        for _ in 0..<150 where !drained {
            try await Task.sleep(for: .milliseconds(100))
            drained =
                try await db.scalar(
                    Int64.self, "SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL") == 0
        }
        #expect(drained, "the bulk lane went on once its batch could embed")
        task.cancel()
        _ = await task.result
    }
}

/// Wraps an embedder: a call with any text containing `blocking` waits until ``open()``.
final class GatedEmbedder: Embedder {
    let base: any Embedder
    let blocking: String
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>], blocked: Int)>(
        (false, [], 0))
    var modelID: String { base.modelID }
    var dimensions: Int { base.dimensions }
    var maxTokens: Int { base.maxTokens }

    init(_ base: any Embedder, blocking: String) {
        self.base = base
        self.blocking = blocking
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        if texts.contains(where: { $0.contains(blocking) }) {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state -> Bool in
                    state.blocked += 1
                    if state.open { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resume { continuation.resume() }
            }
        }
        return try await base.embed(texts)
    }

    /// Returns once a call is blocked at the gate (fails the test after 30 s).
    func waitUntilBlocked() async throws {
        for _ in 0..<300 {
            if state.withLock({ $0.blocked > 0 }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no embedding call reached the gate")
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
