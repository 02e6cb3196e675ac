/// Tuning of the retrieval pipeline; the defaults are the measured ones (docs/BENCHMARKS.md).
public struct SearchConfiguration: Sendable, Hashable {
    /// How the two legs' rankings combine in hybrid mode.
    public enum Fusion: Sendable, Hashable {
        /// Reciprocal rank fusion: `Σ weight / (k + rank)` over the legs that ranked a chunk.
        case reciprocalRank(k: Double, denseWeight: Double, lexicalWeight: Double)
        /// Convex combination of min-max normalised scores: `α·cosine + (1−α)·bm25`.
        case convex(alpha: Double)
        /// Distribution-based score fusion (as Qdrant's DBSF): each leg's scores mapped from
        /// [mean − 3σ, mean + 3σ] over this query's candidates to [0, 1] (clamped), then `α·dense + (1−α)·lexical`.
        /// Unlike min-max it is not set by one outlying score.
        case distribution(alpha: Double)
    }

    /// Model whose vectors to search; nil means the workspace's live model (`hq_live_embedding_model()`).
    public var model: String?
    /// Chunks the dense leg proposes per query (over-fetch for rerank and grouping).
    public var denseCandidates = 50
    /// Chunks the lexical leg proposes per query.
    public var lexicalCandidates = 50
    /// pgvector's largest `hnsw.ef_search`.
    public static let maxEfSearch = 1000
    /// `hnsw.ef_search` (raised to the dense leg's candidate count, at most ``maxEfSearch``).
    public var efSearch = 100
    /// A filter matching fewer vectors than this is served by an exact scan instead of the ANN index.
    public var exactScanThreshold = 2_000
    /// Fusion of the legs in hybrid mode: a convex combination, α = 0.5, of min-max-normalised exact cosine and the
    /// source's BM25. Chosen on SciFact's *train* queries at the service's settings (docs/BENCHMARKS.md, "Choosing
    /// fusion on train"): 0.7433 there against 0.7388 for RRF k=10 and 0.7327 for RRF k=60; every α in 0.4–0.7 is
    /// within 0.003 of it, and it beats both legs alone on both splits.
    public var fusion: Fusion = .convex(alpha: 0.5)
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

    /// The defaults with the settings of `environment` applied: `HQ_SEARCH_FUSION` (a ``Fusion`` spec, e.g.
    /// `convex:0.5`), `HQ_SEARCH_EF_SEARCH` (10…1000), `HQ_SEARCH_CANDIDATES` (dense and lexical candidates, 10…1000).
    /// - Throws: ``SearchError`` `invalidRequest` naming the variable.
    public static func environment(_ environment: [String: String]) throws -> SearchConfiguration {
        var configuration = SearchConfiguration()
        if let spec = environment["HQ_SEARCH_FUSION"], !spec.isEmpty {
            do { configuration.fusion = try Fusion(parsing: spec) } catch let error as SearchError {
                throw SearchError(.invalidRequest, "HQ_SEARCH_FUSION: \(error.context)")
            }
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw SearchError(
                    .invalidRequest, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        if let ef = try integer("HQ_SEARCH_EF_SEARCH", 10...1000) { configuration.efSearch = ef }
        if let candidates = try integer("HQ_SEARCH_CANDIDATES", 10...1000) {
            configuration.denseCandidates = candidates
            configuration.lexicalCandidates = candidates
        }
        return configuration
    }
}

extension SearchConfiguration.Fusion: CustomStringConvertible {
    /// Parses `rrf` (k = 60, the constant of the RRF paper), `rrf:K`, `rrf:K:DENSE_WEIGHT:LEXICAL_WEIGHT`, `convex:ALPHA` or
    /// `dbsf[:ALPHA]` (α weights the dense leg, 0…1; 0.5 when omitted).
    /// - Throws: ``SearchError`` `invalidRequest` naming the accepted forms.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let numbers = parts.dropFirst().map(Double.init)
        let usage =
            "fusion must be rrf, rrf:K, rrf:K:DENSE_WEIGHT:LEXICAL_WEIGHT, convex:ALPHA, dbsf or dbsf:ALPHA (got \(text))"
        guard !numbers.contains(where: { $0 == nil || !$0!.isFinite }) else {
            throw SearchError(.invalidRequest, usage)
        }
        let values = numbers.map { $0! }
        switch (parts[0], values.count) {
        case ("rrf", 0): self = .reciprocalRank(k: 60, denseWeight: 1, lexicalWeight: 1)
        case ("rrf", 1) where values[0] > 0: self = .reciprocalRank(k: values[0], denseWeight: 1, lexicalWeight: 1)
        case ("rrf", 3) where values[0] > 0 && values[1] >= 0 && values[2] >= 0 && values[1] + values[2] > 0:
            self = .reciprocalRank(k: values[0], denseWeight: values[1], lexicalWeight: values[2])
        case ("convex", 1) where (0...1).contains(values[0]): self = .convex(alpha: values[0])
        case ("dbsf", 0): self = .distribution(alpha: 0.5)
        case ("dbsf", 1) where (0...1).contains(values[0]): self = .distribution(alpha: values[0])
        default: throw SearchError(.invalidRequest, usage)
        }
    }

    /// The spec ``init(parsing:)`` reads back: `rrf:60:1:1`, `convex:0.5`.
    public var description: String {
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
        switch self {
        case .reciprocalRank(let k, let dense, let lexical):
            return "rrf:\(number(k)):\(number(dense)):\(number(lexical))"
        case .convex(let alpha): return "convex:\(number(alpha))"
        case .distribution(let alpha): return "dbsf:\(number(alpha))"
        }
    }
}
