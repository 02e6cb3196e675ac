import Foundation
import HQStorage

/// Text and source fields of one chunk, as read for an answer.
struct ChunkRow: Sendable {
    var chunk: SearchChunk
    var source: SearchResult
}

extension SearchService {
    /// Options of `ts_headline` for snippets: matched terms between `<mark>` and `</mark>`.
    static let headlineOptions =
        "StartSel=<mark>, StopSel=</mark>, MaxWords=40, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=\" … \""

    /// Columns read for every chunk: `c` chunk, `s` source, `tq` the OR'ed tsquery (or NULL).
    static let chunkColumns = """
        c.id, c.chunk_index, c.content, coalesce(c.section_path, '{}'), c.char_start, c.char_end,
        CASE WHEN tq IS NULL OR NOT (c.search_vector @@ tq) THEN left(c.content, 280)
             ELSE ts_headline('english'::regconfig, c.content, tq, '\(headlineOptions)') END,
        s.id, s.source_type, coalesce(s.document_id::text, s.asset_id::text, s.source_id), s.title, s.folder_path, s.tags
        """

    static func decodeChunkRow(_ row: PostgresRow, score: Double = 0) throws -> ChunkRow {
        let chunk = SearchChunk(
            chunkID: try row.decode(UUID.self, column: 0), chunkIndex: try row.decode(Int.self, column: 1),
            content: try row.decode(String.self, column: 2), snippet: try row.decode(String.self, column: 6),
            sectionPath: try row.decode([String].self, column: 3), charStart: try row.decode(Int?.self, column: 4),
            charEnd: try row.decode(Int?.self, column: 5), score: score)
        var source = SearchResult(
            sourceID: try row.decode(UUID.self, column: 7),
            sourceType: SourceType(rawValue: try row.decode(String.self, column: 8)) ?? .document,
            entityID: "", title: try row.decode(String.self, column: 10),
            folderPath: try row.decode(String?.self, column: 11), tags: try row.decode([String].self, column: 12),
            score: score, chunks: [])
        source.entityID = try row.decode(String.self, column: 9)
        return ChunkRow(chunk: chunk, source: source)
    }

    /// Reads text, snippets and source fields for the grouped chunks and assembles the answer.
    func details(groups: [[Candidate]], query: String, explain: Bool, exactScan: Bool) async throws -> [SearchResult] {
        let ids = groups.flatMap { $0.map(\.chunkID.uuidString) }
        guard !ids.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            SELECT \(unescaped: Self.chunkColumns)
              FROM public.knowledge_chunks c
              JOIN public.knowledge_sources s ON s.id = c.source_id
             CROSS JOIN (SELECT public.hq_or_tsquery(\(query)) AS tq) q
             WHERE c.id = ANY (\(ids)::uuid[])
            """)
        var byID: [UUID: ChunkRow] = [:]
        for row in rows {
            let decoded = try Self.decodeChunkRow(row)
            byID[decoded.chunk.chunkID] = decoded
        }
        var results: [SearchResult] = []
        for group in groups {
            var result: SearchResult?
            for candidate in group {
                // A chunk deleted between the legs and this read is skipped.
                guard let row = byID[candidate.chunkID] else { continue }
                var chunk = row.chunk
                chunk.score = candidate.score
                if explain {
                    chunk.explain = ChunkExplanation(
                        annRank: candidate.annRank, cosine: candidate.cosine, denseRank: candidate.denseRank,
                        bm25: candidate.bm25, lexicalRank: candidate.lexicalRank, fused: candidate.score,
                        exactScan: exactScan)
                }
                if result == nil {
                    result = row.source
                    // The source ranks by its best chunk's fused score (the chunks shown first are ordered by their
                    // own evidence, which can put another first).
                    result!.score = candidate.sourceScore
                }
                result!.chunks.append(chunk)
            }
            if let result { results.append(result) }
        }
        return results
    }

    /// Listing mode (blank query): sources pinned first, then most recently updated, each with its first chunk.
    func listing(filter: ResolvedFilter, limit: Int) async throws -> [SearchResult] {
        var sql = PostgresQueryBuilder()
        sql.append(
            """
            SELECT s.id, s.source_type, coalesce(s.document_id::text, s.asset_id::text, s.source_id), s.title, s.folder_path,
                   s.tags, c.id, c.chunk_index, c.content, coalesce(c.section_path, '{}'), c.char_start, c.char_end
              FROM public.knowledge_sources s
              LEFT JOIN LATERAL (SELECT * FROM public.knowledge_chunks k WHERE k.source_id = s.id
                                  ORDER BY k.chunk_index LIMIT 1) c ON true
             WHERE true
            """)
        filter.appendPredicates(to: &sql, target: .sources)
        sql.append(" ORDER BY s.pinned DESC, s.source_updated_at DESC NULLS LAST, s.id LIMIT \(sql.bind(limit))")
        let rows = try await pool.query(sql.query)
        return try rows.map { row in
            var result = SearchResult(
                sourceID: try row.decode(UUID.self, column: 0),
                sourceType: SourceType(rawValue: try row.decode(String.self, column: 1)) ?? .document,
                entityID: "", title: try row.decode(String.self, column: 3),
                folderPath: try row.decode(String?.self, column: 4), tags: try row.decode([String].self, column: 5),
                score: 0, chunks: [])
            result.entityID = try row.decode(String.self, column: 2)
            if let chunkID = try row.decode(UUID?.self, column: 6) {
                let content = try row.decode(String.self, column: 8)
                result.chunks = [
                    SearchChunk(
                        chunkID: chunkID, chunkIndex: try row.decode(Int.self, column: 7), content: content,
                        snippet: String(content.prefix(280)), sectionPath: try row.decode([String].self, column: 9),
                        charStart: try row.decode(Int?.self, column: 10),
                        charEnd: try row.decode(Int?.self, column: 11),
                        score: 0)
                ]
            }
            return result
        }
    }
}
