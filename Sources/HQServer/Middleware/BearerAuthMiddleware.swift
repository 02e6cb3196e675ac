import Hummingbird

/// Requires `Authorization: Bearer <key>` on every path but the exempt ones, when a key is configured.
/// The comparison takes the same time wherever the tokens differ.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = HQRequestContext
    let apiKey: [UInt8]?
    let exempt: Set<String>

    init(apiKey: String?, exempt: Set<String>) {
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        self.exempt = exempt
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let apiKey, !exempt.contains(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token: send Authorization: Bearer <HQ_API_KEY>")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError.unauthorized("the Authorization header must be: Bearer <HQ_API_KEY>")
        }
        let token = Array(header.utf8.dropFirst(prefix.count))
        guard Self.constantTimeEqual(token, apiKey) else { throw APIError.unauthorized("invalid bearer token") }
        return try await next(request, context)
    }

    /// Equal contents, examined in time depending only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt64(a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= UInt64(x ^ y)
        }
        return difference == 0
    }
}
