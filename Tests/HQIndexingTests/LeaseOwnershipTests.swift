import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport
import Synchronization
import Testing

/// Issue 14: leases are extended while their work runs, and a write or a failure only lands for the worker that
/// still holds the lease. Before, a lease shorter than the work expired mid-batch, another worker leased the same
/// sources, and both embedded and wrote them; `hq_fail_source` did not look at who held the lease.
@Suite("Leases: extended while work runs; only the holder writes")
struct LeaseOwnershipTests {
    /// Embeds like ``FakeEmbedder`` after a pause; counts texts per call.
    final class SlowEmbedder: Embedder {
        let base = FakeEmbedder()
        let delay: Duration
        let onEmbed: @Sendable () async -> Void
        var modelID: String { base.modelID }
        var dimensions: Int { base.dimensions }
        var maxTokens: Int { base.maxTokens }

        init(delay: Duration, onEmbed: @escaping @Sendable () async -> Void = {}) {
            self.delay = delay
            self.onEmbed = onEmbed
        }

        func embed(_ texts: [String]) async throws -> [[Float]] {
            await onEmbed()
            try await Task.sleep(for: delay)
            return try await base.embed(texts)
        }
    }

    @Test("three workers, a 3 s lease and 4 s of embedding per batch: every chunk is embedded and written once")
    func shortLeaseSeveralWorkers() async throws {
        let db = try await TestDB.make(connections: 8)
        defer { Task { await db.pool.close() } }
        for number in 1...6 {
            _ = try await db.document(
                "Note \(number)", markdown: "A short note number \(number) about roasting batch \(number).")
        }
        // Renewal runs every third of the lease (1 s here), leaving 2 s of slack on a loaded machine.
        let embedders = (0..<3).map { _ in SlowEmbedder(delay: .milliseconds(4000)) }
        let summaries = try await withThrowingTaskGroup(of: IndexRunSummary.self) { group in
            for (index, embedder) in embedders.enumerated() {
                let indexer = db.indexer(embedder) {
                    $0.workerID = "worker-\(index)"
                    $0.leaseSeconds = 3
                    $0.batchSize = 2
                }
                group.addTask { try await indexer.drain() }
            }
            var all: [IndexRunSummary] = []
            for try await summary in group { all.append(summary) }
            return all
        }
        let chunks = try await db.scalar(Int64.self, "SELECT count(*) FROM public.knowledge_chunks")
        let embedded = embedders.reduce(0) { $0 + $1.base.texts.load(ordering: .relaxed) }
        #expect(summaries.reduce(0) { $0 + $1.indexed } == 6, "each source written once")
        #expect(embedded == Int(chunks), "no chunk embedded by two workers")
        let pending = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL")
        #expect(pending == 0)
    }

    @Test("a worker whose lease was taken over writes nothing: the source stays with the new holder")
    func lostLeaseWritesNothing() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let id = try await db.document("Contested", markdown: "Text that two workers want to write.")
        // While the worker embeds, another worker takes the lease over (as after an expiry).
        let pool = db.pool
        let embedder = SlowEmbedder(delay: .milliseconds(300)) {
            _ = try? await pool.execute(
                "UPDATE public.knowledge_sources SET indexing_leased_by = 'thief' WHERE document_id = \(id)")
        }
        let summary = try await db.indexer(embedder) { $0.workerID = "slow-worker" }.drain()
        #expect(summary.indexed == 0)
        #expect(summary.stale == 1)
        #expect(try await db.scalar(Int64.self, "SELECT count(*) FROM public.knowledge_chunks") == 0)
        #expect(
            try await db.scalar(
                String.self, "SELECT indexing_leased_by FROM public.knowledge_sources WHERE document_id = \(id)")
                == "thief")
    }
}
