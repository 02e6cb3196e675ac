import ArgumentParser
import Foundation
import HQEmbedding
import HQSearch
import HQStorage
import Logging

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

    @Option(name: .customLong("tag"), help: ArgumentHelp("Only sources with this tag (repeatable; any of them).", valueName: "tag"))
    var tags: [String] = []

    @Flag(name: .customLong("all-tags"), help: "Require every --tag instead of any.")
    var allTags = false

    @Option(name: .customLong("exclude-tag"), help: ArgumentHelp("Skip sources with this tag (repeatable).", valueName: "tag"))
    var excludedTags: [String] = []

    @Option(help: ArgumentHelp("Folder id or path like Sales/Playbooks (with its subfolders).", valueName: "id|path"))
    var folder: String?

    @Option(help: ArgumentHelp("document or asset.", valueName: "type"))
    var type: String?

    @Option(name: .customLong("asset-type"), help: ArgumentHelp("Only assets of this type (repeatable).", valueName: "type"))
    var assetTypes: [String] = []

    @Flag(inversion: .prefixedNo, help: "Only pinned (--pinned) or unpinned (--no-pinned) sources.")
    var pinned: Bool?

    @Option(name: .customLong("updated-after"), help: ArgumentHelp("Only sources updated at or after (ISO 8601).", valueName: "time"))
    var updatedAfter: String?

    @Option(name: .customLong("updated-before"), help: ArgumentHelp("Only sources updated before (ISO 8601).", valueName: "time"))
    var updatedBefore: String?

    @Option(name: .customLong("source"), help: ArgumentHelp("Only this source (repeatable; source, document or asset id).", valueName: "id"))
    var sources: [String] = []

    @Option(help: "Most sources to show (1-1000).")
    var limit = 10

    @Option(help: "hybrid, dense or lexical.")
    var mode: String = "hybrid"

    @Option(name: .customLong("chunks"), help: "Passages per source (1-50).")
    var chunksPerSource = 3

    @Option(help: ArgumentHelp("Diversify passages with MMR (0 = diverse … 1 = relevant).", valueName: "lambda"))
    var mmr: Double?

    @Flag(help: "Print JSON (stable schema) instead of text.")
    var json = false

    @Flag(help: "Show per-stage scores (ANN rank, exact cosine, BM25, fused) and timings.")
    var explain = false

    func run() async throws {
        var filter = SearchFilter()
        filter.tags = tags
        filter.tagMatch = allTags ? .all : .any
        filter.excludedTags = excludedTags
        filter.folder = folder
        filter.sourceType = try type.map { value in
            guard let type = SourceType(rawValue: value) else { throw ValidationError("--type must be document or asset") }
            return type
        }
        let mode = try Self.mode(mode)
        filter.assetTypes = assetTypes
        filter.pinned = pinned
        filter.updatedAfter = try updatedAfter.map { try Self.date($0, option: "--updated-after") }
        filter.updatedBefore = try updatedBefore.map { try Self.date($0, option: "--updated-before") }
        filter.sourceIDs = try sources.map { value in
            guard let id = UUID(uuidString: value) else { throw ValidationError("--source must be a UUID") }
            return id
        }
        let request = SearchRequest(
            query: query, filter: filter, limit: limit, mode: mode, chunksPerSource: chunksPerSource, mmrLambda: mmr,
            explain: explain)
        let response = try await AppEnvironment().withSearchService(needsEmbedder: mode != .lexical && !query.isEmpty) {
            try await $0.search(request)
        }
        if json {
            try SearchOutput.writeJSON(response)
        } else {
            SearchOutput.write(SearchOutput.render(response, explain: explain, colour: SearchOutput.isTerminal))
        }
    }

    static func date(_ text: String, option: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw ValidationError("\(option) must be an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z")
    }
}

extension SearchCommand {
    /// Parses `--mode`.
    static func mode(_ value: String) throws -> SearchMode {
        guard let mode = SearchMode(rawValue: value) else { throw ValidationError("--mode must be hybrid, dense or lexical") }
        return mode
    }
}

extension AppEnvironment {
    /// The retrieval tuning from `HQ_SEARCH_FUSION`, `HQ_SEARCH_EF_SEARCH`, `HQ_SEARCH_CANDIDATES`.
    func searchConfiguration() throws -> SearchConfiguration {
        do { return try SearchConfiguration.environment(variables) } catch let error as SearchError {
            throw CLIError(error.context, hint: "unset it for the default, or see README (Configuration)")
        }
    }

    /// Runs `body` with a search service over the configured database and the native embedder
    /// (loaded only when `needsEmbedder`), mapping library errors to one-line CLI errors.
    func withSearchService<T>(needsEmbedder: Bool, _ body: (SearchService) async throws -> T) async throws -> T {
        let embedder: (any Embedder)? = needsEmbedder ? try loadEmbedder() : nil
        let configuration = try searchConfiguration()
        return try await withDatabasePool(application: "hq-search", maxConnections: 2) { pool in
            try await body(SearchService(pool: pool, embedder: embedder, configuration: configuration, logger: logger))
        }
    }

    /// The native embedder from `HQ_MODEL_DIR` or the default model folder.
    func loadEmbedder() throws -> any Embedder {
        let directory = ModelLocator.defaultDirectory(
            environment: variables, executablePath: CommandLine.arguments.first,
            currentDirectory: FileManager.default.currentDirectoryPath)
        do {
            return try NativeEmbedder(modelDirectory: directory, configuration: .init(), logger: logger)
        } catch {  // typed throws: always an EmbeddingError
            throw CLIError("cannot load the embedding model: \(error.code): \(error.context)", hint: error.hint)
        }
    }

    static func hint(for error: SearchError) -> String? {
        switch error.code {
        case .folderNotFound: "folder paths start at the root, e.g. Sales/Playbooks; ids are UUIDs"
        case .sourceNotFound: "ids come from hq search --json (source_id) or HQ (document/asset id)"
        case .embedderUnavailable: "use --mode lexical, or check HQ_MODEL_DIR"
        default: nil
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
                    out += "   \(dim)ann #\(i(e.annRank)) · cosine \(f(e.cosine)) (#\(i(e.denseRank))) · bm25 \(f(e.bm25)) (#\(i(e.lexicalRank))) · fused \(f(e.fused))\(e.exactScan ? " · exact scan" : "")\(reset)\n"
                }
            }
        }
        out += "\(dim)\(String(format: "%.1f", response.timingMilliseconds)) ms"
        if explain, let stages = response.stagesMilliseconds {
            out += " (" + stages.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(separator: ", ") + ")"
        }
        out += "\(reset)\n"
        return out
    }
}
