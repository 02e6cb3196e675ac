import Foundation
import HQSearch
public import Hummingbird

/// `POST /v1/search`, `GET /v1/sources/{id}`, `GET /v1/sources/{id}/chunks` over the runtime's search service.
/// Requests are read by the same request types as MCP and the CLI; answers use ``SearchJSON`` so they are
/// byte-for-byte what `hq search --json` prints.
public struct SearchRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers the routes; without a database they answer 503.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        router.post("/v1/search") { request, _ -> Response in
            let searchRequest = try await request.decodeFields(SearchRequest.self, server: server)
            let response = try await server.run {
                try await $0.search(needsEmbedder: searchRequest.needsEmbedder).search(searchRequest)
            }
            return try Self.json(response)
        }
        router.get("/v1/sources/{id}") { request, context -> Response in
            let id = try context.parameters.require("id")
            let sourceRequest = try request.queryFields(SourceChunksRequest.self, adding: ["id": id])
            guard sourceRequest.query == nil, request.uri.queryParameters.isEmpty else {
                throw APIError.badRequest(
                    "GET /v1/sources/{id} takes no parameters; use /v1/sources/{id}/chunks to rank")
            }
            let detail = try await server.run { try await $0.search(needsEmbedder: false).source(id: sourceRequest.id) }
            return try Self.json(detail)
        }
        router.get("/v1/sources/{id}/chunks") { request, context -> Response in
            let id = try context.parameters.require("id")
            let chunksRequest = try request.queryFields(SourceChunksRequest.self, adding: ["id": id])
            let detail = try await server.run {
                try await $0.search(needsEmbedder: chunksRequest.ranks).chunks(chunksRequest)
            }
            return try Self.json(detail)
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try SearchJSON.encoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
