import HQCore
public import HQEmbedding

/// Cuts ``ExtractedText`` into chunks: at section (heading) boundaries first, then between blocks, then between
/// sentences (lines for code), then between words; never inside a word unless one word alone exceeds the cap.
///
/// Sizes are in model tokens: chunks aim at ``ChunkingConfiguration/targetTokens`` and never exceed the model's
/// sequence limit *including* the title/section context prepended for embedding and the `[CLS]`/`[SEP]` tokens.
/// When a section is cut by size, the next chunk repeats up to ``ChunkingConfiguration/overlapTokens`` of trailing
/// sentences. A chunk that repeats an earlier one of the source word for word (same text, same headings) is left
/// out. Deterministic: the same text, title and settings give the same chunks.
///
/// - Complexity: O(n) tokenizer work over the text, plus O(log n) re-counts for each over-long word.
public struct Chunker: Sendable {
    /// Counts model tokens.
    public let counter: any TokenCounter
    /// The model's sequence limit, special tokens included.
    public let maxTokens: Int
    /// Target, overlap and caps.
    public let configuration: ChunkingConfiguration

    /// Creates a chunker.
    /// - Parameters:
    ///   - counter: the embedding model's token counter.
    ///   - maxTokens: the model's `max_seq_length` (special tokens included), e.g. 256 for all-MiniLM-L6-v2.
    ///   - configuration: target and overlap sizes.
    public init(counter: any TokenCounter, maxTokens: Int, configuration: ChunkingConfiguration = .init()) {
        self.counter = counter
        self.maxTokens = maxTokens
        self.configuration = configuration
    }

    private struct Piece {
        var range: Range<Int>
        var tokens: Int
        var block: Int
        var isHeading: Bool
        /// Cut inside a word: never shares a chunk (token counts are not additive across the cut).
        var isHard: Bool
        /// Part of a longer block (a sentence or word group): may be repeated as overlap.
        var isFragment: Bool
    }

    /// The chunks of `text`, whose source is titled `title`.
    public func chunks(of text: ExtractedText, title: String) -> [Chunk] {
        guard !text.blocks.isEmpty else { return [] }
        var contextCache: [[String]: (String, Int)] = [:]
        func context(_ path: [String]) -> (String, Int) {
            if let cached = contextCache[path] { return cached }
            let value = makeContext(title: title, path: path)
            contextCache[path] = value
            return value
        }
        // The tightest budget any section allows, so pieces fit whatever context they end up with.
        let maxContext = text.blocks.lazy.map { context($0.sectionPath).1 }.max() ?? 0
        let budget = max(8, maxTokens - 2 - maxContext - (maxContext > 0 ? 0 : 0))
        let target = max(4, min(configuration.targetTokens, budget))

        // WordPiece counts any word over 100 characters as one [UNK] token, so token counts alone would let a 2 MB
        // run without spaces (base64, a repeated pattern) become one "1-token" chunk. Pieces and chunks are also
        // capped in characters, at 24 per token of budget (English averages ~5).
        let maxScalars = budget * 24
        let pieces = makePieces(text, target: target, budget: budget, maxScalars: maxScalars)
        var chunks: [Chunk] = []
        var current: [Piece] = []
        var currentTokens = 0
        // A chunk that repeats an earlier one word for word (the same text under the same headings) is left out: it
        // adds nothing a search could find, and thousands of identical vectors (a paragraph pasted 20,000 times) link
        // only to each other in the HNSW graph, a sink that can hide every other source from the dense leg.
        var seen: Set<String> = []

        func emit() {
            guard let first = current.first, let last = current.last else { return }
            let range = first.range.lowerBound..<last.range.upperBound
            let blockIndex = current.first(where: { !$0.isHeading })?.block ?? last.block
            let path = text.blocks[blockIndex].sectionPath
            let body = text.slice(range)
            let (prefix, _) = context(path)
            let input = prefix.isEmpty ? body : prefix + "\n\n" + body
            let hash = SHA256.hex(input)
            guard seen.insert(hash).inserted else { return }
            chunks.append(
                Chunk(
                    index: chunks.count, text: body, sectionPath: path, charStart: range.lowerBound,
                    charEnd: range.upperBound,
                    page: text.blocks[first.block].page, tokenCount: currentTokens, embeddingInput: input,
                    contentHash: hash))
        }

        for piece in pieces {
            if chunks.count >= configuration.maxChunksPerSource { break }
            if !current.isEmpty {
                let sectionChanged =
                    text.blocks[piece.block].sectionPath != text.blocks[current.last!.block].sectionPath
                    && current.contains(where: { !$0.isHeading })
                let overTarget = currentTokens + piece.tokens > target
                let overBudget = currentTokens + piece.tokens > budget
                let hard = piece.isHard || current.last!.isHard
                let overScalars = piece.range.upperBound - current.first!.range.lowerBound > maxScalars
                if sectionChanged || hard || overBudget || overScalars || (overTarget && currentTokens >= target / 2) {
                    emit()
                    var carried: [Piece] = []
                    if !sectionChanged && !hard {
                        var sum = 0
                        for previous in current.dropFirst().reversed() {
                            guard previous.isFragment, !previous.isHeading,
                                sum + previous.tokens <= configuration.overlapTokens
                            else { break }
                            sum += previous.tokens
                            carried.insert(previous, at: 0)
                        }
                        if sum + piece.tokens > budget { carried = [] }
                        if let first = carried.first, piece.range.upperBound - first.range.lowerBound > maxScalars {
                            carried = []
                        }
                    }
                    current = carried
                    currentTokens = carried.reduce(0) { $0 + $1.tokens }
                }
            }
            current.append(piece)
            currentTokens += piece.tokens
        }
        if chunks.count < configuration.maxChunksPerSource { emit() }
        return chunks
    }

