import HQEmbedding

/// Maximal marginal relevance: re-orders the head of a ranking so near-duplicate chunks do not crowd
/// out other passages. Similarities come from one BLAS Gram-matrix call.
enum MMR {
    /// Largest window: the Gram matrix is window² floats and the greedy pass window² steps (4 MB, ~10⁶ at 1000).
    static let maxWindow = 1000

    /// Greedy MMR over the first `window` candidates (which must carry embeddings to take part):
    /// picks `argmax λ·relevance − (1−λ)·max cosine to the picked`, relevance being the candidates'
    /// scores min-max normalised. Candidates beyond the window, or without vectors, keep their order after it.
    static func rerank(_ ranked: [Candidate], lambda: Double, window: Int) -> [Candidate] {
        let head = Array(ranked.prefix(min(window, maxWindow))).filter { $0.embedding != nil }
        guard head.count > 2 else { return ranked }
        let headIDs = Set(head.map(\.chunkID))
        let dimensions = head[0].embedding!.count
        let matrix = head.flatMap { VectorMath.normalized($0.embedding!) }
        let gram = VectorMath.gram(matrix: matrix, rows: head.count, dimensions: dimensions)
        let scores = head.map(\.score)
        let (low, high) = (scores.min()!, scores.max()!)
        let relevance = scores.map { high > low ? ($0 - low) / (high - low) : 1 }
        var picked: [Int] = []
        var maxSimilarity = [Double](repeating: -1, count: head.count)
        var remaining = Set(head.indices)
        while !remaining.isEmpty {
            let next = remaining.max { a, b in
                let ma = lambda * relevance[a] - (1 - lambda) * (picked.isEmpty ? 0 : maxSimilarity[a])
                let mb = lambda * relevance[b] - (1 - lambda) * (picked.isEmpty ? 0 : maxSimilarity[b])
                return (ma, b) < (mb, a)
            }!
            remaining.remove(next)
            picked.append(next)
            for j in remaining { maxSimilarity[j] = max(maxSimilarity[j], Double(gram[next * head.count + j])) }
        }
        return picked.map { head[$0] } + ranked.filter { !headIDs.contains($0.chunkID) }
    }
}
