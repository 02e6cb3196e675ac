import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport
import Testing

@Suite("Indexer (real Postgres)")
struct IndexerTests {
    @Test(
        "end to end with the real model: formats in, chunks and vectors out, found by hq_search, archived leaves search"
    )
    func endToEnd() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let pricing = try await db.document(
            "Pricing policy",
            markdown: "# Pricing\n\nAnnual plans get a 10% discount.\n\n## Refunds\n\nRefunds within 30 days.")
        try await db.document("Onboarding", contentJSON: try jsonString(ExtractionTests.tiptap))
        try await db.document("Untitled", contentJSON: "\"\"")
        try await db.pool.execute(
            """
            INSERT INTO public.assets (name, type, mime_type, content, tags) VALUES
              ('price-list.csv', 'spreadsheet', 'text/csv', \("sku,name,price\nA1,Widget,10\nB2,Gadget,20\n"), '{prices}'),
              ('faq.html', 'document', 'text/html', \("<h1>FAQ</h1><p>Shipping takes five business days.</p>"), '{}'),
              ('bad.txt', 'document', 'text/plain', \("ok\u{1}text"), '{}')
            """)
        let indexer = db.indexer(RealModel.embedder)
        let summary = try await indexer.drain()
        #expect(summary.indexed == 6)
        #expect(summary.failed == 0 && summary.retrying == 0)
        let status = try await indexer.status()
        #expect(status.indexed == 6 && status.pending == 0)
        #expect(status.liveVectors == status.chunks)

        let chunks = try await db.chunks(document: pricing)
        #expect(chunks.map(\.path) == [["Pricing"], ["Pricing", "Refunds"]])
        let query = try await RealModel.embedder.embed(["how long do refunds take"])[0]
        let rows = try await db.pool.query(
            """
            SELECT title, content FROM public.hq_search(\(literal(query))::extensions.vector, 'refunds', 3)
            """)
        #expect(try rows.first?.decode(String.self, column: 0) == "Pricing policy")
        let csvHit = try await db.pool.query(
            """
            SELECT title FROM public.hq_search(\(literal(try await RealModel.embedder.embed(["gadget price"])[0]))::extensions.vector, 'gadget', 1)
            """)
        #expect(try csvHit.first?.decode(String.self, column: 0) == "price-list.csv")

