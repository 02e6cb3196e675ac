/// Picks the quoted span of a passage: the sentence sharing most words with the variant's queries, extended
/// by the next sentence while short, verbatim from the chunk with its offsets.
public enum QuoteExtractor {
    /// A span of a chunk's text.
    public struct Span: Sendable, Hashable {
        /// The text, exactly `content[start..<end]` in Unicode scalars.
        public var text: String
        /// Offset of the first scalar within the chunk.
        public var start: Int
        /// Offset just past the last scalar within the chunk.
        public var end: Int
    }

    /// The best span of `content` for `query` (at most `maxScalars` long, cut at a word boundary).
    /// - Complexity: O(n) in the content's length (plus the query's words).
    public static func span(in content: String, query: String, maxScalars: Int = 360) -> Span {
        let scalars = Array(content.unicodeScalars)
        let terms = Set(words(query))
        let sentences = sentenceRanges(scalars)
        guard !sentences.isEmpty else { return Span(text: "", start: 0, end: 0) }
        var bestIndex = 0
        var bestScore = -1
        // Headings and list labels ("Price tiers") match query words but say nothing: prefer real sentences.
        let wordCounts = sentences.map { range in
            String(String.UnicodeScalarView(scalars[range])).split(whereSeparator: \.isWhitespace).count
        }
        let minimumWords = wordCounts.contains { $0 >= 5 } ? 5 : 0
        for (index, range) in sentences.enumerated() where wordCounts[index] >= minimumWords {
            let score = Set(words(String(String.UnicodeScalarView(scalars[range])))).intersection(terms).count
            if score > bestScore { (bestIndex, bestScore) = (index, score) }
        }
        var range = sentences[bestIndex]
        var next = bestIndex + 1
        // Extend within the paragraph only: a heading or list item after a line break is another thought.
        while range.count < 120, next < sentences.count, sentences[next].upperBound - range.lowerBound <= maxScalars,
            !scalars[range.upperBound..<sentences[next].lowerBound].contains("\n")
        {
            range = range.lowerBound..<sentences[next].upperBound
            next += 1
        }
        if range.count > maxScalars {
            var end = range.lowerBound + maxScalars
            while end > range.lowerBound + maxScalars / 2, !scalars[end].properties.isWhitespace { end -= 1 }
            range = range.lowerBound..<end
        }
        while range.count > 0, scalars[range.upperBound - 1].properties.isWhitespace {
            range = range.lowerBound..<(range.upperBound - 1)
        }
        return Span(
            text: String(String.UnicodeScalarView(scalars[range])), start: range.lowerBound, end: range.upperBound)
    }

    /// Sentence ranges (scalar offsets), leading whitespace trimmed: a sentence ends after `.`, `!`, `?`
    /// followed by whitespace, or at a line break.
    static func sentenceRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        func close(_ end: Int) {
            var s = start
            while s < end, scalars[s].properties.isWhitespace { s += 1 }
            if s < end { ranges.append(s..<end) }
            start = end
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" {
                close(i)
            } else if c == "." || c == "!" || c == "?", i + 1 == scalars.count || scalars[i + 1].properties.isWhitespace
            {
                close(i + 1)
            }
            i += 1
        }
        close(scalars.count)
        return ranges
    }

    /// Lower-cased words of three or more letters or digits.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.filter { $0.count >= 3 }.map(String.init)
    }
}
