public import Foundation
public import HQStorage

/// The state of the index: counts by state, the oldest pending source, recent failures, models.
public struct IndexStatus: Sendable, Hashable, Codable {
    /// A source that failed for good, or is waiting to retry.
    public struct Failure: Sendable, Hashable, Codable {
        /// `knowledge_sources.id`.
        public var id: UUID
        /// `document` or `asset`.
        public var sourceType: String
        /// The title or asset name.
        public var title: String
        /// The recorded reason.
        public var error: String
        /// Attempts made.
        public var attempts: Int
        /// True when it will be retried (at `nextAttemptAt`).
        public var retrying: Bool
        /// When the next attempt is due, if retrying.
        public var nextAttemptAt: Date?
    }

    /// All sources, archived included.
    public var total = 0
    /// Indexed and current.
    public var indexed = 0
    /// Waiting to be indexed (including leased and backing off).
    public var pending = 0
    /// Pending and leased by a worker right now.
    public var leased = 0
    /// Pending, waiting for a retry after a failure.
    public var retrying = 0
    /// Failed for good (until edited or re-indexed).
    public var failed = 0
    /// Archived (out of search).
    public var archived = 0
    /// Chunks stored.
    public var chunks = 0
    /// Vectors of the live model.
    public var liveVectors = 0
    /// When the oldest pending source became pending.
    public var oldestPendingSince: Date?
    /// `workspace.embedding_model`.
    public var liveModel: String = ""
    /// `workspace.embedding_model_next`, during a model change.
    public var nextModel: String?
    /// Up to 20 failures, most recent first.
    public var failures: [Failure] = []
}

extension Indexer {
    /// Reads the index's state.
    public func status() async throws -> IndexStatus {
        try await Self.status(pool: pool)
    }

    /// Reads the index's state without an embedder (for `hq index status`).
    public static func status(pool: PostgresPool) async throws -> IndexStatus {
        var status = IndexStatus()
        let counts = try await pool.query(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE archived_at IS NULL AND pending_since IS NULL AND chunk_status = 'indexed'),
                   count(*) FILTER (WHERE archived_at IS NULL AND pending_since IS NOT NULL),
                   count(*) FILTER (WHERE archived_at IS NULL AND pending_since IS NOT NULL AND indexing_leased_until > now()),
                   count(*) FILTER (WHERE archived_at IS NULL AND pending_since IS NOT NULL AND next_attempt_at > now()),
                   count(*) FILTER (WHERE archived_at IS NULL AND pending_since IS NULL AND chunk_status = 'failed'),
                   count(*) FILTER (WHERE archived_at IS NOT NULL),
                   min(pending_since) FILTER (WHERE archived_at IS NULL),
                   (SELECT count(*) FROM public.knowledge_chunks),
                   (SELECT count(*) FROM public.knowledge_chunk_vectors v WHERE v.model = public.hq_live_embedding_model()),
                   (SELECT embedding_model FROM public.workspace LIMIT 1),
                   (SELECT embedding_model_next FROM public.workspace LIMIT 1)
              FROM public.knowledge_sources
            """)
        if let row = counts.first {
            status.total = Int(try row.decode(Int64.self, column: 0))
            status.indexed = Int(try row.decode(Int64.self, column: 1))
            status.pending = Int(try row.decode(Int64.self, column: 2))
            status.leased = Int(try row.decode(Int64.self, column: 3))
            status.retrying = Int(try row.decode(Int64.self, column: 4))
            status.failed = Int(try row.decode(Int64.self, column: 5))
            status.archived = Int(try row.decode(Int64.self, column: 6))
            status.oldestPendingSince = try row.decode(Date?.self, column: 7)
            status.chunks = Int(try row.decode(Int64.self, column: 8))
            status.liveVectors = Int(try row.decode(Int64.self, column: 9))
            status.liveModel = try row.decode(String?.self, column: 10) ?? ""
            status.nextModel = try row.decode(String?.self, column: 11)
        }
        let failures = try await pool.query(
            """
            SELECT id, source_type, title, coalesce(last_error, chunk_error, 'unknown'), attempts,
                   pending_since IS NOT NULL, next_attempt_at
              FROM public.knowledge_sources
             WHERE archived_at IS NULL AND (chunk_status = 'failed' OR last_error IS NOT NULL AND pending_since IS NOT NULL)
             ORDER BY updated_at DESC LIMIT 20
            """)
        status.failures = try failures.map { row in
            IndexStatus.Failure(
                id: try row.decode(UUID.self, column: 0), sourceType: try row.decode(String.self, column: 1),
                title: try row.decode(String.self, column: 2), error: try row.decode(String.self, column: 3),
                attempts: Int(try row.decode(Int32.self, column: 4)), retrying: try row.decode(Bool.self, column: 5),
                nextAttemptAt: try row.decode(Date?.self, column: 6))
        }
        return status
    }
}
