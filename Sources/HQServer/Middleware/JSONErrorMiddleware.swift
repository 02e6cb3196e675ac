import Hummingbird
import Logging
import NIOCore

/// Turns every error a route throws into a JSON response: ``APIError`` as is, too-large bodies as 413,
/// Hummingbird's `HTTPError`s with their status, anything else as 500 (logged, not shown).
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = HQRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.jsonResponse()
        } catch let error as HTTPError {
            return APIError(
                status: error.status, code: Self.code(for: error.status),
                message: error.body ?? error.status.reasonPhrase
            )
            .jsonResponse()
        } catch is NIOTooManyBytesError {
            return APIError(
                status: .contentTooLarge, code: "payload_too_large", message: "the request body is too large"
            )
            .jsonResponse()
        } catch is CancellationError {
            return APIError(status: .serviceUnavailable, code: "cancelled", message: "the request was cancelled")
                .jsonResponse()
        } catch {
            logger.error("unhandled error", metadata: ["path": "\(request.uri.path)", "type": "\(type(of: error))"])
            logger.debug("unhandled error detail", metadata: ["error": "\(error)"])
            return APIError.internal().jsonResponse()
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        case 400..<500: "invalid_request"
        default: "internal_error"
        }
    }
}
