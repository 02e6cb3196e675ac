/// A request that did not produce a response: bad URL, connection, TLS, timeout, size cap, cancellation.
///
/// HTTP error statuses are not errors at this level: they come back as ``HTTPClientResponse``s.
/// The `description` names the host, never the full URL's query, credentials or headers.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable code. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidRequest, couldNotConnect, timedOut, connectionLost, tlsFailure, responseTooLarge
            case cancelled, unsupportedScheme, transferFailed, clientShutDown, addressRefused
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The URL or an option is malformed.
        public static let invalidRequest = Code(.invalidRequest)
        /// The host could not be resolved or refused the connection.
        public static let couldNotConnect = Code(.couldNotConnect)
        /// The connect or total timeout elapsed.
        public static let timedOut = Code(.timedOut)
        /// The connection broke while sending or receiving (reset, closed mid-body, empty reply).
        public static let connectionLost = Code(.connectionLost)
        /// TLS handshake or certificate verification failed.
        public static let tlsFailure = Code(.tlsFailure)
        /// The response body exceeded the size cap.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The URL's scheme is not `http`, `https` or `file`.
        public static let unsupportedScheme = Code(.unsupportedScheme)
        /// Any other libcurl failure (see ``HTTPClientError/curlCode``).
        public static let transferFailed = Code(.transferFailed)
        /// The client was shut down.
        public static let clientShutDown = Code(.clientShutDown)
        /// The request's ``AddressPolicy`` refused the address the connection would reach (loopback, private,
        /// link-local, …).
        public static let addressRefused = Code(.addressRefused)

        /// The code's name, e.g. `timedOut`.
        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// The host (or `file`) the request went to.
    public let host: String
    /// libcurl's result code, when libcurl reported the failure.
    public let curlCode: Int?
    /// libcurl's explanation (no headers, bodies or credentials).
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, host: String, curlCode: Int? = nil, detail: String) {
        self.code = code
        self.host = host
        self.curlCode = curlCode
        self.detail = detail
    }

    /// True for failures worth retrying (the server may not have processed the request, or may next time):
    /// connection refused, timeouts, broken connections.
    public var isTransient: Bool {
        code == .couldNotConnect || code == .timedOut || code == .connectionLost
    }

    /// `code (host): detail [curl N]`.
    public var description: String {
        var text = "\(code) (\(host)): \(detail)"
        if let curlCode { text += " [curl \(curlCode)]" }
        return text
    }
}
