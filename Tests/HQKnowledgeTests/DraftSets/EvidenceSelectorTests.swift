import HQKnowledge
import Testing

@Suite("Evidence selection across variants (MMR)")
struct EvidenceSelectorTests {
    @Test("no passage is used twice, and a near-duplicate of another variant's evidence loses to fresh material")
    func diverse() {
        // Candidates 0 and 1 are near-duplicates; 2 is different but a little less relevant.
        let similarity: [Float] = [
            1, 0.98, 0.1,
            0.98, 1, 0.1,
            0.1, 0.1, 1,
        ]
        let relevance: [[Double]] = [[1, 0.95, 0.8], [0.99, 0.97, 0.8]]
        let picks = EvidenceSelector.select(relevance: relevance, similarity: similarity, perVariant: 1)
        #expect(picks == [[0], [2]])
        let all = EvidenceSelector.select(relevance: relevance, similarity: similarity, perVariant: 2)
        #expect(Set(all.flatMap { $0 }).count == all.flatMap { $0 }.count)
    }

    @Test("irrelevant passages are never picked, even when variants run short")
    func relevanceFloor() {
        let picks = EvidenceSelector.select(
            relevance: [[1, 0], [0, 0]], similarity: [1, 0, 0, 1], perVariant: 2)
        #expect(picks == [[0], []])
    }

    @Test("quotes are verbatim spans of the chunk with scalar offsets")
    func quoteOffsets() {
        let content =
            "Intro line.\nCafés buying 20 kg get wholesale pricing. Delivery is free on Tuesdays! Other text here."
        let span = QuoteExtractor.span(in: content, query: "wholesale pricing for cafés")
        let scalars = Array(content.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[span.start..<span.end])) == span.text)
        #expect(span.text.hasPrefix("Cafés buying 20 kg get wholesale pricing."))
    }
}
