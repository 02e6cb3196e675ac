import Foundation
public import MCP

/// `get_chunks`: a source's chunks ranked against a query, or all in order, like `hq chunks --json` and
/// `GET /v1/sources/{id}/chunks`.
public struct GetChunksTool: MCPTool {
    private let backend: KnowledgeBackend

    /// A tool reading through `backend`.
    public init(backend: KnowledgeBackend) {
        self.backend = backend
    }

    public let name = "get_chunks"
    public let title: String? = "Read passages of an HQ source"
    public let description = """
        Read more of one source (a document or asset in the user's HQ knowledge base): with a query, its \
        chunks (passages) most relevant to the query, best first (meaning + keywords, within that source \
        only); without a query, all its chunks in document order (like get_source). Use it after \
        search_knowledge when a long source is the right one but the passages shown are not enough. Returns a \
        summary line, then JSON: {"source_id", "source_type", "entity_id", "title", "folder_path", "tags", \
        "pinned", "asset_type", "updated_at", "status", "chunk_count", "chunks": [{"chunk_id", "chunk_index", \
        "content", "snippet", "section_path", "char_start", "char_end", "score"}]}.
        """

    public var inputSchema: Value {
        JSONSchema.object(
            properties: [
                "id": JSONSchema.string(
                    "The source_id from search_knowledge results, or the id of a document or asset in HQ (UUID).",
                    format: "uuid"),
                "query": JSONSchema.string(
                    "What you are looking for inside this source; omit to get every chunk in order."),
                "limit": JSONSchema.integer(
                    "Most chunks to return when ranking against a query.", minimum: 1, maximum: 50, default: 10),
            ],
            required: ["id"])
    }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let id = try arguments.uuidString("id", required: true)!
        let query = try arguments.string("query")
        let limit = try arguments.int("limit", in: 1...50) ?? 10
        let ranking = !(query ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        let service = try await backend.searchService(needsEmbedder: ranking)
        let detail = try await service.chunks(sourceID: id, query: query, limit: limit)
        return try .json(detail, summary: ResultSummary.source(detail, ranked: ranking))
    }
}
