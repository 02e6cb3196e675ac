public import Foundation
public import HQEmbedding
public import HQIndexing
public import HQKnowledge
public import HQSearch
public import HQStorage
public import Logging

/// One migrated database with a small sales knowledge base indexed by the real indexer and model, an agent,
/// templates and a campaign; each test creates its own contact so versions never collide across tests.
public struct DraftSetFixture: Sendable {
    public let url: String
    public let pool: PostgresPool
    public let embedder: NativeEmbedder
    public let search: SearchService
    public let agentID: UUID
    /// Template ids by name.
    public let templates: [String: UUID]
    public let campaignID: UUID

    public static let shared = Task<DraftSetFixture, any Error> { try await make() }

    public func assembler(llm: LLMConfiguration? = nil) -> DraftSetAssembler {
        DraftSetAssembler(pool: pool, search: search, llm: llm, logger: TestDatabase.logger)
    }

    /// A contact at an organization with two interactions; returns its id.
    public func makeContact(
        name: String = "Ada Lovelace", company: String? = "Analytical Engines", title: String? = "Head of Operations",
        extended: String = #"{"favourite_bean": "Yirgacheffe", "team": {"size": 12}}"#, campaign: Bool = false
    ) async throws -> UUID {
        let contact = try await pool.query(
            """
            INSERT INTO public.contacts (name, company, title, email, extended, campaign_id, tags)
            VALUES (\(name), \(company), \(title), 'ada@example.com', \(extended)::jsonb,
                    \(campaign ? campaignID : nil), ARRAY['prospect'])
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        let organization = try await pool.query(
            """
            INSERT INTO public.organizations (name, website, industry, size, description, extended)
            VALUES ('Analytical Engines Ltd', 'https://engines.example', 'Hospitality', '50-200',
                    'A chain of cafés that serves specialty coffee across twelve locations', '{"hq_city": "London"}'::jsonb)
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        try await pool.execute(
            """
            INSERT INTO public.contact_organizations (contact_id, org_id, role, is_current, started_at)
            VALUES (\(contact), \(organization), 'Buyer', true, '2023-01-01')
            """)
        try await pool.execute(
            """
            INSERT INTO public.interactions (contact_id, org_id, type, direction, channel, subject, summary, occurred_at)
            VALUES (\(contact), \(organization), 'call', 'inbound', 'phone', 'Wholesale pricing question',
                    'Asked about wholesale pricing and delivery for their cafés', now() - interval '2 days'),
                   (\(contact), \(organization), 'email', 'outbound', 'email', 'Espresso machine maintenance',
                    'Shared how we descale espresso machines', now() - interval '9 days')
            """)
        return contact
    }

    private static func make() async throws -> DraftSetFixture {
        let url = try await TestDatabase.migratedDatabase()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 6, logger: TestDatabase.logger)
        let embedder = try await SearchFixture.embedderTask.value  // the model, loaded once per test process

        let sales = try await pool.query("INSERT INTO public.document_folders (name) VALUES ('Sales') RETURNING id")[0]
            .decode(UUID.self, column: 0)
        func document(_ title: String, _ text: String, tags: [String], folder: UUID?) async throws {
            try await pool.execute(
                """
                INSERT INTO public.documents (title, content, tags, folder_id)
                VALUES (\(title), to_jsonb(\(text)::text), \(tags)::text[], \(folder))
                """)
        }
        try await document(
            "Wholesale pricing",
            "# Wholesale\n\nCafés buying more than 20 kg a month get wholesale pricing at 18 euros per kilogram. "
                + "Delivery is free within the city every Tuesday and Friday.\n\n## Contracts\n\nAnnual contracts lock the price for twelve months.",
            tags: ["sales", "pricing"], folder: sales)
        try await document(
            "Case study: Bean There cafés",
            "Bean There, a chain of eight cafés, cut waste by 30 percent after switching to our weekly roast schedule. "
                + "Their baristas were trained in two half-day sessions.",
            tags: ["sales", "case-study"], folder: sales)
        try await document(
            "Espresso machine care",
            "Descale espresso machines every month with a citric acid solution. Backflush the group heads daily. "
                + "We service machines for wholesale customers at no charge.",
            tags: ["sales", "service"], folder: sales)
        try await document(
            "Cold outreach playbook",
            "Open with something specific about the prospect's cafés. Offer a free tasting box of three single origins. "
                + "Close with one clear question, such as a fifteen minute call next week.",
            tags: ["sales", "playbook"], folder: sales)
        try await document(
            "Roastery fire safety",
            "If the roaster catches fire, cut the gas, keep the drum closed and call the fire brigade.",
            tags: ["ops"], folder: nil)
        _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()

        let agent = try await pool.query(
            "INSERT INTO public.agents (name, slug) VALUES ('Outreach agent', 'outreach') RETURNING id")[0].decode(
                UUID.self, column: 0)
        var templates: [String: UUID] = [:]
        func template(
            _ name: String, channel: String?, stage: String?, subject: String?, body: String, meta: String = "{}"
        ) async throws {
            templates[name] = try await pool.query(
                """
                INSERT INTO public.templates (name, channel, stage, subject, body, angle, meta)
                VALUES (\(name), \(channel), \(stage), \(subject), \(body), 'tasting_offer', \(meta)::jsonb) RETURNING id
                """)[0].decode(UUID.self, column: 0)
        }
        try await template(
            "Intro email", channel: "email", stage: "intro", subject: "Coffee for {{company}}",
            body:
                "Hi {{first_name}},\n\nAs {{title}} at {{organization.name}} ({{organization.website}}), you look after "
                + "{{extended.team.size}} people. Your favourite bean is {{extended.favourite_bean}}, so we would love to "
                + "send you a tasting box.\n\nBest,\nThe roastery",
            meta: #"{"knowledge": {"tags": ["sales"]}}"#)
        try await template(
            "Follow up with budget", channel: "email", stage: "follow_up", subject: nil,
            body:
                "Hi {{name}}, following up on your budget of {{extended.budget}} for {{company}}. {{extended.owner | our team}} will call."
        )
        try await template(
            "Any channel intro", channel: nil, stage: "intro", subject: nil,
            body: "Hello {{name | there}} from {{campaign.name}}.")
        let campaign = try await pool.query(
            """
            INSERT INTO public.campaigns (name, channel, meta)
            VALUES ('Autumn cafés', 'linkedin', '{"knowledge": {"tags": ["ops"]}}'::jsonb) RETURNING id
            """)[0].decode(UUID.self, column: 0)
        let search = SearchService(pool: pool, embedder: embedder, logger: TestDatabase.logger)
        return DraftSetFixture(
            url: url, pool: pool, embedder: embedder, search: search, agentID: agent, templates: templates,
            campaignID: campaign)
    }
}
