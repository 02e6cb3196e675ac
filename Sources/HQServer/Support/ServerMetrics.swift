import Foundation
import Synchronization

/// Counters, gauges and summaries (sum + count) rendered as Prometheus text at `GET /metrics`.
///
/// Names follow Prometheus conventions (`hq_…_total`, `…_seconds`); `labels` is the text between the
/// braces, e.g. `route="/v1/embeddings"`. Thread-safe; cheap enough for every request.
public final class ServerMetrics: Sendable {
    private struct Key: Hashable, Comparable {
        let name: String
        let labels: String
        static func < (a: Key, b: Key) -> Bool { (a.name, a.labels) < (b.name, b.labels) }
    }
    private struct Summary {
        var sum = 0.0
        var count = 0
    }
    private struct State {
        var values: [Key: Double] = [:]
        var summaries: [Key: Summary] = [:]
    }

    private let state = Mutex(State())
    private let started = Date()

    /// Creates an empty registry.
    public init() {}

    /// Adds `amount` to a counter or gauge.
    public func add(_ name: String, _ amount: Double, labels: String = "") {
        state.withLock { $0.values[Key(name: name, labels: labels), default: 0] += amount }
    }

    /// Records one observation of a summary (rendered as `name_sum` and `name_count`).
    public func observe(_ name: String, _ value: Double, labels: String = "") {
        state.withLock { state in
            state.summaries[Key(name: name, labels: labels), default: Summary()].sum += value
            state.summaries[Key(name: name, labels: labels), default: Summary()].count += 1
        }
    }

    /// The current value of a counter or gauge (0 if never touched).
    public func value(_ name: String, labels: String = "") -> Double {
        state.withLock { $0.values[Key(name: name, labels: labels)] ?? 0 }
    }

    /// The Prometheus text exposition (version 0.0.4) of everything recorded.
    public func render() -> String {
        let (values, summaries) = state.withLock { ($0.values, $0.summaries) }
        var out = "# TYPE hq_uptime_seconds gauge\nhq_uptime_seconds \(format(-started.timeIntervalSinceNow))\n"
        var typed = Set<String>()
        for key in values.keys.sorted() {
            if typed.insert(key.name).inserted {
                out += "# TYPE \(key.name) \(key.name.hasSuffix("_total") ? "counter" : "gauge")\n"
            }
            out += "\(key.name)\(braces(key.labels)) \(format(values[key] ?? 0))\n"
        }
        for key in summaries.keys.sorted() {
            let summary = summaries[key] ?? Summary()
            if typed.insert(key.name).inserted { out += "# TYPE \(key.name) summary\n" }
            out += "\(key.name)_sum\(braces(key.labels)) \(format(summary.sum))\n"
            out += "\(key.name)_count\(braces(key.labels)) \(summary.count)\n"
        }
        return out
    }

    private func braces(_ labels: String) -> String { labels.isEmpty ? "" : "{\(labels)}" }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
