public import Hummingbird

/// The request context of every HQ route.
public typealias HQRequestContext = BasicRequestContext

/// A set of routes that plugs into the server: embeddings, health, search, agents…
///
/// ```swift
/// struct SearchRoutes: RouteGroup {
///     func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
///         router.post("/v1/search") { request, context in
///             let query = try await request.decodeJSON(SearchRequest.self, server: server)
///             return try await server.withDatabase { connection in … }   // 503 JSON when Postgres is down
///         }
///     }
/// }
/// ```
/// Then add it to ``RouteGroups/all``. Errors thrown as ``APIError`` become JSON responses; auth,
/// metrics and body limits are handled for every route.
public protocol RouteGroup: Sendable {
    /// Registers the group's routes.
    /// - Parameters:
    ///   - router: the server's router.
    ///   - server: configuration, embedder, database, metrics, logger.
    func addRoutes(to router: Router<HQRequestContext>, server: ServerContext)

    /// Checks, before the server listens, that the group can serve (e.g. that a file it serves is readable).
    /// - Throws: ``ServerConfigurationError`` saying what is missing.
    func validate() throws(ServerConfigurationError)
}

extension RouteGroup {
    /// Nothing to check.
    public func validate() throws(ServerConfigurationError) {}
}

/// The route groups `hq serve` mounts.
public enum RouteGroups {
    /// Every group, in registration order. Add new groups here.
    public static var all: [any RouteGroup] {
        [HealthRoutes(), OpenAPIRoutes(), EmbeddingRoutes(), SearchRoutes(), BootRoutes(), DraftSetRoutes()]
    }
}
