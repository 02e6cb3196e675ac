import Foundation
import Hummingbird

/// Refuses, with 415, a state-changing request (`POST`, `PUT`, `PATCH`, `DELETE`) or any request with a body unless
/// its `Content-Type` is `application/json` (parameters such as `; charset=utf-8` allowed).
///
/// A cross-site HTML form can only send `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`,
/// and a script on another origin cannot send `application/json` without a CORS preflight, which this server never
/// grants: so no other web page can make a browser write through this server. Applied with or without an API key.
struct JSONContentTypeMiddleware: RouterMiddleware {
    typealias Context = HQRequestContext
    static let writingMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if Self.writingMethods.contains(request.method) || Self.hasBody(request.headers) {
            let types = request.headers[values: .contentType]
            guard types.count == 1, Self.isJSON(types[0]) else {
                throw APIError(
                    status: .unsupportedMediaType, code: "unsupported_media_type",
                    message: "send the request body as JSON with the header 'Content-Type: application/json'")
            }
        }
        return try await next(request, context)
    }

    /// A declared non-empty body: `Content-Length` above zero, or a `Transfer-Encoding` (chunked).
    static func hasBody(_ headers: HTTPFields) -> Bool {
        if headers[.transferEncoding] != nil { return true }
        return headers[values: .contentLength].contains { (Int($0.trimmingCharacters(in: .whitespaces)) ?? 1) != 0 }
    }

    /// `application/json`, case-insensitively, optionally followed by `;` and parameters.
    static func isJSON(_ value: String) -> Bool {
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
