import Foundation
import HQEmbedding
import HQKnowledge
import HQSearch
import HQStorage
public import Hummingbird

/// `GET /v1/boot/{slug}`: an agent's boot context (its `boot:<slug>` and `boot:all` documents as markdown within a
/// token budget, optionally with related knowledge). JSON by default, the same bytes `hq boot --json` prints;
/// `format=markdown` (or `Accept: text/markdown`) serves the markdown `hq boot` prints.
public struct BootRoutes: RouteGroup {
    /// Query parameters the route accepts; any other is a 400, so typos do not pass unnoticed.
    static let parameters: Set<String> = ["budget_tokens", "query", "format"]

    /// Creates the group.
    public init() {}

    /// Registers the route; without a database it answers 503.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        let service = server.database.map { pool in
            BootService(
                pool: pool,
                search: SearchService(pool: pool, embedder: BatchedEmbedder(server: server), logger: server.logger),
                countingWith: server.embedder, logger: server.logger)
        }
        router.get("/v1/boot/{slug}") { request, context -> Response in
            let slug = try context.parameters.require("slug")
            let (bootRequest, markdown) = try Self.parse(slug: slug, request: request)
            guard let service else { throw APIError.databaseUnavailable("this server runs without a database") }
            let boot: BootContext
            do {
                // 503 at once while Postgres is known to be down, and when it goes away mid-request; the service
                // takes pooled connections of its own.
                boot = try await server.withDatabaseOutagesAs503 { try await service.context(bootRequest) }
            } catch let error as BootError {
                if error.code == .unknownAgent { return Self.unknownAgent(error) }
                throw APIError.badRequest(error.context)
            } catch let error as SearchError {
                if error.code == .embedderUnavailable { throw APIError.embedderUnavailable(error.context) }
                throw APIError.badRequest(error.context)
            } catch let error as EmbeddingError {
                if error.code == .invalidInput { throw APIError.badRequest("the query cannot be embedded") }
                throw APIError.embedderUnavailable("the embedder failed: \(error.code)")
            }
            if markdown {
                return Response(
                    status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: boot.markdown)))
            }
            return try SearchRoutes.json(boot)
        }
    }

    /// The request and whether markdown was asked for.
    static func parse(slug: String, request: Request) throws -> (BootRequest, markdown: Bool) {
        let query = request.uri.queryParameters
        for (key, _) in query where !parameters.contains(String(key)) {
            throw APIError.badRequest("unknown parameter '\(key)' (accepted: budget_tokens, query, format)")
        }
        var bootRequest = BootRequest(slug: slug)
        if let text = query.get("budget_tokens") {
            guard let budget = Int(text), (1...BootRequest.maxBudgetTokens).contains(budget) else {
                throw APIError.badRequest("'budget_tokens' must be an integer from 1 to \(BootRequest.maxBudgetTokens)")
            }
            bootRequest.budgetTokens = budget
        }
        bootRequest.query = query.get("query")
        var markdown = (request.headers[.accept] ?? "").contains("text/markdown")
        switch query.get("format") {
        case nil: break
        case "json": markdown = false
        case "markdown": markdown = true
        default: throw APIError.badRequest("'format' must be \"json\" or \"markdown\"")
        }
        do throws(BootError) {
            try bootRequest.validate()
        } catch {
            throw APIError.badRequest(error.context)
        }
        return (bootRequest, markdown)
    }

    /// 404 in the shape of ``APIError`` plus the closest slugs: `{"error": {"message", "type", "code",
    /// "suggestions"}}`.
    static func unknownAgent(_ error: BootError) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let message: String
                let type = "invalid_request_error"
                let code = "agent_not_found"
                let suggestions: [String]
            }
            let error: Detail
        }
        let body = Body(error: .init(message: error.description, suggestions: error.suggestions))
        let data = (try? SearchJSON.encoder().encode(body)) ?? Data("{}".utf8)
        return Response(
            status: .notFound, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
