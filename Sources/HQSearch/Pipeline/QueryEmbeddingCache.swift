/// A small least-recently-used cache of query embeddings, keyed by model and exact query text.
///
/// - Complexity: lookups and inserts O(1) amortised; eviction O(capacity) (capacities are hundreds).
actor QueryEmbeddingCache {
    private struct Key: Hashable {
        let model: String
        let text: String
    }
    private let capacity: Int
    private var values: [Key: [Float]] = [:]
    private var lastUse: [Key: UInt64] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = max(0, capacity) }

    func value(model: String, text: String) -> [Float]? {
        let key = Key(model: model, text: text)
        guard let value = values[key] else { return nil }
        clock += 1
        lastUse[key] = clock
        return value
    }

    func insert(_ vector: [Float], model: String, text: String) {
        guard capacity > 0 else { return }
        let key = Key(model: model, text: text)
        if values[key] == nil, values.count >= capacity, let oldest = lastUse.min(by: { $0.value < $1.value })?.key {
            values[oldest] = nil
            lastUse[oldest] = nil
        }
        clock += 1
        values[key] = vector
        lastUse[key] = clock
    }
}
