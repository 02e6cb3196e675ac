/// Names of the statements prepared on one session, keyed by SQL text and parameter types, evicting
/// the oldest beyond a capacity so ad-hoc SQL cannot grow the server's memory without bound.
struct StatementCache {
    private let capacity: Int
    private var names: [String: String] = [:]
    private var order: [String] = []
    private var counter = 0

    init(capacity: Int) { self.capacity = capacity }

    /// A key distinguishing the same SQL prepared with different parameter types.
    static func key(sql: String, types: [UInt32]) -> String {
        sql + "\u{0}" + types.map(String.init).joined(separator: ",")
    }

    func name(for key: String) -> String? { names[key] }

    /// Registers a new statement; returns its name and the name of an evicted one to deallocate.
    mutating func insert(_ key: String) -> (name: String, evicted: String?) {
        counter += 1
        let name = "hq_stmt_\(counter)"
        var evicted: String?
        if order.count >= capacity {
            let oldest = order.removeFirst()
            evicted = names.removeValue(forKey: oldest)
        }
        names[key] = name
        order.append(key)
        return (name, evicted)
    }

    mutating func remove(_ key: String) {
        guard names.removeValue(forKey: key) != nil else { return }
        order.removeAll { $0 == key }
    }

    mutating func removeAll() {
        names.removeAll()
        order.removeAll()
    }
}
