public import Foundation
public import HQEmbedding
public import HQStorage
public import Logging

/// The retrieval pipeline as a library; `hq search`, the HTTP routes and MCP are thin fronts over it.
///
/// Per query: embed (LRU-cached) → dense ANN leg (HNSW on halfvec, filters inside the iterative scan, or
/// an exact scan when the filter is selective) ∥ BM25 leg (OR semantics) → exact cosine of every
/// candidate's full-precision vector with one BLAS call → fusion (convex α 0.5 by default; sources carry their BM25 to every chunk) → optional MMR →
/// grouping by source → snippets.
///
/// ```swift
/// let service = SearchService(pool: pool, embedder: embedder, logger: logger)
/// let response = try await service.search(SearchRequest(query: "renewal pricing", limit: 5))
/// ```
public final class SearchService: Sendable {
    let pool: PostgresPool
    let embedder: (any Embedder)?
    /// The pipeline's tuning.
    public let configuration: SearchConfiguration
    let logger: Logger
    let cache: QueryEmbeddingCache

    /// Creates a service over `pool`.
    /// - Parameters:
    ///   - pool: connections to a migrated HQ database.
    ///   - embedder: embeds queries; nil serves lexical results only (hybrid degrades, dense throws).
    ///   - configuration: pipeline tuning.
    ///   - logger: receives timings at `.debug` (never query text above `.debug`).
    public init(
        pool: PostgresPool, embedder: (any Embedder)?, configuration: SearchConfiguration = .init(), logger: Logger
    ) {
        self.pool = pool
        self.embedder = embedder
        self.configuration = configuration
        self.logger = logger
        self.cache = QueryEmbeddingCache(capacity: configuration.cacheCapacity)
    }

    /// Runs one search.
    /// - Throws: ``SearchError`` (`invalidRequest`, `folderNotFound`, `embedderUnavailable`),
    ///   `PostgresError`, `EmbeddingError` in dense mode.
    public func search(_ request: SearchRequest) async throws -> SearchResponse {
        try Self.validate(request)
        let started = ContinuousClock.now
        var stages: [String: Double] = [:]
        func lap(_ name: String, since: ContinuousClock.Instant) {
            stages[name] = Self.milliseconds(ContinuousClock.now - since)
        }

        var mark = ContinuousClock.now
        let filter = try await resolve(request.filter)
        lap("filter", since: mark)
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        if query.isEmpty {
            mark = ContinuousClock.now
            let results = try await listing(filter: filter, limit: request.limit)
            lap("listing", since: mark)
            return SearchResponse(
                query: request.query, results: results,
                timingMilliseconds: Self.milliseconds(ContinuousClock.now - started),
                stagesMilliseconds: request.explain ? stages : nil)
        }

        let requested = request.mode
        var mode = requested
        let groupsWanted = request.limit
        let lexicalQuery = LexicalQuery.capped(query)
        async let lexicalLeg: [Candidate] =
            requested == .dense
            ? []
            : lexical(
                query: lexicalQuery, filter: filter, limit: max(configuration.lexicalCandidates, groupsWanted * 3),
                withVectors: requested == .hybrid)
        mark = ContinuousClock.now
        var vector: [Float]?
        if mode != .lexical {
            do {
                vector = try await embed(query)
            } catch {
                guard mode == .hybrid else { throw error }
                logger.warning("query embedding failed; serving lexical results", metadata: ["error": "\(error)"])
                mode = .lexical
            }
        }
        lap("embed", since: mark)
        mark = ContinuousClock.now
        var denseLeg = DenseLegResult(candidates: [], exactScan: false)
        if let vector {
            denseLeg = try await dense(
                vector: vector, filter: filter, limit: max(configuration.denseCandidates, groupsWanted * 3))
        }
        lap("dense", since: mark)
        mark = ContinuousClock.now
        let lexicalCandidates = try await lexicalLeg
        lap("lexical_wait", since: mark)

        mark = ContinuousClock.now
        var candidates = Self.merge(dense: denseLeg.candidates, lexical: lexicalCandidates)
        if let vector { Self.exactCosine(&candidates, query: vector) }
        Fusion.rankByCosine(&candidates)
        var ranked = Fusion.score(candidates, mode: mode, fusion: configuration.fusion)
        if let lambda = request.mmrLambda {
            let window = min(max(groupsWanted * request.chunksPerSource * 2, 20), MMR.maxWindow)
            ranked = MMR.rerank(ranked, lambda: lambda, window: window)
        }
        let groups = Self.group(
            ranked, limit: groupsWanted, chunksPerSource: request.chunksPerSource,
            byChunkScore: request.mmrLambda == nil)
        lap("rerank", since: mark)

        mark = ContinuousClock.now
        let results = try await details(
            groups: groups, query: lexicalQuery, explain: request.explain, exactScan: denseLeg.exactScan)
        lap("details", since: mark)
        let total = Self.milliseconds(ContinuousClock.now - started)
        logger.debug("search", metadata: ["ms": "\(total)", "candidates": "\(candidates.count)", "mode": "\(mode)"])
        return SearchResponse(
            query: request.query, results: results, timingMilliseconds: total,
            stagesMilliseconds: request.explain ? stages : nil)
    }

