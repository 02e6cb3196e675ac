import Foundation
import HQStorage

/// What the dense leg found and how.
struct DenseLegResult: Sendable {
    var candidates: [Candidate]
    /// True when the filter was selective enough for an exact scan (complete by construction).
    var exactScan: Bool
}

extension SearchService {
    /// `v.model = …`: the configured model, else the workspace's live model.
    private func appendModel(to builder: inout PostgresQueryBuilder, alias: String) {
        builder.append(
            "\(alias).model = coalesce(\(builder.bind(configuration.model))::text, public.hq_live_embedding_model())")
    }

    /// Dense candidates: an exact scan when the filter matches fewer than `exactScanThreshold` vectors,
    /// otherwise the HNSW index on halfvec with the filters inside a relaxed-order iterative scan.
    func dense(vector: [Float], filter: ResolvedFilter, limit: Int) async throws -> DenseLegResult {
        let dimensions = configuration.dimensions
        let threshold = configuration.exactScanThreshold
        // pgvector refuses an ef_search above 1000 (SQLSTATE 22023), which `limit` 1000 (3000 candidates) reached;
        // the relaxed-order iterative scan goes on past ef_search until `limit` rows are found, so a clamped value
        // still returns every row asked for.
        let efSearch = min(max(configuration.efSearch, limit), SearchConfiguration.maxEfSearch)
        return try await pool.withConnection { connection in
            try await connection.transaction { tx in
                var exact = false
                if !filter.isEmpty {
                    // Route by how many chunks the filter matches, counted on the sources (one narrow row per
                    // source, chunk_count kept by the indexer): far cheaper than counting vector rows, whose heap
                    // pages a bitmap scan must visit (11 ms for a 9% tag at 100k chunks, against 1 ms here).
                    var count = PostgresQueryBuilder()
                    count.append(
                        "SELECT coalesce(sum(s.chunk_count), 0)::bigint FROM public.knowledge_sources s WHERE true")
                    filter.appendPredicates(to: &count, target: .sources)
                    let matches = try await tx.query(count.query).first?.decode(Int.self, column: 0) ?? 0
                    exact = matches < threshold
                }
                var sql = PostgresQueryBuilder()
                let q = sql.bind(vector)
                sql.append("SELECT v.chunk_id, v.source_id, v.embedding FROM public.knowledge_chunk_vectors v WHERE ")
                appendModel(to: &sql, alias: "v")
                filter.appendPredicates(to: &sql, target: .vectors)
                if exact {
                    sql.append(
                        " ORDER BY v.embedding OPERATOR(extensions.<=>) \(q)::real[]::extensions.vector(\(dimensions)), v.chunk_id"
                    )
                } else {
                    _ = try await tx.query(
                        "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', \(String(efSearch)), true)"
                    )
                    sql.append(
                        " ORDER BY v.embedding::extensions.halfvec(\(dimensions)) OPERATOR(extensions.<=>) "
                            + "(\(q)::real[]::extensions.vector(\(dimensions)))::extensions.halfvec(\(dimensions))")
                }
                sql.append(" LIMIT \(sql.bind(limit))")
                let rows = try await tx.query(sql.query)
                var candidates: [Candidate] = []
                candidates.reserveCapacity(rows.count)
                for (rank, row) in rows.enumerated() {
                    // pgvector's binary form: a length and the raw floats (no per-element headers as in real[]).
                    let (chunk, source, embedding) = try row.decode((UUID, UUID, PostgresVector).self)
                    candidates.append(
                        Candidate(chunkID: chunk, sourceID: source, embedding: embedding.values, annRank: rank + 1))
                }
                return DenseLegResult(candidates: candidates, exactScan: exact)
            }
        }
    }

