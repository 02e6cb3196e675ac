/// A draft-set assembly failure: a code to branch on and a short context that never contains message text,
/// template bodies or keys.
public struct DraftSetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidRequest, contactNotFound, templateNotFound, draftSetNotFound, agentNotFound
            case noTemplate, missingMergeFields, conflict
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A parameter is missing, out of range or malformed (HTTP 400).
        public static let invalidRequest = Code(.invalidRequest)
        /// No contact with that id, or it is archived (HTTP 404).
        public static let contactNotFound = Code(.contactNotFound)
        /// No template with that id (HTTP 404).
        public static let templateNotFound = Code(.templateNotFound)
        /// No draft set with that id (HTTP 404).
        public static let draftSetNotFound = Code(.draftSetNotFound)
        /// No agent with the given actor id (HTTP 404).
        public static let agentNotFound = Code(.agentNotFound)
        /// No template given and no active template matches the channel and stage (HTTP 404).
        public static let noTemplate = Code(.noTemplate)
        /// The template uses merge fields the contact does not have (HTTP 422); see ``DraftSetError/missingFields``.
        public static let missingMergeFields = Code(.missingMergeFields)
        /// The draft set to revise is approved or already superseded (HTTP 409).
        public static let conflict = Code(.conflict)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// Which parameter or object, for people.
    public let context: String
    /// The merge fields that had no value (only for ``Code/missingMergeFields``), e.g. `extended.budget`.
    public let missingFields: [String]

    /// Creates an error.
    public init(_ code: Code, _ context: String, missingFields: [String] = []) {
        self.code = code
        self.context = context
        self.missingFields = missingFields
    }

    public var description: String { "\(code): \(context)" }
}