    /// "Title › Section › Subsection" (headings equal to the title left out), cut to the context cap.
    private func makeContext(title: String, path: [String]) -> (String, Int) {
        let cleanTitle = TextBuilder.clean(title, keepNewlines: false)
        var parts = cleanTitle.isEmpty ? [] : [cleanTitle]
        for heading in path where heading.lowercased() != cleanTitle.lowercased() { parts.append(heading) }
        var text = parts.joined(separator: " › ")
        let cap = min(configuration.maxContextTokens, max(0, (maxTokens - 2) / 4))
        if text.unicodeScalars.count > cap * 24 {  // a 1 MB one-word title is one [UNK] token: cap its characters too
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text.unicodeScalars.prefix(cap * 24))
            text = String(view)
        }
        var tokens = counter.tokenCount(of: text, limit: .max)
        if tokens > cap {
            // Every word is at least one token: keeping `cap` words loses nothing and bounds the loop below, which
            // re-counts the whole text per word removed (quadratic in a huge title's length).
            var words = Array(text.split(separator: " ").prefix(cap))
            text = words.joined(separator: " ")
            tokens = counter.tokenCount(of: text, limit: .max)
            while !words.isEmpty, tokens > cap {
                words.removeLast()
                text = words.joined(separator: " ")
                tokens = counter.tokenCount(of: text, limit: .max)
            }
        }
        return (text, tokens)
    }

    private func makePieces(_ text: ExtractedText, target: Int, budget: Int, maxScalars: Int) -> [Piece] {
        var pieces: [Piece] = []
        for (index, block) in text.blocks.enumerated() {
            let isHeading: Bool = if case .heading = block.kind { true } else { false }
            let tokens = counter.tokenCount(of: text.slice(block.range), limit: target + 1)
            if tokens <= target, block.range.count <= maxScalars {
                pieces.append(
                    Piece(
                        range: block.range, tokens: tokens, block: index, isHeading: isHeading, isHard: false,
                        isFragment: false))
                continue
            }
            let sentences =
                block.kind == .code ? lines(text.scalars, block.range) : sentences(text.scalars, block.range)
            for sentence in sentences {
                let count = counter.tokenCount(of: text.slice(sentence), limit: budget + 1)
                if count <= target || (count <= budget && sentences.count == 1), sentence.count <= maxScalars {
                    pieces.append(
                        Piece(
                            range: sentence, tokens: count, block: index, isHeading: false, isHard: false,
                            isFragment: true))
                } else {
                    appendWordGroups(
                        text, sentence, block: index, target: target, budget: budget, maxScalars: maxScalars,
                        into: &pieces)
                }
            }
        }
        return pieces
    }

    /// Greedy groups of whole words up to `target` tokens; a word longer than `budget` is cut at token boundaries.
    private func appendWordGroups(
        _ text: ExtractedText, _ range: Range<Int>, block: Int, target: Int, budget: Int, maxScalars: Int,
        into pieces: inout [Piece]
    ) {
        var groupStart: Int?
        var groupEnd = range.lowerBound
        var groupTokens = 0
        func flush() {
            if let start = groupStart {
                pieces.append(
                    Piece(
                        range: start..<groupEnd, tokens: groupTokens, block: block, isHeading: false, isHard: false,
                        isFragment: true))
            }
            groupStart = nil
            groupTokens = 0
        }
        for word in words(text.scalars, range) {
            let count = counter.tokenCount(of: text.slice(word), limit: budget + 1)
            if count > budget || word.count > maxScalars {
                flush()
                appendHardCuts(text, word, block: block, budget: budget, maxScalars: maxScalars, into: &pieces)
                continue
            }
            if groupTokens + count > target || groupStart.map({ word.upperBound - $0 > maxScalars }) == true { flush() }
            if groupStart == nil { groupStart = word.lowerBound }
            groupEnd = word.upperBound
            groupTokens += count
        }
        flush()
    }

    private func appendHardCuts(
        _ text: ExtractedText, _ range: Range<Int>, block: Int, budget: Int, maxScalars: Int, into pieces: inout [Piece]
    ) {
        var start = range.lowerBound
        while start < range.upperBound {
            var low = 1
            var high = min(range.upperBound - start, maxScalars)
            while low < high {
                let mid = (low + high + 1) / 2
                if counter.tokenCount(of: text.slice(start..<start + mid), limit: budget + 1) <= budget {
                    low = mid
                } else {
                    high = mid - 1
                }
            }
            let end = start + low
            let tokens = counter.tokenCount(of: text.slice(start..<end), limit: budget + 1)
            pieces.append(
                Piece(
                    range: start..<end, tokens: tokens, block: block, isHeading: false, isHard: true, isFragment: false)
            )
            start = end
        }
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    /// Sentence ranges (trimmed) in `range`: a sentence ends after `.`, `!`, `?`, `…` or `;` (and closing quotes or
    /// brackets) followed by whitespace, or at a newline.
    private func sentences(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            let s = scalars[i]
            var end: Int?
            if s == "\n" {
                end = i
            } else if ".!?…;。！？".unicodeScalars.contains(s) {
                var j = i + 1
                while j < range.upperBound, "\"')]»”’".unicodeScalars.contains(scalars[j]) { j += 1 }
                if j == range.upperBound || Self.isSpace(scalars[j]) { end = j }
            }
            if let end {
                appendTrimmed(scalars, start..<end, into: &result)
                start = end
                i = end
            }
            i += 1
        }
        appendTrimmed(scalars, start..<range.upperBound, into: &result)
        return result
    }

    private func lines(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        for i in range where scalars[i] == "\n" {
            appendTrimmed(scalars, start..<i, into: &result)
            start = i + 1
        }
        appendTrimmed(scalars, start..<range.upperBound, into: &result)
        return result
    }

    private func words(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start: Int?
        for i in range {
            if Self.isSpace(scalars[i]) {
                if let s = start { result.append(s..<i) }
                start = nil
            } else if start == nil {
                start = i
            }
        }
        if let s = start { result.append(s..<range.upperBound) }
        return result
    }

    private func appendTrimmed(_ scalars: [Unicode.Scalar], _ range: Range<Int>, into result: inout [Range<Int>]) {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, Self.isSpace(scalars[lower]) { lower += 1 }
        while upper > lower, Self.isSpace(scalars[upper - 1]) { upper -= 1 }
        if lower < upper { result.append(lower..<upper) }
    }
}
