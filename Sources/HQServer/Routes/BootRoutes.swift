import Foundation
import HQKnowledge
public import Hummingbird

/// `GET /v1/boot/{slug}`: an agent's boot context (its `boot:<slug>` and `boot:all` documents as markdown within a
/// token budget, optionally with related knowledge). JSON by default, the same bytes `hq boot --json` prints;
/// `format=markdown` (or `Accept: text/markdown`) serves the markdown `hq boot` prints.
public struct BootRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers the route; without a database it answers 503.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        router.get("/v1/boot/{slug}") { request, context -> Response in
            let slug = try context.parameters.require("slug")
            let bootRequest = try request.queryFields(
                BootRequest.self, adding: ["slug": slug], routeParameters: ["format"])
            var markdown = (request.headers[.accept] ?? "").contains("text/markdown")
            switch request.uri.queryParameters.get("format") {
            case nil: break
            case "json": markdown = false
            case "markdown": markdown = true
            default: throw APIError.badRequest("'format' must be \"json\" or \"markdown\"")
            }
            let boot = try await server.run {
                try await $0.boot(needsEmbedder: bootRequest.needsEmbedder).context(bootRequest)
            }
            if markdown {
                return Response(
                    status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: boot.markdown)))
            }
            return try SearchRoutes.json(boot)
        }
    }
}
