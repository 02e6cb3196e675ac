/// Counts an embedding model's tokens, for cutting chunks to size.
///
/// Counts must be additive across whitespace: the count of `a + " " + b` equals the counts of `a` and `b` summed
/// (true of BERT's WordPiece, whose pre-tokenizer splits at whitespace and punctuation).
public protocol TokenCounter: Sendable {
    /// The number of tokens of `text` (no special tokens), stopping at `limit`.
    func tokenCount(of text: String, limit: Int) -> Int
}

extension WordPieceTokenizer: TokenCounter {}

/// A conservative stand-in for embedders without a local tokenizer (HTTP providers): every punctuation mark is one
/// token and every word counts one token per four characters, rounded up — at or above WordPiece counts for
/// English text.
public struct ApproximateTokenCounter: TokenCounter {
    /// Creates the counter.
    public init() {}

    /// The estimated token count of `text`, at most `limit`.
    public func tokenCount(of text: String, limit: Int = .max) -> Int {
        var count = 0
        var wordLength = 0
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                count += (wordLength + 3) / 4
                wordLength = 0
            } else if scalar.properties.generalCategory.isPunctuationOrSymbol {
                count += (wordLength + 3) / 4 + 1
                wordLength = 0
            } else {
                wordLength += 1
            }
            if count >= limit { return limit }
        }
        return min(limit, count + (wordLength + 3) / 4)
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isPunctuationOrSymbol: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default: false
        }
    }
}
