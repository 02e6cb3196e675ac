import Foundation

/// What boot context to assemble: for which agent, within which budget, with which related knowledge.
public struct BootRequest: Sendable, Hashable {
    /// The budget when none is given, in model tokens.
    public static let defaultBudgetTokens = 8_000
    /// The largest budget accepted.
    public static let maxBudgetTokens = 1_000_000
    /// The longest query accepted, in UTF-8 bytes (as `hq search`).
    public static let maxQueryBytes = 20_000

    /// The agent's slug (`agents.slug`).
    public var slug: String
    /// Most model tokens of documents and related passages together (1…``maxBudgetTokens``).
    public var budgetTokens: Int
    /// Appends the passages of other knowledge most relevant to this query that still fit; nil or blank: none.
    public var query: String?
    /// How many sources the related search considers (1…100).
    public var relatedSources: Int

    /// Creates a request.
    public init(
        slug: String, budgetTokens: Int = BootRequest.defaultBudgetTokens, query: String? = nil,
        relatedSources: Int = 10
    ) {
        self.slug = slug
        self.budgetTokens = budgetTokens
        self.query = query
        self.relatedSources = relatedSources
    }

    /// The query trimmed, nil when blank.
    var trimmedQuery: String? {
        guard let query else { return nil }
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Checks every parameter.
    /// - Throws: ``BootError`` `.invalidRequest` naming the parameter.
    public func validate() throws(BootError) {
        guard !slug.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BootError(.invalidRequest, "the agent slug must not be empty")
        }
        guard slug.utf8.count <= 200 else {
            throw BootError(.invalidRequest, "the agent slug is longer than 200 bytes")
        }
        guard (1...Self.maxBudgetTokens).contains(budgetTokens) else {
            throw BootError(.invalidRequest, "budget_tokens must be between 1 and \(Self.maxBudgetTokens)")
        }
        guard (query?.utf8.count ?? 0) <= Self.maxQueryBytes else {
            throw BootError(.invalidRequest, "query longer than \(Self.maxQueryBytes) bytes")
        }
        guard (1...100).contains(relatedSources) else {
            throw BootError(.invalidRequest, "related sources must be between 1 and 100")
        }
    }
}
