import Foundation
import HQNet
import HQSearch
import HQServer
import HQTestSupport
import Testing

/// The HTTP search API over a real `hq serve` on loopback, against the shared indexed fixture.
@Suite("Search over HTTP (hq serve on loopback)")
struct SearchHTTPTests {
    /// Parses JSON and drops the wall-clock fields, which differ between two runs of the same search.
    static func comparable(_ data: Data) throws -> NSDictionary {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["timing_ms"] = nil
        object["stages_ms"] = nil
        return object as NSDictionary
    }

    func withServer(_ body: (String, SearchFixture) async throws -> Void) async throws {
        let fixture = try await SearchFixture.shared.value
        try await Fixtures.withServer(embedder: fixture.embedder, database: fixture.pool) {
            try await body($0, fixture)
        }
    }

    @Test("POST /v1/search answers exactly what the library (and so `hq search --json`) gives")
    func httpEqualsLibrary() async throws {
        try await withServer { base, fixture in
            let query = "how do we price a renewal?"
            let body = try JSONSerialization.data(withJSONObject: ["query": query, "limit": 3, "tags": ["sales"]])
            let response = try await HTTPClient.shared.postJSON(base + "/v1/search", json: body)
            #expect(response.status == 200)
            var filter = SearchFilter()
            filter.tags = ["sales"]
            let direct = try await fixture.service.search(SearchRequest(query: query, filter: filter, limit: 3))
            let library = try SearchJSON.encoder().encode(direct)
            #expect(try Self.comparable(response.body) == Self.comparable(library))
            #expect(!direct.results.isEmpty)
        }
    }

    @Test("bad parameters answer 400 with a message; unknown sources 404")
    func badParameters() async throws {
        try await withServer { base, _ in
            let bad = try JSONSerialization.data(withJSONObject: ["query": "x", "limit": 0])
            let response = try await HTTPClient.shared.postJSON(base + "/v1/search", json: bad)
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("limit"))
            let mode = try JSONSerialization.data(withJSONObject: ["query": "x", "mode": "psychic"])
            #expect(try await HTTPClient.shared.postJSON(base + "/v1/search", json: mode).status == 400)
            let missing = try await HTTPClient.shared.get(base + "/v1/sources/\(UUID().uuidString.lowercased())")
            #expect(missing.status == 404)
        }
    }

    @Test("GET /v1/sources/{id} and /chunks return the source and its chunks")
    func sources() async throws {
        try await withServer { base, fixture in
            let id = try #require(fixture.ids["Renewal pricing playbook"])
            let detail = try await HTTPClient.shared.get(base + "/v1/sources/\(id)")
            #expect(detail.status == 200)
            #expect(String(decoding: detail.body, as: UTF8.self).contains("Renewal pricing playbook"))
            let chunks = try await HTTPClient.shared.get(base + "/v1/sources/\(id)/chunks?query=renewal&limit=2")
            #expect(chunks.status == 200)
        }
    }

    @Test(
        "GET /openapi.json serves the bundled document byte for byte (docs/openapi.json is it), and it names every route"
    )
    func openAPI() async throws {
        try await withServer { base, _ in
            let served = try await HTTPClient.shared.get(base + "/openapi.json")
            #expect(served.status == 200)
            let resource = TestDatabase.packageRoot + "/Sources/HQServer/Resources/openapi.json"
            #expect(served.body == (try Data(contentsOf: URL(fileURLWithPath: resource))))
            let docs = URL(fileURLWithPath: TestDatabase.packageRoot + "/docs/openapi.json")
            #expect(
                docs.resolvingSymlinksInPath().path == URL(fileURLWithPath: resource).resolvingSymlinksInPath().path)
            let servedObject = try #require(try JSONSerialization.jsonObject(with: served.body) as? NSDictionary)
            let paths = try #require(servedObject["paths"] as? [String: Any])
            for route in [
                "/v1/search", "/v1/sources/{id}", "/v1/sources/{id}/chunks", "/v1/embeddings", "/embed", "/healthz",
            ] {
                #expect(paths[route] != nil, "openapi.json lacks \(route)")
            }
        }
    }

    @Test("a server whose OpenAPI document cannot be read refuses to start, naming the file")
    func missingOpenAPIDocument() async throws {
        let fixture = try await SearchFixture.shared.value
        var configuration = ServerConfiguration()
        configuration.port = 0
        let server = ServerContext(
            configuration: configuration, embedder: fixture.embedder, logger: TestDatabase.logger)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString).json")
            .path
        let error = await #expect(throws: ServerConfigurationError.self) {
            let running = try await ServerApplication.start(
                server: server, routes: [HealthRoutes(), OpenAPIRoutes(contentsOf: URL(fileURLWithPath: path))])
            await running.shutdown()
        }
        #expect(error?.message.contains(path) == true, "\(String(describing: error))")
    }
}
