public import Foundation

/// The answer to a ``SearchRequest``: sources best first, each with its best chunks.
///
/// JSON (the stable schema of `hq search --json` and `POST /v1/search`):
/// `{"query", "results": [{"source_id", "source_type", "title", "folder_path", "tags", "score",
/// "chunks": [{"chunk_id", "chunk_index", "content", "snippet", "section_path", "char_start",
/// "char_end", "score"}]}], "timing_ms"}`; with `explain`, each chunk also has `"explain"` and the
/// response `"stages_ms"`.
public struct SearchResponse: Sendable, Hashable, Codable {
    /// The query as given.
    public var query: String
    /// Sources, best first.
    public var results: [SearchResult]
    /// Wall time of the whole pipeline in milliseconds.
    public var timingMilliseconds: Double
    /// Time per stage in milliseconds (only with `explain`).
    public var stagesMilliseconds: [String: Double]?

    /// Creates a response.
    public init(
        query: String, results: [SearchResult], timingMilliseconds: Double, stagesMilliseconds: [String: Double]? = nil
    ) {
        self.query = query
        self.results = results
        self.timingMilliseconds = timingMilliseconds
        self.stagesMilliseconds = stagesMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case query, results
        case timingMilliseconds = "timing_ms"
        case stagesMilliseconds = "stages_ms"
    }
}

/// One source (document or asset) in a search answer.
public struct SearchResult: Sendable, Hashable, Codable {
    /// The knowledge source id (`knowledge_sources.id`).
    public var sourceID: UUID
    /// Document or asset.
    public var sourceType: SourceType
    /// The document's id or the asset's id (not part of the JSON schema).
    public var entityID: String = ""
    /// Title (document) or name (asset).
    public var title: String
    /// Folder path like `Sales/Playbooks`, nil at the root.
    public var folderPath: String?
    /// The source's tags.
    public var tags: [String]
    /// The source's score: its best chunk's score.
    public var score: Double
    /// The source's best chunks, best first.
    public var chunks: [SearchChunk]

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case sourceType = "source_type"
        case title
        case folderPath = "folder_path"
        case tags, score, chunks
    }

    /// Creates a result.
    public init(
        sourceID: UUID, sourceType: SourceType, entityID: String, title: String, folderPath: String?, tags: [String],
        score: Double, chunks: [SearchChunk]
    ) {
        self.sourceID = sourceID
        self.sourceType = sourceType
        self.entityID = entityID
        self.title = title
        self.folderPath = folderPath
        self.tags = tags
        self.score = score
        self.chunks = chunks
    }

    /// Encodes every key of the schema, `null` included, so clients can rely on them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceID, forKey: .sourceID)
        try c.encode(sourceType, forKey: .sourceType)
        try c.encode(title, forKey: .title)
        try c.encode(folderPath, forKey: .folderPath)
        try c.encode(tags, forKey: .tags)
        try c.encode(score, forKey: .score)
        try c.encode(chunks, forKey: .chunks)
    }
}

/// One passage of a source.
public struct SearchChunk: Sendable, Hashable, Codable {
    /// `knowledge_chunks.id`.
    public var chunkID: UUID
    /// Position of the chunk in its source (0-based).
    public var chunkIndex: Int
    /// The chunk's full text.
    public var content: String
    /// A short excerpt with the query's matched terms between `<mark>` and `</mark>`.
    public var snippet: String
    /// Headings above the chunk, outermost first.
    public var sectionPath: [String]
    /// Offset of the chunk's first character in the source's extracted text.
    public var charStart: Int?
    /// Offset just past the chunk's last character.
    public var charEnd: Int?
    /// The chunk's final score (fused score in hybrid mode, cosine in dense, BM25 in lexical; 0 when listing).
    public var score: Double
    /// Per-stage scores (only with `explain`).
    public var explain: ChunkExplanation?

    enum CodingKeys: String, CodingKey {
        case chunkID = "chunk_id"
        case chunkIndex = "chunk_index"
        case content, snippet
        case sectionPath = "section_path"
        case charStart = "char_start"
        case charEnd = "char_end"
        case score, explain
    }

    /// Creates a chunk.
    public init(
        chunkID: UUID, chunkIndex: Int, content: String, snippet: String, sectionPath: [String], charStart: Int?,
        charEnd: Int?, score: Double, explain: ChunkExplanation? = nil
    ) {
        self.chunkID = chunkID
        self.chunkIndex = chunkIndex
        self.content = content
        self.snippet = snippet
        self.sectionPath = sectionPath
        self.charStart = charStart
        self.charEnd = charEnd
        self.score = score
        self.explain = explain
    }

    /// Encodes every key of the schema (`null` offsets included); `explain` only when present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(chunkID, forKey: .chunkID)
        try c.encode(chunkIndex, forKey: .chunkIndex)
        try c.encode(content, forKey: .content)
        try c.encode(snippet, forKey: .snippet)
        try c.encode(sectionPath, forKey: .sectionPath)
        try c.encode(charStart, forKey: .charStart)
        try c.encode(charEnd, forKey: .charEnd)
        try c.encode(score, forKey: .score)
        try c.encodeIfPresent(explain, forKey: .explain)
    }
}

/// How a chunk got its place: each stage's rank and score.
public struct ChunkExplanation: Sendable, Hashable, Codable {
    /// Rank in the ANN leg's answer (1-based; nil when the ANN leg did not propose it).
    public var annRank: Int?
    /// Exact cosine similarity to the query (full-precision vectors, BLAS).
    public var cosine: Double?
    /// Rank by exact cosine among all candidates.
    public var denseRank: Int?
    /// BM25 score (nil when no query term matched).
    public var bm25: Double?
    /// Rank in the BM25 leg.
    public var lexicalRank: Int?
    /// Fused score.
    public var fused: Double
    /// Whether the dense leg ran as an exact filtered scan rather than an ANN scan.
    public var exactScan: Bool

    enum CodingKeys: String, CodingKey {
        case annRank = "ann_rank"
        case cosine
        case denseRank = "dense_rank"
        case bm25
        case lexicalRank = "lexical_rank"
        case fused
        case exactScan = "exact_scan"
    }

    /// Creates an explanation.
    public init(
        annRank: Int?, cosine: Double?, denseRank: Int?, bm25: Double?, lexicalRank: Int?, fused: Double,
        exactScan: Bool
    ) {
        self.annRank = annRank
        self.cosine = cosine
        self.denseRank = denseRank
        self.bm25 = bm25
        self.lexicalRank = lexicalRank
        self.fused = fused
        self.exactScan = exactScan
    }
}
