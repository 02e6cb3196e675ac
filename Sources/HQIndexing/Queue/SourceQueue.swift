import Foundation
import HQStorage

/// The SQL of the indexing queue (db/README.md, "Indexer contract"), one function per call.
struct SourceQueue: Sendable {
    let pool: PostgresPool
    let worker: String
    let maxAttempts: Int

    func lease(
        limit: Int, leaseSeconds: Int, sourceType: String?, lane: QueueLane = .all, editGrace: Double = 0,
        dueBefore: Date? = nil
    ) async throws
        -> [LeasedSource]
    {
        // All lanes with a grace for edits is the bulk lane's rule: bulk work and edits older than the grace.
        let laneName: String? = lane == .all ? (editGrace > 0 ? QueueLane.bulk.rawValue : nil) : lane.rawValue
        let rows = try await pool.query(
            """
            SELECT * FROM public.hq_lease_sources_in_lane(\(worker), \(Int32(limit)), \(Int32(leaseSeconds)), \(Int32(maxAttempts)), \(sourceType), \(laneName)::text, \(editGrace), \(dueBefore))
            """)
        return try rows.map(LeasedSource.init(row:))
    }

    /// Existing vectors of the sources' chunks keyed by content hash and model.
    func existingVectors(sources: [UUID], models: [String]) async throws -> [VectorKey: [Float]] {
        guard !sources.isEmpty else { return [:] }
        let rows = try await pool.query(
            """
            SELECT c.content_hash, v.model, v.embedding FROM public.knowledge_chunks c
              JOIN public.knowledge_chunk_vectors v ON v.chunk_id = c.id
             WHERE c.source_id = ANY(\(sources))
               AND (v.model = ANY(\(models)) OR v.model IN (SELECT embedding_model FROM public.workspace
                                                          UNION SELECT embedding_model_next FROM public.workspace))
            """)
        var result: [VectorKey: [Float]] = [:]
        for row in rows {
            let hash = try row.decode(String.self, column: 0)
            let model = try row.decode(String.self, column: 1)
            result[VectorKey(hash: hash, model: model)] = try row.decode(PostgresVector.self, column: 2).values
        }
        return result
    }

    /// What origins last said of the sources' files (migration 025), by source.
    func fileValidators(_ sources: [UUID]) async throws -> [UUID: SourceFileValidator] {
        guard !sources.isEmpty else { return [:] }
        let rows = try await pool.query(
            """
            SELECT source_id, file_url, validator, digest FROM public.knowledge_source_files
             WHERE source_id = ANY(\(sources))
            """)
        var result: [UUID: SourceFileValidator] = [:]
        for row in rows {
            let (id, url, validator, digest) = try row.decode((UUID, String, String, String).self)
            result[id] = SourceFileValidator(sourceID: id, fileURL: url, validator: validator, digest: digest)
        }
        return result
    }

    /// Records what origins said of files just fetched (a fact about the origin, true whether or not indexing the
    /// source succeeds); sources deleted meanwhile are skipped.
    func recordFileValidators(_ validators: [SourceFileValidator]) async throws {
        guard !validators.isEmpty else { return }
        try await pool.execute(
            """
            INSERT INTO public.knowledge_source_files AS f (source_id, file_url, validator, digest)
            SELECT u.id, u.url, u.validator, u.digest
              FROM unnest(\(validators.map(\.sourceID)), \(validators.map(\.fileURL)), \(validators.map(\.validator)),
                          \(validators.map(\.digest))) AS u(id, url, validator, digest)
             WHERE EXISTS (SELECT 1 FROM public.knowledge_sources s WHERE s.id = u.id)
            ON CONFLICT (source_id) DO UPDATE
               SET file_url = excluded.file_url, validator = excluded.validator, digest = excluded.digest,
                   updated_at = now()
            """)
    }

