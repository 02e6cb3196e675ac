/// A search failure: a code to branch on and a short context that never contains query text.
public struct SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidRequest, folderNotFound, sourceNotFound, embedderUnavailable, dataset
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A parameter is out of range or malformed (HTTP 400).
        public static let invalidRequest = Code(.invalidRequest)
        /// A folder path or id does not exist (HTTP 400).
        public static let folderNotFound = Code(.folderNotFound)
        /// No source with that id (HTTP 404).
        public static let sourceNotFound = Code(.sourceNotFound)
        /// Dense mode was asked for without a working embedder (HTTP 503).
        public static let embedderUnavailable = Code(.embedderUnavailable)
        /// A BEIR dataset folder is missing files or malformed.
        public static let dataset = Code(.dataset)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// Which parameter or object, for people.
    public let context: String

    /// Creates an error.
    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public var description: String { "\(code): \(context)" }
}
