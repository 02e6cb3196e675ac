import Foundation
import HQEmbedding
import HQSearch
public import Hummingbird

/// `POST /v1/search`, `GET /v1/sources/{id}`, `GET /v1/sources/{id}/chunks` over the query service. Answers use
/// ``SearchJSON`` so they are byte-for-byte what `hq search --json` prints for the same answer.
public struct SearchRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers the routes; without a database they answer 503.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        let service = server.database.map {
            SearchService(
                pool: $0, embedder: BatchedEmbedder(server: server), configuration: server.configuration.search,
                logger: server.logger)
        }
        router.post("/v1/search") { request, _ -> Response in
            let body = try await request.decodeJSON(SearchBody.self, server: server)
            let searchRequest = try body.request()
            let response = try await Self.run(server: server, service: service) { try await $0.search(searchRequest) }
            return try Self.json(response)
        }
        router.get("/v1/sources/{id}") { _, context -> Response in
            let id = try context.parameters.require("id")
            let detail = try await Self.run(server: server, service: service) { try await $0.source(id: id) }
            return try Self.json(detail)
        }
        router.get("/v1/sources/{id}/chunks") { request, context -> Response in
            let id = try context.parameters.require("id")
            let query = request.uri.queryParameters.get("query")
            try SearchBody.rejectNUL(query, key: "query")
            let limitText = request.uri.queryParameters.get("limit") ?? "10"
            guard let limit = Int(limitText), (1...50).contains(limit) else {
                throw APIError.badRequest("'limit' must be an integer from 1 to 50")
            }
            let detail = try await Self.run(server: server, service: service) {
                try await $0.chunks(sourceID: id, query: query, limit: limit)
            }
            return try Self.json(detail)
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        let data = try SearchJSON.encoder().encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Runs `body` mapping search errors to HTTP statuses (database outages to 503 via the server's helper).
    static func run<R: Sendable>(server: ServerContext, service: SearchService?, _ body: (SearchService) async throws -> R) async throws -> R {
        guard let service else { throw APIError.databaseUnavailable("this server runs without a database") }
        do {
            return try await server.withDatabaseOutagesAs503 { try await body(service) }
        } catch let error as SearchError {
            switch error.code {
            case .sourceNotFound: throw APIError.notFound(error.context)
            case .embedderUnavailable: throw APIError.embedderUnavailable(error.context)
            default: throw APIError.badRequest(error.context)
            }
        } catch let error as EmbeddingError {
            if error.code == .invalidInput { throw APIError.badRequest("the query cannot be embedded") }
            throw APIError.embedderUnavailable("the embedder failed: \(error.code)")
        }
    }
}

/// The server's micro-batched embedder as an ``Embedder`` for the query service.
struct BatchedEmbedder: Embedder {
    let server: ServerContext
    var modelID: String { server.embedder.modelID }
    var dimensions: Int { server.embedder.dimensions }
    var maxTokens: Int { server.embedder.maxTokens }
    func embed(_ texts: [String]) async throws -> [[Float]] { try await server.embed(texts).map(\.vector) }
}

/// The body of `POST /v1/search`: the same parameters as `hq search`.
struct SearchBody: Decodable {
    var query: String?
    var tags: [String]?
    var allTags: Bool?
    var tagMatch: String?
    var excludeTags: [String]?
    var folder: String?
    var type: String?
    var assetTypes: [String]?
    var pinned: Bool?
    var updatedAfter: String?
    var updatedBefore: String?
    var sourceIDs: [String]?
    var limit: Int?
    var mode: String?
    var chunksPerSource: Int?
    var mmr: Double?
    var explain: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case query, tags, folder, type, pinned, limit, mode, mmr, explain
        case allTags = "all_tags"
        case tagMatch = "tag_match"
        case excludeTags = "exclude_tags"
        case assetTypes = "asset_types"
        case updatedAfter = "updated_after"
        case updatedBefore = "updated_before"
        case sourceIDs = "source_ids"
        case chunksPerSource = "chunks_per_source"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        query = try c.decodeIfPresent(String.self, forKey: .query)
        tags = try c.decodeIfPresent([String].self, forKey: .tags)
        allTags = try c.decodeIfPresent(Bool.self, forKey: .allTags)
        tagMatch = try c.decodeIfPresent(String.self, forKey: .tagMatch)
        excludeTags = try c.decodeIfPresent([String].self, forKey: .excludeTags)
        folder = try c.decodeIfPresent(String.self, forKey: .folder)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        assetTypes = try c.decodeIfPresent([String].self, forKey: .assetTypes)
        pinned = try c.decodeIfPresent(Bool.self, forKey: .pinned)
        updatedAfter = try c.decodeIfPresent(String.self, forKey: .updatedAfter)
        updatedBefore = try c.decodeIfPresent(String.self, forKey: .updatedBefore)
        sourceIDs = try c.decodeIfPresent([String].self, forKey: .sourceIDs)
        limit = try c.decodeIfPresent(Int.self, forKey: .limit)
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        chunksPerSource = try c.decodeIfPresent(Int.self, forKey: .chunksPerSource)
        mmr = try c.decodeIfPresent(Double.self, forKey: .mmr)
        explain = try c.decodeIfPresent(Bool.self, forKey: .explain)
    }

    /// PostgreSQL text cannot hold U+0000, so a NUL in any value that reaches SQL failed as a 500 (found by
    /// schemathesis); it is refused as a 400 instead.
    static func rejectNUL(_ value: String?, key: String) throws {
        if let value, value.unicodeScalars.contains("\u{0}") {
            throw APIError.badRequest("'\(key)' must not contain NUL characters")
        }
    }

    func request() throws -> SearchRequest {
        try Self.rejectNUL(query, key: "query")
        try Self.rejectNUL(folder, key: "folder")
        for (key, values) in [("tags", tags), ("exclude_tags", excludeTags), ("asset_types", assetTypes)] {
            for value in values ?? [] { try Self.rejectNUL(value, key: key) }
        }
        var filter = SearchFilter()
        filter.tags = tags ?? []
        switch (tagMatch, allTags ?? false) {
        case (nil, let all): filter.tagMatch = all ? .all : .any
        case ("any", false): filter.tagMatch = .any
        case ("all", _): filter.tagMatch = .all
        default: throw APIError.badRequest("'tag_match' must be \"any\" or \"all\"")
        }
        filter.excludedTags = excludeTags ?? []
        filter.folder = folder
        if let type {
            guard let parsed = SourceType(rawValue: type) else { throw APIError.badRequest("'type' must be \"document\" or \"asset\"") }
            filter.sourceType = parsed
        }
        filter.assetTypes = assetTypes ?? []
        filter.pinned = pinned
        filter.updatedAfter = try updatedAfter.map { try Self.date($0, key: "updated_after") }
        filter.updatedBefore = try updatedBefore.map { try Self.date($0, key: "updated_before") }
        filter.sourceIDs = try (sourceIDs ?? []).map {
            guard let id = UUID(uuidString: $0) else { throw APIError.badRequest("'source_ids' must hold UUIDs") }
            return id
        }
        var modeValue = SearchMode.hybrid
        if let mode {
            guard let parsed = SearchMode(rawValue: mode) else {
                throw APIError.badRequest("'mode' must be \"hybrid\", \"dense\" or \"lexical\"")
            }
            modeValue = parsed
        }
        return SearchRequest(
            query: query ?? "", filter: filter, limit: limit ?? 10, mode: modeValue, chunksPerSource: chunksPerSource ?? 3,
            mmrLambda: mmr, explain: explain ?? false)
    }

    static func date(_ text: String, key: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw APIError.badRequest("'\(key)' must be an ISO 8601 date or time")
    }
}
