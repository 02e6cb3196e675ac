/// One word piece of a text, with the span of the original string it came from.
public struct Token: Sendable, Hashable {
    /// The vocabulary id.
    public let id: Int
    /// Byte offsets into the original string's UTF-8 (`text.utf8`). Pieces of one decomposed
    /// character (e.g. an NFD-split syllable) share that character's span.
    public let utf8Range: Range<Int>

    /// Creates a token.
    public init(id: Int, utf8Range: Range<Int>) {
        self.id = id
        self.utf8Range = utf8Range
    }

    /// The token's span as indices of `text`, which must be the string it was produced from.
    /// - Complexity: O(1) for native Swift strings.
    public func range(in text: String) -> Range<String.Index> {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: utf8Range.lowerBound)
        let upper = utf8.index(lower, offsetBy: utf8Range.count)
        return lower..<upper
    }
}

/// A text encoded for the model: `[CLS]`, the word pieces (at most `maxTokens - 2`), `[SEP]`.
public struct TokenizedText: Sendable, Hashable {
    /// Vocabulary ids, `[CLS]` first and `[SEP]` last, no padding.
    public let ids: [Int]
    /// True when the text had more word pieces than fit and was cut.
    public let isTruncated: Bool

    /// Creates an encoded text.
    public init(ids: [Int], isTruncated: Bool) {
        self.ids = ids
        self.isTruncated = isTruncated
    }

    /// Number of ids fed to the model, special tokens included.
    public var tokenCount: Int { ids.count }
}
