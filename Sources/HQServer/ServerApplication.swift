public import Hummingbird
import HummingbirdCore
import NIOCore

/// Builds the HTTP server from a ``ServerContext`` and route groups.
public enum ServerApplication {
    /// The router with the shared middleware and every group's routes. The middleware, outermost first: metrics,
    /// JSON errors, the loopback `Host` check (421; only without an API key), bearer auth (401; only with one), the
    /// JSON `Content-Type` check of writing and body-carrying requests (415).
    /// - Parameters:
    ///   - server: configuration and dependencies.
    ///   - routes: the route groups to mount (default ``RouteGroups/all``).
    public static func buildRouter(server: ServerContext, routes: [any RouteGroup] = RouteGroups.all)
        -> Router<HQRequestContext>
    {
        let router = Router(context: HQRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: server.metrics))
        router.add(middleware: JSONErrorMiddleware(logger: server.logger))
        if (server.configuration.apiKey ?? "").isEmpty { router.add(middleware: LoopbackHostMiddleware()) }
        router.add(middleware: BearerAuthMiddleware(apiKey: server.configuration.apiKey, exempt: ["/healthz"]))
        router.add(middleware: JSONContentTypeMiddleware())
        for group in routes { group.addRoutes(to: router, server: server) }
        return router
    }

    /// The application for `server`, bound to its configured host and port.
    /// - Parameters:
    ///   - server: configuration and dependencies.
    ///   - routes: the route groups to mount.
    ///   - onRunning: called with the bound port once the server listens (useful with port 0).
    /// - Throws: ``ServerConfigurationError`` when the configuration must not be served (a non-loopback address
    ///   without an API key) or a group cannot serve (``RouteGroup/validate()``, e.g. a missing OpenAPI document).
    public static func makeApplication(
        server: ServerContext, routes: [any RouteGroup] = RouteGroups.all,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ServerConfigurationError) -> some ApplicationProtocol {
        try server.configuration.validate()
        for group in routes { try group.validate() }
        return Application(
            router: buildRouter(server: server, routes: routes),
            configuration: .init(
                address: .hostname(server.configuration.host, port: server.configuration.port), serverName: "hq"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: server.logger)
    }

    /// Starts the server in the background (tests, benchmarks) and returns once it listens.
    /// Use `runService()` on ``makeApplication(server:routes:onRunning:)`` for a process that stops on signals.
    public static func start(server: ServerContext, routes: [any RouteGroup] = RouteGroups.all) async throws
        -> RunningServer
    {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try makeApplication(server: server, routes: routes) { port in
            continuation.yield(port)
            continuation.finish()
        }
        // Finishing the stream when `run` ends (e.g. the port is taken) turns a failed start into an error
        // below instead of a wait that never ends.
        let task = Task {
            defer { continuation.finish() }
            try await application.run()
        }
        for await port in ports { return RunningServer(port: port, task: task) }
        task.cancel()
        _ = try await task.value
        throw APIError.internal("the server stopped before listening")
    }
}

/// A server started with ``ServerApplication/start(server:routes:)``.
public struct RunningServer: Sendable {
    /// The bound TCP port.
    public let port: Int
    let task: Task<Void, any Error>

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting, lets requests in progress finish, and returns when the server has stopped.
    public func shutdown() async {
        task.cancel()
        _ = try? await task.value
    }
}
