import Foundation
import HQNet
import HQSearch
import HQServer
import HQStorage
import HQTestSupport
import Testing

/// Issue 13, limits: every documented range works at its ends and is refused one past them with a 400 naming the
/// field; the costs a hostile request can ask for are bounded (ef_search, lexical terms, statement time).
@Suite("Service limits: documented ranges at their ends, bounded costs")
struct ServiceLimitsTests {
    func withServer(
        pool: PostgresPool? = nil, _ body: (String, SearchFixture) async throws -> Void
    ) async throws {
        let fixture = try await SearchFixture.shared.value
        try await Fixtures.withServer(embedder: fixture.embedder, database: pool ?? fixture.pool) {
            try await body($0, fixture)
        }
    }

    /// Whether `message` names `field`, whatever the separator: `chunks_per_source`, `chunks per source` and
    /// `chunks-per-source` all count (the library's messages are shared by the CLI and HTTP).
    static func names(_ message: String, _ field: String) -> Bool {
        func normalised(_ text: String) -> String {
            text.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        }
        return normalised(message).contains(normalised(field))
    }

    static func message(_ response: HTTPClientResponse) -> String {
        let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (json?["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    static func search(_ base: String, _ object: [String: Any]) async throws -> HTTPClientResponse {
        try await HTTPClient.shared.postJSON(
            base + "/v1/search", json: try JSONSerialization.data(withJSONObject: object), timeout: .seconds(120))
    }

    /// (field, value, accepted) for POST /v1/search: min, max and one past each end of every documented range.
    static var searchEnds: [(String, Any, Bool)] {
        [
            ("limit", 1, true), ("limit", 1000, true), ("limit", 0, false), ("limit", 1001, false),
            ("chunks_per_source", 1, true), ("chunks_per_source", 50, true), ("chunks_per_source", 0, false),
            ("chunks_per_source", 51, false),
            ("mmr", 0, true), ("mmr", 1, true), ("mmr", -0.01, false), ("mmr", 1.01, false),
        ]
    }

    @Test(
        "POST /v1/search: each documented range at min and max answers 200, one past answers 400 naming the field",
        arguments: SearchMode.allCases)
    func searchRangeEnds(mode: SearchMode) async throws {
        try await withServer { base, _ in
            for (field, value, accepted) in Self.searchEnds {
                let response = try await Self.search(
                    base, ["query": "renewal discount pricing", "mode": mode.rawValue, field: value])
                if accepted {
                    #expect(response.status == 200, "\(mode) \(field)=\(value): \(Self.message(response))")
                } else {
                    #expect(response.status == 400, "\(mode) \(field)=\(value)")
                    #expect(Self.names(Self.message(response), field), "\(field): \(Self.message(response))")
                }
            }
        }
    }

    @Test("limit 1000 with MMR and 50 chunks per source (the largest request) answers every matching source")
    func largestRequest() async throws {
        try await withServer { base, fixture in
            let response = try await Self.search(
                base, ["query": "pricing", "limit": 1000, "chunks_per_source": 50, "mmr": 0.5])
            #expect(response.status == 200, "\(Self.message(response))")
            let json = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            let results = try #require(json["results"] as? [[String: Any]])
            let direct = try await fixture.service.search(SearchRequest(query: "pricing", limit: 1000, mode: .lexical))
            #expect(results.count >= direct.results.count && !results.isEmpty)
        }
    }

    @Test("GET /v1/sources/{id}/chunks: limit 1 and 50 answer 200, 0 and 51 answer 400 naming limit")
    func chunksRangeEnds() async throws {
        try await withServer { base, fixture in
            let id = try #require(fixture.ids["Renewal pricing playbook"])
            for (limit, accepted) in [(1, true), (50, true), (0, false), (51, false)] {
                let response = try await HTTPClient.shared.get(
                    base + "/v1/sources/\(id)/chunks?query=renewal&limit=\(limit)")
                #expect(response.status == (accepted ? 200 : 400), "limit=\(limit)")
                if !accepted { #expect(Self.names(Self.message(response), "limit")) }
            }
        }
    }

    @Test("`hq search Q --limit 1000` (and --chunks 50) works: pgvector's ef_search ceiling is never exceeded")
    func cliLimitAtMaximum() async throws {
        let fixture = try await SearchFixture.shared.value
        try #require(
            FileManager.default.isExecutableFile(atPath: HQProcess.executable), "build hq first (scripts/setup)")
        for arguments in [
            ["--limit", "1000"], ["--limit", "500", "--mode", "dense"], ["--limit", "1000", "--chunks", "50"],
        ] {
            let run = try await HQProcess.run(
                ["search", "renewal pricing", "--json"] + arguments,
                environment: [
                    "HQ_DATABASE_URL": fixture.url,
                    "HQ_MODEL_DIR": TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2",
                ])
            let (stdout, stderr) = (run.stdout, run.stderr)
            #expect(run.status == 0, "hq search \(arguments): \(stderr)")
            #expect(!stderr.contains("22023"))
            let json = try? JSONSerialization.jsonObject(with: stdout) as? [String: Any]
            #expect((json?["results"] as? [Any])?.isEmpty == false, "\(arguments)")
        }
    }

    @Test("the library clamps ef_search to pgvector's 1000 for every limit in range, dense and hybrid")
    func efSearchClamped() async throws {
        let fixture = try await SearchFixture.shared.value
        for limit in [334, 500, 1000] {
            for mode in [SearchMode.dense, .hybrid] {
                let response = try await fixture.service.search(
                    SearchRequest(query: "renewal", limit: limit, mode: mode))
                #expect(!response.results.isEmpty, "limit \(limit) \(mode)")
            }
        }
        #expect(SearchConfiguration.maxEfSearch == 1000)
    }

    // MARK: Hostile queries

    @Test(
        "a 10,000-term query answers 200 in every mode (the lexical leg looks up at most 128 distinct words)",
        arguments: SearchMode.allCases)
    func tenThousandTerms(mode: SearchMode) async throws {
        // 10,000 whitespace-separated terms within the 20,000-byte query limit: single letters and digits…
        let alphabet = Array("bcdefghjklmnopqrsuvwxyz0123456789")
        let single = (0..<10_000).map { String(alphabet[$0 % alphabet.count]) }.joined(separator: " ")
        // …and as many distinct words as fit (about 5,000 three-letter ones), each its own posting list.
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var words: [String] = []
        for a in letters { for b in letters { for c in letters { words.append(String([a, b, c])) } } }
        let distinct = "renewal discount " + words.prefix(4_990).joined(separator: " ")
        #expect(single.split(separator: " ").count == 10_000 && single.utf8.count <= 20_000)
        #expect(distinct.utf8.count <= 20_000)
        try await withServer { base, _ in
            for query in [single, distinct] {
                // Cost is measured by the benchmarks, not timed here (the suite runs in parallel on a small machine).
                let response = try await Self.search(base, ["query": query, "mode": mode.rawValue, "limit": 10])
                #expect(response.status == 200, "\(mode): \(Self.message(response))")
            }
        }
    }

    @Test("a query over the byte limit answers 400 naming the query, never 500")
    func overlongQuery() async throws {
        try await withServer { base, _ in
            let query = (0..<10_000).map { "term\($0)" }.joined(separator: " ")
            let response = try await Self.search(base, ["query": query])
            #expect(response.status == 400)
            #expect(Self.names(Self.message(response), "query"))
        }
    }

    // MARK: Statement timeout

    @Test("a session's statement_timeout comes from the configuration and is re-applied on every pooled connection")
    func statementTimeoutApplied() async throws {
        var configuration = try await TestDatabase.configuration()
        configuration.statementTimeoutMilliseconds = 250
        let pool = PostgresPool(configuration: configuration, maxConnections: 2, logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        let shown = try await pool.query("SHOW statement_timeout").first?.decode(String.self, column: 0)
        #expect(shown == "250ms")
        do {
            _ = try await pool.query("SELECT pg_sleep(5)")
            Issue.record("pg_sleep(5) outlived a 250 ms statement_timeout")
        } catch let error as PostgresError {
            #expect(error.sqlState == "57014")
        }
        // The connection is still usable, with the same setting.
        #expect(try await pool.query("SHOW statement_timeout").first?.decode(String.self, column: 0) == "250ms")
    }

    @Test("a statement past the timeout answers 503 JSON with Retry-After and a clear message, not 500")
    func statementTimeoutIs503() async throws {
        // A database of its own: the table lock below would stall every other suite's reads of the shared fixture.
        let url = try await TestDatabase.migratedDatabase()
        let owner = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 1, logger: TestDatabase.logger)
        defer { Task { await owner.close() } }
        let id = try await owner.query(
            "INSERT INTO public.documents (title, content) VALUES ('Timeout probe', to_jsonb('probe'::text)) RETURNING id"
        )[0].decode(UUID.self, column: 0)
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url, statementTimeoutMilliseconds: 300), maxConnections: 2,
            logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        let embedder = try await SearchFixture.embedderTask.value
        try await Fixtures.withServer(embedder: embedder, database: pool) { base in
            #expect(try await HTTPClient.shared.get(base + "/v1/sources/\(id)").status == 200)
            // Another session holds the table, so the route's statement waits past the timeout (SQLSTATE 57014).
            try await owner.withConnection { connection in
                try await connection.transaction { tx in
                    _ = try await tx.query("LOCK TABLE public.knowledge_sources IN ACCESS EXCLUSIVE MODE")
                    // The lock is held until the answer arrives: only the timeout can end the wait.
                    let response = try await HTTPClient.shared.get(base + "/v1/sources/\(id)", timeout: .seconds(60))
                    #expect(response.status == 503)
                    #expect(response.header("retry-after") != nil)
                    let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                    let error = json?["error"] as? [String: Any]
                    #expect(error?["code"] as? String == "statement_timeout")
                    #expect((error?["message"] as? String)?.contains("HQ_STATEMENT_TIMEOUT_MS") == true)
                    #expect(!String(decoding: response.body, as: UTF8.self).contains("Timeout probe"))
                }
            }
            // Not a database outage: the next request is served at once.
            #expect(try await HTTPClient.shared.get(base + "/v1/sources/\(id)").status == 200)
        }
    }
}
