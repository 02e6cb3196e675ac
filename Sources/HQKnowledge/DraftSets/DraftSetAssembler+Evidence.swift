import Foundation
import HQEmbedding
import HQSearch
import HQStorage

/// One variant's angle and evidence.
struct EvidencePack: Sendable {
    var angle: String
    var evidence: [Evidence]
}

extension DraftSetAssembler {
    /// A passage found by one or more queries, with its score per query (0…1, relative to each query's best).
    struct Found: Sendable {
        var chunk: SearchChunk
        var source: SearchResult
        var scores: [Double]
    }

    /// Passages scoring below this share of their query's best passage are not evidence.
    static let relevanceFloor = 0.55

    /// The absolute floor: exact cosine (all-MiniLM-L6-v2) below which a passage is not evidence for a query,
    /// however it ranks. Chosen on the train scenarios of samples/draft-scenarios (docs/DRAFT-SETS.md).
    public static let defaultMinimumCosine = 0.55

    /// How far below ``minimumCosine`` a query's best keyword (BM25) match may still be evidence.
    static let keywordMatchMargin = 0.1

    /// Weight of a query's score for a variant: its own query counts fully, feedback almost fully, the others half.
    static func weight(variantQuery: Int?, query: Int, appliesToAll: Bool) -> Double {
        if query == variantQuery { return 1 }
        return appliesToAll ? 0.9 : 0.5
    }

    /// Searches every query within the scope and deals the passages out to the variants (MMR across variants).
    func evidence(queries: [PlannedQuery], scope: KnowledgeScope, variants: Int, perVariant: Int) async throws
        -> [EvidencePack]
    {
        let leaning = queries.indices.filter { !queries[$0].appliesToAll }
        let primaries = leaning.isEmpty ? Array(queries.indices) : leaning
        let primary: [Int?] = (0..<variants).map { primaries.isEmpty ? nil : primaries[$0 % primaries.count] }
        let angles = primary.map { $0.map { queries[$0].angle } ?? "template" }
        guard perVariant > 0, !queries.isEmpty else { return angles.map { EvidencePack(angle: $0, evidence: []) } }

        let found = try await retrieve(queries: queries, scope: scope, limit: max(8, variants * perVariant))
        guard !found.isEmpty else { return angles.map { EvidencePack(angle: $0, evidence: []) } }
        let relevance = primary.map { variantQuery in
            found.map { item in
                queries.indices.map {
                    Self.weight(variantQuery: variantQuery, query: $0, appliesToAll: queries[$0].appliesToAll)
                        * item.scores[$0]
                }.max() ?? 0
            }
        }
        let similarity = try await similarities(found)
        let picks = EvidenceSelector.select(relevance: relevance, similarity: similarity, perVariant: perVariant)

        var next = 1
        return picks.enumerated().map { variant, indices in
            let focus = ([primary[variant]].compactMap { $0 } + queries.indices.filter { queries[$0].appliesToAll })
                .map { queries[$0].text }.joined(separator: " ")
            let evidence = indices.map { index -> Evidence in
                let item = found[index]
                let span = QuoteExtractor.span(in: item.chunk.content, query: focus)
                defer { next += 1 }
                return Evidence(
                    id: "E\(next)", sourceID: item.source.sourceID, sourceType: item.source.sourceType.rawValue,
                    entityID: item.source.entityID, chunkID: item.chunk.chunkID, title: item.source.title,
                    quote: span.text,
                    charStart: item.chunk.charStart.map { $0 + span.start },
                    charEnd: item.chunk.charStart.map { $0 + span.end },
                    score: (relevance[variant][index] * 1000).rounded() / 1000)
            }
            return EvidencePack(angle: angles[variant], evidence: evidence)
        }
    }

