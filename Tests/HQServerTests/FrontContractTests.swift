import Foundation
import HQEmbedding
import HQMCP
import HQNet
import HQRuntime
import HQServer
import HQStorage
import HQTestSupport
import MCP
import Testing

/// Issue 16: the same bad input gets the same answer from every front. Each case is sent over HTTP to a real
/// `hq serve` router on loopback, to the MCP tools (the registry `hq mcp` serves), and to the `hq` binary as flags;
/// each front must refuse it with the same problem text, naming the field its own way (`'limit'`, `Invalid
/// argument 'limit'`, `--limit`). Before, the fronts disagreed: the CLI took `--mmr 2`, MCP and HTTP worded ranges
/// differently, HTTP refused NUL and MCP did not, and `tag_match` conflicts were an error in MCP only.
@Suite("One contract: every front refuses the same input with the same words")
struct FrontContractTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// HTTP: method and path (query string included) and JSON body, if any.
        let http: (method: String, path: String, body: [String: any Sendable]?)
        /// MCP: tool and arguments.
        let mcp: (tool: String, arguments: [String: Value])
        /// CLI arguments, nil when the CLI cannot express the case (e.g. a NUL byte in argv).
        let cli: [String]?
        /// The field as on the wire and its flag.
        let field: String
        let flag: String
        let problem: String
        var testDescription: String { name }
    }

    static let uuid = "8d3c4a1e-0f55-4c55-9a39-2d3e4b5c6d7e"

    static let cases: [Case] = [
        Case(
            name: "search limit 0", http: ("POST", "/v1/search", ["query": "x", "limit": 0]),
            mcp: ("search_knowledge", ["query": "x", "limit": 0]), cli: ["search", "x", "--limit", "0"],
            field: "limit", flag: "--limit", problem: "must be an integer from 1 to 1000"),
        Case(
            name: "search unknown mode", http: ("POST", "/v1/search", ["query": "x", "mode": "fuzzy"]),
            mcp: ("search_knowledge", ["query": "x", "mode": "fuzzy"]), cli: ["search", "x", "--mode", "fuzzy"],
            field: "mode", flag: "--mode", problem: "must be \"hybrid\", \"dense\" or \"lexical\""),
        Case(
            name: "search chunks per source 51", http: ("POST", "/v1/search", ["query": "x", "chunks_per_source": 51]),
            mcp: ("search_knowledge", ["query": "x", "chunks_per_source": 51]), cli: ["search", "x", "--chunks", "51"],
            field: "chunks_per_source", flag: "--chunks", problem: "must be an integer from 1 to 50"),
        Case(
            name: "search mmr 2", http: ("POST", "/v1/search", ["query": "x", "mmr": 2]),
            mcp: ("search_knowledge", ["query": "x", "mmr": 2]), cli: ["search", "x", "--mmr", "2"],
            field: "mmr", flag: "--mmr", problem: "must be a number from 0 to 1"),
        Case(
            name: "search bad date", http: ("POST", "/v1/search", ["query": "x", "updated_after": "yesterday"]),
            mcp: ("search_knowledge", ["query": "x", "updated_after": "yesterday"]),
            cli: ["search", "x", "--updated-after", "yesterday"], field: "updated_after", flag: "--updated-after",
            problem: "must be an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z"),
        Case(
            name: "search dates out of order",
            http: (
                "POST", "/v1/search", ["query": "x", "updated_after": "2025-02-01", "updated_before": "2025-01-01"]
            ),
            mcp: ("search_knowledge", ["query": "x", "updated_after": "2025-02-01", "updated_before": "2025-01-01"]),
            cli: ["search", "x", "--updated-after", "2025-02-01", "--updated-before", "2025-01-01"],
            field: "updated_after", flag: "--updated-after", problem: "must be earlier than updated_before"),
        Case(
            name: "search source id not a UUID", http: ("POST", "/v1/search", ["query": "x", "source_ids": ["nope"]]),
            mcp: ("search_knowledge", ["query": "x", "source_ids": ["nope"]]),
            cli: ["search", "x", "--source", "nope"],
            field: "source_ids", flag: "--source", problem: "must hold UUIDs, got \"nope\""),
        Case(
            name: "search unknown type", http: ("POST", "/v1/search", ["query": "x", "type": "folder"]),
            mcp: ("search_knowledge", ["query": "x", "type": "folder"]), cli: ["search", "x", "--type", "folder"],
            field: "type", flag: "--type", problem: "must be \"document\" or \"asset\""),
        Case(
            name: "search tag_match contradicts all_tags",
            http: ("POST", "/v1/search", ["query": "x", "tags": ["a"], "tag_match": "any", "all_tags": true]),
            mcp: ("search_knowledge", ["query": "x", "tags": ["a"], "tag_match": "any", "all_tags": true]), cli: nil,
            field: "tag_match", flag: "--tag-match", problem: "\"any\" contradicts all_tags: true; pass only one"),
        Case(
            name: "search NUL in the query", http: ("POST", "/v1/search", ["query": "a\u{0}b"]),
            mcp: ("search_knowledge", ["query": "a\u{0}b"]), cli: nil, field: "query", flag: "QUERY",
            problem: "must not contain NUL characters"),
        Case(
            name: "chunks limit 51", http: ("GET", "/v1/sources/\(uuid)/chunks?query=x&limit=51", nil),
            mcp: ("get_chunks", ["id": .string(uuid), "query": "x", "limit": 51]),
            cli: ["chunks", uuid, "--query", "x", "--limit", "51"], field: "limit", flag: "--limit",
            problem: "must be an integer from 1 to 50"),
        Case(
            name: "boot budget 0", http: ("GET", "/v1/boot/scout?budget_tokens=0", nil),
            mcp: ("boot_context", ["slug": "scout", "budget_tokens": 0]),
            cli: ["boot", "scout", "--budget-tokens", "0"],
            field: "budget_tokens", flag: "--budget-tokens", problem: "must be an integer from 1 to 1000000"),
        Case(
            name: "draft set 6 variants",
            http: (
                "POST", "/v1/draft-sets", ["contact_id": uuid, "channel": "email", "stage": "intro", "variants": 6]
            ),
            mcp: (
                "assemble_draft_set",
                ["contact_id": .string(uuid), "channel": "email", "stage": "intro", "variants": 6]
            ),
            cli: [
                "draft-set", "assemble", "--contact", uuid, "--channel", "email", "--stage", "intro", "--variants", "6",
            ],
            field: "variants", flag: "--variants", problem: "must be an integer from 1 to 5"),
        Case(
            name: "draft set without a contact",
            http: ("POST", "/v1/draft-sets", ["channel": "email", "stage": "intro"]),
            mcp: ("assemble_draft_set", ["channel": "email", "stage": "intro"]),
            cli: ["draft-set", "assemble", "--channel", "email", "--stage", "intro"], field: "contact_id",
            flag: "--contact", problem: "is required unless revise_draft_set_id is given"),
        Case(
            name: "draft set unknown actor type",
            http: (
                "POST", "/v1/draft-sets",
                ["contact_id": uuid, "channel": "email", "stage": "intro", "actor_type": "robot"]
            ),
            mcp: (
                "assemble_draft_set",
                ["contact_id": .string(uuid), "channel": "email", "stage": "intro", "actor_type": "robot"]
            ),
            cli: [
                "draft-set", "assemble", "--contact", uuid, "--channel", "email", "--stage", "intro", "--actor-type",
                "robot",
            ],
            field: "actor_type", flag: "--actor-type", problem: "must be \"human\", \"agent\" or \"system\""),
    ]

    /// One server, one runtime and one tool registry for every case (over a migrated database; no case reaches it).
    struct Fronts: Sendable {
        let baseURL: String
        let registry: ToolRegistry
        let databaseURL: String

        static let shared = Task<Fronts, any Error> {
            let url = try await TestDatabase.migratedDatabase()
            let pool = PostgresPool(
                configuration: PostgresConfiguration(url), maxConnections: 2, logger: TestDatabase.logger)
            let embedder = try await SearchFixture.embedderTask.value  // the model, loaded once per test process
            var configuration = ServerConfiguration()
            configuration.port = 0
            let server = ServerContext(
                configuration: configuration, embedder: embedder, database: pool, logger: TestDatabase.logger)
            let running = try await ServerApplication.start(server: server)
            let runtime = HQRuntime(pool: pool, embedder: embedder, logger: TestDatabase.logger)
            return Fronts(
                baseURL: running.baseURL,
                registry: ToolRegistry(tools: HQTools.standard(runtime: runtime), logger: TestDatabase.logger),
                databaseURL: url)
        }
    }

    @Test("HTTP, MCP and the CLI refuse it with the same problem", arguments: cases)
    func sameAnswer(_ example: Case) async throws {
        let fronts = try await Fronts.shared.value

        // HTTP: 400 with the field quoted.
        let url = fronts.baseURL + example.http.path
        let response: HTTPClientResponse
        if let body = example.http.body {
            response = try await HTTPClient.shared.postJSON(url, json: try JSONSerialization.data(withJSONObject: body))
        } else {
            response = try await HTTPClient.shared.get(url)
        }
        #expect(response.status == 400)
        let error = try JSONSerialization.jsonObject(with: response.body) as? [String: [String: Any]]
        #expect(error?["error"]?["message"] as? String == "'\(example.field)' \(example.problem)")

        // MCP: a tool error naming the argument.
        let result = await fronts.registry.call(name: example.mcp.tool, arguments: example.mcp.arguments)
        #expect(result.isError == true)
        let text = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined()
        #expect(text == "Invalid argument '\(example.field)': \(example.problem).")

        // CLI: exit status 1, the flag and the same problem on stderr; nothing on stdout.
        guard let arguments = example.cli else { return }
        let run = try await HQProcess.run(
            arguments, environment: ["HQ_DATABASE_URL": fronts.databaseURL, "HQ_EMBED_URL": nil])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("\(example.flag) \(example.problem)"), "\(run.stderr)")
    }
}
