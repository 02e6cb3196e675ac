import Foundation
public import HQEmbedding
public import HQSearch
public import HQStorage
public import Logging

/// Assembles an agent's boot context: the documents tagged `boot:<slug>` or `boot:all` (case and surrounding
/// spaces of tags ignored), as markdown, within a token budget; optionally followed by the passages of other
/// knowledge most relevant to a query.
///
/// **Load order** (stable, documented in README): pinned documents first; then the agent's own (`boot:<slug>`,
/// more specific) before `boot:all`; then most recently updated first; then by id. Archived documents never load.
///
/// **Budget**: documents are taken in that order, each whole or not at all: one that does not fit in what is left is
/// listed in ``BootContext/omitted`` with its size, and later (smaller) ones may still fit. Nothing is truncated
/// and nothing is dropped silently. Tokens are counted with the embedding model's tokenizer.
///
/// **Related knowledge** (with a query): a hybrid search over everything not archived, minus the boot documents
/// already included; its passages, best first, fill what is left of the budget (those that do not fit are skipped:
/// related knowledge is best effort).
///
/// ```swift
/// let boot = BootService(pool: pool, search: SearchService(pool: pool, embedder: embedder, logger: logger),
///                        tokenCounter: embedder.tokenCounter, logger: logger)
/// let context = try await boot.context(BootRequest(slug: "scout", budgetTokens: 4_000, query: "pricing"))
/// print(context.markdown)
/// ```
public final class BootService: Sendable {
    let pool: PostgresPool
    let search: SearchService
    let counter: any TokenCounter
    let logger: Logger

    /// Creates a service.
    /// - Parameters:
    ///   - pool: connections to a migrated HQ database.
    ///   - search: the query service for related knowledge (its embedder is only used with a query).
    ///   - tokenCounter: the embedding model's token counter (``Embedder/tokenCounter``).
    ///   - logger: timings at `.debug`; never document or query text.
    public init(pool: PostgresPool, search: SearchService, tokenCounter: any TokenCounter, logger: Logger) {
        self.pool = pool
        self.search = search
        self.counter = tokenCounter
        self.logger = logger
    }

    /// Creates a service counting tokens with `embedder`'s ``Embedder/tokenCounter`` (exact for the native model, a
    /// conservative estimate for HTTP embedders).
    public convenience init(
        pool: PostgresPool, search: SearchService, countingWith embedder: (any Embedder)?, logger: Logger
    ) {
        self.init(pool: pool, search: search, tokenCounter: Self.tokenCounter(for: embedder), logger: logger)
    }

    /// `embedder`'s token counter; without an embedder, an estimate at or above WordPiece counts.
    public static func tokenCounter(for embedder: (any Embedder)?) -> any TokenCounter {
        embedder?.tokenCounter ?? ApproximateTokenCounter()
    }

    /// The boot context for `request`.
    /// - Throws: ``BootError`` (`invalidRequest`; `unknownAgent` with close slugs), ``SearchError`` or
    ///   `EmbeddingError` from the related search, `PostgresError`.
    public func context(_ request: BootRequest) async throws -> BootContext {
        try request.validate()
        let started = ContinuousClock.now
        let agent = try await findAgent(slug: request.slug)
        let candidates = try await bootDocuments(for: agent)

        var remaining = request.budgetTokens
        var documents: [BootDocument] = []
        var omitted: [OmittedBootDocument] = []
        for candidate in candidates {
            let markdown = Self.section(
                title: candidate.title, body: DocumentMarkdown.render(contentJSONB: candidate.content))
            let tokens = counter.tokenCount(of: markdown, limit: .max)
            if tokens <= remaining {
                remaining -= tokens
                documents.append(
                    BootDocument(
                        id: candidate.id, title: candidate.title, tags: candidate.tags, pinned: candidate.pinned,
                        scope: candidate.scope, updatedAt: candidate.updatedAt, tokens: tokens, markdown: markdown))
            } else {
                omitted.append(
                    OmittedBootDocument(
                        id: candidate.id, title: candidate.title, tags: candidate.tags, pinned: candidate.pinned,
                        scope: candidate.scope, updatedAt: candidate.updatedAt, tokens: tokens, reason: .overBudget))
            }
        }

        var related: [RelatedPassage] = []
        if let query = request.trimmedQuery, remaining > 0 {
            related = try await relatedPassages(
                query: query, excluding: Set(documents.map(\.id)), sources: request.relatedSources, budget: &remaining)
        }
        logger.debug(
            "boot context",
            metadata: [
                "documents": "\(documents.count)", "omitted": "\(omitted.count)", "related": "\(related.count)",
                "elapsed": "\(ContinuousClock.now - started)",
            ])
        return BootContext(
            agent: agent, budgetTokens: request.budgetTokens, usedTokens: request.budgetTokens - remaining,
            query: request.trimmedQuery, documents: documents, omitted: omitted, related: related)
    }