    /// Runs the queries (concurrently) and merges their passages by chunk.
    private func retrieve(queries: [PlannedQuery], scope: KnowledgeScope, limit: Int) async throws -> [Found] {
        let filter = scope.filter
        let search = self.search
        let responses = try await withThrowingTaskGroup(of: (Int, SearchResponse).self) { group in
            for (index, query) in queries.enumerated() {
                group.addTask {
                    (
                        index,
                        try await search.search(
                            SearchRequest(
                                query: query.text, filter: filter, limit: limit, chunksPerSource: 2, explain: true))
                    )
                }
            }
            var responses = [SearchResponse?](repeating: nil, count: queries.count)
            do {
                for try await (index, response) in group { responses[index] = response }
            } catch let error as SearchError {
                switch error.code {
                case .folderNotFound:
                    throw DraftSetError(.invalidRequest, "the \(scope.origin)'s meta.knowledge.folder names no folder")
                case .invalidRequest:
                    throw DraftSetError(.invalidRequest, "the \(scope.origin)'s knowledge scope: \(error.context)")
                default: throw error
                }
            }
            return responses.compactMap { $0 }
        }
        var found: [Found] = []
        var position: [UUID: Int] = [:]
        for (queryIndex, response) in responses.enumerated() {
            let chunks = response.results.flatMap { result in result.chunks.map { (result, $0) } }
            // Fused scores are nearly flat below the top; exact cosine says how close a passage really is, and
            // BM25 how well it matches the query's words (a title naming the topic can lose on meaning alone).
            let bestCosine = chunks.compactMap { $0.1.explain?.cosine }.max() ?? 0
            let bestBM25 = chunks.compactMap { $0.1.explain?.bm25 }.max() ?? 0
            let best = chunks.map(\.1.score).max() ?? 0
            for (rank, (result, chunk)) in chunks.enumerated() {
                var score = best > 0 ? chunk.score / best : 1 / Double(rank + 1)
                let lexical = bestBM25 > 0 ? (chunk.explain?.bm25 ?? 0) / bestBM25 : 0
                if bestCosine > 0 { score = max(max(0, chunk.explain?.cosine ?? 0) / bestCosine, lexical) }
                guard score >= Self.relevanceFloor else { continue }
                // The absolute floor: close enough in meaning; the query's best keyword match gets a margin below it.
                if let cosine = chunk.explain?.cosine,
                    cosine < minimumCosine - (lexical >= 1 ? Self.keywordMatchMargin : 0)
                {
                    continue
                }
                if let at = position[chunk.chunkID] {
                    found[at].scores[queryIndex] = max(found[at].scores[queryIndex], score)
                } else {
                    position[chunk.chunkID] = found.count
                    var scores = [Double](repeating: 0, count: queries.count)
                    scores[queryIndex] = score
                    found.append(Found(chunk: chunk, source: result, scores: scores))
                }
            }
        }
        return found
    }

    /// Cosine between every pair of passages from their stored vectors (one BLAS Gram matrix), row-major
    /// `[n × n]`. A passage without a vector counts as 0.5 similar to passages of its own source, 0 to others.
    private func similarities(_ found: [Found]) async throws -> [Float] {
        let ids = found.map { $0.chunk.chunkID.uuidString }
        let rows = try await pool.query(
            """
            SELECT v.chunk_id, v.embedding::real[] FROM public.knowledge_chunk_vectors v
             WHERE v.chunk_id = ANY (\(ids)::uuid[])
               AND v.model = coalesce(\(search.configuration.model)::text, public.hq_live_embedding_model())
            """)
        var vectors: [UUID: [Float]] = [:]
        for row in rows { vectors[try row.decode(UUID.self, column: 0)] = try row.decode([Float].self, column: 1) }
        let n = found.count
        var matrix = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where found[i].source.sourceID == found[j].source.sourceID {
                matrix[i * n + j] = i == j ? 1 : 0.5
            }
        }
        let withVectors = found.indices.filter { vectors[found[$0].chunk.chunkID] != nil }
        guard let dimensions = withVectors.first.map({ vectors[found[$0].chunk.chunkID]!.count }), withVectors.count > 1
        else {
            return matrix
        }
        let usable = withVectors.filter { vectors[found[$0].chunk.chunkID]!.count == dimensions }
        let flat = usable.flatMap { VectorMath.normalized(vectors[found[$0].chunk.chunkID]!) }
        let gram = VectorMath.gram(matrix: flat, rows: usable.count, dimensions: dimensions)
        for (a, i) in usable.enumerated() {
            for (b, j) in usable.enumerated() { matrix[i * n + j] = gram[a * usable.count + b] }
        }
        return matrix
    }
}

extension DraftSetAssembler {
    /// The contact's company and organization names that some passage of the knowledge base mentions (a case study,
    /// a customer note): only those stay in knowledge queries. Lower-cased.
    func namesInKnowledge(_ context: AssemblyContext) async throws -> Set<String> {
        let names = [context.contact["company"]?.mergeText, context.organizations.first?.row["name"]?.mergeText]
            .compactMap { $0 }
        var known = Set<String>()
        for name in Set(names) {
            let rows = try await pool.query(
                """
                SELECT EXISTS (
                  SELECT 1 FROM public.knowledge_chunks c
                   WHERE c.search_vector @@ phraseto_tsquery('english', \(name))
                     AND c.content ILIKE '%' || \(name) || '%')
                """)
            if try rows.first?.decode(Bool.self, column: 0) == true { known.insert(name.lowercased()) }
        }
        return known
    }
}
