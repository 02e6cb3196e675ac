public import HQCore
public import HQRuntime
import HQSearch
public import MCP

/// `get_chunks`: a source's chunks ranked against a query, or all in order, like `hq chunks --json` and
/// `GET /v1/sources/{id}/chunks`.
public struct GetChunksTool: MCPTool {
    private let runtime: HQRuntime

    /// A tool reading through `runtime`.
    public init(runtime: HQRuntime) {
        self.runtime = runtime
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

    public var inputSchema: Value { JSONSchema.object(fields: SourceChunksRequest.fields) }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let request = try SourceChunksRequest(fields: arguments)
        let detail = try await runtime.search(needsEmbedder: request.ranks).chunks(request)
        return try .json(detail, summary: ResultSummary.source(detail, ranked: request.ranks))
    }
}
