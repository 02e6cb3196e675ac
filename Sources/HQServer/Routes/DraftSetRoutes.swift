import Foundation
import HQKnowledge
import HQSearch
import HQStorage
public import Hummingbird

/// `POST /v1/draft-sets` (assemble and store a draft set) and `GET /v1/draft-sets/{id}` over
/// ``DraftSetAssembler``. Answers are the stored row in the JSON of `hq draft-set assemble --json`.
public struct DraftSetRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers the routes; without a database they answer 503.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        let assembler = server.database.map { pool in
            DraftSetAssembler(
                pool: pool,
                search: SearchService(pool: pool, embedder: BatchedEmbedder(server: server), logger: server.logger),
                llm: server.configuration.llm, logger: server.logger)
        }
        router.post("/v1/draft-sets") { request, _ -> Response in
            let body = try await request.decodeJSON(DraftSetBody.self, server: server)
            let draftRequest = try body.request()
            let set = try await Self.run(server: server, assembler: assembler) { try await $0.assemble(draftRequest) }
            return try Self.json(set, status: .created)
        }
        router.get("/v1/draft-sets/{id}") { _, context -> Response in
            let text = try context.parameters.require("id")
            guard let id = UUID(uuidString: text) else { throw APIError.badRequest("'id' must be a UUID") }
            let set = try await Self.run(server: server, assembler: assembler) { try await $0.draftSet(id: id) }
            return try Self.json(set, status: .ok)
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let data = try SearchJSON.encoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Runs `body`, mapping assembly errors to statuses (database outages to 503 via the server's helper).
    static func run<R: Sendable>(
        server: ServerContext, assembler: DraftSetAssembler?, _ body: (DraftSetAssembler) async throws -> R
    ) async throws -> R {
        guard let assembler else { throw APIError.databaseUnavailable("this server runs without a database") }
        do {
            return try await server.withDatabaseOutagesAs503 { try await body(assembler) }
        } catch let error as DraftSetError {
            switch error.code {
            case .contactNotFound, .templateNotFound, .draftSetNotFound, .agentNotFound, .noTemplate:
                throw APIError.notFound(error.context)
            case .missingMergeFields:
                throw APIError(
                    status: .unprocessableContent, code: "missing_merge_fields",
                    message:
                        "missing merge fields: \(error.missingFields.joined(separator: ", ")) (set allow_missing to keep placeholders)"
                )
            case .conflict: throw APIError(status: .conflict, code: "conflict", message: error.context)
            default: throw APIError.badRequest(error.context)
            }
        } catch let error as SearchError {
            if error.code == .embedderUnavailable { throw APIError.embedderUnavailable(error.context) }
            throw APIError.badRequest(error.context)
        }
    }
}

/// The body of `POST /v1/draft-sets`: the parameters of `hq draft-set assemble`.
struct DraftSetBody: Decodable {
    var contactID: String?
    var channel: String?
    var stage: String?
    var templateID: String?
    var variants: Int?
    var evidencePerVariant: Int?
    var reviseDraftSetID: String?
    var feedbackNotes: String?
    var allowMissing: Bool?
    var actorAgentID: String?
    var actorType: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case channel, stage, variants
        case contactID = "contact_id"
        case templateID = "template_id"
        case evidencePerVariant = "evidence_per_variant"
        case reviseDraftSetID = "revise_draft_set_id"
        case feedbackNotes = "feedback_notes"
        case allowMissing = "allow_missing"
        case actorAgentID = "actor_agent_id"
        case actorType = "actor_type"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        contactID = try c.decodeIfPresent(String.self, forKey: .contactID)
        channel = try c.decodeIfPresent(String.self, forKey: .channel)
        stage = try c.decodeIfPresent(String.self, forKey: .stage)
        templateID = try c.decodeIfPresent(String.self, forKey: .templateID)
        variants = try c.decodeIfPresent(Int.self, forKey: .variants)
        evidencePerVariant = try c.decodeIfPresent(Int.self, forKey: .evidencePerVariant)
        reviseDraftSetID = try c.decodeIfPresent(String.self, forKey: .reviseDraftSetID)
        feedbackNotes = try c.decodeIfPresent(String.self, forKey: .feedbackNotes)
        allowMissing = try c.decodeIfPresent(Bool.self, forKey: .allowMissing)
        actorAgentID = try c.decodeIfPresent(String.self, forKey: .actorAgentID)
        actorType = try c.decodeIfPresent(String.self, forKey: .actorType)
    }

    func request() throws -> DraftSetRequest {
        func uuid(_ text: String?, _ key: String) throws -> UUID? {
            guard let text else { return nil }
            guard let id = UUID(uuidString: text) else { throw APIError.badRequest("'\(key)' must be a UUID") }
            return id
        }
        var actor = DraftSetActor.system
        if let actorType {
            guard let parsed = DraftSetActor(rawValue: actorType) else {
                throw APIError.badRequest("'actor_type' must be \"human\", \"agent\" or \"system\"")
            }
            actor = parsed
        }
        let request = DraftSetRequest(
            contactID: try uuid(contactID, "contact_id"), channel: channel, stage: stage,
            templateID: try uuid(templateID, "template_id"), variantCount: variants ?? 3,
            evidencePerVariant: evidencePerVariant ?? 3,
            reviseDraftSetID: try uuid(reviseDraftSetID, "revise_draft_set_id"),
            feedbackNotes: feedbackNotes, allowMissingFields: allowMissing ?? false,
            actorAgentID: try uuid(actorAgentID, "actor_agent_id"), actorType: actor)
        do {
            try request.validate()
        } catch let error as DraftSetError {
            throw APIError.badRequest(error.context)
        }
        return request
    }
}
