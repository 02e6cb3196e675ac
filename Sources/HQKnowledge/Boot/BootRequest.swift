import Foundation
import HQCore

/// What boot context to assemble: for which agent, within which budget, with which related knowledge.
public struct BootRequest: Sendable, Hashable {
    /// The budget when none is given, in model tokens.
    public static let defaultBudgetTokens = 8_000
    /// The largest budget accepted.
    public static let maxBudgetTokens = 1_000_000
    /// The longest query accepted, in UTF-8 bytes (as `hq search`).
    public static let maxQueryBytes = 20_000
    /// The longest slug accepted, in UTF-8 bytes.
    public static let maxSlugBytes = 200

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
    /// - Throws: ``BootError`` `.invalidRequest` naming the parameter as on the wire.
    public func validate() throws(BootError) {
        if let problem = fieldProblem() { throw BootError(.invalidRequest, problem.description) }
    }

    /// The first parameter out of range; nil when the request is valid.
    func fieldProblem() -> RequestFieldError? {
        if slug.trimmingCharacters(in: .whitespaces).isEmpty {
            return RequestFieldError(field: "slug", problem: "is required and must be a non-empty string")
        }
        if slug.utf8.count > Self.maxSlugBytes {
            return RequestFieldError(field: "slug", problem: "must be at most \(Self.maxSlugBytes) bytes")
        }
        if !(1...Self.maxBudgetTokens).contains(budgetTokens) {
            return RequestFieldError(
                field: "budget_tokens", problem: "must be an integer from 1 to \(Self.maxBudgetTokens)")
        }
        if (query?.utf8.count ?? 0) > Self.maxQueryBytes {
            return RequestFieldError(field: "query", problem: "must be at most \(Self.maxQueryBytes) bytes")
        }
        if !(1...100).contains(relatedSources) {
            return RequestFieldError(field: "related_sources", problem: "must be an integer from 1 to 100")
        }
        return nil
    }
}
