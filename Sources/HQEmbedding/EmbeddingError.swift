/// An error from an embedder: loading a model, checking its files, or running it.
///
/// The `description` names the file or setting at fault and, where it helps, the command that fixes it.
/// It never contains the text being embedded.
public struct EmbeddingError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as a stable code callers can switch on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case modelFileMissing, modelFileCorrupt, integrityMismatch, unsupportedModel, invalidConfiguration
            case invalidInput, inferenceFailed, serviceUnavailable
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A file the model needs is absent or unreadable.
        public static let modelFileMissing = Code(.modelFileMissing)
        /// A model file exists but is truncated or malformed (bad header, wrong dtype or shape).
        public static let modelFileCorrupt = Code(.modelFileCorrupt)
        /// A model file's SHA-256 differs from the one pinned in the manifest.
        public static let integrityMismatch = Code(.integrityMismatch)
        /// The model's configuration names an architecture or option this embedder does not implement.
        public static let unsupportedModel = Code(.unsupportedModel)
        /// The embedder's own configuration is invalid (e.g. a batch size of zero).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An input cannot be embedded.
        public static let invalidInput = Code(.invalidInput)
        /// The model failed while computing vectors.
        public static let inferenceFailed = Code(.inferenceFailed)
        /// A remote embedding service could not be reached or answered with an error.
        public static let serviceUnavailable = Code(.serviceUnavailable)

        /// The code's name, e.g. `integrityMismatch`.
        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// Which file, tensor or setting is at fault. Never document or query text.
    public let context: String
    /// What the user can do about it, if anything (e.g. `run scripts/setup`).
    public let hint: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - context: the file, tensor or setting at fault; must not contain embedded text.
    ///   - hint: an optional remedy shown after the message.
    public init(_ code: Code, _ context: String, hint: String? = nil) {
        self.code = code
        self.context = context
        self.hint = hint
    }

    /// `code: context (hint)`; safe to log and show, as it never holds embedded text.
    public var description: String {
        if let hint { return "\(code): \(context) (\(hint))" }
        return "\(code): \(context)"
    }

    static let setupHint = "run scripts/setup to fetch the model files again"
}
