/// An error of the indexing layer: extraction, fetching files, embedding, or the queue.
///
/// The `description` never holds document text; it is what `knowledge_sources.last_error` records.
public struct IndexingError: Error, CustomStringConvertible, Sendable, Hashable {
    /// A stable code callers can switch on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case extractionFailed, fileUnavailable, tooLarge, embeddingFailed, invalidArgument, modelMismatch, notFound,
                refused
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Text could not be extracted from a source (e.g. `pdftotext` failed).
        public static let extractionFailed = Code(.extractionFailed)
        /// A source's file could not be fetched.
        public static let fileUnavailable = Code(.fileUnavailable)
        /// A file or text exceeds the configured size cap.
        public static let tooLarge = Code(.tooLarge)
        /// The embedder failed (e.g. an embedding service is unreachable).
        public static let embeddingFailed = Code(.embeddingFailed)
        /// An argument is invalid (e.g. an unknown source type or a missing path).
        public static let invalidArgument = Code(.invalidArgument)
        /// The embedder's model is not the workspace's live model (or its dimensions differ).
        public static let modelMismatch = Code(.modelMismatch)
        /// A path or source does not exist.
        public static let notFound = Code(.notFound)
        /// A source's file reference may never be read (outside the allowed roots, a private address, a scheme
        /// that is not allowed, not a regular file…): the source fails at once, without retries.
        public static let refused = Code(.refused)

        /// The code's name, e.g. `embeddingFailed`.
        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What failed: a file name, a model, a setting. Never document text.
    public let context: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - context: what failed; must not contain document text or secrets.
    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    /// `code: context`, safe to log and to store as a source's last error.
    public var description: String { "\(code): \(context)" }
}
