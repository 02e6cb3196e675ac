/// Figures of one mode over a dataset's test queries (means over queries).
public struct EvalMetrics: Sendable, Hashable, Codable {
    /// Mean nDCG@10.
    public var ndcg10: Double
    /// Mean Recall@100.
    public var recall100: Double
    /// Mean MRR@10.
    public var mrr10: Double

    enum CodingKeys: String, CodingKey {
        case ndcg10 = "ndcg@10"
        case recall100 = "recall@100"
        case mrr10 = "mrr@10"
    }

    /// Creates figures.
    public init(ndcg10: Double, recall100: Double, mrr10: Double) {
        self.ndcg10 = ndcg10
        self.recall100 = recall100
        self.mrr10 = mrr10
    }
}

/// What `hq eval --json` prints: `{"dataset", "queries", "modes": {"hybrid": {"ndcg@10", "recall@100", "mrr@10"}, …}}`.
public struct EvalReport: Sendable, Hashable, Codable {
    /// The dataset folder's name.
    public var dataset: String
    /// The judgement split the queries come from (`test`, `train`, …): figures say which.
    public var split: String
    /// Queries evaluated.
    public var queries: Int
    /// Figures per mode name (`hybrid`, `dense`, `lexical`).
    public var modes: [String: EvalMetrics]

    /// Creates a report.
    public init(dataset: String, split: String = "test", queries: Int, modes: [String: EvalMetrics]) {
        self.dataset = dataset
        self.split = split
        self.queries = queries
        self.modes = modes
    }
}
