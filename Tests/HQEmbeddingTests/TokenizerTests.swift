import Foundation
import HQEmbedding
import Testing

@Suite("WordPiece tokenizer")
struct TokenizerTests {
    static let tokenizer: WordPieceTokenizer = {
        do {
            return try WordPieceTokenizer(
                vocabularyURL: Fixtures.modelDirectory.appendingPathComponent("vocab.txt"), maxTokens: 256)
        } catch {
            fatalError("\(error)")
        }
    }()

    @Test("token ids match the reference", arguments: Fixtures.golden)
    func idsMatchGolden(_ golden: Fixtures.GoldenCase) {
        let encoded = Self.tokenizer.encode(golden.text)
        #expect(encoded.ids == golden.tokenIDs)
        #expect(encoded.isTruncated == golden.truncated)
    }

    @Test("token spans cover the original text and count agrees", arguments: Fixtures.golden)
    func spansAndCount(_ golden: Fixtures.GoldenCase) {
        let tokens = Self.tokenizer.tokens(in: golden.text, limit: 254)
        #expect(tokens.map(\.id) == Array(golden.tokenIDs.dropFirst().dropLast()))
        #expect(Self.tokenizer.tokenCount(of: golden.text, limit: 254) == tokens.count)
        let utf8Count = golden.text.utf8.count
        for token in tokens {
            #expect(token.utf8Range.lowerBound >= 0 && token.utf8Range.upperBound <= utf8Count)
            _ = token.range(in: golden.text)
        }
    }

    @Test("token spans point at the source characters")
    func spansPointAtSource() {
        let text = "Héllo, [MASK] wörld"
        let tokens = Self.tokenizer.tokens(in: text)
        let pieces = tokens.map { String(text[$0.range(in: text)]) }
        #expect(pieces == ["Héllo", ",", "[MASK]", "wörld"])
    }

    @Test("literal special tokens are case-sensitive")
    func specialTokens() {
        #expect(Self.tokenizer.encode("[CLS]").ids == [101, 101, 102])
        #expect(Self.tokenizer.encode("[MASK]x").ids.dropFirst().first == 103)
        #expect(Self.tokenizer.encode("[sep]").ids.count == 5)  // "[", "sep", "]"
    }

    @Test("a 10 MB text is truncated after reading only its start")
    func tenMegabytes() {
        let text = String(repeating: "lorem ipsum dolor sit amet ", count: 10_000_000 / 27)
        let clock = ContinuousClock()
        var encoded: TokenizedText?
        let elapsed = clock.measure { encoded = Self.tokenizer.encode(text) }
        #expect(encoded?.tokenCount == 256)
        #expect(encoded?.isTruncated == true)
        #expect(elapsed < .milliseconds(200))
        let oneWord = String(repeating: "x", count: 10_000_000)
        let single = Self.tokenizer.encode(oneWord)
        #expect(single.ids == [101, 100, 102])
        #expect(single.isTruncated == false)
    }

    @Test(
        "odd Unicode never crashes and gives [CLS] … [SEP]",
        arguments: [
            "\u{0}\u{1}\u{FFFD}\u{FEFF}", "\u{10FFFF}\u{E000}\u{F8FF}", "a\u{301}\u{301}\u{301}",
            String(repeating: "\u{301}", count: 5000), "\u{1D16D}\u{1D165}", "🏳️‍🌈👩🏽‍💻", "\u{E0001}\u{E0041}",
            String(decoding: [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] as [UInt8], as: UTF8.self),
        ])
    func oddUnicode(_ text: String) {
        let encoded = Self.tokenizer.encode(text)
        #expect(encoded.ids.first == 101 && encoded.ids.last == 102)
        #expect(encoded.tokenCount <= 256)
    }

    @Test(
        "characters whose category changed after the tokenizers tables behave as in tokenizers",
        arguments: [
            ("x\u{1171E}y", [101, 1060, 2100, 102]),  // Mn in old tables, Mc since Unicode 16: stripped
            ("x\u{166D}y", [101, 1060, 100, 1061, 102]),  // Po in old tables, So now: split off
            ("x\u{0891}y", [101, 100, 102]),  // assigned after the old tables: an ordinary character
        ])
    func unicodeVersionDifferences(_ text: String, _ ids: [Int]) {
        #expect(Self.tokenizer.encode(text).ids == ids)
    }

    @Test("token count stops at the limit")
    func countLimit() {
        let text = String(repeating: "word ", count: 1000)
        #expect(Self.tokenizer.tokenCount(of: text) == 1000)
        #expect(Self.tokenizer.tokenCount(of: text, limit: 10) == 10)
        #expect(Self.tokenizer.tokens(in: text, limit: 3).count == 3)
    }
}
