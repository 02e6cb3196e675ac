public import Foundation
import HQEmbedding
import HQStorage

/// Which sources `hq reindex` marks pending. Filters combine with AND; no filter means every source.
public struct ReindexSelection: Sendable, Hashable {
    /// `document` or `asset`.
    public var sourceType: String?
    /// A folder (documents' or assets'), with its descendants.
    public var folderID: UUID?
    /// A tag the source must have.
    public var tag: String?
    /// Sources edited at or after this time.
    public var updatedSince: Date?
    /// Exactly these sources (`knowledge_sources.id`).
    public var sourceIDs: [UUID]?
    /// Only sources not yet indexed with this model.
    public var notIndexedWith: String?

    /// Every source.
    public static let all = ReindexSelection()

    /// Creates a selection.
    public init(
        sourceType: String? = nil, folderID: UUID? = nil, tag: String? = nil, updatedSince: Date? = nil,
        sourceIDs: [UUID]? = nil, notIndexedWith: String? = nil
    ) {
        self.sourceType = sourceType
        self.folderID = folderID
        self.tag = tag
        self.updatedSince = updatedSince
        self.sourceIDs = sourceIDs
        self.notIndexedWith = notIndexedWith
    }
}

/// The outcome of ``Indexer/changeModel(progress:)``.
public struct ModelChangeResult: Sendable, Hashable, Codable {
    /// The model that is live now.
    public var liveModel: String
    /// True when the new model became live.
    public var promoted: Bool
    /// Chunks still without a vector of the new model (0 when promoted normally).
    public var missingChunks: Int
    /// The indexing work done.
    public var summary: IndexRunSummary
}

extension Indexer {
    /// The folder `idOrPath` names, for ``ReindexSelection/folderID``: a folder id as given, else a path like
    /// `Sales/Playbooks` among the documents' folders, then the assets'.
    /// - Returns: the folder's id; nil when no folder has that path.
    public func folderID(idOrPath: String) async throws -> UUID? {
        if let id = UUID(uuidString: idOrPath) { return id }
        let rows = try await pool.query(
            """
            SELECT coalesce(public.hq_folder_id_by_path('document', \(idOrPath)), public.hq_folder_id_by_path('asset', \(idOrPath)))
            """)
        return try rows.first?.decode(UUID?.self, column: 0)
    }

    /// Marks the selected, non-archived sources pending (their chunks keep serving search until replaced).
    /// - Returns: the number of sources marked.
    @discardableResult
    public func markPending(_ selection: ReindexSelection) async throws -> Int {
        if let type = selection.sourceType, type != "document", type != "asset" {
            throw IndexingError(.invalidArgument, "source type must be document or asset, not \(type)")
        }
        let rows = try await pool.query(
            """
            SELECT public.hq_mark_sources_pending(\(selection.sourceType), \(selection.folderID), \(selection.tag),
                   \(selection.updatedSince), \(selection.sourceIDs), \(selection.notIndexedWith))
            """)
        return Int(try rows.first?.decode(Int32.self, column: 0) ?? 0)
    }

    /// Builds the vectors of ``IndexerConfiguration/nextEmbedder`` beside the live model's, then makes it live.
    ///
    /// Sets `workspace.embedding_model_next`, marks the sources not yet indexed with the new model pending, drains
    /// (search keeps serving the old model meanwhile; unchanged chunks keep their old-model vectors and get new
    /// ones), then calls `hq_promote_embedding_model`, which switches only when every chunk has a new vector. Resumable:
    /// running it again continues where it stopped. After the switch, run indexers with the new model's embedder.
    /// - Parameters:
    ///   - promote: switch at the end (false: build only; switch later with ``promoteModel(_:force:)``).
    ///   - progress: called after each batch.
    /// - Throws: ``IndexingError`` `.invalidArgument` when no next embedder is configured.
    public func changeModel(promote: Bool = true, progress: (@Sendable (IndexProgress) -> Void)? = nil) async throws
        -> ModelChangeResult
    {
        guard let next = configuration.nextEmbedder else {
            throw IndexingError(.invalidArgument, "no next model configured")
        }
        try await pool.execute("UPDATE public.workspace SET embedding_model_next = \(next.modelID)")
        var summary = IndexRunSummary()
        // Passes until every live chunk has a next-model vector. Indexers still on the live model alone (a watcher
        // that cannot load the next model) keep writing while this runs, each edit leaving its changed chunks
        // without next-model vectors: the next pass embeds those. It stops after three passes in a row that leave
        // as many chunks missing as before (sources failing to index, or edits faster than the passes).
        var missing = Int.max
        var stalled = 0
        var live = embedder.modelID
        var promoted = false
        while stalled < 3 {
            try await markPending(ReindexSelection(notIndexedWith: next.modelID))
            summary.add(try await drain(progress: progress))
            let now = try await missingVectors(model: next.modelID)
            stalled = now < missing ? 0 : stalled + 1
            missing = now
            guard missing == 0 else { continue }
            guard promote else { break }
            // The promotion counts again under the workspace lock: an edit written since the count above sends
            // this back for another pass instead of switching with chunks the new model cannot find.
            missing = try await promoteModel(next.modelID)
            if missing == 0 {
                promoted = true
                live = next.modelID
                break
            }
        }
        return ModelChangeResult(liveModel: live, promoted: promoted, missingChunks: missing, summary: summary)
    }

    /// Makes `model` the live model when its vectors cover every non-archived chunk (or `force`), then recomputes
    /// the documents' mean embeddings from it.
    /// - Returns: chunks without a vector of `model` (0 = switched).
    @discardableResult
    public func promoteModel(_ model: String, force: Bool = false) async throws -> Int {
        let rows = try await pool.query("SELECT public.hq_promote_embedding_model(\(model), \(force))")
        let missing = Int(try rows.first?.decode(Int64.self, column: 0) ?? 0)
        if missing == 0 || force {
            // Outside the promotion's transaction (migration 021): the old model's vectors, now unused.
            try await pool.execute("SELECT public.hq_delete_unused_vectors()")
            try await pool.execute(
                """
                UPDATE public.documents d SET embedding = m.mean, embedding_model = \(model)
                  FROM (SELECT s.document_id, extensions.avg(v.embedding) AS mean
                          FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id
                         WHERE v.model = \(model) AND s.document_id IS NOT NULL GROUP BY s.document_id) m
                 WHERE d.id = m.document_id
                """)
        }
        return missing
    }

    private func missingVectors(model: String) async throws -> Int {
        let rows = try await pool.query(
            """
            SELECT count(*) FROM public.knowledge_chunks c JOIN public.knowledge_sources s ON s.id = c.source_id
             WHERE s.archived_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM public.knowledge_chunk_vectors v WHERE v.chunk_id = c.id AND v.model = \(model))
            """)
        return Int(try rows.first?.decode(Int64.self, column: 0) ?? 0)
    }
}
