public import Foundation
import HQStorage

extension SearchService {
    /// A source with all its chunks in document order. Archived sources are found too (by id only).
    /// - Parameter id: a knowledge source id, or the id of its document or asset.
    /// - Throws: ``SearchError`` `invalidRequest` (not a UUID) or `sourceNotFound`.
    public func source(id: String) async throws -> SourceDetail {
        var detail = try await sourceHeader(id: id)
        let rows = try await pool.query(
            """
            SELECT \(unescaped: Self.chunkColumns)
              FROM public.knowledge_chunks c
              JOIN public.knowledge_sources s ON s.id = c.source_id
             CROSS JOIN (SELECT NULL::tsquery AS tq) q
             WHERE c.source_id = \(detail.sourceID)
             ORDER BY c.chunk_index
            """)
        detail.chunks = try rows.map { try Self.decodeChunkRow($0).chunk }
        return detail
    }

    /// A source's chunks, ranked against `query` when given (hybrid: BM25 and exact cosine over the
    /// source's chunks), else in document order.
    /// - Parameters:
    ///   - id: a knowledge source id, or the id of its document or asset.
    ///   - query: ranks the chunks; nil or blank keeps document order.
    ///   - limit: most chunks to return (1…50) when ranking.
    public func chunks(_ request: SourceChunksRequest) async throws -> SourceDetail {
        try await chunks(sourceID: request.id, query: request.query, limit: request.limit)
    }

    /// A source's chunks ranked against `query` (at most `limit`), or all of them in order without one.
    public func chunks(sourceID id: String, query: String?, limit: Int = 10) async throws -> SourceDetail {
        guard let query, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await source(id: id)
        }
        var detail = try await sourceHeader(id: id)
        var filter = SearchFilter()
        filter.sourceIDs = [detail.sourceID]
        let response = try await search(
            SearchRequest(query: query, filter: filter, limit: 1, chunksPerSource: max(1, min(limit, 50))))
        detail.chunks = response.results.first?.chunks ?? []
        return detail
    }

    private func sourceHeader(id: String) async throws -> SourceDetail {
        guard let uuid = UUID(uuidString: id.trimmingCharacters(in: .whitespaces)) else {
            throw SearchError(.invalidRequest, "source id must be a UUID")
        }
        let rows = try await pool.query(
            """
            SELECT s.id, s.source_type, coalesce(s.document_id::text, s.asset_id::text, s.source_id), s.title,
                   s.folder_path, s.tags, s.pinned, s.asset_type, s.source_updated_at,
                   CASE WHEN s.pending_since IS NOT NULL THEN 'pending' ELSE s.chunk_status END, s.chunk_count
              FROM public.knowledge_sources s
             WHERE s.id = \(uuid) OR s.document_id = \(uuid) OR s.asset_id = \(uuid)
             ORDER BY (s.id = \(uuid)) DESC
             LIMIT 1
            """)
        guard let row = rows.first else { throw SearchError(.sourceNotFound, "no source \(uuid)") }
        return SourceDetail(
            sourceID: try row.decode(UUID.self, column: 0),
            sourceType: SourceType(rawValue: try row.decode(String.self, column: 1)) ?? .document,
            entityID: try row.decode(String.self, column: 2), title: try row.decode(String.self, column: 3),
            folderPath: try row.decode(String?.self, column: 4), tags: try row.decode([String].self, column: 5),
            pinned: try row.decode(Bool.self, column: 6), assetType: try row.decode(String?.self, column: 7),
            updatedAt: try row.decode(Date?.self, column: 8), status: try row.decode(String.self, column: 9),
            chunkCount: try row.decode(Int.self, column: 10), chunks: [])
    }
}
