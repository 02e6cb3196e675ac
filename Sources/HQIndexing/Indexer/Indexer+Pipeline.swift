import Foundation
import HQCore
import HQEmbedding
import HQStorage
import Logging

/// A leased batch after extraction and chunking.
struct ExtractedBatch: Sendable {
    /// Sources to write, with chunks; vectors filled by `embed`.
    var sources: [PreparedSource] = []
    /// Counts of sources already settled (unchanged, failed extraction).
    var summary = IndexRunSummary()
    /// Existing vectors by (content hash, model).
    var existing: [VectorKey: [Float]] = [:]
    /// When the lease was asked for and when each stage ended, for the per-source timing at `.debug`.
    var timing = BatchTiming()
    var isEmpty: Bool { sources.isEmpty && summary.sources == 0 }
    var leasedIDs: [UUID] { sources.map(\.source.id) }
}

/// Wall-clock times of one batch's stages (seconds since 1970; comparable across processes on one machine, as the
/// freshness benchmark needs).
struct BatchTiming: Sendable {
    var asked = 0.0
    var leased = 0.0
    var extracted = 0.0
    var embedded = 0.0

    static var now: Double { Date().timeIntervalSince1970 }
}

extension Indexer {
    /// Lease → extract/chunk (next batch) ‖ embed (this batch) ‖ write (previous batch): three batches in flight at
    /// most, so memory stays bounded while the embedder is kept busy.
    /// - Parameter dueBefore: the drain's start: a source that failed during this drain is not retried by it.
    func runPipeline(progress: (@Sendable (IndexProgress) -> Void)?, dueBefore: Date = Date()) async throws
        -> IndexRunSummary
    {
        let clock = ContinuousClock()
        let start = clock.now
        var summary = IndexRunSummary()
        var writing: Task<IndexRunSummary, any Error>?
        // Leases are kept alive while their batch is extracted, embedded and written (three batches in flight can
        // outlast one lease): every third of a lease, this worker's leases are extended.
        let keeper = Task { [queue, configuration, logger] in
            let interval = Duration.milliseconds(max(200, configuration.leaseSeconds * 1000 / 3))
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                do { try await queue.extendLeases(leaseSeconds: configuration.leaseSeconds) } catch {
                    logger.warning("cannot extend leases", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { keeper.cancel() }
        var current = try await leaseAndExtract(dueBefore: dueBefore)
        defer { writing?.cancel() }
        do {
            while !current.isEmpty {
                async let next = leaseAndExtract(dueBefore: dueBefore)
                var embedded = current
                let embedSummary: IndexRunSummary
                do {
                    embedSummary = try await embed(&embedded)
                } catch {
                    // Cancelled while embedding: give back this batch and the one leased meanwhile.
                    let leasedMeanwhile = (try? await next)?.leasedIDs ?? []
                    try? await releaseUncancelled(current.leasedIDs + leasedMeanwhile)
                    current = ExtractedBatch()
                    throw error
                }
                if let writing {
                    do { summary.add(try await writing.value) } catch {
                        // The previous batch's write failed (e.g. the live model changed): the batch leased
                        // meanwhile goes back too, or it would wait out its leases.
                        let leasedMeanwhile = (try? await next)?.leasedIDs ?? []
                        try? await releaseUncancelled(leasedMeanwhile)
                        throw error
                    }
                }
                summary.add(current.summary)
                summary.add(embedSummary)
                let batch = embedded
                writing = Task { try await self.write(batch) }
                do {
                    current = try await next
                } catch {
                    summary.add(try await writing!.value)
                    writing = nil
                    throw error
                }
                summary.seconds = (clock.now - start).seconds
                if let progress {
                    let remaining = (try? await queue.pendingCount(sourceType: configuration.sourceType)) ?? 0
                    progress(IndexProgress(summary: summary, remaining: remaining))
                }
            }
            if let writing { summary.add(try await writing.value) }
            writing = nil
        } catch {
            // Give back what was leased but not written (graceful shutdown, database errors), without counting
            // the attempt; the write in flight finishes on its own.
            if let writing { _ = try? await writing.value }
            writing = nil
            try? await releaseUncancelled(current.leasedIDs)
            throw error
        }
        summary.seconds = (clock.now - start).seconds
        if let progress {
            progress(
                IndexProgress(
                    summary: summary,
                    remaining: (try? await queue.pendingCount(sourceType: configuration.sourceType)) ?? 0))
        }
        return summary
    }

    /// Releases leases even when the current task is cancelled (the release must reach the database).
    func releaseUncancelled(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        let queue = self.queue
        try await Task { try await queue.release(ids) }.value
    }

    /// Leases a batch, settles unchanged sources, extracts and chunks the rest, loads their reusable vectors.
    /// If anything fails after the lease (cancellation included), the leases are released before rethrowing.
    func leaseAndExtract(dueBefore: Date) async throws -> ExtractedBatch {
        try Task.checkCancellation()
        let asked = BatchTiming.now
        let leased = try await queue.lease(
            limit: configuration.batchSize, leaseSeconds: configuration.leaseSeconds,
            sourceType: configuration.sourceType, lane: configuration.lane, editGrace: configuration.editGraceSeconds,
            dueBefore: dueBefore)
        let leasedAt = BatchTiming.now
        do {
            var batch = try await extractLeased(leased)
            batch.timing = BatchTiming(asked: asked, leased: leasedAt, extracted: BatchTiming.now)
            return batch
        } catch {
            try? await releaseUncancelled(leased.map(\.id))
            throw error
        }
    }

    private func extractLeased(_ leased: [LeasedSource]) async throws -> ExtractedBatch {
        var batch = ExtractedBatch()
        guard !leased.isEmpty else { return batch }
        let modelIDs = models.map(\.modelID)
        var unchanged: [(id: UUID, seq: Int64, hash: String)] = []
        // What origins said of the files they sent (source → URL, strong ETag, digest of those bytes), read once per
        // batch; a failed read only costs downloads.
        let known = (try? await queue.fileValidators(leased.filter { $0.sourceType == "asset" }.map(\.id))) ?? [:]
        var learned: [SourceFileValidator] = []
        for source in leased {
            try Task.checkCancellation()
            // An asset whose text comes from its file is identified by the file's bytes too: the same name and size
            // with other bytes is a change. When the origin gave a strong ETag for the bytes last indexed, it is asked
            // whether they changed (If-None-Match) instead of sending them again; a 304 stands for the same digest.
            func hashWith(_ digest: String?) -> String {
                source.sourceHash(
                    models: modelIDs, chunking: configuration.chunking, maxTokens: chunker.maxTokens, fileDigest: digest
                )
            }
            func isCurrent(_ hash: String) -> Bool {
                hash == source.chunkSourceHash && source.indexedModel == finishModel
            }
            let cached = known[source.id].flatMap { $0.fileURL == source.sourceURI ? $0 : nil }
            var file: Data?
            var digest: String?
            // Takes fetched bytes: the file to extract, its digest for the hash, and what the origin said of them.
            func take(_ answer: ConditionalFetch?) {
                guard case .fetched(let fetched) = answer else { return }
                file = fetched.bytes
                let sha = fetched.bytes.withUnsafeBytes(SHA256.hexDigest)
                digest = sha
                if let validator = fetched.validator, let url = source.sourceURI {
                    learned.append(
                        SourceFileValidator(sourceID: source.id, fileURL: url, validator: validator, digest: sha))
                }
            }
            do {
                let answer = try await extractor.file(source.content, ifNoneMatch: cached?.validator)
                if answer == .notModified {
                    digest = cached?.digest
                    // Something besides the file changed: extraction needs the bytes after all.
                    if !isCurrent(hashWith(digest)) { take(try await extractor.file(source.content, ifNoneMatch: nil)) }
                } else {
                    take(answer)
                }
            } catch {
                let permanent = (error as? IndexingError)?.code == .refused
                await recordFailure(source, reason: "\(error)", permanent: permanent, into: &batch.summary)
                continue
            }
            let hash = hashWith(digest)
            if isCurrent(hash) {
                unchanged.append((source.id, source.changeSeq, hash))
                continue
            }
            do {
                let text = try await extractor.extract(source.content, file: file)
                let chunks = chunker.chunks(of: text, title: source.title)
                batch.sources.append(
                    PreparedSource(source: source, sourceHash: hash, method: text.method, chunks: chunks, vectors: [:]))
            } catch {
                let permanent = (error as? IndexingError)?.code == .refused
                await recordFailure(source, reason: "\(error)", permanent: permanent, into: &batch.summary)
            }
        }
        if !learned.isEmpty {
            do { try await queue.recordFileValidators(learned) } catch {
                logger.warning("file validators not recorded", metadata: ["error": "\(error)"])
            }
        }
        if !unchanged.isEmpty {
            let done = try await queue.finishUnchanged(unchanged, model: finishModel, method: "unchanged")
            batch.summary.unchanged += done.count
            batch.summary.stale += unchanged.count - done.count
        }
        batch.existing = try await queue.existingVectors(sources: batch.sources.map(\.source.id), models: modelIDs)
        return batch
    }

    /// Fills every chunk's vectors: reused by (content hash, model), else embedded (each distinct text once).
    /// Sources whose embedding fails are recorded as failed attempts and dropped from the batch.
    /// - Throws: `CancellationError` only (embedder failures are recorded per source).
    func embed(_ batch: inout ExtractedBatch) async throws -> IndexRunSummary {
        var summary = IndexRunSummary()
        var failed: [UUID: String] = [:]
        for model in models {
            var missing: [String: String] = [:]  // hash → input
            var order: [String] = []
            for prepared in batch.sources {
                for chunk in prepared.chunks
                where batch.existing[VectorKey(hash: chunk.contentHash, model: model.modelID)] == nil {
                    if missing.updateValue(chunk.embeddingInput, forKey: chunk.contentHash) == nil {
                        order.append(chunk.contentHash)
                    }
                }
            }
            var start = 0
            while start < order.count {
                let slice = Array(order[start..<min(order.count, start + configuration.embedBatchSize)])
                start += slice.count
                do {
                    // The bulk lane's embedding goes after any other job of this process's native embedder.
                    let texts = slice.map { missing[$0]! }
                    let vectors = try await BulkEmbedding.$isActive.withValue(configuration.lane == .bulk) {
                        try await model.embed(texts)
                    }
                    guard vectors.count == slice.count, vectors.allSatisfy({ $0.count == model.dimensions }) else {
                        throw IndexingError(
                            .embeddingFailed,
                            "\(model.modelID) returned \(vectors.count) vectors for \(slice.count) texts")
                    }
                    for (hash, vector) in zip(slice, vectors) {
                        batch.existing[VectorKey(hash: hash, model: model.modelID)] = vector
                    }
                    summary.embedderTexts += slice.count
                } catch {
                    if error is CancellationError || Task.isCancelled { throw CancellationError() }
                    let reason =
                        error is IndexingError
                        ? "\(error)" : "\(IndexingError(.embeddingFailed, "\(model.modelID): \(error)"))"
                    logger.warning("embedding failed", metadata: ["model": "\(model.modelID)", "error": "\(reason)"])
                    let hashes = Set(slice)
                    for prepared in batch.sources
                    where prepared.chunks.contains(where: { hashes.contains($0.contentHash) }) {
                        failed[prepared.source.id] = reason
                    }
                }
            }
            summary.embeddedChunks += order.count
        }
        let own = Set(models.map(\.modelID))
        let carriedModels = Set(batch.existing.keys.map(\.model)).subtracting(own).sorted()
        var kept: [PreparedSource] = []
        for var prepared in batch.sources {
            if let reason = failed[prepared.source.id] {
                await recordFailure(prepared.source, reason: reason, into: &summary)
                continue
            }
            for model in models {
                prepared.vectors[model.modelID] = prepared.chunks.map {
                    batch.existing[VectorKey(hash: $0.contentHash, model: model.modelID)]!
                }
            }
            // The workspace's other live or next model (a model change in progress that this indexer does not
            // embed with): unchanged chunks keep their vectors, so this write does not undo that model's build.
            for model in carriedModels where prepared.vectors[model] == nil {
                let carried = prepared.chunks.map { batch.existing[VectorKey(hash: $0.contentHash, model: model)] }
                if carried.contains(where: { $0 != nil }) { prepared.vectors[model] = carried }
            }
            kept.append(prepared)
        }
        batch.sources = kept
        batch.existing = [:]
        batch.timing.embedded = BatchTiming.now
        return summary
    }

    /// Writes each source's chunk set in its own transaction.
    func write(_ batch: ExtractedBatch) async throws -> IndexRunSummary {
        var summary = IndexRunSummary()
        let writer = ChunkSetWriter(
            pool: pool, finishModel: finishModel, dimensions: embedder.dimensions, worker: queue.worker)
        for (position, prepared) in batch.sources.enumerated() {
            do {
                switch try await writer.write(prepared, liveModel: embedder.modelID) {
                case .written:
                    summary.indexed += 1
                    summary.chunks += prepared.chunks.count
                    logTiming(prepared.source, batch.timing)
                case .stale:
                    summary.stale += 1
                case .modelChanged(let live):
                    // Nothing of this batch is written with a model that is no longer live; its leases go back now.
                    try? await releaseUncancelled(batch.sources[position...].map(\.source.id))
                    throw IndexingError(
                        .modelMismatch,
                        "the workspace's live model became \(live) during this pass (hq reindex --model promoted it) but this indexer embeds with \(embedder.modelID); restart it (it uses the live model)"
                    )
                }
            } catch is ChunkSetWriter.StaleWrite {
                summary.stale += 1
            } catch let error as PostgresError where error.kind == .server || error.kind == .encoding {
                // A row the server refused (e.g. a constraint): this source fails, the batch goes on.
                await recordFailure(prepared.source, reason: "write failed: \(error)", into: &summary)
            }
        }
        return summary
    }

    /// At `.debug`: when the source's lease was asked for, and when it was leased, extracted, embedded and written
    /// (seconds since 1970): the breakdown of how fresh the index is (`bench/freshness.sh`).
    private func logTiming(_ source: LeasedSource, _ timing: BatchTiming) {
        guard logger.logLevel <= .debug else { return }
        let format = { (time: Double) in String(format: "%.4f", time) }
        logger.debug(
            "source timing",
            metadata: [
                "source": "\(source.id)", "seq": "\(source.changeSeq)", "lane": "\(configuration.lane.rawValue)",
                "asked": "\(format(timing.asked))", "leased": "\(format(timing.leased))",
                "extracted": "\(format(timing.extracted))", "embedded": "\(format(timing.embedded))",
                "written": "\(format(BatchTiming.now))",
            ])
    }

    func recordFailure(
        _ source: LeasedSource, reason: String, permanent: Bool = false, into summary: inout IndexRunSummary
    ) async {
        do {
            let outcome = try await queue.fail(source.id, seq: source.changeSeq, error: reason, permanent: permanent)
            switch outcome {
            case "failed": summary.failed += 1
            case "retry": summary.retrying += 1
            default: summary.stale += 1
            }
            logger.warning(
                "source failed", metadata: ["source": "\(source.id)", "outcome": "\(outcome)", "error": "\(reason)"])
        } catch {
            logger.error("cannot record a failure", metadata: ["source": "\(source.id)", "error": "\(error)"])
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