        try await db.pool.execute("UPDATE public.documents SET archived_at = now() WHERE id = \(pricing)")
        let after = try await db.pool.query(
            """
            SELECT title FROM public.hq_search(\(literal(query))::extensions.vector, 'refunds', 10)
            """)
        #expect(try !after.map { try $0.decode(String.self, column: 0) }.contains("Pricing policy"))
    }

    @Test("editing one paragraph re-embeds only the chunks that changed")
    func editReembedsOnlyChangedChunks() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        var sections = (1...6).map {
            "## Part \($0)\n\n" + String(repeating: "Topic \($0) covers vendor onboarding and invoices. ", count: 12)
        }
        let id = try await db.document("Handbook", markdown: sections.joined(separator: "\n\n"))
        let counting = FaultyEmbedder(RealModel.embedder)
        let indexer = db.indexer(counting)
        try await indexer.drain()
        let before = try await db.chunks(document: id)
        let firstRun = counting.texts.load(ordering: .relaxed)
        #expect(firstRun == before.count && before.count >= 6)

        sections[3] = "## Part 4\n\nThis paragraph was rewritten to talk about payroll instead."
        try await db.pool.execute(
            "UPDATE public.documents SET content = \(PostgresJSONB(try jsonString(sections.joined(separator: "\n\n")))) WHERE id = \(id)"
        )
        let summary = try await indexer.drain()
        let after = try await db.chunks(document: id)
        let changed = Set(after.map(\.hash)).subtracting(before.map(\.hash)).count
        #expect(changed == 1)
        #expect(counting.texts.load(ordering: .relaxed) - firstRun == changed)
        #expect(summary.embeddedChunks == 1)
        let vectors = try await db.scalar(
            Int64.self,
            "SELECT count(*) FROM public.knowledge_chunk_vectors v JOIN public.knowledge_chunks c ON c.id = v.chunk_id WHERE c.document_id = \(id)"
        )
        #expect(Int(vectors) == after.count)

        // Nothing changed: a re-index skips extraction and embedding entirely.
        try await indexer.markPending(.all)
        let again = try await indexer.drain()
        #expect(again.unchanged == 1 && again.embedderTexts == 0)
        #expect(try await db.chunks(document: id).map(\.hash) == after.map(\.hash))
    }

    @Test("an unreachable embedder fails sources with a clear reason, then they succeed when it is back")
    func embedderOutage() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let faulty = FaultyEmbedder(FakeEmbedder())
        faulty.failing.store(true, ordering: .relaxed)
        for i in 0..<3 { try await db.document("Doc \(i)", markdown: "Body \(i) about logistics.") }
        let indexer = db.indexer(faulty) { $0.maxAttempts = 2 }
        let first = try await indexer.drain()
        #expect(first.retrying == 3)
        var status = try await indexer.status()
        #expect(status.retrying == 3)
        #expect(status.failures.allSatisfy { $0.error.contains("serviceUnavailable") && $0.retrying })

        // Backoff elapsed, still down: attempts used up → failed for good, visibly.
        try await db.pool.execute("UPDATE public.knowledge_sources SET next_attempt_at = now()")
        let second = try await indexer.drain()
        #expect(second.failed == 3)
        status = try await indexer.status()
        #expect(status.failed == 3 && status.pending == 0)

        faulty.failing.store(false, ordering: .relaxed)
        #expect(try await indexer.markPending(.all) == 3)
        let third = try await indexer.drain()
        #expect(third.indexed == 3)
        status = try await indexer.status()
        #expect(status.indexed == 3 && status.failed == 0 && status.failures.isEmpty)
    }

    @Test("four concurrent workers over 500 sources: each indexed exactly once, chunk sets complete")
    func concurrentWorkers() async throws {
        let db = try await TestDB.make(connections: 12)
        defer { Task { await db.pool.close() } }
        try await db.pool.execute(
            """
            INSERT INTO public.documents (title, content)
            SELECT 'Doc ' || g, to_jsonb('# Doc ' || g || E'\\n\\n' || repeat('Paragraph about topic ' || g || '. ', 40)
                                         || E'\\n\\n## More\\n\\n' || repeat('Details on ' || g || '. ', 30))
              FROM generate_series(1, 500) g
            """)
        let embedder = FakeEmbedder()
        let summaries = try await withThrowingTaskGroup(of: IndexRunSummary.self) { group in
            for w in 0..<4 {
                let indexer = db.indexer(embedder) {
                    $0.batchSize = 16
                    $0.workerID = "worker-\(w)"
                }
                group.addTask { try await indexer.drain() }
            }
            return try await group.reduce(into: [IndexRunSummary]()) { $0.append($1) }
        }
        #expect(summaries.map(\.indexed).reduce(0, +) == 500)
        #expect(summaries.filter { $0.indexed > 0 }.count >= 2)
        #expect(summaries.allSatisfy { $0.stale == 0 && $0.failed == 0 })
        let counts = try await db.pool.query(
            """
            SELECT count(*) FILTER (WHERE s.chunk_count <> (SELECT count(*) FROM public.knowledge_chunks c WHERE c.source_id = s.id)),
                   count(*) FILTER (WHERE s.chunk_count < 2),
                   (SELECT count(*) FROM public.knowledge_chunks c LEFT JOIN public.knowledge_chunk_vectors v ON v.chunk_id = c.id WHERE v.chunk_id IS NULL),
                   count(*) FILTER (WHERE s.pending_since IS NOT NULL)
              FROM public.knowledge_sources s
            """)
        #expect(try counts[0].decode(Int64.self, column: 0) == 0)
        #expect(try counts[0].decode(Int64.self, column: 1) == 0)
        #expect(try counts[0].decode(Int64.self, column: 2) == 0)
        #expect(try counts[0].decode(Int64.self, column: 3) == 0)
        // Every distinct chunk text was embedded once across all workers.
        let distinct = try await db.scalar(
            Int64.self, "SELECT count(DISTINCT content_hash) FROM public.knowledge_chunks")
        #expect(embedder.texts.load(ordering: .relaxed) == Int(distinct))
    }

    @Test("a worker killed mid-batch: its leases expire and another worker finishes, nothing duplicated")
    func killedWorker() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        for i in 0..<20 { try await db.document("Doc \(i)", markdown: "Content \(i) about warehouses.") }
        // The dead worker leased 8 sources for 60 s and never answered.
        let leased = try await db.pool.query("SELECT id FROM public.hq_lease_sources('dead-worker', 8, 60)")
        #expect(leased.count == 8)
        let survivor = db.indexer(FakeEmbedder()) { $0.workerID = "survivor" }
        let first = try await survivor.drain()
        #expect(first.indexed == 12)  // the dead worker's leases are respected while valid
        // Time passes: the leases run out (moved into the past rather than slept through, so a slow machine
        // cannot let them expire during the first drain).
        try await db.pool.execute(
            """
            UPDATE public.knowledge_sources SET indexing_leased_until = now() - interval '1 second'
             WHERE indexing_leased_by = 'dead-worker'
            """)
        let second = try await survivor.drain()
        #expect(second.indexed == 8)
        let dupes = try await db.scalar(
            Int64.self,
            """
            SELECT count(*) FROM (SELECT source_id, chunk_index FROM public.knowledge_chunks GROUP BY 1, 2 HAVING count(*) > 1) d
            """)
        #expect(dupes == 0)
        let status = try await survivor.status()
        #expect(status.indexed == 20 && status.pending == 0 && status.leased == 0)
    }

    @Test("cancelling a drain releases its leases without counting the attempt")
    func gracefulCancel() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        for i in 0..<40 { try await db.document("Doc \(i)", markdown: "Text \(i).") }
        let slow = SlowEmbedder()
        let indexer = db.indexer(slow) { $0.batchSize = 10 }
        let task = Task { try await indexer.drain() }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        _ = await task.result
        let leased = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_sources WHERE indexing_leased_until > now()")
        #expect(leased == 0)
        let summary = try await db.indexer(FakeEmbedder()).drain()
        let status = try await db.indexer(FakeEmbedder()).status()
        #expect(status.indexed == 40, "\(summary)")
    }

    @Test("a 5 MB document is indexed completely within the caps")
    func fiveMegabytes() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        var body = ""
        var n = 0
        while body.utf8.count < 5_000_000 {
            n += 1
            if n % 40 == 0 { body += "\n\n## Chapter \(n / 40)\n\n" }
            body += "Paragraph \(n) describes the quarterly procurement process for regional warehouses in detail. "
            if n % 5 == 0 { body += "\n\n" }
        }
        let id = try await db.document("Big manual", markdown: body)
        let embedder = FakeEmbedder()
        let summary = try await db.indexer(embedder) { $0.tokenCounter = ChunkerTests.tokenizer }.drain()
        #expect(summary.indexed == 1)
        let chunks = try await db.chunks(document: id)
        #expect(chunks.count > 4_000)
        #expect(chunks.last!.text.contains("Paragraph \(n) "))
    }

    @Test("watch: a new document is indexed within seconds of the NOTIFY, and cancel stops the watcher")
    func watch() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let indexer = db.indexer(FakeEmbedder()) { $0.pollSeconds = 60 }
        let task = Task { try await indexer.watch(listeningWith: PostgresConfiguration(db.url)) }
        try await Task.sleep(for: .milliseconds(500))
        let id = try await db.document("Live", markdown: "Indexed by the watcher.")
        var indexed = false
        for _ in 0..<50 where !indexed {
            try await Task.sleep(for: .milliseconds(100))
            indexed = try await !db.chunks(document: id).isEmpty
        }
        #expect(indexed)
        task.cancel()
        _ = await task.result
    }

    @Test("model change: the new model's vectors are built beside the old ones, then promoted")
    func modelChange() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        for i in 0..<10 { try await db.document("Doc \(i)", markdown: "Body \(i) on supplier contracts.") }
        let old = FakeEmbedder()
        try await db.indexer(old).drain()
        let next = FakeEmbedder(modelID: "test/next-model")
        let migrating = db.indexer(old) { $0.nextEmbedder = next }
        let result = try await migrating.changeModel()
        #expect(result.promoted && result.liveModel == "test/next-model")
        #expect(old.texts.load(ordering: .relaxed) == 10)  // old vectors reused, not recomputed
        #expect(next.texts.load(ordering: .relaxed) == 10)
        let status = try await migrating.status()
        #expect(status.liveModel == "test/next-model" && status.nextModel == nil && status.liveVectors == status.chunks)
        let models = try await db.scalar(Int64.self, "SELECT count(DISTINCT model) FROM public.knowledge_chunk_vectors")
        #expect(models == 1)
    }

    @Test("ingest mirrors a folder tree: markdown → documents, other files → assets; re-ingest changes nothing")
    func ingest() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let root = URL(fileURLWithPath: TestDatabase.packageRoot + "/samples/corpus")
        var options = Ingest.Options()
        options.tags = ["sample"]
        let ingest = Ingest(pool: db.pool, logger: TestDatabase.logger)
        let first = try await ingest.ingest([root.path], options: options)
        #expect(first.documentsCreated >= 10 && first.assetsCreated >= 2)
        let second = try await ingest.ingest([root.path], options: options)
        #expect(
            second.documentsCreated == 0 && second.updated == 0
                && second.unchanged == first.documentsCreated + first.assetsCreated)
        let nested = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_sources WHERE folder_path LIKE '%/%'")
        #expect(nested > 0)
        let summary = try await db.indexer(FakeEmbedder()).drain()
        #expect(summary.indexed == first.documentsCreated + first.assetsCreated && summary.failed == 0)
    }

    @Test(
        "an embedder whose vectors do not fit the schema's column is refused, naming both sizes, before anything is written"
    )
    func wrongDimensionsRefused() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        try await db.document("Pricing policy", markdown: "# Pricing\n\nAnnual plans get a 10% discount.")
        let error = await #expect(throws: IndexingError.self) { try await db.indexer(WideEmbedder()).drain() }
        #expect(error?.code == .modelMismatch)
        #expect(
            error?.context.contains("has 768 dimensions; the schema stores 384") == true, "\(String(describing: error))"
        )
        #expect(try await db.scalar(Int64.self, "SELECT count(*) FROM public.knowledge_chunk_vectors") == 0)
    }
}

/// Returns 768-dimensional vectors (a model of another size than the schema's `vector(384)`).
final class WideEmbedder: Embedder {
    let modelID = "example/wide-768"
    let dimensions = 768
    let maxTokens = 256
    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { _ in [Float](repeating: 1 / Float(768).squareRoot(), count: 768) }
    }
}

/// Takes 100 ms per call, so a drain can be cancelled mid-batch.
final class SlowEmbedder: Embedder {
    let modelID = "sentence-transformers/all-MiniLM-L6-v2"
    let dimensions = 384
    let maxTokens = 256
    func embed(_ texts: [String]) async throws -> [[Float]] {
        try await Task.sleep(for: .milliseconds(100))
        return texts.map(FakeEmbedder.vector(for:))
    }
}

/// A vector as pgvector text (binding `PostgresVector` needs `vector` on the search_path; the schema keeps it in
/// `extensions`).
func literal(_ vector: [Float]) -> String {
    "[" + vector.map { "\($0)" }.joined(separator: ",") + "]"
}
