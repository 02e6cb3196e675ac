import HQEmbedding

/// Merges concurrent embedding requests into shared model batches.
///
/// A request that arrives while fewer than `maxInFlight` batches run starts at once (no added latency when
/// idle); requests arriving while the model is busy wait and leave together in the next batch, up to
/// `maxBatchTexts` texts (a single larger request runs alone). At most `maxPendingTexts` texts wait: a request that
/// would queue more is refused at once with ``APIError/embedderBusy(pendingLimit:)`` (503, `Retry-After`), so a flood
/// costs bounded memory instead of an ever-growing queue.
actor MicroBatcher {
    private struct Job {
        let texts: [String]
        let continuation: CheckedContinuation<[EmbeddedText], any Error>
    }

    private let embedder: any Embedder
    private let maxBatchTexts: Int
    private let maxInFlight: Int
    private let maxPendingTexts: Int
    private let metrics: ServerMetrics
    private var queue: [Job] = []
    private var pendingTexts = 0
    private var inFlight = 0

    init(embedder: any Embedder, maxBatchTexts: Int, maxInFlight: Int, maxPendingTexts: Int, metrics: ServerMetrics) {
        self.embedder = embedder
        self.maxBatchTexts = max(1, maxBatchTexts)
        self.maxInFlight = max(1, maxInFlight)
        self.maxPendingTexts = max(1, maxPendingTexts)
        self.metrics = metrics
    }

    func embed(_ texts: [String]) async throws -> [EmbeddedText] {
        if texts.isEmpty { return [] }
        // A request alone in an empty queue is always taken (its size is bounded by the body and input limits).
        if !queue.isEmpty || inFlight >= maxInFlight, pendingTexts + texts.count > maxPendingTexts {
            metrics.add("hq_embed_rejected_total", 1)
            throw APIError.embedderBusy(pendingLimit: maxPendingTexts)
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(texts: texts, continuation: continuation))
            pendingTexts += texts.count
            startBatches()
        }
    }

    private func startBatches() {
        while inFlight < maxInFlight, !queue.isEmpty {
            var jobs = [queue.removeFirst()]
            var count = jobs[0].texts.count
            while let next = queue.first, count + next.texts.count <= maxBatchTexts {
                jobs.append(queue.removeFirst())
                count += next.texts.count
            }
            pendingTexts -= count
            inFlight += 1
            Task { await self.run(jobs) }
        }
    }

    private func run(_ jobs: [Job]) async {
        let texts = jobs.flatMap(\.texts)
        let started = ContinuousClock.now
        do {
            let embedded = try await Self.embed(texts, with: embedder)
            let elapsed = ContinuousClock.now - started
            metrics.add("hq_embed_batches_total", 1)
            metrics.add("hq_embed_texts_total", Double(texts.count))
            metrics.add("hq_embed_requests_batched_total", Double(jobs.count))
            metrics.observe(
                "hq_embed_batch_seconds",
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            var offset = 0
            for job in jobs {
                job.continuation.resume(returning: Array(embedded[offset..<offset + job.texts.count]))
                offset += job.texts.count
            }
        } catch {
            metrics.add("hq_embed_errors_total", 1)
            for job in jobs { job.continuation.resume(throwing: error) }
        }
        inFlight -= 1
        startBatches()
    }

    private static func embed(_ texts: [String], with embedder: any Embedder) async throws -> [EmbeddedText] {
        try await embedder.embedWithTokenCounts(texts).map { EmbeddedText(vector: $0.vector, tokens: $0.tokenCount) }
    }
}
