public import Logging
import Synchronization

/// A log handler that keeps every rendered line (message and metadata), to prove what never gets logged.
public struct CapturingLogHandler: LogHandler {
    /// The captured lines, shared by every copy of the handler.
    public final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        /// Creates an empty capture.
        public init() {}
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        /// Every line so far.
        public var all: [String] { lines.withLock { $0 } }
    }

    let lines: Lines
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(merged)")
    }

    /// A trace-level logger writing into `lines`.
    public static func logger(_ lines: Lines) -> Logger {
        Logger(label: "hq.tests.capture") { _ in CapturingLogHandler(lines: lines) }
    }
}
