import Foundation
import HQIndexing
import HQNet
import HQSearch
import HQServer
import HQStorage
import HQTestSupport
import Testing

/// Issue 9, SQL injection: classic payloads through every text and filter parameter of `POST /v1/search`, the
/// source routes, the `hq_search` / `hq_folder_id_by_path` RPCs and ingest (file and folder names). Each answer is
/// 200 or 400 (never 5xx), finds what the payload means as plain data, and the key tables' checksums and the
/// catalog (tables, functions, roles) are the same before and after.
@Suite("SQL injection through search, RPCs and ingest")
struct SQLInjectionTests {
    static let payloads = [
        "'; DROP TABLE public.documents; --",
        "' OR '1'='1",
        "\") OR 1=1 --",
        "x' UNION SELECT id::text, title FROM public.documents --",
        "$1", "$$; DELETE FROM public.knowledge_chunks; $$",
        "1); DELETE FROM public.knowledge_sources; --",
        "\\'; TRUNCATE public.knowledge_chunks CASCADE; --",
        "%' OR title LIKE '%", "_", "%",
        "{a,\"b\"}", "}\"{", "ARRAY['x'] || (SELECT array_agg(title) FROM public.documents)",
        "Sales/Playbooks'; DROP SCHEMA public CASCADE; --",
        "'; SELECT pg_sleep(10); --",
        "!&|:*()<-> \\\\ '' \"\"",
        "\u{2028}'\u{0007}--", "ïñjëçtïøñ' ; --",
    ]

    /// md5 over the key tables in a stable order, plus the catalog's counts.
    static func checksum(_ pool: PostgresPool) async throws -> String {
        let rows = try await pool.query(
            """
            SELECT concat_ws('|',
              (SELECT md5(coalesce(string_agg(d::text, ',' ORDER BY d.id), '')) FROM public.documents d),
              (SELECT md5(coalesce(string_agg(a::text, ',' ORDER BY a.id), '')) FROM public.assets a),
              (SELECT md5(coalesce(string_agg(f::text, ',' ORDER BY f.id), '')) FROM public.document_folders f),
              (SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY s.id), '')) FROM public.knowledge_sources s),
              (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM public.knowledge_chunks c),
              (SELECT md5(coalesce(string_agg(v.chunk_id::text || v.model || v.embedding::text, ',' ORDER BY v.chunk_id), ''))
                 FROM public.knowledge_chunk_vectors v),
              (SELECT md5(coalesce(string_agg(w::text, ','), '')) FROM public.workspace w),
              (SELECT count(*) FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace),
              (SELECT count(*) FROM pg_catalog.pg_proc WHERE pronamespace = 'public'::regnamespace),
              (SELECT count(*) FROM pg_catalog.pg_roles))
            """)
        return try rows[0].decode(String.self, column: 0)
    }

