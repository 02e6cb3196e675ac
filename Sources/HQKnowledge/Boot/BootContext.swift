public import Foundation

/// An agent's boot context: its `boot:<slug>` and `boot:all` documents as markdown, within a token budget.
///
/// Ids are lowercase UUID strings, as PostgreSQL prints them.
///
/// JSON (the stable schema of `hq boot --json` and `GET /v1/boot/{slug}`; every key always present, `null`
/// included, keys sorted):
/// ```
/// {"agent": {"id", "slug", "name"}, "budget_tokens", "used_tokens", "query",
///  "documents": [{"id", "title", "tags", "pinned", "scope", "updated_at", "tokens", "markdown"}],
///  "omitted":   [{"id", "title", "tags", "pinned", "scope", "updated_at", "tokens", "reason"}],
///  "related":   [{"source_id", "source_type", "id", "title", "folder_path", "section_path", "chunk_id",
///                 "score", "tokens", "markdown"}]}
/// ```
/// `documents` are in load order (see ``BootService``); `omitted` lists, in the same order, every boot document
/// that did not fit (`reason` `over_budget`), so none is ever dropped silently; `related` holds the passages of other
/// knowledge most relevant to `query` that still fit (empty without a query). `tokens` count the section exactly
/// as ``markdown`` renders it (the `# title` line and the body), in the embedding model's tokens;
/// `used_tokens` is the sum over `documents` and `related`.
public struct BootContext: Sendable, Hashable, Codable {
    /// The agent the context is for.
    public var agent: BootAgent
    /// The budget the context was assembled within.
    public var budgetTokens: Int
    /// Tokens of the documents and related passages included.
    public var usedTokens: Int
    /// The query related knowledge was searched with, if any.
    public var query: String?
    /// The boot documents included, in load order.
    public var documents: [BootDocument]
    /// The boot documents that did not fit, in load order.
    public var omitted: [OmittedBootDocument]
    /// Passages of other knowledge relevant to ``query``, best first.
    public var related: [RelatedPassage]

    /// Creates a context.
    public init(
        agent: BootAgent, budgetTokens: Int, usedTokens: Int, query: String?, documents: [BootDocument],
        omitted: [OmittedBootDocument], related: [RelatedPassage]
    ) {
        self.agent = agent
        self.budgetTokens = budgetTokens
        self.usedTokens = usedTokens
        self.query = query
        self.documents = documents
        self.omitted = omitted
        self.related = related
    }

    enum CodingKeys: String, CodingKey {
        case agent
        case budgetTokens = "budget_tokens"
        case usedTokens = "used_tokens"
        case query, documents, omitted, related
    }

    /// Encodes every key, `query: null` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agent, forKey: .agent)
        try c.encode(budgetTokens, forKey: .budgetTokens)
        try c.encode(usedTokens, forKey: .usedTokens)
        try c.encode(query, forKey: .query)
        try c.encode(documents, forKey: .documents)
        try c.encode(omitted, forKey: .omitted)
        try c.encode(related, forKey: .related)
    }
}

/// The agent a boot context is for (`agents` row).
public struct BootAgent: Sendable, Hashable, Codable {
    /// `agents.id`.
    public var id: String
    /// `agents.slug`.
    public var slug: String
    /// `agents.name`.
    public var name: String

    /// Creates an agent.
    public init(id: String, slug: String, name: String) {
        self.id = id
        self.slug = slug
        self.name = name
    }
}

/// Why a boot document is in an agent's context.
public enum BootScope: String, Sendable, Hashable, Codable {
    /// Tagged `boot:<slug>` for this agent.
    case agent
    /// Tagged `boot:all`.
    case all
}

