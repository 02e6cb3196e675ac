/// Chooses evidence per variant so variants differ: maximal marginal relevance across variants.
///
/// Variants take turns (A, B, C, A, B, C…); each turn picks the unused passage maximising
/// `λ·relevance(variant, passage) − (1−λ)·max(similarity to passages other variants hold,
/// ½·similarity to the variant's own passages)`. No passage is used twice, so two variants never share
/// evidence, and near-duplicates of another variant's evidence lose to fresh material.
public enum EvidenceSelector {
    /// Picks up to `perVariant` passages for each variant.
    /// - Parameters:
    ///   - relevance: `relevance[v][c]` in 0…1 for variant `v` and candidate `c` (0 = not relevant, never picked).
    ///   - similarity: `similarity[c][d]`, cosine between candidates (row-major `[n × n]`, flattened).
    ///   - perVariant: passages per variant.
    ///   - lambda: relevance (1) versus diversity (0).
    /// - Returns: candidate indices per variant, in pick order.
    /// - Complexity: O(variants · perVariant · n · picked).
    public static func select(relevance: [[Double]], similarity: [Float], perVariant: Int, lambda: Double = 0.6)
        -> [[Int]]
    {
        let variants = relevance.count
        let n = relevance.first?.count ?? 0
        var picks = [[Int]](repeating: [], count: variants)
        var used = Set<Int>()
        guard n > 0, similarity.count == n * n else { return picks }
        for _ in 0..<perVariant {
            for v in 0..<variants {
                var best: (index: Int, value: Double)?
                for c in 0..<n where !used.contains(c) && relevance[v][c] > 0 {
                    var others = 0.0
                    var own = 0.0
                    for (w, list) in picks.enumerated() {
                        for p in list {
                            let s = Double(similarity[c * n + p])
                            if w == v { own = max(own, s) } else { others = max(others, s) }
                        }
                    }
                    let value = lambda * relevance[v][c] - (1 - lambda) * max(others, own / 2)
                    if best == nil || value > best!.value { best = (c, value) }
                }
                if let best {
                    picks[v].append(best.index)
                    used.insert(best.index)
                }
            }
        }
        return picks
    }
}
