public import Foundation
public import HQEmbedding
public import HQIndexing
public import HQSearch
public import HQStorage
public import Logging

/// One migrated database with a small, known knowledge base indexed by the real indexer and the
/// real model, shared by the integration suites (built once per test process).
public struct SearchFixture: Sendable {
    public let url: String
    public let pool: PostgresPool
    public let embedder: NativeEmbedder
    public let service: SearchService
    /// Document/asset ids by title.
    public let ids: [String: String]
    /// Folder ids by path.
    public let folders: [String: String]

    public static let shared = Task<SearchFixture, any Error> { try await make() }

    public static let embedderTask = Task<NativeEmbedder, any Error> {
        try NativeEmbedder(
            modelDirectory: URL(fileURLWithPath: TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2"),
            logger: TestDatabase.logger)
    }

    public static let sqlTag = "a'b\"; DROP TABLE documents;--"

    /// Resolves `SearchResult.entityID`s to titles for readable expectations.
    public func titles(_ response: SearchResponse) -> [String] {
        response.results.map(\.title)
    }

    public func search(
        _ query: String, mode: SearchMode = .hybrid, limit: Int = 10,
        _ configure: (inout SearchFilter) -> Void = { _ in }
    ) async throws -> [String] {
        var filter = SearchFilter()
        configure(&filter)
        return titles(try await service.search(SearchRequest(query: query, filter: filter, limit: limit, mode: mode)))
    }

    private static func make() async throws -> SearchFixture {
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 4, logger: TestDatabase.logger)
        let embedder = try await embedderTask.value

        func folder(_ table: String, _ name: String, parent: String?) async throws -> String {
            let rows = try await pool.query(
                "INSERT INTO public.\(unescaped: table) (name, parent_id) VALUES (\(name), \(parent)::uuid) RETURNING id"
            )
            return try rows[0].decode(UUID.self, column: 0).uuidString.lowercased()
        }
        var folders: [String: String] = [:]
        folders["Sales"] = try await folder("document_folders", "Sales", parent: nil)
        folders["Sales/Playbooks"] = try await folder("document_folders", "Playbooks", parent: folders["Sales"])
        folders["Sales/Playbooks/Deep"] = try await folder(
            "document_folders", "Deep", parent: folders["Sales/Playbooks"])
        folders["Engineering"] = try await folder("document_folders", "Engineering", parent: nil)
        folders["Marketing"] = try await folder("asset_folders", "Marketing", parent: nil)

        var ids: [String: String] = [:]
        func document(
            _ title: String, _ text: String, folder: String?, tags: [String], pinned: Bool = false,
            updated: String = "2025-01-01"
        ) async throws {
            let rows = try await pool.query(
                """
                INSERT INTO public.documents (title, content, folder_id, tags, pinned)
                VALUES (\(title), to_jsonb(\(text)::text), \(folder)::uuid, \(tags)::text[], \(pinned)) RETURNING id
                """)
            let id = try rows[0].decode(UUID.self, column: 0).uuidString.lowercased()
            ids[title] = id
            try await pool.execute(
                "UPDATE public.knowledge_sources SET source_updated_at = \(updated)::timestamptz WHERE document_id = \(id)::uuid"
            )
        }
        func asset(_ name: String, _ description: String, type: String, folder: String?, tags: [String]) async throws {
            let rows = try await pool.query(
                """
                INSERT INTO public.assets (name, description, content, type, folder_id, tags)
                VALUES (\(name), \(description), \(description), \(type)::public.asset_type, \(folder)::uuid, \(tags)::text[]) RETURNING id
                """)
            ids[name] = try rows[0].decode(UUID.self, column: 0).uuidString.lowercased()
        }

        try await document(
            "Renewal pricing playbook",
            "# Renewals\n\nWhen a customer renews their subscription, offer a multi-year discount of ten percent. "
                + "Annual prepayment earns an extra two percent off the list price.\n\n## Objections\n\nIf the buyer says the price is too high, "
                + "walk through the return on investment before conceding anything.",
            folder: folders["Sales/Playbooks"], tags: ["sales", "pricing"], pinned: true, updated: "2025-03-01")
        try await document(
            "Cold outreach guide",
            "Write short cold emails: one sentence about the prospect, one about the problem, one clear call to action. "
                + "Follow up three times over two weeks.",
            folder: folders["Sales/Playbooks/Deep"], tags: ["sales", "outreach"], updated: "2025-02-01")
        try await document(
            "Kubernetes deployment runbook",
            "Deploy services with kubectl apply. Roll back a failed deployment with kubectl rollout undo. "
                + "Check pod logs when containers crash in a loop.",
            folder: folders["Engineering"], tags: ["eng", "ops"], updated: "2024-06-01")
        try await document(
            "Café menu",
            "Crème brûlée and café au lait are served at the Zürich office every Friday. Smørrebrød on Mondays.",
            folder: nil, tags: ["naïve", "food"], updated: "2024-01-01")
        try await document(
            "Quoting guide",
            "Quotes with \"double quotes\" and O'Brien's apostrophes; semicolons; -- dashes and 100% percent signs.",
            folder: nil, tags: [sqlTag], updated: "2024-02-01")
        try await document(
            "Archived pricing notes",
            "Old pricing: renewal discount of fifty percent for every customer who renews a subscription.",
            folder: folders["Sales"], tags: ["sales", "pricing"], updated: "2025-04-01")
        try await asset(
            "Brand guidelines", "Logo colours, typography and spacing rules for the brand.", type: "image",
            folder: folders["Marketing"], tags: ["marketing"])
        try await asset(
            "Enterprise price sheet", "The enterprise plan costs forty dollars per seat per month, billed annually.",
            type: "document", folder: nil, tags: ["pricing"])

        _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()
        try await pool.execute(
            "UPDATE public.documents SET archived_at = now() WHERE id = \(ids["Archived pricing notes"]!)::uuid")
        let service = SearchService(pool: pool, embedder: embedder, logger: TestDatabase.logger)
        return SearchFixture(url: url, pool: pool, embedder: embedder, service: service, ids: ids, folders: folders)
    }
}
