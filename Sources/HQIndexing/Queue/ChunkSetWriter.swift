import Foundation
import HQStorage

/// A source ready to be written: its chunks and, per model, one vector per chunk.
struct PreparedSource: Sendable {
    var source: LeasedSource
    var sourceHash: String
    var method: String
    var chunks: [Chunk]
    /// Per model, vectors in chunk order: every chunk's for the models this indexer embeds with; for the workspace's
    /// other live or next model, the vectors of unchanged chunks carried over by content hash (nil where none).
    var vectors: [String: [[Float]?]]
}

/// Replaces one source's chunk set in one transaction with binary COPY (db/README.md, "Indexer contract").
struct ChunkSetWriter: Sendable {
    let pool: PostgresPool
    /// The model recorded as `indexed_model`.
    let finishModel: String
    let dimensions: Int
    /// This worker's lease name: a source another worker holds now is not written (its lease was lost).
    let worker: String

    enum Outcome {
        case written, stale
        /// The workspace's live model is no longer the one this indexer embeds with (a model change was promoted).
        case modelChanged(live: String)
    }

    private static let chunkColumns = [
        "id", "source_id", "source_type", "source_entity_id", "document_id", "asset_id", "chunk_index", "content",
        "content_hash", "char_start", "char_end", "page_number", "section_path", "source_uri", "embedding_model",
        "embedding_dimensions", "embedding_status", "token_count",
    ]
    private static let vectorColumns = [
        "chunk_id", "model", "source_id", "embedding", "source_type", "asset_type", "folder_ids", "tags", "pinned",
        "archived", "source_updated_at",
    ]

    func write(_ prepared: PreparedSource, liveModel: String) async throws -> Outcome {
        let source = prepared.source
        return try await pool.withConnection { connection in
            try await connection.transaction { tx in
                // The document's row, then the source's (the order an edit takes them in; migration 021), and the
                // lease holder: nobody can lease the source again until this transaction ends.
                let holder = try await tx.query("SELECT leased_by FROM public.hq_lock_sources(\([source.id]))")
                guard try holder.first?.decode(String?.self, column: 0) == worker else { return .stale }
                let rows = try await tx.query(
                    "SELECT * FROM public.hq_begin_source_write(\(source.id), \(source.changeSeq))")
                guard let filter = rows.first else { return .stale }
                // FOR SHARE on the workspace row: a promotion waits for this write, and none happens during it.
                let models = try await tx.query("SELECT live_model FROM public.hq_write_models()")
                let live = try models.first?.decode(String?.self, column: 0) ?? liveModel
                guard live == liveModel else { return .modelChanged(live: live) }
                let sourceType = try filter.decode(String.self, column: "source_type")
                let assetType = try filter.decode(String?.self, column: "asset_type")
                let folderIDs = try filter.decode([UUID]?.self, column: "folder_ids") ?? []
                let tags = try filter.decode([String]?.self, column: "tags") ?? []
                let pinned = try filter.decode(Bool?.self, column: "pinned") ?? false
                let archived = try filter.decode(Bool?.self, column: "archived") ?? false
                let updatedAt = try filter.decode(Date?.self, column: "source_updated_at")
                let documentID = try filter.decode(UUID?.self, column: "document_id")
                let assetID = try filter.decode(UUID?.self, column: "asset_id")
                let entityID = try filter.decode(String.self, column: "source_entity_id")
                let uri = try filter.decode(String?.self, column: "source_uri")

                try await tx.execute("DELETE FROM public.knowledge_chunks WHERE source_id = \(source.id)")
                let ids = prepared.chunks.map { _ in UUID() }
                if !prepared.chunks.isEmpty {
                    try await tx.copy(into: "knowledge_chunks", schema: "public", columns: Self.chunkColumns) {
                        writer in
                        for (chunk, id) in zip(prepared.chunks, ids) {
                            try writer.append(
                                id, source.id, sourceType, entityID, documentID, assetID, Int32(chunk.index),
                                chunk.text,
                                chunk.contentHash, Int32(chunk.charStart), Int32(chunk.charEnd),
                                chunk.page.map(Int32.init),
                                chunk.sectionPath, uri, liveModel, Int32(dimensions), "indexed", Int32(chunk.tokenCount)
                            )
                        }
                    }
                    try await tx.copy(into: "knowledge_chunk_vectors", schema: "public", columns: Self.vectorColumns) {
                        writer in
                        for (model, vectors) in prepared.vectors.sorted(by: { $0.key < $1.key }) {
                            for (id, vector) in zip(ids, vectors) {
                                guard let vector else { continue }
                                try writer.append(
                                    id, model, source.id, PostgresVector(vector), sourceType, assetType, folderIDs,
                                    tags,
                                    pinned, archived, updatedAt)
                            }
                        }
                    }
                }
                let finished = try await tx.query(
                    """
                    SELECT public.hq_finish_source_write(\(source.id), \(source.changeSeq), \(prepared.sourceHash), \(finishModel), \(prepared.method))
                    """)
                guard try finished.first?.decode(Bool.self, column: 0) == true else {
                    throw StaleWrite()
                }
                return .written
            }
        }
    }

    /// Thrown inside the transaction to roll it back when the finish reports a change since the lease.
    struct StaleWrite: Error {}
}
