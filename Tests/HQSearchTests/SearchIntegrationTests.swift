import Foundation
import HQSearch
import HQStorage
import HQTestSupport
import Testing

@Suite("Search pipeline on a real database and model", .serialized)
struct SearchIntegrationTests {
    let fixture: SearchFixture

    init() async throws { fixture = try await SearchFixture.shared.value }

    @Test("a long natural-language question finds the answer first in every mode", arguments: SearchMode.allCases)
    func longQuestion(mode: SearchMode) async throws {
        let titles = try await fixture.search(
            "what discount should we offer a customer who wants to renew their subscription for several years?",
            mode: mode)
        #expect(titles.first == "Renewal pricing playbook")
    }

    @Test("archived content never appears, in any mode or when listing", arguments: SearchMode.allCases)
    func archivedNeverReturned(mode: SearchMode) async throws {
        let titles = try await fixture.search("old pricing fifty percent renewal discount notes", mode: mode, limit: 50)
        #expect(!titles.contains("Archived pricing notes"))
        #expect(!(try await fixture.search("", limit: 50)).contains("Archived pricing notes"))
    }

    @Test("nearest chunks to a vector: exact cosine order, filters applied, wrong dimensions refused")
    func nearestChunks() async throws {
        let vector = try await fixture.embedder.embed(["renewal discount for multi-year contracts"])[0]
        let all = try await fixture.service.nearestChunks(to: vector, limit: 5)
        #expect(all.count == 5)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.cosine >= $1.cosine })
        // The same ranking as an exact scan of every vector.
        let exact = try await fixture.pool.query(
            """
            SELECT v.chunk_id FROM public.knowledge_chunk_vectors v
             WHERE v.model = public.hq_live_embedding_model() AND NOT v.archived
             ORDER BY v.embedding OPERATOR(extensions.<=>) \(PostgresVector(vector))::extensions.vector LIMIT 5
            """
        ).map { try $0.decode(UUID.self, column: 0) }
        #expect(all.map(\.chunkID) == exact)
        var filter = SearchFilter()
        filter.tags = ["ops"]
        let ops = try await fixture.service.nearestChunks(to: vector, filter: filter, limit: 50)
        let opsSources = try await fixture.pool.query(
            """
            SELECT id FROM public.knowledge_sources WHERE 'ops' = ANY (tags) AND archived_at IS NULL
            """
        ).map { try $0.decode(UUID.self, column: 0) }
        #expect(!ops.isEmpty && Set(ops.map(\.sourceID)).isSubset(of: Set(opsSources)))
        await #expect(throws: SearchError.self) { _ = try await fixture.service.nearestChunks(to: [1, 2, 3]) }
        await #expect(throws: SearchError.self) { _ = try await fixture.service.nearestChunks(to: vector, limit: 0) }
    }

    @Test("tag filters: any, all, none")
    func tagFilters() async throws {
        let any = try await fixture.search("pricing", limit: 50) { $0.tags = ["pricing", "ops"] }
        #expect(Set(any) == ["Renewal pricing playbook", "Enterprise price sheet", "Kubernetes deployment runbook"])
        let all = try await fixture.search("pricing", limit: 50) {
            $0.tags = ["sales", "pricing"]
            $0.tagMatch = .all
        }
        #expect(all == ["Renewal pricing playbook"])
        let none = try await fixture.search("pricing", limit: 50) { $0.excludedTags = ["pricing", "sales"] }
        #expect(!none.isEmpty && !none.contains("Renewal pricing playbook") && !none.contains("Enterprise price sheet"))
    }

    @Test("folder filter includes nested folders, by path or by id")
    func folderFilters() async throws {
        let byPath = try await fixture.search("emails", limit: 50) { $0.folder = "Sales" }
        #expect(Set(byPath) == ["Renewal pricing playbook", "Cold outreach guide"])
        let deep = try await fixture.search("emails", limit: 50) { $0.folder = "sales/playbooks/deep/" }
        #expect(deep == ["Cold outreach guide"])
        let byID = try await fixture.search("logo", limit: 50) { $0.folder = fixture.folders["Marketing"] }
        #expect(byID == ["Brand guidelines"])
        await #expect(throws: SearchError.self) { _ = try await fixture.search("x") { $0.folder = "Sales/Nope" } }
    }