    /// Marks unchanged sources indexed without rewriting their chunks, only those this worker still holds (rows
    /// locked first, so no other worker can lease them in between). Returns the ids that were finished.
    func finishUnchanged(_ sources: [(id: UUID, seq: Int64, hash: String)], model: String, method: String) async throws
        -> Set<UUID>
    {
        guard !sources.isEmpty else { return [] }
        return try await pool.withConnection { connection in
            try await connection.transaction { tx in
                // Two statements: in one, the planner may call hq_finish_source_write (which clears the lease) before
                // it reads who holds the lease.
                // Document rows, then source rows (the order an edit locks them in; migration 021).
                let heldRows = try await tx.query(
                    "SELECT id FROM public.hq_lock_sources(\(sources.map(\.id))) WHERE leased_by = \(worker)")
                let held = Set(try heldRows.map { try $0.decode(UUID.self, column: 0) })
                let mine = sources.filter { held.contains($0.id) }
                guard !mine.isEmpty else { return [] }
                let rows = try await tx.query(
                    """
                    SELECT u.id FROM unnest(\(mine.map(\.id)), \(mine.map(\.seq)), \(mine.map(\.hash))) AS u(id, seq, hash)
                     WHERE public.hq_finish_source_write(u.id, u.seq, u.hash, \(model), \(method))
                    """)
                return Set(try rows.map { try $0.decode(UUID.self, column: 0) })
            }
        }
    }

    /// Records a failed attempt: "retry", "failed", "stale" (the source changed, or another worker holds it now)
    /// or "missing". A `permanent` failure (a refused reference) uses up the attempts at once.
    func fail(_ id: UUID, seq: Int64, error: String, permanent: Bool = false) async throws -> String {
        let attempts = Int32(permanent ? 1 : maxAttempts)
        return try await pool.withConnection { connection in
            try await connection.transaction { tx in
                let holder = try await tx.query("SELECT leased_by FROM public.hq_lock_sources(\([id]))")
                guard let row = holder.first else { return "missing" }
                guard try row.decode(String?.self, column: 0) == worker else { return "stale" }
                let rows = try await tx.query("SELECT public.hq_fail_source(\(id), \(error), \(seq), \(attempts))")
                return try rows.first?.decode(String.self, column: 0) ?? "missing"
            }
        }
    }

    /// Extends every lease this worker holds on a pending source by `leaseSeconds` from now, so work that outlasts
    /// one lease is not leased again by another worker meanwhile. Returns how many leases were extended.
    @discardableResult
    func extendLeases(leaseSeconds: Int) async throws -> Int {
        try await pool.execute(
            """
            UPDATE public.knowledge_sources
               SET indexing_leased_until = now() + make_interval(secs => \(Int32(max(1, leaseSeconds))))
             WHERE indexing_leased_by = \(worker) AND pending_since IS NOT NULL
            """)
    }

    func release(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await pool.query("SELECT public.hq_release_source(id, \(worker)) FROM unnest(\(ids)) AS id")
    }

    func pendingCount(sourceType: String?) async throws -> Int {
        let rows = try await pool.query(
            """
            SELECT count(*) FROM public.knowledge_sources
             WHERE pending_since IS NOT NULL AND archived_at IS NULL AND (\(sourceType)::text IS NULL OR source_type = \(sourceType))
            """)
        return Int(try rows.first?.decode(Int64.self, column: 0) ?? 0)
    }

    /// Seconds until the earliest backoff or foreign lease ends (when the watcher should look again), if any.
    func secondsUntilNextDue() async throws -> Double? {
        let rows = try await pool.query(
            """
            SELECT extract(epoch FROM min(greatest(coalesce(next_attempt_at, now()), coalesce(indexing_leased_until, now())) - now()))::float8
              FROM public.knowledge_sources WHERE pending_since IS NOT NULL AND archived_at IS NULL
            """)
        return try rows.first?.decode(Double?.self, column: 0)
    }
}

/// A vector's identity for reuse: the chunk's content hash and the model.
struct VectorKey: Hashable, Sendable {
    var hash: String
    var model: String
}

/// What an origin said of the bytes it sent for a source's file: with `If-None-Match: validator` it answers 304 only
/// while the bytes are still the ones whose SHA-256 is `digest`.
struct SourceFileValidator: Sendable, Equatable {
    var sourceID: UUID
    var fileURL: String
    var validator: String
    var digest: String
}
