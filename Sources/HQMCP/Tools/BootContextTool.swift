import Foundation
public import HQCore
import HQKnowledge
public import HQRuntime
public import MCP

/// `boot_context`: an agent's boot documents as markdown within a token budget, like `hq boot --json` and
/// `GET /v1/boot/{slug}`.
public struct BootContextTool: MCPTool {
    private let runtime: HQRuntime

    /// A tool reading through `runtime`.
    public init(runtime: HQRuntime) {
        self.runtime = runtime
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

    public var inputSchema: Value { JSONSchema.object(fields: BootRequest.fields) }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let request = try BootRequest(fields: arguments)
        let context = try await runtime.boot(needsEmbedder: request.needsEmbedder).context(request)
        var summary =
            "Boot context of \(context.agent.name) (\(context.agent.slug)): \(context.documents.count) documents, "
        summary += "\(context.usedTokens) of \(context.budgetTokens) tokens"
        if !context.omitted.isEmpty {
            summary +=
                "; \(context.omitted.count) omitted for the budget: "
                + context.omitted.map { "\($0.title) (\($0.id), \($0.tokens) tokens)" }.joined(separator: ", ")
        }
        if !context.related.isEmpty { summary += "; \(context.related.count) related passages" }
        return try .json(context, summary: summary + ".")
    }
}