/// A boot document loaded into the context.
public struct BootDocument: Sendable, Hashable, Codable {
    /// `documents.id`.
    public var id: String
    /// Title.
    public var title: String
    /// All of the document's tags.
    public var tags: [String]
    /// Pinned in HQ (pinned documents load first).
    public var pinned: Bool
    /// `agent` (tagged `boot:<slug>`, also when tagged `boot:all` too) or `all`.
    public var scope: BootScope
    /// When the document was last edited.
    public var updatedAt: Date
    /// Model tokens of the section (`# title`, blank line, body).
    public var tokens: Int
    /// The section as markdown: `# title`, a blank line, the body converted from TipTap.
    public var markdown: String

    /// Creates a document.
    public init(
        id: String, title: String, tags: [String], pinned: Bool, scope: BootScope, updatedAt: Date, tokens: Int,
        markdown: String
    ) {
        self.id = id
        self.title = title
        self.tags = tags
        self.pinned = pinned
        self.scope = scope
        self.updatedAt = updatedAt
        self.tokens = tokens
        self.markdown = markdown
    }

    enum CodingKeys: String, CodingKey {
        case id, title, tags, pinned, scope
        case updatedAt = "updated_at"
        case tokens, markdown
    }
}

/// A boot document that is not in the context, with the tokens it would have needed.
public struct OmittedBootDocument: Sendable, Hashable, Codable {
    /// Why a document was left out.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// Its section is larger than what was left of the budget.
        case overBudget = "over_budget"
    }

    /// `documents.id`.
    public var id: String
    /// Title.
    public var title: String
    /// All of the document's tags.
    public var tags: [String]
    /// Pinned in HQ.
    public var pinned: Bool
    /// `agent` or `all`.
    public var scope: BootScope
    /// When the document was last edited.
    public var updatedAt: Date
    /// Model tokens its section needs.
    public var tokens: Int
    /// Why it was left out.
    public var reason: Reason

    /// Creates an omission.
    public init(
        id: String, title: String, tags: [String], pinned: Bool, scope: BootScope, updatedAt: Date, tokens: Int,
        reason: Reason
    ) {
        self.id = id
        self.title = title
        self.tags = tags
        self.pinned = pinned
        self.scope = scope
        self.updatedAt = updatedAt
        self.tokens = tokens
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case id, title, tags, pinned, scope
        case updatedAt = "updated_at"
        case tokens, reason
    }
}

/// A passage of other knowledge relevant to the boot query.
public struct RelatedPassage: Sendable, Hashable, Codable {
    /// `knowledge_sources.id`.
    public var sourceID: String
    /// `document` or `asset`.
    public var sourceType: String
    /// The document's or asset's own id.
    public var id: String
    /// Title or name of the source.
    public var title: String
    /// Folder path of the source, nil at the root.
    public var folderPath: String?
    /// Headings above the passage, outermost first.
    public var sectionPath: [String]
    /// `knowledge_chunks.id`.
    public var chunkID: String
    /// The passage's search score.
    public var score: Double
    /// Model tokens of ``markdown``.
    public var tokens: Int
    /// `## title › section`, a blank line, the passage's text.
    public var markdown: String

    /// Creates a passage.
    public init(
        sourceID: String, sourceType: String, id: String, title: String, folderPath: String?, sectionPath: [String],
        chunkID: String, score: Double, tokens: Int, markdown: String
    ) {
        self.sourceID = sourceID
        self.sourceType = sourceType
        self.id = id
        self.title = title
        self.folderPath = folderPath
        self.sectionPath = sectionPath
        self.chunkID = chunkID
        self.score = score
        self.tokens = tokens
        self.markdown = markdown
    }

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case sourceType = "source_type"
        case id, title
        case folderPath = "folder_path"
        case sectionPath = "section_path"
        case chunkID = "chunk_id"
        case score, tokens, markdown
    }

    /// Encodes every key, `folder_path: null` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceID, forKey: .sourceID)
        try c.encode(sourceType, forKey: .sourceType)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(folderPath, forKey: .folderPath)
        try c.encode(sectionPath, forKey: .sectionPath)
        try c.encode(chunkID, forKey: .chunkID)
        try c.encode(score, forKey: .score)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(markdown, forKey: .markdown)
    }
}
