public import HQEmbedding

/// How an ``Indexer`` works: batch sizes, leases, retries, chunk sizes and caps.
///
/// Every default is safe on a laptop; `hq` builds one from flags and the environment.
public struct IndexerConfiguration: Sendable {
    /// Identifies this worker in `knowledge_sources.indexing_leased_by` (default: host name, pid and a random suffix).
    public var workerID: String
    /// Sources leased and processed together (one embedding call covers the batch's changed chunks).
    public var batchSize: Int = 64
    /// How long a lease lasts; another worker takes the source over when it expires without an answer.
    public var leaseSeconds: Int = 300
    /// Attempts before a source stops being retried and stays failed with its reason.
    public var maxAttempts: Int = 5
    /// Which pending sources this indexer leases: all (the default), only edits, or only bulk work.
    /// ``Indexer/watch(listeningWith:)`` runs an edits lane and a bulk lane side by side whatever this says.
    public var lane: QueueLane = .all
    /// Sources leased per batch by the edits lane: small, so an edit arriving while the lane is busy waits for little.
    public var editBatchSize: Int = 8
    /// How long an edit is left to an edits lane before a large batch may take it: 0 for a drain that is the only
    /// worker (`hq index --once`), 2 s for a bulk job beside a watcher (`hq reindex`; the watcher's own bulk lane
    /// uses at least 2 s).
    public var editGraceSeconds: Double = 0
    /// Only this source type (`document` or `asset`), or all when nil.
    public var sourceType: String?
    /// Chunk sizes in model tokens.
    public var chunking: ChunkingConfiguration = .init()
    /// Extraction caps and the file fetcher.
    public var extraction: ExtractionConfiguration = .init()
    /// Counts model tokens for chunking; nil uses the embedder's ``Embedder/tokenCounter``.
    public var tokenCounter: (any TokenCounter)?
    /// A second model whose vectors are built beside the live model's (`hq reindex --model`); nil for none.
    public var nextEmbedder: (any Embedder)?
    /// Loads the embedder of a model the workspace names (by model id), for ``Indexer/watch(listeningWith:)``: when
    /// `hq reindex --model` starts a model change elsewhere, the watcher writes vectors for the next model too, and
    /// after the promotion it embeds with the new live model. Nil when the model cannot be loaded here (then the
    /// watcher keeps the next model's vectors of unchanged chunks, the change's own worker embeds the rest, and a
    /// promotion stops the watcher with `modelMismatch`).
    public var embedderForModel: (@Sendable (String) -> (any Embedder)?)?
    /// Texts per `embed` call (the native embedder batches again internally).
    public var embedBatchSize: Int = 256
    /// Seconds between reconciliation polls in ``Indexer/watch(listeningWith:)`` (missed notifications, backoffs).
    public var pollSeconds: Double = 30
    /// Drop the ANN index before a bulk load of more than this many sources into an empty chunk table, and rebuild
    /// it after (``Indexer/drain()``); nil never drops it.
    public var bulkLoadThreshold: Int? = 2_000

    /// Creates a configuration with defaults.
    /// - Parameter workerID: the lease owner name; nil derives a unique one.
    public init(workerID: String? = nil) {
        self.workerID = workerID ?? WorkerIdentity.make()
    }
}

/// Chunk sizes, in tokens of the embedding model.
public struct ChunkingConfiguration: Sendable, Hashable {
    /// The size a chunk aims for.
    public var targetTokens: Int = 200
    /// Tokens repeated from the end of one chunk at the start of the next when a section is cut by size.
    public var overlapTokens: Int = 32
    /// The most tokens of title/section context prepended to each chunk for embedding.
    public var maxContextTokens: Int = 48
    /// The most chunks one source yields; the rest of a longer source is not indexed (and logged).
    public var maxChunksPerSource: Int = 20_000

    /// Creates the default configuration.
    public init() {}
}

/// A part of the indexing queue, by `knowledge_sources.pending_priority` (0: an edit; 1: bulk work from
/// `hq reindex` or a model change; migrations 022 and 023).
public enum QueueLane: String, Sendable {
    /// Every pending source, edits first (with ``IndexerConfiguration/editGraceSeconds``, edits once that old).
    case all
    /// Edits only, in batches of ``IndexerConfiguration/editBatchSize``.
    case edits
    /// Bulk work, and edits that waited longer than ``IndexerConfiguration/editGraceSeconds`` (the edits lane is
    /// behind: a large import).
    case bulk
}
