public import Foundation
public import HQEmbedding
public import HQIndexing
public import HQKnowledge
public import HQSearch
public import HQStorage
public import Logging

/// One migrated database with agents and boot documents (every content form HQ stores), indexed by the real
/// indexer and the real model, shared by the boot suites (built once per test process).
public struct BootFixture: Sendable {
    public let url: String
    public let pool: PostgresPool
    public let embedder: NativeEmbedder
    public let service: BootService
    /// Document ids by title.
    public let ids: [String: String]

    public static let shared = Task<BootFixture, any Error> { try await make() }

    /// Scout's boot documents in the documented load order: pinned first, then boot:scout before boot:all, then
    /// updated_at descending, then id (the two "Tie" documents share updated_at; `make` orders them by id).
    public static let scoutOrder = [
        "Company values", "Huge manual", "Scout handbook", "Scout and all", "Team directory", "Style guide", "Tie",
        "Tie",
    ]

    /// The scout handbook as the UI writes it: TipTap JSON stringified into a jsonb string.
    public static let handbook = #"""
        {"type":"doc","content":[
          {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Duties"}]},
          {"type":"paragraph","content":[{"type":"text","text":"Find "},{"type":"text","marks":[{"type":"bold"}],"text":"qualified"},
            {"type":"text","text":" leads and log them in the CRM."}]},
          {"type":"taskList","content":[
            {"type":"taskItem","attrs":{"checked":true},"content":[{"type":"paragraph","content":[{"type":"text","text":"read the values"}]}]},
            {"type":"taskItem","attrs":{"checked":false},"content":[{"type":"paragraph","content":[{"type":"text","text":"ping @closer"}]}]}]},
          {"type":"codeBlock","attrs":{"language":"sql"},"content":[{"type":"text","text":"SELECT * FROM contacts;"}]}]}
        """#

    private static func make() async throws -> BootFixture {
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 4, logger: TestDatabase.logger)
        let embedder = try await SearchFixture.embedderTask.value  // the model, loaded once per test process

        for (slug, name) in [("scout", "Scout"), ("closer", "Closer"), ("research-lead", "Research Lead")] {
            try await pool.execute("INSERT INTO public.agents (slug, name) VALUES (\(slug), \(name))")
        }
        var ids: [String: String] = [:]
        /// `content` is the jsonb value's JSON text.
        func document(
            _ title: String, content: String?, tags: [String], pinned: Bool = false, updated: String,
            archived: Bool = false
        ) async throws -> String {
            let rows = try await pool.query(
                """
                INSERT INTO public.documents (title, content, tags, pinned, updated_at, archived_at)
                VALUES (\(title), \(content)::jsonb, \(tags)::text[], \(pinned), \(updated)::timestamptz,
                        CASE WHEN \(archived) THEN now() END)
                RETURNING id::text
                """)
            let id = try rows[0].decode(String.self, column: 0)
            ids[title] = id
            return id
        }
        func jsonString(_ text: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
                .description
        }

        _ = try await document(
            "Company values", content: jsonString("We are **honest** and kind."), tags: ["boot:all"], pinned: true,
            updated: "2025-01-01")
        _ = try await document(
            "Scout handbook", content: jsonString(handbook), tags: ["boot:scout", "sales"], updated: "2025-03-01")
        let manual = (1...400).map { "Step \($0): check the lead's website, company size and recent funding news." }
            .joined(separator: " ")
        _ = try await document("Huge manual", content: jsonString(manual), tags: ["boot:scout"], updated: "2025-05-01")
        _ = try await document(
            "Scout and all",
            content:
                #"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"Both tags."}]}]}"#,
            tags: ["boot:all", "boot:scout"], updated: "2024-12-01")
        _ = try await document(
            "Team directory", content: jsonString("- Scout finds leads\n- Closer closes"), tags: ["boot:all"],
            updated: "2025-04-01")
        _ = try await document("Style guide", content: nil, tags: [" Boot:All"], updated: "2025-02-01")
        let tieA = try await document(
            "Tie", content: jsonString("first tie"), tags: ["boot:all"], updated: "2024-06-01")
        ids["Tie A"] = tieA
        let tieB = try await document(
            "Tie", content: jsonString("second tie"), tags: ["boot:all"], updated: "2024-06-01")
        ids["Tie B"] = tieB
        _ = try await document(
            "Closer playbook", content: jsonString("Close deals."), tags: ["boot:closer"], updated: "2025-06-01")
        _ = try await document(
            "Archived boot doc", content: jsonString("Old rules."), tags: ["boot:all"], pinned: true,
            updated: "2025-06-01", archived: true)
        _ = try await document(
            "Bootstrapping notes", content: jsonString("Not a boot tag."), tags: ["bootstrap", "boot"],
            updated: "2025-06-01")
        _ = try await document(
            "Renewal pricing playbook",
            content: jsonString(
                "# Renewals\n\nWhen a customer renews their subscription, offer a multi-year discount of ten percent. "
                    + "Annual prepayment earns an extra two percent off the list price."),
            tags: ["sales", "pricing"], updated: "2025-03-01")
        _ = try await document(
            "Kubernetes runbook",
            content: jsonString("Deploy services with kubectl apply; roll back with kubectl rollout undo."),
            tags: ["eng"], updated: "2024-06-01")

        _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()
        let search = SearchService(pool: pool, embedder: embedder, logger: TestDatabase.logger)
        let service = BootService(
            pool: pool, search: search, tokenCounter: embedder.tokenizer, logger: TestDatabase.logger)
        return BootFixture(url: url, pool: pool, embedder: embedder, service: service, ids: ids)
    }
}
