public import HQCore
public import HQRuntime
import HQSearch
public import MCP

/// `get_source`: one document or asset with all its chunks, like `hq show --json` and
/// `GET /v1/sources/{id}`.
public struct GetSourceTool: MCPTool {
    private let runtime: HQRuntime

    /// A tool reading through `runtime`.
    public init(runtime: HQRuntime) {
        self.runtime = runtime
    }

    public let name = "get_source"
    public let title: String? = "Read a whole HQ source"
    public let description = """
        Read one whole source (a document or asset in the user's HQ knowledge base) with every chunk in \
        document order. Use it when search_knowledge found the right source and you need all of it, not just \
        the best passages; for a long source prefer get_chunks with a query. Returns a summary line, then JSON: \
        {"source_id", "source_type", "entity_id", "title", "folder_path", "tags", "pinned", "asset_type", \
        "updated_at", "status", "chunk_count", "chunks": [{"chunk_id", "chunk_index", "content", "snippet", \
        "section_path", "char_start", "char_end", "score"}]}; "content" is each chunk's full text and \
        "status" the indexing state (pending, indexed, failed). Archived sources are found by id too.
        """

    public var inputSchema: Value { JSONSchema.object(fields: [SourceChunksRequest.fields["id"]]) }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let request = try SourceChunksRequest(fields: arguments)
        let detail = try await runtime.search(needsEmbedder: false).source(id: request.id)
        return try .json(detail, summary: ResultSummary.source(detail, ranked: false))
    }
}
