import Foundation
import HQKnowledge
import HQNet
import HQSearch
import HQServer
import HQTestSupport
import Testing

/// `GET /v1/boot/{slug}` over a real `hq serve` on loopback, and `hq boot --json` against the same database.
@Suite("Boot context over HTTP and the CLI")
struct BootHTTPTests {
    func withServer(apiKey: String? = nil, database: Bool = true, _ body: (String, BootFixture) async throws -> Void)
        async throws
    {
        let fixture = try await BootFixture.shared.value
        try await Fixtures.withServer(
            embedder: fixture.embedder, database: database ? fixture.pool : nil, apiKey: apiKey
        ) { try await body($0, fixture) }
    }

    static func object(_ data: Data) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    /// Equal JSON, numbers within `tolerance`: the server embeds the query inside a micro-batch, and BLAS sums a
    /// batch in another order than a lone query, so a fused score (convex fusion reads the cosine) can differ from
    /// the library's in the last bits while every rank and text is the same.
    static func same(_ a: Any, _ b: Any, tolerance: Double = 1e-5) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!, tolerance: tolerance) }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1, tolerance: tolerance) }
        case (let x as NSNumber, let y as NSNumber):
            return abs(x.doubleValue - y.doubleValue) <= tolerance * max(1, abs(x.doubleValue))
        default:
            return (a as? NSObject)?.isEqual(b) ?? false
        }
    }

    @Test("GET /v1/boot/{slug} answers exactly what the library (and so `hq boot --json`) gives")
    func httpEqualsLibrary() async throws {
        try await withServer { base, fixture in
            let response = try await HTTPClient.shared.get(
                base + "/v1/boot/scout?budget_tokens=500&query=renewal%20discount")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let direct = try await fixture.service.context(
                BootRequest(slug: "scout", budgetTokens: 500, query: "renewal discount"))
            #expect(Self.same(try Self.object(response.body), try Self.object(try SearchJSON.encoder().encode(direct))))
            #expect(!direct.omitted.isEmpty)
            let keys = try #require(try Self.object(response.body) as? [String: Any]).keys.sorted()
            #expect(keys == ["agent", "budget_tokens", "documents", "omitted", "query", "related", "used_tokens"])
        }
    }

    @Test("format=markdown (or Accept: text/markdown) serves the markdown `hq boot` prints")
    func markdown() async throws {
        try await withServer { base, fixture in
            let direct = try await fixture.service.context(BootRequest(slug: "scout"))
            let response = try await HTTPClient.shared.get(base + "/v1/boot/scout?format=markdown")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/markdown") == true)
            #expect(String(decoding: response.body, as: UTF8.self) == direct.markdown)
            let accept = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/v1/boot/scout", headers: [(name: "Accept", value: "text/markdown")]))
            #expect(String(decoding: accept.body, as: UTF8.self) == direct.markdown)
        }
    }

    @Test("an unknown slug answers 404 JSON with close slugs")
    func unknownSlug() async throws {
        try await withServer { base, _ in
            let response = try await HTTPClient.shared.get(base + "/v1/boot/scot")
            #expect(response.status == 404)
            let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
            #expect(error["code"] as? String == "agent_not_found")
            #expect((error["suggestions"] as? [String])?.first == "scout")
            #expect((error["message"] as? String)?.contains("scot") == true)
        }
    }

    @Test(
        "bad parameters answer 400",
        arguments: ["budget_tokens=0", "budget_tokens=abc", "budget_tokens=2000000", "format=xml", "budget=5"])
    func badParameters(query: String) async throws {
        try await withServer { base, _ in
            let response = try await HTTPClient.shared.get(base + "/v1/boot/scout?" + query)
            #expect(response.status == 400)
            let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_request")
        }
    }

    @Test("budget_tokens at its documented ends: 1 and 1000000 answer 200, 0 and 1000001 answer 400 naming the field")
    func budgetRangeEnds() async throws {
        try await withServer { base, _ in
            for (budget, accepted) in [(1, true), (1_000_000, true), (0, false), (1_000_001, false)] {
                let response = try await HTTPClient.shared.get(base + "/v1/boot/scout?budget_tokens=\(budget)")
                #expect(response.status == (accepted ? 200 : 400), "budget_tokens=\(budget)")
                if !accepted {
                    let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
                    let message = (error["message"] as? String ?? "").replacingOccurrences(of: "_", with: " ")
                    #expect(message.contains("budget tokens"), "\(message)")
                }
            }
        }
    }

    @Test("bearer auth as on every route; 503 without a database")
    func authAndUnavailable() async throws {
        try await withServer(apiKey: "s3cret") { base, _ in
            let anonymous = try await HTTPClient.shared.get(base + "/v1/boot/scout")
            #expect(anonymous.status == 401)
            var request = HTTPClientRequest(url: base + "/v1/boot/scout")
            request.bearerToken = "s3cret"
            let authorized = try await HTTPClient.shared.execute(request)
            #expect(authorized.status == 200)
        }
        try await withServer(database: false) { base, _ in
            let response = try await HTTPClient.shared.get(base + "/v1/boot/scout")
            #expect(response.status == 503)
            #expect(String(decoding: response.body, as: UTF8.self).contains("database_unavailable"))
        }
    }

    @Test("the OpenAPI document describes the route")
    func openAPI() async throws {
        try await withServer { base, _ in
            let served = try Self.object(try await HTTPClient.shared.get(base + "/openapi.json").body)
            let paths = try #require(served["paths"] as? [String: Any])
            #expect(paths["/v1/boot/{slug}"] != nil)
            let committed = try Data(contentsOf: URL(fileURLWithPath: TestDatabase.packageRoot + "/docs/openapi.json"))
            #expect(try Self.object(committed) == served)
        }
    }

    @Test("`hq boot --json` prints what GET /v1/boot/{slug} answers; unknown slugs fail with suggestions")
    func cliEqualsHTTP() async throws {
        let executable = TestDatabase.packageRoot + "/.build/release/hq"
        try #require(
            FileManager.default.isExecutableFile(atPath: executable),
            "run scripts/setup first (builds .build/release/hq)")
        try await withServer { base, fixture in
            let cli = try await Self.runCLI(
                executable, ["boot", "scout", "--budget-tokens", "700", "--json"], databaseURL: fixture.url)
            #expect(cli.status == 0)
            let http = try await HTTPClient.shared.get(base + "/v1/boot/scout?budget_tokens=700")
            #expect(Self.same(try Self.object(cli.stdout), try Self.object(http.body)))
            let markdown = try await Self.runCLI(executable, ["boot", "scout"], databaseURL: fixture.url)
            let direct = try await fixture.service.context(BootRequest(slug: "scout"))
            #expect(String(decoding: markdown.stdout, as: UTF8.self) == direct.markdown)
            let unknown = try await Self.runCLI(executable, ["boot", "scot"], databaseURL: fixture.url)
            #expect(unknown.status != 0)
            #expect(String(decoding: unknown.stderr, as: UTF8.self).contains("did you mean: scout"))
        }
    }

    /// Runs `hq` with `HQ_DATABASE_URL` set, capturing its output through files.
    static func runCLI(_ executable: String, _ arguments: [String], databaseURL: String) async throws
        -> (status: Int32, stdout: Data, stderr: Data)
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hq-boot-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout").path
        let err = directory.appendingPathComponent("stderr").path
        var actions: posix_spawn_file_actions_t = .init()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var environment = ProcessInfo.processInfo.environment
        environment["HQ_DATABASE_URL"] = databaseURL
        environment["HQ_MODEL_DIR"] = TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2"
        environment["HQ_LOG_LEVEL"] = "error"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        try #require(spawned == 0, "posix_spawn failed: \(spawned)")
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status & 0x7F == 0 ? (status >> 8) & 0xFF : -1)
            }
        }
        return (
            status, try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: URL(fileURLWithPath: err))
        )
    }
}
