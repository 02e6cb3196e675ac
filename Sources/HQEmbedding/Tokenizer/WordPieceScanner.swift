/// Receives word pieces as the scanner produces them.
protocol PieceSink {
    mutating func append(id: Int32, start: Int, end: Int)
}

/// One pass of BERT uncased tokenization over a UTF-8 buffer, streaming word pieces into a sink.
///
/// Stages per source scalar: special-token match, cleanup, whitespace and CJK isolation, NFD with
/// canonical reordering of combining runs, Mn stripping, lowercasing, punctuation split, WordPiece.
/// Each produced character remembers the UTF-8 span of the source scalar it came from. The pass stops
/// as soon as one piece more than `limit` is known to exist, so a 10 MB text costs about as much as
/// its first few hundred words.
struct WordPieceScanner<Sink: PieceSink> {
    private let vocabulary: Vocabulary
    private let normalizer: ScalarNormalizer
    private let specials: [(bytes: [UInt8], id: Int32)]
    private let unknownID: Int32
    private let limit: Int
    private let maxCharactersPerWord: Int
    var sink: Sink

    private(set) var count = 0
    private(set) var isTruncated = false

    // Scratch, reused across characters and words.
    private var decomposed: [Unicode.Scalar] = []
    private var lowered: [Unicode.Scalar] = []
    private var combiningRun: [(scalar: Unicode.Scalar, ccc: UInt8, start: Int, end: Int)] = []
    private var wordBytes: [UInt8] = []
    private var charByteStart: [Int] = []
    private var charSourceStart: [Int] = []
    private var charSourceEnd: [Int] = []
    private var wordChars = 0
    private var wordStart = 0
    private var wordEnd = 0
    private var pieces: [(id: Int32, firstChar: Int, endChar: Int)] = []

    init(
        vocabulary: Vocabulary, normalizer: ScalarNormalizer, specials: [(bytes: [UInt8], id: Int32)],
        unknownID: Int32, limit: Int, maxCharactersPerWord: Int, sink: Sink
    ) {
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.specials = specials
        self.unknownID = unknownID
        self.limit = limit
        self.maxCharactersPerWord = maxCharactersPerWord
        self.sink = sink
    }