    /// A document's section: `# title`, a blank line, the body (just the heading when the body is empty).
    static func section(title: String, body: String) -> String {
        let heading = "# " + oneLine(title, placeholder: "(untitled)")
        return body.isEmpty ? heading : heading + "\n\n" + body
    }

    /// `text` on one line (newlines and tabs become spaces), or `placeholder` when blank.
    static func oneLine(_ text: String, placeholder: String) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        return flat.isEmpty ? placeholder : flat
    }

    // MARK: - Agents

    /// The agent with `slug`: exactly, else case-insensitively when that is unambiguous.
    /// - Throws: ``BootError`` `.unknownAgent` with the closest existing slugs.
    func findAgent(slug: String) async throws -> BootAgent {
        let wanted = slug.trimmingCharacters(in: .whitespaces)
        let rows = try await pool.query(
            """
            SELECT id::text, slug, name FROM public.agents
             WHERE lower(slug) = lower(\(wanted)::text)
             ORDER BY (slug = \(wanted)::text) DESC, slug
            """)
        let agents = try rows.map {
            BootAgent(
                id: try $0.decode(String.self, column: 0), slug: try $0.decode(String.self, column: 1),
                name: try $0.decode(String.self, column: 2))
        }
        if let exact = agents.first(where: { $0.slug == wanted }) { return exact }
        if agents.count == 1 { return agents[0] }
        let all = try await pool.query("SELECT slug FROM public.agents").map { try $0.decode(String.self, column: 0) }
        let suggestions = agents.isEmpty ? SlugSuggestions.closest(to: wanted, among: all) : agents.map(\.slug)
        throw BootError(.unknownAgent, "no agent with slug '\(wanted)'", suggestions: suggestions)
    }

    // MARK: - Documents

    /// A boot document as read, before rendering.
    struct Candidate: Sendable {
        var id: String
        var title: String
        var tags: [String]
        var pinned: Bool
        var scope: BootScope
        var updatedAt: Date
        var content: String?
    }

    /// The agent's boot documents, not archived, in load order.
    func bootDocuments(for agent: BootAgent) async throws -> [Candidate] {
        let agentTag = "boot:" + agent.slug.lowercased()
        let rows = try await pool.query(
            """
            SELECT id::text, title, tags, pinned, agent_scope, updated_at, content
              FROM (SELECT d.id, d.title, d.tags, coalesce(d.pinned, false) AS pinned, d.updated_at, d.content::text AS content,
                           EXISTS (SELECT 1 FROM unnest(d.tags) t WHERE lower(btrim(t)) = \(agentTag)::text) AS agent_scope
                      FROM public.documents d
                     WHERE d.archived_at IS NULL
                       AND EXISTS (SELECT 1 FROM unnest(d.tags) t WHERE lower(btrim(t)) IN ('boot:all', \(agentTag)::text))) b
             ORDER BY pinned DESC, agent_scope DESC, updated_at DESC, id
            """)
        return try rows.map { row in
            Candidate(
                id: try row.decode(String.self, column: 0), title: try row.decode(String.self, column: 1),
                tags: try row.decode([String].self, column: 2), pinned: try row.decode(Bool.self, column: 3),
                scope: try row.decode(Bool.self, column: 4) ? .agent : .all,
                updatedAt: try row.decode(Date.self, column: 5),
                content: try row.decode(String?.self, column: 6))
        }
    }
}
