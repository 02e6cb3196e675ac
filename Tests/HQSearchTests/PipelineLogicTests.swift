import Foundation
import HQEmbedding
import HQSearch
import Testing

@Suite("Pure pipeline logic")
struct PipelineLogicTests {
    @Test("cosine via BLAS matches a naive loop")
    func cosineMatchesNaive() {
        let rows = 7, dims = 384
        let matrix = (0..<(rows * dims)).map { Float(sin(Double($0) * 0.37)) }
        let query = (0..<dims).map { Float(cos(Double($0) * 0.11)) }
        let fast = VectorMath.cosineSimilarities(matrix: matrix, rows: rows, vector: query)
        for r in 0..<rows {
            let row = Array(matrix[(r * dims)..<((r + 1) * dims)])
            let dot = zip(row, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let n = sqrt(row.reduce(Float(0)) { $0 + $1 * $1 }) * sqrt(query.reduce(Float(0)) { $0 + $1 * $1 })
            #expect(abs(fast[r] - dot / n) < 1e-5)
        }
    }

    @Test("nDCG, recall and MRR match hand-computed values")
    func metrics() {
        let relevant = ["a": 1, "c": 2]
        let ranked = ["b", "a", "c"]
        let dcg = 1 / log2(3.0) + 2 / log2(4.0)
        let ideal = 2 / log2(2.0) + 1 / log2(3.0)
        #expect(abs(RankingMetrics.ndcg(ranked: ranked, relevant: relevant, k: 10) - dcg / ideal) < 1e-12)
        #expect(RankingMetrics.recall(ranked: ranked, relevant: relevant, k: 2) == 0.5)
        #expect(RankingMetrics.reciprocalRank(ranked: ranked, relevant: relevant, k: 10) == 0.5)
        #expect(RankingMetrics.reciprocalRank(ranked: ["x"], relevant: relevant, k: 10) == 0)
    }

    @Test("search JSON has exactly the documented keys")
    func jsonSchema() throws {
        let chunk = SearchChunk(
            chunkID: UUID(), chunkIndex: 0, content: "c", snippet: "s", sectionPath: [], charStart: nil, charEnd: nil, score: 1)
        let result = SearchResult(
            sourceID: UUID(), sourceType: .document, entityID: "x", title: "t", folderPath: nil, tags: [], score: 1, chunks: [chunk])
        let data = try SearchJSON.encoder().encode(SearchResponse(query: "q", results: [result], timingMilliseconds: 1))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["query", "results", "timing_ms"])
        let first = try #require((object["results"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["source_id", "source_type", "title", "folder_path", "tags", "score", "chunks"])
        let firstChunk = try #require((first["chunks"] as? [[String: Any]])?.first)
        #expect(Set(firstChunk.keys) == ["chunk_id", "chunk_index", "content", "snippet", "section_path", "char_start", "char_end", "score"])
        let decoded = try SearchJSON.decoder().decode(SearchResponse.self, from: data)
        #expect(decoded.results.first?.chunks.first?.chunkID == chunk.chunkID)
    }

    @Test("HTTP filter JSON decodes with every key optional")
    func filterDecoding() throws {
        let filter = try SearchJSON.decoder().decode(
            SearchFilter.self, from: Data(#"{"tags":["a"],"tag_match":"all","type":"asset","updated_after":"2025-01-01T00:00:00Z"}"#.utf8))
        #expect(filter.tags == ["a"] && filter.tagMatch == .all && filter.sourceType == .asset && filter.updatedAfter != nil)
        #expect(try SearchJSON.decoder().decode(SearchFilter.self, from: Data("{}".utf8)).isEmpty)
    }
}
