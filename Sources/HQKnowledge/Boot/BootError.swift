/// A boot-context failure: a code to branch on, a short context without document text, and for an unknown agent
/// the slugs that come closest.
public struct BootError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case unknownAgent, invalidRequest
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No agent has the slug (HTTP 404); ``BootError/suggestions`` holds close matches.
        public static let unknownAgent = Code(.unknownAgent)
        /// A parameter is out of range or malformed (HTTP 400).
        public static let invalidRequest = Code(.invalidRequest)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// Which parameter or agent, for people.
    public let context: String
    /// For ``Code/unknownAgent``: existing slugs closest to the one asked for, best first.
    public let suggestions: [String]

    /// Creates an error.
    public init(_ code: Code, _ context: String, suggestions: [String] = []) {
        self.code = code
        self.context = context
        self.suggestions = suggestions
    }

    /// The context, then the suggestions if any (`no agent with slug 'scot'; did you mean: scout?`).
    public var description: String {
        suggestions.isEmpty ? context : context + "; did you mean: " + suggestions.joined(separator: ", ") + "?"
    }
}
