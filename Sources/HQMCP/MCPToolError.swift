/// A failure a tool reports to the agent as a tool error result (`isError: true`), never as a crash.
///
/// The message is what the agent reads: it names the argument or the service and says what to do next.
/// It never holds secrets, SQL or document text.
public struct MCPToolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidArgument, notFound, unavailable, failed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// An argument is missing, unknown, of the wrong type or out of range.
        public static let invalidArgument = Code(.invalidArgument)
        /// The thing asked for does not exist.
        public static let notFound = Code(.notFound)
        /// A service the tool needs (database, embedding model) cannot be used right now.
        public static let unavailable = Code(.unavailable)
        /// Anything else.
        public static let failed = Code(.failed)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The message for the agent.
    public let message: String

    /// Creates an error with a message for the agent.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A bad argument: `Invalid argument 'limit': must be an integer from 1 to 1000.`
    /// - Parameters:
    ///   - name: the argument's name as in the input schema.
    ///   - problem: what is wrong with it, starting lower-case.
    public static func invalidArgument(_ name: String, _ problem: String) -> MCPToolError {
        MCPToolError(.invalidArgument, "Invalid argument '\(name)': \(problem).")
    }

    public var description: String { message }
}
