/// Which candidate legs a search uses.
public enum SearchMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Dense ANN and BM25, fused, then exact cosine on every candidate.
    case hybrid
    /// Dense ANN only, ordered by exact cosine.
    case dense
    /// BM25 only (works without an embedder).
    case lexical
}

/// One search: the query, filters and shape of the answer.
public struct SearchRequest: Sendable, Hashable {
    /// Natural-language query; blank lists pinned then recently updated sources.
    public var query: String
    /// Which sources may match.
    public var filter: SearchFilter
    /// The accepted ``limit``s.
    public static let limitRange = 1...1000
    /// The accepted ``chunksPerSource`` values.
    public static let chunksPerSourceRange = 1...50

    /// Most sources to return (``limitRange``: 1…1000).
    public var limit: Int
    /// Candidate legs.
    public var mode: SearchMode
    /// Most chunks per source in the answer (``chunksPerSourceRange``: 1…50).
    public var chunksPerSource: Int
    /// MMR trade-off between relevance (1) and diversity (0); nil disables MMR.
    public var mmrLambda: Double?
    /// Include per-stage scores on every chunk.
    public var explain: Bool

    /// A request with defaults: hybrid, 10 sources, 3 chunks each, no MMR.
    public init(
        query: String, filter: SearchFilter = .init(), limit: Int = 10, mode: SearchMode = .hybrid,
        chunksPerSource: Int = 3, mmrLambda: Double? = nil, explain: Bool = false
    ) {
        self.query = query
        self.filter = filter
        self.limit = limit
        self.mode = mode
        self.chunksPerSource = chunksPerSource
        self.mmrLambda = mmrLambda
        self.explain = explain
    }
}
