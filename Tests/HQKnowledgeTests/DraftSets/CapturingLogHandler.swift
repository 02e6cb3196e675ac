import Logging
import Synchronization

/// A log handler that keeps every rendered line (message and metadata), to prove what never gets logged.
struct CapturingLogHandler: LogHandler {
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(merged)")
    }

    /// A trace-level logger writing into `lines`.
    static func logger(_ lines: Lines) -> Logger {
        Logger(label: "hq.tests.capture") { _ in CapturingLogHandler(lines: lines) }
    }
}
