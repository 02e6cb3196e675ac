public import Foundation

/// One HTTP (or `file:`) request for ``HTTPClient``.
///
/// ```swift
/// var request = HTTPClientRequest(url: "https://api.example.com/v1/embeddings", method: .post)
/// request.setJSONBody(Data(#"{"input":"hi"}"#.utf8))
/// request.bearerToken = apiKey
/// ```
public struct HTTPClientRequest: Sendable {
    /// The request method.
    public struct Method: Hashable, Sendable, CustomStringConvertible {
        /// The method's name as sent on the wire, e.g. `POST`.
        public let rawValue: String
        /// Creates a method from its wire name.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// `GET`.
        public static let get = Method("GET")
        /// `POST`.
        public static let post = Method("POST")
        /// `PUT`.
        public static let put = Method("PUT")
        /// `DELETE`.
        public static let delete = Method("DELETE")
        /// `HEAD` (no body is read).
        public static let head = Method("HEAD")
        /// The wire name.
        public var description: String { rawValue }
    }

    /// Absolute URL: `http`, `https` or `file`.
    public var url: String
    /// The method (default `GET`).
    public var method: Method
    /// Header fields in order. Names are sent as given.
    public var headers: [(name: String, value: String)]
    /// Request body, sent as is (with `Content-Length`).
    public var body: Data?
    /// A bearer token sent as `Authorization: Bearer …`. Never logged nor put in errors.
    public var bearerToken: String?
    /// Overrides the client's total timeout for this request (connect, send, wait and read).
    public var timeout: Duration?
    /// Overrides the client's response size cap for this request.
    public var maxResponseBytes: Int?
    /// Overrides the client's redirect setting for this request.
    public var followRedirects: Bool?
    /// When set, the connection may reach only addresses this policy allows: the address of every socket is
    /// checked as it opens (``HTTPClientError/Code-swift.struct/addressRefused`` otherwise), only `http` and
    /// `https` are spoken, no proxy is used (a proxy would resolve the name itself) and redirects are not followed
    /// (the caller checks each hop).
    public var addressPolicy: AddressPolicy?
    /// Connect to this address instead of resolving the URL's host (`CURLOPT_RESOLVE`): the TLS name and `Host`
    /// stay the URL's. Used to pin a connection to the address that was checked.
    public var pinnedAddress: IPAddress?

    /// Creates a request.
    /// - Parameters:
    ///   - url: absolute `http`, `https` or `file` URL.
    ///   - method: the method, `GET` by default.
    ///   - headers: extra header fields.
    ///   - body: the body to send, if any.
    public init(
        url: String, method: Method = .get, headers: [(name: String, value: String)] = [], body: Data? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }

    /// Sets `body` and the `Content-Type: application/json` header.
    public mutating func setJSONBody(_ json: Data) {
        body = json
        headers.removeAll { $0.name.lowercased() == "content-type" }
        headers.append((name: "Content-Type", value: "application/json"))
    }
}
