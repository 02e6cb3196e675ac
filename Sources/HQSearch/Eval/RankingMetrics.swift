import Foundation

/// Standard IR metrics over one ranked list of document ids, as pytrec_eval computes them for BEIR.
public enum RankingMetrics {
    /// nDCG@k with linear gains (`grade / log2(rank + 1)`), ideal from the judged grades.
    public static func ndcg(ranked: [String], relevant: [String: Int], k: Int) -> Double {
        var dcg = 0.0
        for (index, id) in ranked.prefix(k).enumerated() {
            if let grade = relevant[id], grade > 0 { dcg += Double(grade) / log2(Double(index) + 2) }
        }
        let ideal = relevant.values.filter { $0 > 0 }.sorted(by: >).prefix(k).enumerated()
            .reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
        return ideal > 0 ? dcg / ideal : 0
    }

    /// Fraction of the relevant documents found in the first `k`.
    public static func recall(ranked: [String], relevant: [String: Int], k: Int) -> Double {
        let wanted = Set(relevant.filter { $0.value > 0 }.keys)
        guard !wanted.isEmpty else { return 0 }
        return Double(Set(ranked.prefix(k)).intersection(wanted).count) / Double(wanted.count)
    }

    /// Reciprocal rank of the first relevant document within the first `k` (0 if none).
    public static func reciprocalRank(ranked: [String], relevant: [String: Int], k: Int) -> Double {
        for (index, id) in ranked.prefix(k).enumerated() where (relevant[id] ?? 0) > 0 {
            return 1 / Double(index + 1)
        }
        return 0
    }
}
