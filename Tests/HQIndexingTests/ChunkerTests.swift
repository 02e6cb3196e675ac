import Foundation
import HQEmbedding
import HQIndexing
import HQTestSupport
import Testing

@Suite("Chunking")
struct ChunkerTests {
    static let tokenizer: WordPieceTokenizer = {
        let url = URL(fileURLWithPath: TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2/vocab.txt")
        return try! WordPieceTokenizer(vocabularyURL: url, maxTokens: 256)
    }()

    func extract(_ markdown: String) async throws -> ExtractedText {
        try await ContentExtractor().extract(.document(title: "Guide", content: try jsonString(markdown)))
    }

    static func longMarkdown() -> String {
        var text = "# Sales playbook\n\n"
        for section in 1...6 {
            text += "## Stage \(section)\n\n"
            for paragraph in 1...4 {
                text += (1...14).map {
                    "Sentence \($0) of paragraph \(paragraph) explains how account executives qualify budget, authority, need and timing."
                }.joined(separator: " ")
                text += "\n\n"
            }
        }
        return text
    }

    @Test("chunks fit the model with their title context, slice the text exactly, keep sections, and are deterministic")
    func invariants() async throws {
        let text = try await extract(Self.longMarkdown())
        let chunker = Chunker(counter: Self.tokenizer, maxTokens: 256)
        let chunks = chunker.chunks(of: text, title: "A rather long title for the sales team playbook document")
        #expect(chunks.count > 10)
        for chunk in chunks {
            #expect(Self.tokenizer.encode(chunk.embeddingInput).tokenCount <= 256)
            #expect(!Self.tokenizer.encode(chunk.embeddingInput).isTruncated)
            #expect(text.slice(chunk.charStart..<chunk.charEnd) == chunk.text)
            #expect(chunk.tokenCount == Self.tokenizer.tokenCount(of: chunk.text))
            #expect(chunk.tokenCount <= 230)
            #expect(chunk.sectionPath.first == "Sales playbook")
            #expect(chunk.embeddingInput.hasPrefix("A rather long title"))
            // Never mid-word: boundaries sit next to whitespace or the text's ends.
            let scalars = Array(text.text.unicodeScalars)
            if chunk.charStart > 0 { #expect(scalars[chunk.charStart - 1].properties.isWhitespace) }
            if chunk.charEnd < scalars.count { #expect(scalars[chunk.charEnd].properties.isWhitespace) }
        }
        // Sections are never mixed.
        #expect(chunks.allSatisfy { $0.text.components(separatedBy: "Stage ").count <= 2 })
        // Overlap: some chunk starts before the previous one ends.
        #expect(zip(chunks, chunks.dropFirst()).contains { $1.charStart < $0.charEnd })
        #expect(chunks == chunker.chunks(of: text, title: "A rather long title for the sales team playbook document"))
        let average = chunks.map(\.tokenCount).reduce(0, +) / chunks.count
        #expect(average > 120 && average <= 210)
    }

    @Test("a word longer than the cap is cut at token boundaries, and nothing is lost")
    func hugeWord() async throws {
        // No whitespace, and no two stretches alike (identical chunks would be left out, see `repeats`).
        let blob = (0..<3_000).map { "a\($0)," }.joined()
        let text = try await extract("intro\n\n" + blob)
        let chunks = Chunker(counter: Self.tokenizer, maxTokens: 256).chunks(of: text, title: "T")
        #expect(chunks.count > 10)
        for chunk in chunks { #expect(!Self.tokenizer.encode(chunk.embeddingInput).isTruncated) }
        #expect(
            chunks.map(\.text).joined().replacingOccurrences(of: "intro", with: "")
                == blob.trimmingCharacters(in: .whitespaces))
    }

    @Test("a paragraph pasted thousands of times gives one chunk per distinct text, in order, each sliced exactly")
    func repeats() async throws {
        let paragraph = "Giant document sentence number zero talks about warehouse shelving and pallet racks."
        let markdown =
            "# Shelving\n\nThe opening paragraph is said once.\n\n"
            + Array(repeating: paragraph, count: 5_000).joined(separator: "\n\n")
            + "\n\n## Closing\n\nThe closing words are said once as well."
        let text = try await extract(markdown)
        let chunks = Chunker(counter: Self.tokenizer, maxTokens: 256).chunks(of: text, title: "Warehouse")
        // Without the rule this is hundreds of identical chunks; with it only the distinct texts remain.
        #expect(chunks.count < 10, "\(chunks.count) chunks")
        #expect(Set(chunks.map(\.contentHash)).count == chunks.count)
        #expect(chunks.map(\.index) == Array(0..<chunks.count))
        #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.charStart < $1.charStart })
        for chunk in chunks { #expect(text.slice(chunk.charStart..<chunk.charEnd) == chunk.text) }
        // Every distinct sentence is still in some chunk: the opening, the pasted one, the closing.
        for needle in ["opening paragraph", "warehouse shelving", "closing words"] {
            #expect(chunks.contains { $0.text.contains(needle) }, "\(needle)")
        }
    }

    @Test("the approximate counter is never below WordPiece on English prose")
    func approximateCounter() {
        let prose = Self.longMarkdown()
        #expect(ApproximateTokenCounter().tokenCount(of: prose, limit: .max) >= Self.tokenizer.tokenCount(of: prose))
    }
}
