import Foundation
import HQEmbedding
public import HQKnowledge
public import MCP

/// `boot_context`: an agent's boot documents as markdown within a token budget, like `hq boot --json` and
/// `GET /v1/boot/{slug}`.
public struct BootContextTool: MCPTool {
    private let backend: KnowledgeBackend

    /// A tool reading through `backend`.
    public init(backend: KnowledgeBackend) {
        self.backend = backend
    }

    public let name = "boot_context"
    public let title: String? = "Load an agent's boot context"
    public let description = """
        Load what an HQ agent must know at the start of a session. In HQ (an admin app where a person runs a \
        team of AI agents), documents tagged "boot:all" are for every agent and documents tagged \
        "boot:<agent-slug>" for one agent. This returns them as readable markdown (rich text converted): pinned \
        documents first, then the agent's own before the ones for all agents, then most recently updated; \
        archived documents never. Documents are never truncated: one that does not fit the token budget is \
        listed under "omitted" with its id, title and size (read it later with get_source). With a query, the \
        most relevant passages of other knowledge that still fit are appended under "related". Call it once at \
        the start of a session with your own slug. An unknown slug is an error that lists close slugs. Returns a \
        summary line, then JSON: {"agent": {"id", "slug", "name"}, "budget_tokens", "used_tokens", "query", \
        "documents": [{"id", "title", "tags", "pinned", "scope", "updated_at", "tokens", "markdown"}], \
        "omitted": [{"id", "title", "tags", "pinned", "scope", "updated_at", "tokens", "reason"}], \
        "related": [{"source_id", "source_type", "id", "title", "folder_path", "section_path", "chunk_id", \
        "score", "tokens", "markdown"}]}.
        """

    public var inputSchema: Value {
        JSONSchema.object(
            properties: [
                "slug": JSONSchema.string("The agent's slug (agents.slug in HQ), e.g. \"scout\"."),
                "budget_tokens": JSONSchema.integer(
                    "Most tokens (of the embedding model's tokenizer, close to an LLM's) for documents and related "
                        + "passages together.",
                    minimum: 1, maximum: BootRequest.maxBudgetTokens, default: BootRequest.defaultBudgetTokens),
                "query": JSONSchema.string(
                    "Optional: the task at hand; passages of other knowledge most relevant to it are appended while "
                        + "they fit the budget."),
            ],
            required: ["slug"])
    }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let slug = try arguments.requiredString("slug")
        let budget = try arguments.int("budget_tokens", in: 1...BootRequest.maxBudgetTokens) ?? BootRequest.defaultBudgetTokens
        let query = try arguments.string("query")
        let hasQuery = !(query ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        let search = try await backend.searchService(needsEmbedder: hasQuery)
        // The model's tokenizer counts the budget; without it (an HTTP embedder, or a model that fails to load when
        // no query needs it) a conservative estimate does.
        let embedder: (any Embedder)? = hasQuery ? try await backend.embedder() : try? await backend.embedder()
        let service = BootService(pool: try await backend.pool(), search: search, countingWith: embedder, logger: backend.logger)
        let context = try await service.context(BootRequest(slug: slug, budgetTokens: budget, query: query))
        var summary = "Boot context of \(context.agent.name) (\(context.agent.slug)): \(context.documents.count) documents, "
        summary += "\(context.usedTokens) of \(context.budgetTokens) tokens"
        if !context.omitted.isEmpty {
            summary += "; \(context.omitted.count) omitted for the budget: "
                + context.omitted.map { "\($0.title) (\($0.id), \($0.tokens) tokens)" }.joined(separator: ", ")
        }
        if !context.related.isEmpty { summary += "; \(context.related.count) related passages" }
        return try .json(context, summary: summary + ".")
    }
}
