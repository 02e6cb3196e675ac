/// Combines the legs' evidence into one score per candidate. Pure functions, no I/O.
enum Fusion {
    /// Assigns `denseRank` from `cosine` (1 = most similar) among the candidates that have one.
    static func rankByCosine(_ candidates: inout [Candidate]) {
        let order = candidates.indices.filter { candidates[$0].cosine != nil }
            .sorted {
                let (a, b) = (candidates[$0].chunkID.orderKey, candidates[$1].chunkID.orderKey)
                return (candidates[$0].cosine!, b.0, b.1) > (candidates[$1].cosine!, a.0, a.1)
            }
        for (rank, index) in order.enumerated() { candidates[index].denseRank = rank + 1 }
    }

    /// Scores every candidate for `mode` with `fusion` and returns them best first (ties by chunk id).
    ///
    /// In hybrid mode each candidate gets two scores: ``Candidate/score`` fuses its own dense evidence with its
    /// source's lexical evidence (the lexical leg ranks whole sources) and ranks sources; ``Candidate/chunkScore``
    /// fuses its own evidence only and orders chunks within a source.
    static func score(_ candidates: [Candidate], mode: SearchMode, fusion: SearchConfiguration.Fusion) -> [Candidate] {
        var scored = candidates
        switch mode {
        case .dense:
            for i in scored.indices { scored[i].score = scored[i].cosine ?? -1 }
        case .lexical:
            for i in scored.indices { scored[i].score = scored[i].bm25 ?? 0 }
        case .hybrid:
            let source = fused(scored, fusion: fusion, bySource: true)
            let own = fused(scored, fusion: fusion, bySource: false)
            for i in scored.indices {
                scored[i].score = source[i]
                scored[i].chunkScore = own[i]
            }
        }
        if mode != .hybrid { for i in scored.indices { scored[i].chunkScore = scored[i].score } }
        return scored.sorted {
            let (a, b) = ($0.chunkID.orderKey, $1.chunkID.orderKey)
            return ($0.score, $0.chunkScore, b.0, b.1) > ($1.score, $1.chunkScore, a.0, a.1)
        }
    }

    /// The hybrid score of each candidate, with its source's lexical evidence (`bySource`) or its own only.
    static func fused(_ candidates: [Candidate], fusion: SearchConfiguration.Fusion, bySource: Bool) -> [Double] {
        let bm25: (Candidate) -> Double? = { bySource ? ($0.sourceBM25 ?? $0.bm25) : $0.bm25 }
        let lexicalRank: (Candidate) -> Int? = { bySource ? ($0.sourceLexicalRank ?? $0.lexicalRank) : $0.lexicalRank }
        switch fusion {
        case .reciprocalRank(let k, let denseWeight, let lexicalWeight):
            return candidates.map { candidate in
                var s = 0.0
                if let r = candidate.denseRank { s += denseWeight / (k + Double(r)) }
                if let r = lexicalRank(candidate) { s += lexicalWeight / (k + Double(r)) }
                return s
            }
        case .convex(let alpha):
            let cosines = candidates.compactMap(\.cosine)
            let bm25s = candidates.compactMap(bm25)
            let (cLow, cHigh) = (cosines.min() ?? 0, cosines.max() ?? 1)
            let (bLow, bHigh) = (min(bm25s.min() ?? 0, 0), bm25s.max() ?? 1)
            return candidates.map { candidate in
                let c = candidate.cosine.map { cHigh > cLow ? ($0 - cLow) / (cHigh - cLow) : 1 } ?? 0
                let b = bm25(candidate).map { bHigh > bLow ? ($0 - bLow) / (bHigh - bLow) : 1 } ?? 0
                return alpha * c + (1 - alpha) * b
            }
        case .distribution(let alpha):
            let dense = distributionScale(candidates.compactMap(\.cosine))
            let lexical = distributionScale(candidates.compactMap(bm25))
            return candidates.map { candidate in
                alpha * (candidate.cosine.map(dense) ?? 0) + (1 - alpha) * (bm25(candidate).map(lexical) ?? 0)
            }
        }
    }

    /// Maps a score to [0, 1] by where it falls in [mean − 3σ, mean + 3σ] of `scores` (clamped); all equal → 1.
    static func distributionScale(_ scores: [Double]) -> @Sendable (Double) -> Double {
        guard !scores.isEmpty else { return { _ in 0 } }
        let mean = scores.reduce(0, +) / Double(scores.count)
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(scores.count)
        let sigma = variance.squareRoot()
        guard sigma > 0 else { return { _ in 1 } }
        let low = mean - 3 * sigma
        return { min(max(($0 - low) / (6 * sigma), 0), 1) }
    }
}
