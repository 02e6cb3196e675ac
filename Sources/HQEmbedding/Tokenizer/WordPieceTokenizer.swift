public import Foundation

/// BERT's uncased WordPiece tokenizer, id-for-id identical to HF `tokenizers` `BertWordPiece`
/// (lowercase, strip accents, CJK split) as sentence-transformers drives it.
///
/// The literal special tokens `[PAD] [UNK] [CLS] [SEP] [MASK]` in the input are matched first,
/// case-sensitively, and map to their ids. Words over 100 characters become `[UNK]`. Truncation keeps
/// the first `maxTokens - 2` pieces (the `tokenizer.json` limit of 128 is deliberately not used).
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(vocabularyURL: dir.appendingPathComponent("vocab.txt"))
/// tokenizer.encode("Hello, world!").ids      // [101, 7592, 1010, 2088, 999, 102]
/// tokenizer.tokenCount(of: chunk)             // word pieces, no [CLS]/[SEP]
/// ```
///
/// Immutable and safe to share between tasks.
public final class WordPieceTokenizer: Sendable {
    /// The most ids `encode` returns, `[CLS]` and `[SEP]` included.
    public let maxTokens: Int
    /// Words longer than this many characters (Unicode scalars) become a single `[UNK]`.
    public let maxCharactersPerWord = 100
    /// Number of entries in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    let vocabulary: Vocabulary
    private let normalizer = ScalarNormalizer()
    private let specials: [(bytes: [UInt8], id: Int32)]
    let unknownID: Int32
    let classifierID: Int32
    let separatorID: Int32

    /// Loads `vocab.txt` (one token per line, the line number is the id).
    /// - Parameters:
    ///   - vocabularyURL: path of `vocab.txt`.
    ///   - maxTokens: the model's sequence limit, special tokens included (256 for all-MiniLM-L6-v2).
    /// - Throws: `EmbeddingError` `.modelFileMissing` / `.modelFileCorrupt` if the file is unusable.
    public convenience init(vocabularyURL: URL, maxTokens: Int = 256) throws(EmbeddingError) {
        try self.init(
            vocabulary: Vocabulary(contentsOf: vocabularyURL), maxTokens: maxTokens, source: vocabularyURL.path)
    }

    init(vocabulary: Vocabulary, maxTokens: Int, source: String) throws(EmbeddingError) {
        guard maxTokens >= 2 else {
            throw EmbeddingError(.invalidConfiguration, "maxTokens \(maxTokens) leaves no room for [CLS] and [SEP]")
        }
        func required(_ token: String) throws(EmbeddingError) -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw EmbeddingError(.modelFileCorrupt, "\(source) lacks \(token)", hint: EmbeddingError.setupHint)
            }
            return id
        }
        self.vocabulary = vocabulary
        self.maxTokens = maxTokens
        self.unknownID = try required("[UNK]")
        self.classifierID = try required("[CLS]")
        self.separatorID = try required("[SEP]")
        self.specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            vocabulary.id(of: token).map { (Array(token.utf8), $0) }
        }
    }

    /// Encodes `text` for the model: `[CLS]`, at most `maxTokens - 2` pieces, `[SEP]`.
    /// - Complexity: O(length of the kept prefix); the rest of a long text is not read.
    public func encode(_ text: String) -> TokenizedText {
        var scanner = makeScanner(limit: maxTokens - 2, sink: IDSink(first: classifierID))
        run(&scanner, text)
        var ids = scanner.sink.ids
        ids.append(Int(separatorID))
        return TokenizedText(ids: ids, isTruncated: scanner.isTruncated)
    }

    /// The word pieces of `text` with their spans in the original string, no `[CLS]`/`[SEP]`.
    ///
    /// Chunkers use this to cut text at token boundaries.
    /// - Parameter limit: stop after this many pieces.
    /// - Complexity: O(length of the part read).
    public func tokens(in text: String, limit: Int = .max) -> [Token] {
        var scanner = makeScanner(limit: max(0, limit), sink: TokenSink())
        run(&scanner, text)
        return scanner.sink.tokens
    }

    /// Counts the word pieces of `text` (no `[CLS]`/`[SEP]`), stopping at `limit`.
    /// - Returns: the count, at most `limit`.
    public func tokenCount(of text: String, limit: Int = .max) -> Int {
        var scanner = makeScanner(limit: max(0, limit), sink: CountSink())
        run(&scanner, text)
        return scanner.count
    }

    /// The id of a vocabulary entry, e.g. `"[MASK]"` or `"##ing"`.
    public func id(of token: String) -> Int? {
        vocabulary.id(of: token).map(Int.init)
    }

    private func makeScanner<S: PieceSink>(limit: Int, sink: S) -> WordPieceScanner<S> {
        WordPieceScanner(
            vocabulary: vocabulary, normalizer: normalizer, specials: specials, unknownID: unknownID,
            limit: limit, maxCharactersPerWord: maxCharactersPerWord, sink: sink)
    }

    private func run<S: PieceSink>(_ scanner: inout WordPieceScanner<S>, _ text: String) {
        var text = text
        text.withUTF8 { scanner.scan($0) }
    }
}

private struct IDSink: PieceSink {
    var ids: [Int]
    init(first: Int32) { ids = [Int(first)] }
    mutating func append(id: Int32, start: Int, end: Int) { ids.append(Int(id)) }
}

private struct TokenSink: PieceSink {
    var tokens: [Token] = []
    mutating func append(id: Int32, start: Int, end: Int) { tokens.append(Token(id: Int(id), utf8Range: start..<end)) }
}

private struct CountSink: PieceSink {
    mutating func append(id: Int32, start: Int, end: Int) {}
}