    /// Tokenizes `bytes` (valid UTF-8, as every Swift string is).
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = bytes.count
        while i < n, !isTruncated {
            let lead = bytes[i]
            if lead == UInt8(ascii: "["), let (length, id) = matchSpecial(bytes, at: i) {
                flushCombiningRun()
                endWord()
                emit(id, i, i + length)
                i += length
                continue
            }
            let (scalar, length) = Self.decode(bytes, at: i)
            consume(scalar, start: i, end: i + length)
            i += length
        }
        if !isTruncated {
            flushCombiningRun()
            endWord()
        }
    }

    // MARK: Stage 1: cleanup, whitespace, CJK, NFD

    @inline(__always)
    private mutating func consume(_ scalar: Unicode.Scalar, start: Int, end: Int) {
        let v = scalar.value
        if v < 0x80 {
            // ASCII fast path: no decomposition, no marks.
            if CharacterClass.isRemovedByCleanup(scalar) { return }
            flushCombiningRun()
            if CharacterClass.isWhitespace(v) { endWord() } else { addNormalized(scalar, start: start, end: end) }
            return
        }
        if CharacterClass.isRemovedByCleanup(scalar) { return }
        if CharacterClass.isWhitespace(v) {
            flushCombiningRun()
            endWord()
            return
        }
        decomposed.removeAll(keepingCapacity: true)
        normalizer.decompose(scalar, into: &decomposed)
        if CharacterClass.isCJK(v) {
            flushCombiningRun()
            endWord()
            for d in decomposed { addNormalized(d, start: start, end: end) }
            endWord()
            return
        }
        for d in decomposed {
            let ccc = normalizer.combiningClass(d)
            if ccc == 0 {
                flushCombiningRun()
                addNormalized(d, start: start, end: end)
            } else {
                combiningRun.append((d, ccc, start, end))
            }
        }
    }

    /// Emits a run of combining marks in canonical order (stable by combining class), as NFD requires.
    private mutating func flushCombiningRun() {
        if combiningRun.isEmpty { return }
        if combiningRun.count > 1 {
            for j in 1..<combiningRun.count {
                let item = combiningRun[j]
                var k = j
                while k > 0, combiningRun[k - 1].ccc > item.ccc {
                    combiningRun[k] = combiningRun[k - 1]
                    k -= 1
                }
                combiningRun[k] = item
            }
        }
        for item in combiningRun { addNormalized(item.scalar, start: item.start, end: item.end) }
        combiningRun.removeAll(keepingCapacity: true)
    }

    // MARK: Stage 2: accent strip, lowercase, pre-tokenize

    @inline(__always)
    private mutating func addNormalized(_ scalar: Unicode.Scalar, start: Int, end: Int) {
        if CharacterClass.isNonspacingMark(scalar) { return }
        lowered.removeAll(keepingCapacity: true)
        normalizer.lowercase(scalar, into: &lowered)
        for c in lowered {
            if CharacterClass.isWhitespace(c.value) {
                endWord()
            } else if CharacterClass.isPunctuation(c) {
                endWord()
                appendCharacter(c, start: start, end: end)
                endWord()
            } else {
                appendCharacter(c, start: start, end: end)
            }
            if isTruncated { return }
        }
    }

    @inline(__always)
    private mutating func appendCharacter(_ c: Unicode.Scalar, start: Int, end: Int) {
        if count >= limit {
            // Every non-empty word yields at least one piece, so this one would not fit.
            isTruncated = true
            return
        }
        if wordChars == 0 {
            wordStart = start
            wordEnd = end
        } else {
            wordStart = min(wordStart, start)
            wordEnd = max(wordEnd, end)
        }
        wordChars += 1
        if wordChars > maxCharactersPerWord { return }  // becomes [UNK]; stop storing
        charByteStart.append(wordBytes.count)
        charSourceStart.append(start)
        charSourceEnd.append(end)
        for unit in UTF8.encode(c)! { wordBytes.append(unit) }
    }

    // MARK: Stage 3: WordPiece

    private mutating func endWord() {
        guard wordChars > 0 else { return }
        defer {
            wordChars = 0
            wordBytes.removeAll(keepingCapacity: true)
            charByteStart.removeAll(keepingCapacity: true)
            charSourceStart.removeAll(keepingCapacity: true)
            charSourceEnd.removeAll(keepingCapacity: true)
        }
        if wordChars > maxCharactersPerWord || !splitWord() {
            emit(unknownID, wordStart, wordEnd)
            return
        }
        for piece in pieces {
            var end = charSourceEnd[piece.firstChar]
            for c in piece.firstChar..<piece.endChar { end = max(end, charSourceEnd[c]) }
            emit(piece.id, charSourceStart[piece.firstChar], end)
            if isTruncated { return }
        }
    }

    /// Greedy longest-match split of the current word into `pieces`; false if some part has no match.
    private mutating func splitWord() -> Bool {
        pieces.removeAll(keepingCapacity: true)
        let chars = charByteStart.count
        charByteStart.append(wordBytes.count)  // sentinel: end of the last character
        defer { charByteStart.removeLast() }
        return wordBytes.withUnsafeBufferPointer { bytes in
            var start = 0
            while start < chars {
                var end = chars
                var found: Int32?
                while end > start {
                    let piece = UnsafeBufferPointer(rebasing: bytes[charByteStart[start]..<charByteStart[end]])
                    if let id = vocabulary.id(of: piece, continuation: start > 0) {
                        found = id
                        break
                    }
                    end -= 1
                }
                guard let id = found else { return false }
                pieces.append((id, start, end))
                start = end
            }
            return true
        }
    }

    @inline(__always)
    private mutating func emit(_ id: Int32, _ start: Int, _ end: Int) {
        if count >= limit {
            isTruncated = true
            return
        }
        sink.append(id: id, start: start, end: end)
        count += 1
    }

    // MARK: Bytes

    private func matchSpecial(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int, Int32)? {
        for special in specials where i + special.bytes.count <= bytes.count {
            var equal = true
            for (k, b) in special.bytes.enumerated() where bytes[i + k] != b {
                equal = false
                break
            }
            if equal { return (special.bytes.count, special.id) }
        }
        return nil
    }

    /// Decodes the scalar starting at `i` of valid UTF-8.
    @inline(__always)
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (Unicode.Scalar(UInt8(b0)), 1) }
        if b0 < 0xE0 {
            let v = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
            return (Unicode.Scalar(v)!, 2)
        }
        if b0 < 0xF0 {
            let v = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            return (Unicode.Scalar(v)!, 3)
        }
        let v =
            (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
            | UInt32(bytes[i + 3] & 0x3F)
        return (Unicode.Scalar(v)!, 4)
    }
}
