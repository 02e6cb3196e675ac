/// An error of the embedded cluster manager: what failed, and what the user can do next.
public struct ClusterError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, stable for callers that map errors to exit codes.
    public enum Code: String, Sendable {
        case notInstalled
        case notInitialized
        case notRunning
        case permission
        /// A path root would have to follow is a symbolic link, not a directory, or writable by another user.
        case unsafePath
        case toolFailed
        case startFailed
        case external
    }

    public let code: Code
    public let message: String
    /// A next step for the user (a command to run), when there is one.
    public let hint: String?

    init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        if let hint { return "\(message) (\(hint))" }
        return message
    }
}
