import Foundation
import HQSearch
public import MCP

/// `search_knowledge`: hybrid search over HQ's documents and assets, the parameters and JSON answer of
/// `POST /v1/search` and `hq search --json`.
public struct SearchKnowledgeTool: MCPTool {
    private let backend: KnowledgeBackend

    /// A tool searching through `backend`.
    public init(backend: KnowledgeBackend) {
        self.backend = backend
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

    public var inputSchema: Value {
        JSONSchema.object(properties: [
            "query": JSONSchema.string(
                "What you are looking for, in natural language (a question or a description works best). "
                    + "Empty: list pinned, then recently updated sources."),
            "tags": JSONSchema.strings(
                "Only sources with at least one of these tags (all of them with all_tags). Tags are free-form "
                    + "labels, e.g. \"sales\"; matched exactly."),
            "all_tags": JSONSchema.boolean("Require every tag in tags instead of any.", default: false),
            "tag_match": JSONSchema.string("Same as all_tags: \"all\" or \"any\".", choices: ["any", "all"]),
            "exclude_tags": JSONSchema.strings("Skip sources having any of these tags."),
            "folder": JSONSchema.string(
                "Only sources in this folder and its subfolders: a path from the root like \"Sales/Playbooks\" "
                    + "(case-insensitive) or a folder id (UUID)."),
            "type": JSONSchema.string(
                "\"document\" (written in HQ) or \"asset\" (uploaded files and links).", choices: ["document", "asset"]),
            "asset_types": JSONSchema.strings(
                "Only assets of these types: document, sop, research, image, video, audio, template, script, "
                    + "spreadsheet, link, other."),
            "pinned": JSONSchema.boolean("true: only sources pinned in HQ; false: only unpinned ones."),
            "updated_after": JSONSchema.string(
                "Only sources last edited at or after this ISO 8601 date or time, e.g. 2025-01-31.", format: "date-time"
            ),
            "updated_before": JSONSchema.string(
                "Only sources last edited before this ISO 8601 date or time.", format: "date-time"),
            "source_ids": JSONSchema.strings(
                "Only these sources: source_ids from earlier results, or document/asset ids.", format: "uuid"),
            "limit": JSONSchema.integer(
                "Most sources to return; 5-10 is usually enough.", minimum: 1, maximum: 1000, default: 10),
            "mode": JSONSchema.string(
                "hybrid (meaning + keywords, best in general), dense (meaning only) or lexical (exact keywords, "
                    + "e.g. codes and names; needs no embedding model).", choices: ["hybrid", "dense", "lexical"],
                default: "hybrid"),
            "chunks_per_source": JSONSchema.integer(
                "Most passages per source.", minimum: 1, maximum: 50, default: 3),
            "mmr": JSONSchema.number(
                "Diversify the passages (maximal marginal relevance): 0 = most diverse … 1 = most relevant. "
                    + "Omit for plain relevance.", minimum: 0, maximum: 1),
            "explain": JSONSchema.boolean(
                "Add per-stage scores to every passage and stage timings (for debugging ranking).", default: false),
        ])
    }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let request = try Self.request(from: arguments)
        let needsEmbedder = request.mode != .lexical && !request.query.trimmingCharacters(in: .whitespaces).isEmpty
        let service = try await backend.searchService(needsEmbedder: needsEmbedder)
        let response = try await service.search(request)
        return try .json(response, summary: ResultSummary.search(response, mode: request.mode))
    }

    /// The request the arguments describe, with the defaults of `POST /v1/search`.
    static func request(from arguments: ToolArguments) throws(MCPToolError) -> SearchRequest {
        var filter = SearchFilter()
        filter.tags = try arguments.strings("tags")
        let allTags = try arguments.bool("all_tags") ?? false
        let tagMatch = try arguments.string("tag_match")?.lowercased()
        switch (tagMatch, allTags) {
        case (nil, let all): filter.tagMatch = all ? .all : .any
        case ("any", false): filter.tagMatch = .any
        case ("all", _): filter.tagMatch = .all
        case ("any", true): throw .invalidArgument("tag_match", "\"any\" contradicts all_tags: true; pass only one")
        default: throw .invalidArgument("tag_match", "must be \"any\" or \"all\"")
        }
        filter.excludedTags = try arguments.strings("exclude_tags")
        filter.folder = try arguments.string("folder").flatMap {
            $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0
        }
        filter.sourceType = try arguments.choice("type", SourceType.self)
        filter.assetTypes = try arguments.strings("asset_types")
        filter.pinned = try arguments.bool("pinned")
        filter.updatedAfter = try arguments.date("updated_after")
        filter.updatedBefore = try arguments.date("updated_before")
        if let after = filter.updatedAfter, let before = filter.updatedBefore, after >= before {
            throw .invalidArgument("updated_after", "must be earlier than updated_before")
        }
        filter.sourceIDs = try arguments.uuids("source_ids")
        let query = try arguments.string("query") ?? ""
        guard query.utf8.count <= 20_000 else { throw .invalidArgument("query", "must be at most 20000 bytes") }
        return SearchRequest(
            query: query, filter: filter, limit: try arguments.int("limit", in: 1...1000) ?? 10,
            mode: try arguments.choice("mode", SearchMode.self) ?? .hybrid,
            chunksPerSource: try arguments.int("chunks_per_source", in: 1...50) ?? 3,
            mmrLambda: try arguments.double("mmr", in: 0...1), explain: try arguments.bool("explain") ?? false)
    }
}
