import Hummingbird

/// Refuses, with 421, a request whose `Host` does not name this machine (``LoopbackHost/isLoopbackAuthority(_:)``).
///
/// Mounted only when the server has no API key, and so listens on loopback only: a browser that visits a hostile page
/// whose DNS name is then re-pointed at 127.0.0.1 (DNS rebinding) sends that page's name as `Host`, so the page can
/// neither read the knowledge base nor write draft sets. With a key the key is the guard and `Host` is not checked.
struct LoopbackHostMiddleware: RouterMiddleware {
    typealias Context = HQRequestContext
    static let hostField = HTTPFields.Element.Name("Host")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        // HTTP/1 puts the first Host header in `authority`; any further ones stay in the fields, and all must pass.
        let hosts = [request.head.authority].compactMap { $0 } + request.headers[values: Self.hostField]
        guard !hosts.isEmpty, hosts.allSatisfy(LoopbackHost.isLoopbackAuthority) else {
            throw APIError(
                status: .misdirectedRequest, code: "misdirected_request",
                message:
                    "this server has no API key, so it answers only requests addressed to localhost, 127.0.0.1 or [::1]; "
                    + "set HQ_API_KEY to serve other host names")
        }
        return try await next(request, context)
    }
}
