import Foundation
import HQEmbedding
import HQIndexing
import HQNet
import HQServer
import HQStorage
import HQTestSupport
import MCP
import Testing

/// Issue 16, one runtime: with `HQ_EMBED_URL` set, an index built through that embedding service is searched
/// through the same service by the CLI, HTTP and MCP. Before, `hq search`, `boot`, `draft-set` and `eval` always
/// loaded the built-in model, so they queried an HTTP-built index with another model's vectors.
///
/// The service is a loopback server speaking the OpenAI embeddings protocol with a hashed bag-of-words model
/// (`stub-hash`): the test checks that each front's query reached it, and that dense search ranks by its vectors.
@Suite("One runtime: an index built through an HTTP embedder is searched through it by every front")
struct HTTPEmbedderFrontsTests {
    static let model = "stub-hash"

    /// A unit vector with one count per word, at the word's FNV-1a hash modulo 384.
    static func embedding(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: 384)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            vector[Int(hash % 384)] += 1
        }
        if vector.allSatisfy({ $0 == 0 }) { vector[0] = 1 }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }

    static func startService() throws -> FaultServer {
        try FaultServer { request, _ in
            let inputs: [String]
            switch request.json?["input"] {
            case let text as String: inputs = [text]
            case let texts as [String]: inputs = texts
            default: return .json(400, #"{"error":{"message":"no input"}}"#)
            }
            let data = inputs.enumerated().map { index, text in
                ["object": "embedding", "index": index, "embedding": embedding(text).map(Double.init)] as [String: Any]
            }
            let body = try! JSONSerialization.data(withJSONObject: ["object": "list", "data": data, "model": model])
            return .respond(status: 200, headers: [("Content-Type", "application/json")], body: Array(body))
        }
    }

    @Test("CLI, HTTP and MCP embed the query through HQ_EMBED_URL and rank by its vectors")
    func everyFrontUsesTheService() async throws {
        let service = try Self.startService()
        defer { service.stop() }
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 2, logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        for (title, text) in [
            ("Lighthouse upkeep", "The lighthouse lamp needs new bulbs and a clean lens every winter."),
            ("Orchard pruning", "Prune the apple trees in late winter before the buds open."),
            ("Invoice disputes", "When a customer disputes an invoice, pause reminders and call them."),
        ] {
            try await pool.execute(
                "INSERT INTO public.documents (title, content) VALUES (\(title), to_jsonb(\(text)::text))")
        }
        var configuration = HTTPEmbedderConfiguration(url: service.baseURL, model: Self.model)
        configuration.maxAttempts = 1
        let embedder = try HTTPEmbedder(configuration: configuration, logger: TestDatabase.logger)
        _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()

        let query = "lighthouse lamp bulbs"
        func queried() -> Int {
            service.received.filter { String(decoding: $0.body, as: UTF8.self).contains(query) }.count
        }
        func topTitle(_ json: Data) throws -> String? {
            let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
            return ((object?["results"] as? [[String: Any]])?.first)?["title"] as? String
        }
        let environment: [String: String?] = [
            "HQ_DATABASE_URL": url, "HQ_EMBED_URL": service.baseURL, "HQ_EMBED_MODEL": Self.model,
        ]

        // CLI
        let before = queried()
        let cli = try await HQProcess.run(["search", query, "--mode", "dense", "--json"], environment: environment)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try topTitle(cli.stdout) == "Lighthouse upkeep")
        #expect(queried() == before + 1)

        // HTTP: `hq serve`'s router with the service as its embedder.
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.port = 0
        let server = ServerContext(
            configuration: serverConfiguration, embedder: embedder, database: pool, logger: TestDatabase.logger)
        let running = try await ServerApplication.start(server: server)
        defer { Task { await running.shutdown() } }
        let body = try JSONSerialization.data(withJSONObject: ["query": query, "mode": "dense"])
        let response = try await HTTPClient.shared.postJSON(running.baseURL + "/v1/search", json: body)
        #expect(response.status == 200)
        #expect(try topTitle(response.body) == "Lighthouse upkeep")
        #expect(queried() == before + 2)

        // MCP: `hq mcp` with the same environment.
        let session = try await MCPSession.start(databaseURL: url, environment: environment.compactMapValues { $0 })
        let result = try await session.call("search_knowledge", ["query": .string(query), "mode": "dense"])
        _ = await session.stop()
        #expect(!result.isError, "\(result.texts)")
        #expect(try topTitle(Data((result.texts.last ?? "").utf8)) == "Lighthouse upkeep")
        #expect(queried() == before + 3)
    }
}
