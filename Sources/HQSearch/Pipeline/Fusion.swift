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
    static func score(_ candidates: [Candidate], mode: SearchMode, fusion: SearchConfiguration.Fusion) -> [Candidate] {
        var scored = candidates
        switch mode {
        case .dense:
            for i in scored.indices { scored[i].score = scored[i].cosine ?? -1 }
        case .lexical:
            for i in scored.indices { scored[i].score = scored[i].bm25 ?? 0 }
        case .hybrid:
            switch fusion {
            case .reciprocalRank(let k, let denseWeight, let lexicalWeight):
                for i in scored.indices {
                    var s = 0.0
                    if let r = scored[i].denseRank { s += denseWeight / (k + Double(r)) }
                    if let r = scored[i].lexicalRank { s += lexicalWeight / (k + Double(r)) }
                    scored[i].score = s
                }
            case .convex(let alpha):
                let cosines = scored.compactMap(\.cosine)
                let bm25s = scored.compactMap(\.bm25)
                let (cLow, cHigh) = (cosines.min() ?? 0, cosines.max() ?? 1)
                let (bLow, bHigh) = (min(bm25s.min() ?? 0, 0), bm25s.max() ?? 1)
                for i in scored.indices {
                    let c = scored[i].cosine.map { cHigh > cLow ? ($0 - cLow) / (cHigh - cLow) : 1 } ?? 0
                    let b = scored[i].bm25.map { bHigh > bLow ? ($0 - bLow) / (bHigh - bLow) : 1 } ?? 0
                    scored[i].score = alpha * c + (1 - alpha) * b
                }
            case .distribution(let alpha):
                let dense = Self.distributionScale(scored.compactMap(\.cosine))
                let lexical = Self.distributionScale(scored.compactMap(\.bm25))
                for i in scored.indices {
                    let c = scored[i].cosine.map(dense) ?? 0
                    let b = scored[i].bm25.map(lexical) ?? 0
                    scored[i].score = alpha * c + (1 - alpha) * b
                }
            }
        }
        return scored.sorted {
            let (a, b) = ($0.chunkID.orderKey, $1.chunkID.orderKey)
            return ($0.score, b.0, b.1) > ($1.score, a.0, a.1)
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
