/// Bounds the lexical work one query can ask for.
///
/// The BM25 leg reads the posting list of every query term and the snippets OR every term into one `tsquery`, so a
/// pasted page of thousands of distinct words would cost thousands of posting-list scans and a headline query of the
/// same size. Beyond ``maxTerms`` distinct words only the first ``maxTerms`` take part in the lexical leg and in
/// highlighting (the dense leg still embeds the whole query, which the model truncates to its window).
enum LexicalQuery {
    /// Most distinct words (runs of letters and digits, case-insensitive) the lexical leg looks up.
    static let maxTerms = 128

    /// `query` unchanged when it has at most `maxTerms` distinct words; otherwise its first `maxTerms` distinct
    /// words in order, joined by spaces.
    /// - Complexity: O(*n*) in the length of `query`.
    static func capped(_ query: String, maxTerms: Int = maxTerms) -> String {
        var seen = Set<String>()
        var kept: [Substring] = []
        var start: String.Index?
        var overflowed = false
        func close(_ end: String.Index) {
            guard let from = start else { return }
            start = nil
            let word = query[from..<end]
            guard seen.insert(word.lowercased()).inserted else { return }
            if kept.count < maxTerms { kept.append(word) } else { overflowed = true }
        }
        var index = query.startIndex
        while index < query.endIndex, !overflowed {
            let character = query[index]
            if character.isLetter || character.isNumber {
                if start == nil { start = index }
            } else {
                close(index)
            }
            index = query.index(after: index)
        }
        if !overflowed { close(query.endIndex) }
        return overflowed ? kept.joined(separator: " ") : query
    }
}
