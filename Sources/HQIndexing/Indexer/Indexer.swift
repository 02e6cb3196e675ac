public import Foundation
public import HQEmbedding
public import HQStorage
public import Logging

/// Turns pending documents and assets into chunks and vectors: leases sources, extracts, chunks, embeds only the
/// chunks whose content hash is new for the model, and swaps each source's chunk set in one transaction.
///
/// Any number of indexers in any number of processes may run against one database: leases (`FOR UPDATE SKIP
/// LOCKED` with expiry) keep them apart, and a write whose source changed since its lease is dropped.
///
/// ```swift
/// let indexer = try Indexer(pool: pool, embedder: embedder, logger: logger)
/// let summary = try await indexer.drain()          // everything pending, then return
/// try await indexer.watch(listeningWith: config)   // or: follow changes until cancelled
/// ```
public final class Indexer: Sendable {
    /// The database.
    public let pool: PostgresPool
    /// The live model's embedder.
    public let embedder: any Embedder
    /// Settings.
    public let configuration: IndexerConfiguration
    let logger: Logger
    let queue: SourceQueue
    let chunker: Chunker
    let extractor: ContentExtractor

    /// Creates an indexer.
    /// - Parameters:
    ///   - pool: connections to the HQ database (at least 2 recommended: writes overlap leasing).
    ///   - embedder: the embedder of the live model (`workspace.embedding_model`).
    ///   - configuration: batch sizes, leases, chunking, extraction; `nextEmbedder` for a model change.
    ///   - logger: receives progress at `.info`, failures at `.warning`; document text only at `.trace`.
    public init(
        pool: PostgresPool, embedder: any Embedder, configuration: IndexerConfiguration = .init(), logger: Logger
    ) {
        self.pool = pool
        self.embedder = embedder
        self.configuration = configuration
        self.logger = logger
        self.queue = SourceQueue(pool: pool, worker: configuration.workerID, maxAttempts: configuration.maxAttempts)
        let counter = configuration.tokenCounter ?? embedder.tokenCounter
        let maxTokens = min(embedder.maxTokens, configuration.nextEmbedder?.maxTokens ?? .max)
        self.chunker = Chunker(counter: counter, maxTokens: maxTokens, configuration: configuration.chunking)
        self.extractor = ContentExtractor(configuration: configuration.extraction)
    }

    /// The models this indexer writes vectors for: the live one, then the next one if any.
    var models: [any Embedder] { [embedder] + (configuration.nextEmbedder.map { [$0] } ?? []) }

    /// The model recorded as a source's `indexed_model` (the next model during a model change).
    var finishModel: String { configuration.nextEmbedder?.modelID ?? embedder.modelID }

    /// Processes every pending source that can be leased now, in pipelined batches, then returns.
    ///
    /// Sources waiting for a retry backoff, leased by another live worker, or failed during this drain are left for
    /// later; with ``IndexerConfiguration/editGraceSeconds`` above 0 (`hq reindex`), so are edits younger than that,
    /// for a watcher's edits lane. On the first bulk load (no vectors yet, more pending sources than
    /// ``IndexerConfiguration/bulkLoadThreshold``) the ANN index is dropped before and rebuilt after. If the task is
    /// cancelled, leases not yet written are released. ``watch(listeningWith:)`` runs it per lane.
    /// - Parameter progress: called after each batch.
    /// - Returns: what was done.
    /// - Throws: ``IndexingError`` `.modelMismatch` when the embedder does not serve the workspace's model;
    ///   ``PostgresError`` when the database fails; `CancellationError`.
    @discardableResult
    public func drain(progress: (@Sendable (IndexProgress) -> Void)? = nil) async throws -> IndexRunSummary {
        let started = Date()
        try await checkModel()
        try await repairANNIndex()
        // The edits lane never bulk loads: it leaves that to a lane that leases the bulk work.
        guard configuration.lane != .edits, try await isFirstBulkLoad() else {
            return try await runPipeline(progress: progress, dueBefore: started)
        }
        // The loader holds a session advisory lock from the drop to the rebuild: if this process dies in between,
        // the lock goes with its connection and the next pass (of any worker) rebuilds the index.
        return try await pool.withConnection { lock in
            let locked = try await lock.query("SELECT pg_try_advisory_lock(public.hq_ann_bulk_load_lock_key())")
            guard try locked.first?.decode(Bool.self, column: 0) == true else {
                return try await runPipeline(progress: progress, dueBefore: started)  // another worker is bulk loading
            }
            logger.info("first bulk load: building the ANN index after the data")
            do {
                try await lock.execute("SELECT public.hq_drop_ann_index()")
                let summary = try await runPipeline(progress: progress, dueBefore: started)
                try await lock.execute("SELECT public.hq_create_ann_index()")
                _ = try await lock.query("SELECT pg_advisory_unlock(public.hq_ann_bulk_load_lock_key())")
                return summary
            } catch {
                _ = try? await lock.execute("SELECT public.hq_create_ann_index()")
                _ = try? await lock.query("SELECT pg_advisory_unlock(public.hq_ann_bulk_load_lock_key())")
                throw error
            }
        }
    }

