/// One chunk of a source: a contiguous range of the extracted text, sized in model tokens.
public struct Chunk: Sendable, Hashable {
    /// Position in the source's chunk set, from 0.
    public var index: Int
    /// The chunk's text, exactly `ExtractedText.text[charStart..<charEnd]`.
    public var text: String
    /// The headings above the chunk, outermost first.
    public var sectionPath: [String]
    /// Start offset in the extracted text, in Unicode scalars (PostgreSQL characters).
    public var charStart: Int
    /// End offset (exclusive) in the extracted text, in Unicode scalars.
    public var charEnd: Int
    /// 1-based page of the chunk's start for paginated sources, else nil.
    public var page: Int?
    /// Model tokens of ``text`` (no special tokens).
    public var tokenCount: Int
    /// What is embedded: the title and section context, a blank line, then ``text``.
    public var embeddingInput: String
    /// SHA-256 hex of ``embeddingInput``. Vectors are reused when (content hash, model) is unchanged.
    public var contentHash: String
}
