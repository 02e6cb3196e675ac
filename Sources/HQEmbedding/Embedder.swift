/// Turns texts into fixed-size vectors. Shared by the indexer, the query service, the HTTP client
/// providers and the native BERT encoder.
///
/// Implementations are safe to call from many tasks at once. `embed` returns one vector per input, in
/// input order, each `dimensions` long (L2-normalised for sentence encoders).
public protocol Embedder: Sendable {
    /// A stable identifier of the model, e.g. `sentence-transformers/all-MiniLM-L6-v2`. Stored with
    /// every vector so that a model change is detectable.
    var modelID: String { get }
    /// Length of every vector this embedder returns.
    var dimensions: Int { get }
    /// The most tokens one input may have before it is truncated (including special tokens).
    var maxTokens: Int { get }
    /// Embeds `texts`, returning `texts.count` vectors of `dimensions` floats, in order.
    /// - Throws: `EmbeddingError` when the model or service fails; never a partial result.
    func embed(_ texts: [String]) async throws -> [[Float]]
    /// What the model expects before a search query and never before a passage (bge's retrieval
    /// instruction); empty for symmetric models. Wrappers forward their base embedder's.
    var queryPrefix: String { get }
    /// Embeds search queries, which some models prepare differently from the passages `embed` takes.
    /// Callers pass the user's text; the embedder adds what its model needs.
    /// - Throws: `EmbeddingError` when the model or service fails; never a partial result.
    func embedQueries(_ queries: [String]) async throws -> [[Float]]
}

extension Embedder {
    /// No query instruction: queries are embedded like passages.
    public var queryPrefix: String { "" }

    /// Puts ``queryPrefix`` before each query and embeds the results with ``embed(_:)``.
    public func embedQueries(_ queries: [String]) async throws -> [[Float]] {
        let prefix = queryPrefix
        return try await embed(prefix.isEmpty ? queries : queries.map { prefix + $0 })
    }
}