    @Test("payloads in query, tags, exclude tags, folder, type, asset types, source ids, dates and ids are plain data")
    func searchParameters() async throws {
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 4, logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        let embedder = try await SearchFixture.embedderTask.value
        let folder = try await pool.query("INSERT INTO public.document_folders (name) VALUES ('Sales') RETURNING id")[0]
            .decode(UUID.self, column: 0)
        for (i, title) in ["Renewal pricing", "Refund policy", "Shipping times"].enumerated() {
            try await pool.execute(
                """
                INSERT INTO public.documents (title, content, tags, folder_id)
                VALUES (\(title), to_jsonb(\("\(title): plain text number \(i) about customers.")::text), \(["t\(i)"]), \(folder))
                """)
        }
        // A document whose tag IS a payload: filtering by that exact string finds it and nothing else.
        let evil = Self.payloads[0]
        try await pool.execute(
            """
            INSERT INTO public.documents (title, content, tags) VALUES ('Evil tag', to_jsonb('tagged evil'::text), \([evil]))
            """)
        _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()
        let before = try await Self.checksum(pool)

        var configuration = ServerConfiguration()
        configuration.port = 0
        let server = ServerContext(
            configuration: configuration, embedder: embedder, database: pool, logger: TestDatabase.logger)
        let running = try await ServerApplication.start(server: server)
        defer { Task { await running.shutdown() } }
        func search(_ body: [String: Any]) async throws -> (status: Int, titles: [String]) {
            let response = try await HTTPClient.shared.postJSON(
                running.baseURL + "/v1/search", json: try JSONSerialization.data(withJSONObject: body))
            let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            let titles = (json?["results"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
            #expect(response.status == 200 || response.status == 400, "\(body): \(response.status)")
            #expect(json != nil, "\(body): JSON body")
            return (response.status, titles)
        }

        let clock = ContinuousClock()
        let started = clock.now
        for payload in Self.payloads {
            for mode in ["hybrid", "lexical", "dense"] {
                #expect(try await search(["query": payload, "mode": mode]).status == 200, "query \(mode)")
            }
            let tagged = try await search(["query": "customers", "tags": [payload]])
            #expect(tagged.status == 200)
            #expect(tagged.titles == (payload == evil ? ["Evil tag"] : []), "tags \(payload)")
            #expect(
                try await search(["query": "customers", "tags": [payload, "t0"], "tag_match": "all"]).titles.isEmpty)
            let excluded = try await search(["query": "customers", "exclude_tags": [payload], "limit": 50])
            #expect(Set(excluded.titles).isSuperset(of: ["Renewal pricing", "Refund policy", "Shipping times"]))
            let folder = try await search(["query": "customers", "folder": payload])
            #expect(folder.titles.isEmpty, "folder \(payload)")
            #expect(try await search(["query": "customers", "type": payload]).status == 400)
            #expect(try await search(["query": "customers", "asset_types": [payload]]).titles.isEmpty)
            #expect(try await search(["query": "customers", "source_ids": [payload]]).status == 400)
            #expect(try await search(["query": "customers", "updated_after": payload]).status == 400)
            #expect(try await search(["query": "customers", "mode": payload]).status == 400)
            #expect(try await search(["query": "customers", "tag_match": payload]).status == 400)
            let encoded = payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let source = try await HTTPClient.shared.get(running.baseURL + "/v1/sources/" + encoded)
            #expect(source.status == 404 || source.status == 400, "source id \(payload): \(source.status)")
            let sourceID = try await pool.query("SELECT id FROM public.knowledge_sources LIMIT 1")[0].decode(
                UUID.self, column: 0)
            let chunks = try await HTTPClient.shared.get(
                running.baseURL + "/v1/sources/\(sourceID.uuidString.lowercased())/chunks?query=" + encoded)
            #expect(chunks.status == 200, "chunks query \(payload)")
        }
        // pg_sleep never ran: the whole sweep is far below one 10 s sleep per payload.
        #expect(clock.now - started < .seconds(Self.payloads.count * 10))
        // The same folder is still found by its real name.
        #expect(try await search(["query": "customers", "folder": "Sales"]).titles.count == 3)

        // The SQL RPCs that PostgREST clients call take the same payloads as data.
        for payload in Self.payloads {
            let filter = try String(
                decoding: JSONSerialization.data(withJSONObject: [
                    "tags_any": [payload], "tags_none": [payload], "folder_path": payload, "asset_type": [payload],
                ]), as: UTF8.self)
            let rows = try await pool.query(
                "SELECT count(*) FROM public.hq_search(NULL, \(payload), 10, \(filter)::jsonb)")
            #expect(try rows[0].decode(Int64.self, column: 0) == 0)
            let text = try await pool.query("SELECT count(*) FROM public.hq_search(NULL, \(payload), 10, '{}'::jsonb)")
            _ = try text[0].decode(Int64.self, column: 0)
            let folder = try await pool.query("SELECT public.hq_folder_id_by_path('document', \(payload))")
            #expect(try folder[0].decode(UUID?.self, column: 0) == nil)
        }
        #expect(try await Self.checksum(pool) == before, "no table or catalog changed")
    }

    @Test("a NUL character in any text parameter answers 400 with a JSON error, not 500 (found by schemathesis)")
    func nulCharacters() async throws {
        let fixture = try await SearchFixture.shared.value
        var configuration = ServerConfiguration()
        configuration.port = 0
        let server = ServerContext(
            configuration: configuration, embedder: fixture.embedder, database: fixture.pool,
            logger: TestDatabase.logger)
        let running = try await ServerApplication.start(server: server)
        defer { Task { await running.shutdown() } }
        let nul = "a\u{0}b"
        let bodies: [[String: Any]] = [
            ["query": nul], ["query": "x", "tags": [nul]], ["query": "x", "exclude_tags": [nul]],
            ["query": "x", "folder": nul],
            ["query": "x", "asset_types": ["ok", nul]], ["query": nul, "mode": "lexical"],
        ]
        for body in bodies {
            let response = try await HTTPClient.shared.postJSON(
                running.baseURL + "/v1/search", json: try JSONSerialization.data(withJSONObject: body))
            #expect(response.status == 400, "\(body.keys.sorted())")
            #expect(String(decoding: response.body, as: UTF8.self).contains("NUL"))
        }
        let id = try #require(fixture.ids["Renewal pricing playbook"])
        let chunks = try await HTTPClient.shared.get(running.baseURL + "/v1/sources/\(id)/chunks?query=a%00b")
        #expect(chunks.status == 400)
    }

    @Test("ingest: file and folder names made of payloads become titles and folder names, nothing else")
    func ingestNames() async throws {
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 2, logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hq-inject-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let names = ["x'); DROP TABLE public.documents; --", "' OR '1'='1", "$$; DELETE FROM public.assets; $$"]
        let folder = root.appendingPathComponent("Sales'; DROP SCHEMA public CASCADE; --")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            try Data("# \(name)\n\nbody of \(name)".utf8).write(to: folder.appendingPathComponent(name + ".md"))
            try Data("a,b\n1,\(name)".utf8).write(to: folder.appendingPathComponent(name + ".csv"))
        }
        var options = Ingest.Options()
        options.tags = ["'; DROP TABLE public.tags; --"]
        let summary = try await Ingest(pool: pool, logger: TestDatabase.logger).ingest([root.path], options: options)
        #expect(summary.documentsCreated == 3 && summary.assetsCreated == 3)
        let titles = try await pool.query("SELECT title FROM public.documents ORDER BY title").map {
            try $0.decode(String.self, column: 0)
        }
        #expect(Set(titles) == Set(names))
        let tables = try await pool.query(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename IN ('documents', 'assets', 'tags')"
        )
        #expect(try tables[0].decode(Int64.self, column: 0) == 3)
        let paths = try await pool.query("SELECT DISTINCT folder_path FROM public.knowledge_sources")
        #expect(try paths.map { try $0.decode(String?.self, column: 0) } == ["Sales'; DROP SCHEMA public CASCADE; --"])
    }
}