    @Test("type, asset type, pinned, updated and source filters alone")
    func otherFilters() async throws {
        #expect(
            Set(try await fixture.search("price", limit: 50) { $0.sourceType = .asset }) == [
                "Brand guidelines", "Enterprise price sheet",
            ])
        #expect(try await fixture.search("price", limit: 50) { $0.assetTypes = ["image"] } == ["Brand guidelines"])
        #expect(try await fixture.search("price", limit: 50) { $0.pinned = true } == ["Renewal pricing playbook"])
        let after = try await fixture.search("guide", limit: 50) {
            $0.updatedAfter = ISO8601DateFormatter().date(from: "2025-01-15T00:00:00Z")
            $0.sourceType = .document
        }
        #expect(Set(after) == ["Renewal pricing playbook", "Cold outreach guide"])
        let before = try await fixture.search("guide", limit: 50) {
            $0.updatedBefore = ISO8601DateFormatter().date(from: "2024-03-01T00:00:00Z")
            $0.sourceType = .document
        }
        #expect(Set(before) == ["Café menu", "Quoting guide"])
        let source = try await fixture.search("anything at all", limit: 50) {
            $0.sourceIDs = [UUID(uuidString: fixture.ids["Café menu"]!)!]
        }
        #expect(source == ["Café menu"])
    }

    @Test("combined filters and a filter that matches nothing")
    func combinedAndEmpty() async throws {
        let combined = try await fixture.search("discount", limit: 50) {
            $0.tags = ["sales"]
            $0.folder = "Sales/Playbooks"
            $0.sourceType = .document
            $0.excludedTags = ["outreach"]
            $0.pinned = true
        }
        #expect(combined == ["Renewal pricing playbook"])
        for mode in SearchMode.allCases {
            #expect(try await fixture.search("discount", mode: mode) { $0.tags = ["no-such-tag"] }.isEmpty)
        }
        #expect(try await fixture.search("") { $0.tags = ["no-such-tag"] }.isEmpty)
    }

    @Test("a query of only stop words still answers in hybrid and is empty in lexical mode")
    func stopWords() async throws {
        #expect(!(try await fixture.search("the of and a to", mode: .hybrid)).isEmpty)
        #expect(try await fixture.search("the of and a to", mode: .lexical).isEmpty)
    }

    @Test("quotes and SQL metacharacters in queries and tags are plain data")
    func metacharacters() async throws {
        for query in ["'; DROP TABLE documents; --", "O'Brien \"double quotes\"", "100% _ \\ $1 :: ||"] {
            _ = try await fixture.search(query)
        }
        #expect(try await fixture.search("O'Brien's apostrophes", mode: .lexical).first == "Quoting guide")
        #expect(try await fixture.search("quotes") { $0.tags = [SearchFixture.sqlTag] } == ["Quoting guide"])
        let count = try await fixture.pool.query("SELECT count(*) FROM public.documents").first!.decode(
            Int.self, column: 0)
        #expect(count == 6)
    }

    @Test("unicode text and tags")
    func unicode() async throws {
        #expect(try await fixture.search("crème brûlée", mode: .lexical).first == "Café menu")
        #expect(try await fixture.search("dessert at the Zürich office").first == "Café menu")
        #expect(try await fixture.search("café") { $0.tags = ["naïve"] } == ["Café menu"])
    }

    @Test("an empty query lists pinned first, then most recent")
    func listing() async throws {
        let titles = try await fixture.search("", limit: 3) { $0.sourceType = .document }
        #expect(titles == ["Renewal pricing playbook", "Cold outreach guide", "Kubernetes deployment runbook"])
    }

    @Test("answers carry snippets with marks, offsets, explain scores")
    func answerShape() async throws {
        let response = try await fixture.service.search(SearchRequest(query: "kubectl rollout undo", explain: true))
        let top = try #require(response.results.first)
        #expect(top.title == "Kubernetes deployment runbook")
        #expect(top.folderPath == "Engineering" && top.tags == ["eng", "ops"])
        let chunk = try #require(top.chunks.first)
        #expect(chunk.snippet.contains("<mark>kubectl</mark>"))
        #expect(chunk.charStart != nil && chunk.charEnd != nil)
        let explain = try #require(chunk.explain)
        #expect(explain.cosine != nil && explain.bm25 != nil && explain.lexicalRank == 1)
        #expect(response.stagesMilliseconds?["dense"] != nil)
    }

    @Test("MMR and bad parameters")
    func mmrAndValidation() async throws {
        let diverse = try await fixture.service.search(SearchRequest(query: "pricing discount", mmrLambda: 0.5))
        #expect(!diverse.results.isEmpty)
        await #expect(throws: SearchError.self) {
            _ = try await fixture.service.search(SearchRequest(query: "x", limit: 0))
        }
        await #expect(throws: SearchError.self) {
            _ = try await fixture.service.search(SearchRequest(query: "x", mmrLambda: 2))
        }
    }

    @Test("show a source by document id, and its chunks ranked against a query")
    func showAndChunks() async throws {
        let id = fixture.ids["Renewal pricing playbook"]!
        let detail = try await fixture.service.source(id: id)
        #expect(detail.title == "Renewal pricing playbook" && detail.pinned && detail.status == "indexed")
        #expect(detail.chunks.map(\.chunkIndex) == Array(0..<detail.chunks.count) && !detail.chunks.isEmpty)
        let ranked = try await fixture.service.chunks(
            sourceID: detail.sourceID.uuidString, query: "buyer objections about price")
        #expect(!ranked.chunks.isEmpty)
        await #expect(throws: SearchError.self) { _ = try await fixture.service.source(id: UUID().uuidString) }
    }

    @Test("the SQL RPCs answer for PostgREST clients")
    func sqlRPCs() async throws {
        let rows = try await fixture.pool.query("SELECT title FROM public.hq_bm25_search(\("renewal discount"), 5)")
        #expect(try rows.first?.decode(String.self, column: 0) == "Renewal pricing playbook")

        // hq_search's lexical leg is the same BM25: text only, its scores and order are hq_bm25_search's.
        let bm25 = try await fixture.pool.query(
            """
            SELECT chunk_id, score FROM public.hq_bm25_search(\("renewal discount for multi-year customers"), 8)
            """
        ).map { try $0.decode((UUID, Double).self) }
        let lexical = try await fixture.pool.query(
            """
            SELECT chunk_id, lexical_score, lexical_rank FROM public.hq_search(NULL, \("renewal discount for multi-year customers"), 8)
            """
        ).map { try $0.decode((UUID, Double, Int).self) }
        #expect(!bm25.isEmpty)
        #expect(lexical.map(\.0) == bm25.map(\.0))
        #expect(zip(lexical, bm25).allSatisfy { abs($0.1 - $1.1) < 1e-9 })
        #expect(lexical.map(\.2) == Array(1...lexical.count))

        // Hybrid through the RPC: both legs rank the playbook first; filters apply to both legs.
        let vector = try await fixture.embedder.embed(["renewal discount for multi-year customers"])[0]
        let hybrid = try await fixture.pool.query(
            """
            SELECT title, dense_rank, lexical_rank FROM public.hq_search(\(PostgresVector(vector))::extensions.vector,
                   \("renewal discount for multi-year customers"), 5, \(PostgresJSONB(#"{"tags_none": ["sales"]}"#)))
            """
        ).map { try $0.decode((String, Int?, Int?).self) }
        #expect(!hybrid.isEmpty && !hybrid.map(\.0).contains("Renewal pricing playbook"))
        let unfiltered = try await fixture.pool.query(
            """
            SELECT title, dense_rank, lexical_rank FROM public.hq_search(\(PostgresVector(vector))::extensions.vector,
                   \("renewal discount for multi-year customers"), 5)
            """
        ).map { try $0.decode((String, Int?, Int?).self) }
        #expect(unfiltered.first?.0 == "Renewal pricing playbook")
        #expect(unfiltered.first?.1 != nil && unfiltered.first?.2 != nil)
    }
}
