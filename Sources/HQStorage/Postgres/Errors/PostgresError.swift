/// An error from the PostgreSQL layer: connecting, running a statement, encoding or decoding values,
/// COPY, LISTEN or the pool.
///
/// Switch on ``kind`` (an open set of static values, so new kinds never break callers) or test the
/// SQLSTATE, e.g. `error.sqlState == "23505"` for a unique violation.
///
/// `description` is safe to print or log: it never contains bind parameter values, and any password
/// from a connection string is redacted. Because the server's messages for data errors
/// (SQLSTATE classes 22 and 23, `RAISE` …) can quote the offending value, `description` includes the
/// server's message only for classes that concern the statement or the server, never ``detail``.
/// Everything (still password-redacted) is in `debugDescription` and the properties.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The area an error comes from.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration, connectionFailed, connectionLost, connectionClosed
            case server, protocolViolation, encoding, decoding, poolClosed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection string could not be parsed.
        public static let invalidConfiguration = Kind(.invalidConfiguration)
        /// A new connection could not be established (server down, authentication, unknown database).
        public static let connectionFailed = Kind(.connectionFailed)
        /// An established connection dropped (server restart, network); the statement's effect is unknown.
        public static let connectionLost = Kind(.connectionLost)
        /// The connection was closed by this process before the call.
        public static let connectionClosed = Kind(.connectionClosed)
        /// The server rejected a statement; see ``PostgresError/sqlState``.
        public static let server = Kind(.server)
        /// libpq or the server answered something this layer did not expect.
        public static let protocolViolation = Kind(.protocolViolation)
        /// A bind parameter or COPY value could not be encoded.
        public static let encoding = Kind(.encoding)
        /// A result value could not be decoded into the requested Swift type.
        public static let decoding = Kind(.decoding)
        /// The pool was closed.
        public static let poolClosed = Kind(.poolClosed)

        public var description: String { base.rawValue }
    }

    /// Where the error comes from.
    public var kind: Kind
    /// The five-character SQLSTATE, when the server (or this layer, for connection loss: `08006`) gave one.
    public var sqlState: String?
    /// The primary message (password-redacted). May quote data values for data errors.
    public var message: String
    /// The server's optional detail (may quote key values, e.g. for unique violations).
    public var detail: String?
    /// The server's optional hint.
    public var hint: String?

    /// Creates an error; messages are redacted of passwords on the way in.
    init(_ kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = Redaction.redact(message)
        self.detail = detail.map(Redaction.redact)
        self.hint = hint.map(Redaction.redact)
    }

    /// An encoding error, for custom ``PostgresEncodable`` types. Do not put the value in `message`.
    public static func encoding(_ message: String) -> PostgresError { PostgresError(.encoding, message: message) }

    /// A decoding error, for custom ``PostgresDecodable`` types.
    public static func decoding(_ message: String) -> PostgresError { PostgresError(.decoding, message: message) }

    /// True when the connection is gone and a new one is needed (kind ``Kind/connectionLost`` or
    /// SQLSTATE class 08, or the server terminating the session: 57P01…57P03).
    public var isConnectionLost: Bool {
        if kind == .connectionLost || kind == .connectionClosed { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    public var description: String {
        var text = "PostgresError.\(kind)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if messageIsSafeToShow { text += ": \(message)" }
        return text
    }

    public var debugDescription: String {
        var text = "PostgresError.\(kind)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        text += ": \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        return text
    }

    /// Messages of these SQLSTATE classes describe the statement, the session or the server, not data
    /// values, so they are shown in `description`. Errors without SQLSTATE come from libpq or this
    /// layer and never contain values.
    private var messageIsSafeToShow: Bool {
        guard let sqlState else { return true }
        let safeClasses: Set<Substring> = [
            "08", "0A", "25", "28", "3D", "3F", "40", "42", "53", "54", "55", "57", "58", "XX",
        ]
        return safeClasses.contains(sqlState.prefix(2))
    }
}
