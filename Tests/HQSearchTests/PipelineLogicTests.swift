import Foundation
import HQEmbedding
import HQSearch
import Testing

@Suite("Pure pipeline logic")
struct PipelineLogicTests {
    @Test("cosine via BLAS matches a naive loop")
    func cosineMatchesNaive() {
        let rows = 7
        let dims = 384
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
            chunkID: UUID(), chunkIndex: 0, content: "c", snippet: "s", sectionPath: [], charStart: nil, charEnd: nil,
            score: 1)
        let result = SearchResult(
            sourceID: UUID(), sourceType: .document, entityID: "x", title: "t", folderPath: nil, tags: [], score: 1,
            chunks: [chunk])
        let data = try SearchJSON.encoder().encode(SearchResponse(query: "q", results: [result], timingMilliseconds: 1))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["query", "results", "timing_ms"])
        let first = try #require((object["results"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["source_id", "source_type", "title", "folder_path", "tags", "score", "chunks"])
        let firstChunk = try #require((first["chunks"] as? [[String: Any]])?.first)
        #expect(
            Set(firstChunk.keys) == [
                "chunk_id", "chunk_index", "content", "snippet", "section_path", "char_start", "char_end", "score",
            ])
        let decoded = try SearchJSON.decoder().decode(SearchResponse.self, from: data)
        #expect(decoded.results.first?.chunks.first?.chunkID == chunk.chunkID)
    }

    @Test("HTTP filter JSON decodes with every key optional")
    func filterDecoding() throws {
        let filter = try SearchJSON.decoder().decode(
            SearchFilter.self,
            from: Data(#"{"tags":["a"],"tag_match":"all","type":"asset","updated_after":"2025-01-01T00:00:00Z"}"#.utf8))
        #expect(
            filter.tags == ["a"] && filter.tagMatch == .all && filter.sourceType == .asset && filter.updatedAfter != nil
        )
        #expect(try SearchJSON.decoder().decode(SearchFilter.self, from: Data("{}".utf8)).isEmpty)
    }

    @Test("fusion specs parse, print back, and reject nonsense with the accepted forms")
    func fusionSpecs() throws {
        #expect(
            try SearchConfiguration.Fusion(parsing: "rrf") == .reciprocalRank(k: 60, denseWeight: 1, lexicalWeight: 1))
        #expect(
            try SearchConfiguration.Fusion(parsing: "RRF:20")
                == .reciprocalRank(k: 20, denseWeight: 1, lexicalWeight: 1))
        #expect(
            try SearchConfiguration.Fusion(parsing: "rrf:60:2:0.5")
                == .reciprocalRank(k: 60, denseWeight: 2, lexicalWeight: 0.5))
        #expect(try SearchConfiguration.Fusion(parsing: "convex:0.3") == .convex(alpha: 0.3))
        #expect(try SearchConfiguration.Fusion(parsing: "dbsf") == .distribution(alpha: 0.5))
        #expect(try SearchConfiguration.Fusion(parsing: "DBSF:0.7") == .distribution(alpha: 0.7))
        for spec in ["rrf:60:2:0.5", "convex:0.3", "rrf:60:1:1", "convex:1", "dbsf:0.4"] {
            #expect(try SearchConfiguration.Fusion(parsing: spec).description == spec)
        }
        for bad in [
            "", "convex", "convex:1.5", "convex:-0.1", "rrf:0", "rrf:60:1", "rrf:60:0:0", "rrf:nan", "bm25",
            "convex:0.5:1", "dbsf:2", "dbsf:0.5:1",
        ] {
            #expect(throws: SearchError.self, "\(bad)") { _ = try SearchConfiguration.Fusion(parsing: bad) }
        }
    }

    @Test("the search settings come from the environment, and a bad one names its variable")
    func configurationFromEnvironment() throws {
        let configuration = try SearchConfiguration.environment([
            "HQ_SEARCH_FUSION": "convex:0.4", "HQ_SEARCH_EF_SEARCH": "200", "HQ_SEARCH_CANDIDATES": "150",
        ])
        #expect(configuration.fusion == .convex(alpha: 0.4))
        #expect(
            configuration.efSearch == 200 && configuration.denseCandidates == 150
                && configuration.lexicalCandidates == 150)
        #expect(try SearchConfiguration.environment([:]) == SearchConfiguration())
        do {
            _ = try SearchConfiguration.environment(["HQ_SEARCH_EF_SEARCH": "5"])
            Issue.record("expected an error")
        } catch let error as SearchError {
            #expect(error.context.contains("HQ_SEARCH_EF_SEARCH"))
        }
        #expect(throws: SearchError.self) { _ = try SearchConfiguration.environment(["HQ_SEARCH_FUSION": "max"]) }
    }
}
