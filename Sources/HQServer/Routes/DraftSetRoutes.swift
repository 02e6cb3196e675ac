import Foundation
import HQKnowledge
public import Hummingbird

/// `POST /v1/draft-sets` (assemble and store a draft set) and `GET /v1/draft-sets/{id}` over the runtime's
/// ``DraftSetAssembler``. Answers are the stored row in the JSON of `hq draft-set assemble --json`.
public struct DraftSetRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers the routes; without a database they answer 503.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        router.post("/v1/draft-sets") { request, _ -> Response in
            let draftRequest = try await request.decodeFields(DraftSetRequest.self, server: server)
            let set = try await server.run { try await $0.draftSets().assemble(draftRequest) }
            return try SearchRoutes.json(set, status: .created)
        }
        router.get("/v1/draft-sets/{id}") { _, context -> Response in
            let text = try context.parameters.require("id")
            guard let id = UUID(uuidString: text) else {
                throw APIError.badRequest("'id' must be a UUID, got \"\(text.prefix(60))\"")
            }
            let set = try await server.run { try await $0.draftSetReader().draftSet(id: id) }
            return try SearchRoutes.json(set)
        }
    }
}
