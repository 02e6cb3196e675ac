import Foundation
public import HQCore
public import HQRuntime
import HQSearch
public import MCP

/// `search_knowledge`: hybrid search over HQ's documents and assets, the parameters and JSON answer of
/// `POST /v1/search` and `hq search --json`.
public struct SearchKnowledgeTool: MCPTool {
    private let runtime: HQRuntime

    /// A tool searching through `runtime`.
    public init(runtime: HQRuntime) {
        self.runtime = runtime
    }

    public let name = "search_knowledge"
    public let title: String? = "Search HQ knowledge"
    public let description = """
        Search the user's knowledge base in HQ (documents written in HQ and uploaded assets such as PDFs, \
        spreadsheets and briefs) by meaning and keywords. Use it first whenever you need facts, procedures, \
        playbooks, prices, notes or anything the user or their team may have written down. Describe what you \
        need in a natural-language query; narrow with folder, tags, type or dates when the user names them. \
        Returns a one-line summary per source, then JSON: {"query", "results": [{"source_id", "source_type", \
        "title", "folder_path", "tags", "score", "chunks": [{"chunk_id", "chunk_index", "content", "snippet", \
        "section_path", "char_start", "char_end", "score"}]}], "timing_ms"}: sources best first, each with its \
        best passages ("content" is the passage's full text, "snippet" an excerpt with matched words in \
        <mark>…</mark>). Pass a source_id to get_chunks (more passages of one long source) or get_source (the \
        whole source). An empty query lists pinned, then recently updated sources. Archived content is never \
        returned.
        """

    public var inputSchema: Value { JSONSchema.object(fields: SearchRequest.fields) }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let request = try SearchRequest(fields: arguments)
        let response = try await runtime.search(needsEmbedder: request.needsEmbedder).search(request)
        return try .json(response, summary: ResultSummary.search(response, mode: request.mode))
    }
}
