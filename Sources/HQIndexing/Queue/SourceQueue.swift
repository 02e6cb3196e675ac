import Foundation
import HQStorage

/// The SQL of the indexing queue (db/README.md, "Indexer contract"), one function per call.
struct SourceQueue: Sendable {
    let pool: PostgresPool
    let worker: String
    let maxAttempts: Int

    func lease(limit: Int, leaseSeconds: Int, sourceType: String?) async throws -> [LeasedSource] {
        let rows = try await pool.query("""
            SELECT * FROM public.hq_lease_sources(\(worker), \(Int32(limit)), \(Int32(leaseSeconds)), \(Int32(maxAttempts)), \(sourceType))
            """)
        return try rows.map(LeasedSource.init(row:))
    }

    /// Existing vectors of the sources' chunks keyed by content hash and model.
    func existingVectors(sources: [UUID], models: [String]) async throws -> [VectorKey: [Float]] {
        guard !sources.isEmpty else { return [:] }
        let rows = try await pool.query("""
            SELECT c.content_hash, v.model, v.embedding FROM public.knowledge_chunks c
              JOIN public.knowledge_chunk_vectors v ON v.chunk_id = c.id
             WHERE c.source_id = ANY(\(sources)) AND v.model = ANY(\(models))
            """)
        var result: [VectorKey: [Float]] = [:]
        for row in rows {
            let hash = try row.decode(String.self, column: 0)
            let model = try row.decode(String.self, column: 1)
            result[VectorKey(hash: hash, model: model)] = try row.decode(PostgresVector.self, column: 2).values
        }
        return result
    }

    /// Marks unchanged sources indexed without rewriting their chunks. Returns the ids that were finished.
    func finishUnchanged(_ sources: [(id: UUID, seq: Int64, hash: String)], model: String, method: String) async throws -> Set<UUID> {
        guard !sources.isEmpty else { return [] }
        let rows = try await pool.query("""
            SELECT u.id FROM unnest(\(sources.map(\.id)), \(sources.map(\.seq)), \(sources.map(\.hash))) AS u(id, seq, hash)
             WHERE public.hq_finish_source_write(u.id, u.seq, u.hash, \(model), \(method))
            """)
        return Set(try rows.map { try $0.decode(UUID.self, column: 0) })
    }

    /// Records a failed attempt: "retry", "failed", "stale" or "missing".
    /// A `permanent` failure (a refused reference) uses up the attempts at once.
    func fail(_ id: UUID, seq: Int64, error: String, permanent: Bool = false) async throws -> String {
        let attempts = Int32(permanent ? 1 : maxAttempts)
        let rows = try await pool.query(
            "SELECT public.hq_fail_source(\(id), \(error), \(seq), \(attempts))")
        return try rows.first?.decode(String.self, column: 0) ?? "missing"
    }

    func release(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await pool.query("SELECT public.hq_release_source(id, \(worker)) FROM unnest(\(ids)) AS id")
    }

    func pendingCount(sourceType: String?) async throws -> Int {
        let rows = try await pool.query("""
            SELECT count(*) FROM public.knowledge_sources
             WHERE pending_since IS NOT NULL AND archived_at IS NULL AND (\(sourceType)::text IS NULL OR source_type = \(sourceType))
            """)
        return Int(try rows.first?.decode(Int64.self, column: 0) ?? 0)
    }

    /// Seconds until the earliest backoff or foreign lease ends (when the watcher should look again), if any.
    func secondsUntilNextDue() async throws -> Double? {
        let rows = try await pool.query("""
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