    // MARK: - Stages

    /// The query's embedding, from the cache or the embedder.
    func embed(_ query: String) async throws -> [Float] {
        guard let embedder else { throw SearchError(.embedderUnavailable, "no embedder configured") }
        if let cached = await cache.value(model: embedder.modelID, text: query) { return cached }
        guard let vector = try await embedder.embedQueries([query]).first else {
            throw SearchError(.embedderUnavailable, "the embedder returned no vector")
        }
        await cache.insert(vector, model: embedder.modelID, text: query)
        return vector
    }

    /// Union of the legs' candidates by chunk id; every chunk of a source the lexical leg ranked carries that source's
    /// BM25 score and rank (``Candidate/sourceBM25``).
    static func merge(dense: [Candidate], lexical: [Candidate]) -> [Candidate] {
        var byID: [UUID: Int] = [:]
        var merged: [Candidate] = []
        merged.reserveCapacity(dense.count + lexical.count)
        for candidate in dense {
            byID[candidate.chunkID] = merged.count
            merged.append(candidate)
        }
        var bySource: [UUID: (bm25: Double, rank: Int)] = [:]
        for candidate in lexical {
            if let bm25 = candidate.bm25, let rank = candidate.lexicalRank {
                if bySource[candidate.sourceID].map({ rank < $0.rank }) ?? true {
                    bySource[candidate.sourceID] = (bm25, rank)
                }
            }
            if let index = byID[candidate.chunkID] {
                merged[index].bm25 = candidate.bm25
                merged[index].lexicalRank = candidate.lexicalRank
            } else {
                byID[candidate.chunkID] = merged.count
                merged.append(candidate)
            }
        }
        for index in merged.indices {
            guard let source = bySource[merged[index].sourceID] else { continue }
            merged[index].sourceBM25 = source.bm25
            merged[index].sourceLexicalRank = source.rank
        }
        return merged
    }

    /// Exact cosine of the query against every candidate's full-precision vector: one `sgemv`.
    static func exactCosine(_ candidates: inout [Candidate], query: [Float]) {
        let indices = candidates.indices.filter { candidates[$0].embedding?.count == query.count }
        guard !indices.isEmpty else { return }
        var matrix: [Float] = []
        matrix.reserveCapacity(indices.count * query.count)
        for index in indices { matrix += candidates[index].embedding! }
        let cosines = VectorMath.cosineSimilarities(matrix: matrix, rows: indices.count, vector: query)
        for (position, index) in indices.enumerated() { candidates[index].cosine = Double(cosines[position]) }
    }

    /// Groups ranked chunks by source: sources in order of their best chunk, each with up to
    /// `chunksPerSource` chunks, the first `limit` sources.
    /// Within a source, chunks keep the ranked order (MMR's, when it ran: `byChunkScore` false) or are ordered by their
    /// own evidence (``Candidate/chunkScore``).
    static func group(_ ranked: [Candidate], limit: Int, chunksPerSource: Int, byChunkScore: Bool = true)
        -> [[Candidate]]
    {
        var order: [UUID] = []
        var groups: [UUID: [Candidate]] = [:]
        for candidate in ranked {
            if groups[candidate.sourceID] != nil {
                groups[candidate.sourceID]!.append(candidate)
            } else if order.count < limit {
                order.append(candidate.sourceID)
                groups[candidate.sourceID] = [candidate]
            }
        }
        return order.map { id in
            var chunks = groups[id]!
            if byChunkScore {
                chunks.sort {
                    let (a, b) = ($0.chunkID.orderKey, $1.chunkID.orderKey)
                    return ($0.chunkScore, $0.score, b.0, b.1) > ($1.chunkScore, $1.score, a.0, a.1)
                }
            }
            let best = chunks.map(\.score).max() ?? 0
            return chunks.prefix(chunksPerSource).map { chunk in
                var chunk = chunk
                chunk.sourceScore = best
                return chunk
            }
        }
    }

    static func validate(_ request: SearchRequest) throws {
        guard SearchRequest.limitRange.contains(request.limit) else {
            throw SearchError(.invalidRequest, "limit must be between 1 and 1000")
        }
        guard SearchRequest.chunksPerSourceRange.contains(request.chunksPerSource) else {
            throw SearchError(.invalidRequest, "chunks_per_source must be between 1 and 50")
        }
        if let lambda = request.mmrLambda, !(0...1).contains(lambda) {
            throw SearchError(.invalidRequest, "mmr lambda must be between 0 and 1")
        }
        guard request.query.utf8.count <= 20_000 else {
            throw SearchError(.invalidRequest, "query longer than 20000 bytes")
        }
        if let after = request.filter.updatedAfter, let before = request.filter.updatedBefore, after >= before {
            throw SearchError(.invalidRequest, "updated_after must be earlier than updated_before")
        }
        for tag in request.filter.tags + request.filter.excludedTags where tag.isEmpty {
            throw SearchError(.invalidRequest, "tags must not be empty")
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
