import Foundation
public import Hummingbird

/// An error a route answers with: an HTTP status and a JSON body
/// `{"error": {"message": "…", "type": "…", "code": "…"}}` (OpenAI's shape, so their clients show it).
///
/// Throw it from any handler or middleware. The message is shown to the caller: never put secrets, SQL or
/// document text in it.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    /// The response status.
    public let status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `payload_too_large`.
    public let code: String
    /// A one-line explanation for the caller.
    public let message: String
    /// Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`).
    public let headers: HTTPFields
    /// Close matches for a name that was not found (an unknown agent slug), sent as `error.suggestions`.
    public let suggestions: [String]?

    /// Creates an error.
    public init(
        status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:],
        suggestions: [String]? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.suggestions = suggestions
    }

    /// 400 `invalid_request`.
    public static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: message)
    }
    /// 401 `unauthorized`, with `WWW-Authenticate: Bearer`.
    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }
    /// 404 `not_found`.
    public static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }
    /// 413 `payload_too_large`.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge, code: "payload_too_large",
            message: "the request body is larger than \(limit) bytes")
    }
    /// 503 `database_unavailable`, with `Retry-After`.
    public static func databaseUnavailable(_ message: String = "the database is unavailable; try again shortly")
        -> APIError
    {
        APIError(
            status: .serviceUnavailable, code: "database_unavailable", message: message, headers: [.retryAfter: "2"])
    }
    /// 503 `statement_timeout`, with `Retry-After`: a database statement ran past the session's `statement_timeout`
    /// (`HQ_STATEMENT_TIMEOUT_MS` for `hq serve`).
    public static func statementTimeout() -> APIError {
        APIError(
            status: .serviceUnavailable, code: "statement_timeout",
            message:
                "the database took longer than the statement timeout (HQ_STATEMENT_TIMEOUT_MS) to answer; narrow the request or try again",
            headers: [.retryAfter: "2"])
    }
    /// 503 `embedder_busy`, with `Retry-After`: the embedding queue is full.
    public static func embedderBusy(pendingLimit: Int) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "embedder_busy",
            message: "the embedder has \(pendingLimit) texts waiting already; try again shortly",
            headers: [.retryAfter: "1"])
    }
    /// 503 `embedder_unavailable`.
    public static func embedderUnavailable(_ message: String) -> APIError {
        APIError(status: .serviceUnavailable, code: "embedder_unavailable", message: message)
    }
    /// 500 `internal_error` (details go to the log, not the caller).
    public static func `internal`(_ message: String = "internal error") -> APIError {
        APIError(status: .internalServerError, code: "internal_error", message: message)
    }

    /// `status code: message`.
    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse()
    }

    func jsonResponse() -> Response {
        var writer = JSONWriter()
        writer.raw("{\"error\":{\"message\":")
        writer.string(message)
        writer.raw(",\"type\":")
        writer.string(status.code >= 500 ? "server_error" : "invalid_request_error")
        writer.raw(",\"code\":")
        writer.string(code)
        if let suggestions {
            writer.raw(",\"suggestions\":[")
            for (index, suggestion) in suggestions.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.string(suggestion)
            }
            writer.raw("]")
        }
        writer.raw("}}")
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: writer.buffer))
    }
}