    /// This indexer leasing only `lane`, with the lane's batch size (and, for the bulk lane, at least
    /// `editGraceSeconds` of grace for edits).
    func lane(_ lane: QueueLane, editGraceSeconds: Double = 0) -> Indexer {
        var settings = configuration
        settings.lane = lane
        settings.editGraceSeconds = max(settings.editGraceSeconds, editGraceSeconds)
        if lane == .edits { settings.batchSize = max(1, min(configuration.batchSize, configuration.editBatchSize)) }
        return Indexer(pool: pool, embedder: embedder, configuration: settings, logger: logger)
    }

    // MARK: Model checks

    /// Fails unless every model's vectors fit the schema's column and the embedder's model is the workspace's live
    /// model. A database without any vector adopts the embedder's model as live.
    func checkModel() async throws {
        let stored = try await schemaDimensions()
        for model in models where model.dimensions != stored {
            throw IndexingError(
                .modelMismatch,
                "\(model.modelID) has \(model.dimensions) dimensions; the schema stores \(stored) (knowledge_chunk_vectors.embedding)"
            )
        }
        let rows = try await pool.query("SELECT embedding_model FROM public.workspace LIMIT 1")
        let live = try rows.first?.decode(String.self, column: 0)
        guard let live, live != embedder.modelID else { return }
        let any = try await pool.query("SELECT EXISTS (SELECT 1 FROM public.knowledge_chunk_vectors)")
        if try any.first?.decode(Bool.self, column: 0) == false {
            try await pool.execute("UPDATE public.workspace SET embedding_model = \(embedder.modelID)")
            logger.info("live embedding model set", metadata: ["model": "\(embedder.modelID)"])
            return
        }
        throw IndexingError(
            .modelMismatch,
            "the workspace's live model is \(live) but this indexer embeds with \(embedder.modelID); change models with hq reindex --model"
        )
    }

    /// The length of the vectors the schema stores: the type modifier of `knowledge_chunk_vectors.embedding`
    /// (`vector(384)` → 384), read from the catalog.
    private func schemaDimensions() async throws -> Int {
        let rows = try await pool.query(
            """
            SELECT atttypmod FROM pg_catalog.pg_attribute
            WHERE attrelid = 'public.knowledge_chunk_vectors'::regclass AND attname = 'embedding' AND NOT attisdropped
            """)
        guard let modifier = try rows.first?.decode(Int32.self, column: 0), modifier > 0 else {
            throw IndexingError(.modelMismatch, "the schema's knowledge_chunk_vectors.embedding has no fixed dimension")
        }
        return Int(modifier)
    }

    /// A first bulk load: no vectors yet and more pending sources than ``IndexerConfiguration/bulkLoadThreshold``.
    private func isFirstBulkLoad() async throws -> Bool {
        guard let threshold = configuration.bulkLoadThreshold else { return false }
        let rows = try await pool.query(
            """
            SELECT NOT EXISTS (SELECT 1 FROM public.knowledge_chunk_vectors),
                   (SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL AND archived_at IS NULL)
            """)
        guard let row = rows.first else { return false }
        return try row.decode(Bool.self, column: 0) && row.decode(Int64.self, column: 1) > threshold
    }

    /// Builds the ANN index if it is missing and no live worker is bulk loading (a loader killed between drop and
    /// rebuild left it missing; migration 021).
    func repairANNIndex() async throws {
        let rows = try await pool.query("SELECT public.hq_ensure_ann_index()")
        if try rows.first?.decode(Bool.self, column: 0) == true {
            logger.warning("the ANN index was missing (an indexer stopped during a first bulk load): rebuilt")
        }
    }
}
