public import Hummingbird

/// `GET /healthz` (no auth: liveness for load balancers) and `GET /metrics` (Prometheus text).
public struct HealthRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers `/healthz` and `/metrics`.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        router.get("/healthz") { _, _ -> Response in
            var writer = JSONWriter()
            writer.raw("{\"status\":\"ok\",\"model\":")
            writer.string(server.embedder.modelID)
            writer.raw(",\"dimensions\":")
            writer.int(server.embedder.dimensions)
            writer.raw(",\"database\":")
            writer.string(server.database == nil ? "none" : (server.databaseLooksAvailable ? "ok" : "unavailable"))
            writer.raw("}")
            return writer.response()
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: server.metrics.render())))
        }
    }
}
