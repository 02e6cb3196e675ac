import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport

/// A migrated database with a small knowledge base indexed by the real indexer and the real model,
/// built once per test process.
struct KnowledgeFixture: Sendable {
    let url: String
    /// Document/asset ids by title.
    let ids: [String: String]

    static let shared = Task<KnowledgeFixture, any Error> { try await make() }

    static let modelDirectory = TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2"

    private static func make() async throws -> KnowledgeFixture {
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 2, logger: TestDatabase.logger)
        let embedder = try NativeEmbedder(
            modelDirectory: URL(fileURLWithPath: modelDirectory), logger: TestDatabase.logger)

        func folder(_ name: String, parent: String?) async throws -> String {
            let rows = try await pool.query(
                "INSERT INTO public.document_folders (name, parent_id) VALUES (\(name), \(parent)::uuid) RETURNING id")
            return try rows[0].decode(UUID.self, column: 0).uuidString.lowercased()
        }
        let operations = try await folder("Operations", parent: nil)
        let safety = try await folder("Safety", parent: operations)
        let sales = try await folder("Sales", parent: nil)

        var ids: [String: String] = [:]
        func document(_ title: String, _ text: String, folder: String?, tags: [String]) async throws {
            let rows = try await pool.query(
                """
                INSERT INTO public.documents (title, content, folder_id, tags)
                VALUES (\(title), to_jsonb(\(text)::text), \(folder)::uuid, \(tags)::text[]) RETURNING id
                """)
            ids[title] = try rows[0].decode(UUID.self, column: 0).uuidString.lowercased()
        }
        try await document(
            "Roaster fire procedure",
            "# Fire in the roaster\n\nIf the roaster catches fire, switch off the gas and the main fan, keep the drum "
                + "door closed and let the fire starve of air. Never open the cooling tray while flames are visible.\n\n"
                + "## After the fire\n\nCall the fire service if smoke keeps coming after five minutes. Discard the "
                + "batch, vacuum the chaff collector and log the incident in the maintenance book.",
            folder: safety, tags: ["sop", "safety"])
        try await document(
            "Wholesale pricing",
            "Cafés buying more than twenty kilograms a month get a fifteen percent wholesale discount. Prices are "
                + "reviewed every quarter against the green coffee market.",
            folder: sales, tags: ["sales", "pricing"])
        try await document(
            "Espresso recipe",
            "Dose eighteen grams, yield thirty-six grams in twenty-eight seconds at ninety-three degrees.",
            folder: nil, tags: ["coffee"])

        // Boot context of agent "roaster", and a contact with a template for draft sets.
        try await pool.execute("INSERT INTO public.agents (name, slug) VALUES ('Roaster agent', 'roaster')")
        try await document(
            "House rules", "Answer customers within one business day. Sign emails as the Roastery team.",
            folder: nil, tags: ["boot:all"])
        try await document(
            "Roasting log duties", "Record every batch with its green lot number, charge temperature and drop time.",
            folder: nil, tags: ["boot:roaster"])
        let contact = try await pool.query(
            """
            INSERT INTO public.contacts (name, company, title) VALUES ('Ada Lovelace', 'Analytical Café', 'Owner')
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        ids["contact"] = contact.uuidString.lowercased()
        try await pool.execute(
            """
            INSERT INTO public.templates (name, channel, stage, subject, body)
            VALUES ('Wholesale intro', 'email', 'intro', 'Coffee for {{company}}',
                    'Hi {{name}}, as the {{title}} of {{company}} you may like our wholesale terms.')
            """)

        _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()
        await pool.close()
        return KnowledgeFixture(url: url, ids: ids)
    }
}
