public import Foundation

/// A chunk found by ``SearchService/nearestChunks(to:filter:limit:)``.
public struct ChunkMatch: Sendable, Hashable {
    /// The chunk.
    public var chunkID: UUID
    /// Its knowledge source.
    public var sourceID: UUID
    /// Exact cosine similarity of the chunk's full-precision vector to the query vector.
    public var cosine: Double
}

extension SearchService {
    /// The `limit` chunks nearest to `vector` under `filter`: the dense leg of ``search(_:)`` alone (the HNSW
    /// index with the filters inside a relaxed-order iterative scan, or an exact scan when the filter is
    /// selective), reranked by exact cosine. For callers that hold a vector (draft-set evidence, benchmarks of
    /// filtered recall against an exact scan).
    /// - Throws: ``SearchError`` `invalidRequest` for a vector of the wrong length or a limit outside 1…1000,
    ///   `folderNotFound`; `PostgresError`.
    public func nearestChunks(to vector: [Float], filter: SearchFilter = .init(), limit: Int = 10) async throws
        -> [ChunkMatch]
    {
        guard vector.count == configuration.dimensions else {
            throw SearchError(
                .invalidRequest, "the vector has \(vector.count) dimensions; the index has \(configuration.dimensions)")
        }
        guard (1...1000).contains(limit) else { throw SearchError(.invalidRequest, "limit must be between 1 and 1000") }
        let resolved = try await resolve(filter)
        var candidates = try await dense(
            vector: vector, filter: resolved, limit: max(configuration.denseCandidates, limit * 3)
        ).candidates
        Self.exactCosine(&candidates, query: vector)
        return candidates.compactMap { candidate in
            candidate.cosine.map { ChunkMatch(chunkID: candidate.chunkID, sourceID: candidate.sourceID, cosine: $0) }
        }
        .sorted {
            let (a, b) = ($0.chunkID.orderKey, $1.chunkID.orderKey)
            return ($0.cosine, b.0, b.1) > ($1.cosine, a.0, a.1)
        }
        .prefix(limit).map { $0 }
    }
}