    /// BM25 candidates (OR over the query's lexemes): the best `limit` sources by source-level BM25 that pass the
    /// filter, each represented by its best-matching chunk (migration 020); with `withVectors`, each carries its
    /// full-precision vector for the exact rerank.
    ///
    /// - Complexity: one read of the query terms' source posting lists, then of their chunk posting lists restricted
    ///   to the chosen sources (`hq_bm25_best_chunks`), instead of scoring every matching chunk.
    func lexical(query: String, filter: ResolvedFilter, limit: Int, withVectors: Bool) async throws -> [Candidate] {
        var sql = PostgresQueryBuilder()
        let terms = sql.bind(query)
        let (k1, b) = (sql.bind(configuration.bm25K1), sql.bind(configuration.bm25B))
        sql.append(
            "WITH q AS (SELECT public.hq_query_terms(\(terms)) AS terms), top AS (SELECT b.source_id, b.score "
                + "FROM q CROSS JOIN LATERAL public.hq_bm25_source_scores(q.terms, \(k1), \(b)) b "
                + "JOIN public.knowledge_sources s ON s.id = b.source_id WHERE true")
        filter.appendPredicates(to: &sql, target: .sources)
        sql.append(" ORDER BY b.score DESC, b.source_id LIMIT \(sql.bind(limit))) ")
        sql.append(
            "SELECT c.chunk_id, top.source_id, top.score\(withVectors ? ", w.embedding" : "") FROM top "
                + "JOIN public.hq_bm25_best_chunks(ARRAY(SELECT top.source_id FROM top), (SELECT q.terms FROM q), \(k1), \(b)) c "
                + "ON c.source_id = top.source_id")
        if withVectors {
            sql.append(" LEFT JOIN public.knowledge_chunk_vectors w ON w.chunk_id = c.chunk_id AND ")
            appendModel(to: &sql, alias: "w")
        }
        sql.append(" ORDER BY top.score DESC, top.source_id")
        let rows = try await pool.query(sql.query)
        var candidates: [Candidate] = []
        candidates.reserveCapacity(rows.count)
        for (rank, row) in rows.enumerated() {
            let chunk = try row.decode(UUID.self, column: 0)
            let source = try row.decode(UUID.self, column: 1)
            let score = try row.decode(Double.self, column: 2)
            let embedding = withVectors ? try row.decode(PostgresVector?.self, column: 3)?.values : nil
            candidates.append(
                Candidate(chunkID: chunk, sourceID: source, embedding: embedding, bm25: score, lexicalRank: rank + 1))
        }
        return candidates
    }

    /// Resolves a folder path or id and specific source ids.
    func resolve(_ filter: SearchFilter) async throws -> ResolvedFilter {
        var resolved = ResolvedFilter(filter: filter, folderIDs: nil, sourceIDs: nil)
        if let folder = filter.folder?.trimmingCharacters(in: .whitespaces) {
            guard !folder.isEmpty else { throw SearchError(.invalidRequest, "folder must not be empty") }
            let type = filter.sourceType?.rawValue
            let rows: PostgresRows
            if let id = UUID(uuidString: folder) {
                rows = try await pool.query(
                    """
                    SELECT f.id FROM public.document_folders f WHERE f.id = \(id) AND \(type) IS DISTINCT FROM 'asset'
                    UNION ALL SELECT f.id FROM public.asset_folders f WHERE f.id = \(id) AND \(type) IS DISTINCT FROM 'document'
                    """)
            } else {
                rows = try await pool.query(
                    """
                    SELECT id FROM (SELECT public.hq_folder_id_by_path('document', \(folder)) AS id
                                     WHERE \(type)::text IS DISTINCT FROM 'asset'
                                    UNION ALL SELECT public.hq_folder_id_by_path('asset', \(folder))
                                     WHERE \(type)::text IS DISTINCT FROM 'document') f
                     WHERE id IS NOT NULL
                    """)
            }
            let ids = try rows.map { try $0.decode(UUID.self, column: 0).uuidString }
            guard !ids.isEmpty else { throw SearchError(.folderNotFound, "no folder \(folder)") }
            resolved.folderIDs = ids
        }
        if !filter.sourceIDs.isEmpty {
            let given = filter.sourceIDs.map(\.uuidString)
            let rows = try await pool.query(
                """
                SELECT s.id FROM public.knowledge_sources s
                 WHERE s.id = ANY (\(given)::uuid[]) OR s.document_id = ANY (\(given)::uuid[])
                    OR s.asset_id = ANY (\(given)::uuid[])
                """)
            resolved.sourceIDs = try rows.map { try $0.decode(UUID.self, column: 0).uuidString }
        }
        return resolved
    }
}
