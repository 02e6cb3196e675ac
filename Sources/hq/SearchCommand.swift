import ArgumentParser
import Foundation
import HQCore
import HQSearch

/// `hq search`: hybrid search over the knowledge base.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search documents and assets (hybrid dense + BM25, exact rerank).",
        discussion: """
            Prints each matching source with its folder, tags, score and best passages, matched terms \
            highlighted. An empty query lists pinned, then recently updated sources. --json prints \
            {"query", "results": [{"source_id", "source_type", "title", "folder_path", "tags", "score", \
            "chunks": [{"chunk_id", "chunk_index", "content", "snippet", "section_path", "char_start", \
            "char_end", "score"}]}], "timing_ms"}.
            """)

    @Argument(help: "The query (natural language; empty lists pinned then recent sources).")
    var query: String = ""

    @Option(
        name: .customLong("tag"),
        help: ArgumentHelp("Only sources with this tag (repeatable; any of them).", valueName: "tag"))
    var tags: [String] = []

    @Flag(name: .customLong("all-tags"), help: "Require every --tag instead of any.")
    var allTags = false

    @Option(
        name: .customLong("exclude-tag"),
        help: ArgumentHelp("Skip sources with this tag (repeatable).", valueName: "tag"))
    var excludedTags: [String] = []

    @Option(help: ArgumentHelp("Folder id or path like Sales/Playbooks (with its subfolders).", valueName: "id|path"))
    var folder: String?

    @Option(help: ArgumentHelp("document or asset.", valueName: "type"))
    var type: String?

    @Option(
        name: .customLong("asset-type"), help: ArgumentHelp("Only assets of this type (repeatable).", valueName: "type")
    )
    var assetTypes: [String] = []

    @Flag(inversion: .prefixedNo, help: "Only pinned (--pinned) or unpinned (--no-pinned) sources.")
    var pinned: Bool?

    @Option(
        name: .customLong("updated-after"),
        help: ArgumentHelp("Only sources updated at or after (ISO 8601).", valueName: "time"))
    var updatedAfter: String?

    @Option(
        name: .customLong("updated-before"),
        help: ArgumentHelp("Only sources updated before (ISO 8601).", valueName: "time"))
    var updatedBefore: String?

    @Option(
        name: .customLong("source"),
        help: ArgumentHelp("Only this source (repeatable; source, document or asset id).", valueName: "id"))
    var sources: [String] = []

    @Option(help: ArgumentHelp(SearchRequest.fields["limit"].help))
    var limit = 10

    @Option(help: ArgumentHelp(SearchRequest.fields["mode"].help))
    var mode: String = "hybrid"

    @Option(name: .customLong("chunks"), help: ArgumentHelp(SearchRequest.fields["chunks_per_source"].help))
    var chunksPerSource = 3

    @Option(help: ArgumentHelp(SearchRequest.fields["mmr"].help, valueName: "lambda"))
    var mmr: Double?

    @Flag(help: "Print JSON (stable schema) instead of text.")
    var json = false

    @Flag(help: "Show per-stage scores (ANN rank, exact cosine, BM25, fused) and timings.")
    var explain = false

    @OptionGroup var embedderOptions: EmbedderOptions

    /// The flag of each request field whose name differs from `--<field-with-dashes>`.
    static let flags = [
        "query": "QUERY", "tags": "--tag", "exclude_tags": "--exclude-tag", "asset_types": "--asset-type",
        "source_ids": "--source", "chunks_per_source": "--chunks",
    ]

    /// The request the flags describe, read by the same ``SearchRequest/init(fields:)`` as HTTP and MCP.
    func request() throws -> SearchRequest {
        var fields = RequestFields()
        fields.set("query", query)
        fields.set("tags", tags)
        fields.set("all_tags", allTags ? true : nil)
        fields.set("exclude_tags", excludedTags)
        fields.set("folder", folder)
        fields.set("type", type)
        fields.set("asset_types", assetTypes)
        fields.set("pinned", pinned)
        fields.set("updated_after", updatedAfter)
        fields.set("updated_before", updatedBefore)
        fields.set("source_ids", sources)
        fields.set("limit", limit)
        fields.set("mode", mode)
        fields.set("chunks_per_source", chunksPerSource)
        fields.set("mmr", mmr)
        fields.set("explain", explain)
        return try fields.decode(SearchRequest.self, flags: Self.flags)
    }

    func run() async throws {
        let request = try request()
        let response = try await AppEnvironment().withRuntime(embedderOptions, application: "hq-search", llm: false) {
            try await $0.search(needsEmbedder: request.needsEmbedder).search(request)
        }
        if json {
            try SearchOutput.writeJSON(response)
        } else {
            SearchOutput.write(SearchOutput.render(response, explain: explain, colour: SearchOutput.isTerminal))
        }
    }
}

/// Text and JSON output of search answers.
enum SearchOutput {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func writeJSON(_ value: some Encodable) throws {
        var data = try SearchJSON.encoder(pretty: isTerminal).encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }

    /// `<mark>` spans become bold yellow on a terminal, `**…**` elsewhere.
    static func highlight(_ snippet: String, colour: Bool) -> String {
        let (open, close) = colour ? ("\u{1B}[1;33m", "\u{1B}[0m") : ("**", "**")
        return snippet.replacingOccurrences(of: "<mark>", with: open).replacingOccurrences(of: "</mark>", with: close)
            .replacingOccurrences(of: "\n", with: " ")
    }

    static func render(_ response: SearchResponse, explain: Bool, colour: Bool) -> String {
        let bold = colour ? "\u{1B}[1m" : ""
        let dim = colour ? "\u{1B}[2m" : ""
        let reset = colour ? "\u{1B}[0m" : ""
        guard !response.results.isEmpty else { return "No results.\n" }
        var out = ""
        for (index, result) in response.results.enumerated() {
            out += "\(index + 1). \(bold)\(result.title)\(reset)"
            out += "  \(dim)\(result.sourceType.rawValue) · \(result.folderPath ?? "/")"
            if !result.tags.isEmpty { out += " · #" + result.tags.joined(separator: " #") }
            out += String(format: " · score %.4f", result.score) + "\(reset)\n"
            out += "   \(dim)\(result.sourceID.uuidString.lowercased())\(reset)\n"
            for chunk in result.chunks {
                let section = chunk.sectionPath.isEmpty ? "" : "§ " + chunk.sectionPath.joined(separator: " › ") + "  "
                out += "   \(dim)[\(chunk.chunkIndex)] \(section)\(reset)\(highlight(chunk.snippet, colour: colour))\n"
                if explain, let e = chunk.explain {
                    func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
                    func i(_ v: Int?) -> String { v.map(String.init) ?? "-" }
                    out +=
                        "   \(dim)ann #\(i(e.annRank)) · cosine \(f(e.cosine)) (#\(i(e.denseRank))) · bm25 \(f(e.bm25)) (#\(i(e.lexicalRank))) · fused \(f(e.fused))\(e.exactScan ? " · exact scan" : "")\(reset)\n"
                }
            }
        }
        out += "\(dim)\(String(format: "%.1f", response.timingMilliseconds)) ms"
        if explain, let stages = response.stagesMilliseconds {
            out +=
                " ("
                + stages.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(
                    separator: ", ") + ")"
        }
        out += "\(reset)\n"
        return out
    }
}
