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
    /// Counts this model's tokens, for cutting text to size (default: ``ApproximateTokenCounter``, at or above
    /// WordPiece counts).
    var tokenCounter: any TokenCounter { get }
    /// Embeds `texts`, returning `texts.count` vectors of `dimensions` floats, in order.
    /// - Throws: `EmbeddingError` when the model or service fails; never a partial result.
    func embed(_ texts: [String]) async throws -> [[Float]]
    /// Embeds `texts` and reports, per text, how many tokens the model saw (default: ``embed(_:)`` with an estimate
    /// of UTF-8 bytes / 4 + 2 tokens, never marked truncated).
    /// - Throws: `EmbeddingError` when the model or service fails; never a partial result.
    func embedWithTokenCounts(_ texts: [String]) async throws -> [Embedding]
    /// What the model expects before a search query and never before a passage (bge's retrieval
    /// instruction); empty for symmetric models. Wrappers forward their base embedder's.
    var queryPrefix: String { get }
    /// Embeds search queries, which some models prepare differently from the passages `embed` takes.
    /// Callers pass the user's text; the embedder adds what its model needs.
    /// - Throws: `EmbeddingError` when the model or service fails; never a partial result.
    func embedQueries(_ queries: [String]) async throws -> [[Float]]
}

extension Embedder {
    /// A conservative estimate: embedders without a local tokenizer (HTTP providers) cannot count exactly.
    public var tokenCounter: any TokenCounter { ApproximateTokenCounter() }

    /// The vectors of ``embed(_:)`` with estimated token counts.
    public func embedWithTokenCounts(_ texts: [String]) async throws -> [Embedding] {
        let vectors = try await embed(texts)
        return zip(vectors, texts).map { Embedding(vector: $0, tokenCount: $1.utf8.count / 4 + 2, isTruncated: false) }
    }

    /// No query instruction: queries are embedded like passages.
    public var queryPrefix: String { "" }

    /// Puts ``queryPrefix`` before each query and embeds the results with ``embed(_:)``.
    public func embedQueries(_ queries: [String]) async throws -> [[Float]] {
        let prefix = queryPrefix
        return try await embed(prefix.isEmpty ? queries : queries.map { prefix + $0 })
    }
}

/// One embedded text.
public struct Embedding: Sendable {
    /// The sentence vector (`dimensions` floats, L2-normalised for normalising models).
    public let vector: [Float]
    /// Ids the model saw, `[CLS]`/`[SEP]` included (an estimate for embedders without a local tokenizer).
    public let tokenCount: Int
    /// True when the text was longer than the model's limit and only its start was embedded.
    public let isTruncated: Bool
}
