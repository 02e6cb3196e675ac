/// Tuning of the retrieval pipeline; the defaults are the measured ones (docs/BENCHMARKS.md).
public struct SearchConfiguration: Sendable, Hashable {
    /// How the two legs' rankings combine in hybrid mode.
    public enum Fusion: Sendable, Hashable {
        /// Reciprocal rank fusion: `Σ weight / (k + rank)` over the legs that ranked a chunk.
        case reciprocalRank(k: Double, denseWeight: Double, lexicalWeight: Double)
        /// Convex combination of min-max normalised scores: `α·cosine + (1−α)·bm25`.
        case convex(alpha: Double)
    }

    /// Model whose vectors to search; nil means the workspace's live model (`hq_live_embedding_model()`).
    public var model: String?
    /// Chunks the dense leg proposes per query (over-fetch for rerank and grouping).
    public var denseCandidates = 100
    /// Chunks the lexical leg proposes per query.
    public var lexicalCandidates = 100
    /// `hnsw.ef_search` (raised to at least ``denseCandidates``).
    public var efSearch = 100
    /// A filter matching fewer vectors than this is served by an exact scan instead of the ANN index.
    public var exactScanThreshold = 2_000
    /// Fusion of the legs in hybrid mode.
    public var fusion: Fusion = .reciprocalRank(k: 60, denseWeight: 1, lexicalWeight: 1)
    /// BM25 term-frequency saturation.
    public var bm25K1 = 0.9
    /// BM25 length normalisation.
    public var bm25B = 0.4
    /// Query embeddings kept in the LRU cache.
    public var cacheCapacity = 512
    /// Embedding dimensions of the ANN index expression (`halfvec(384)`).
    public var dimensions = 384

    /// The defaults.
    public init() {}
}
