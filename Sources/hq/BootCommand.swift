import ArgumentParser
import Foundation
import HQEmbedding
import HQKnowledge
import HQSearch
import HQStorage

/// `hq boot`: an agent's boot context as markdown (or JSON), within a token budget.
struct BootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Print an agent's boot context: its boot:<slug> and boot:all documents as markdown.",
        discussion: """
            Loads the documents tagged boot:<slug> or boot:all (not archived), converts their rich text to \
            markdown and fits them into --budget-tokens, counted with the embedding model's tokenizer. Order: \
            pinned first, then boot:<slug> before boot:all, then most recently updated, then id. A document that \
            does not fit is listed (title, id, tokens) instead of being dropped; a later, smaller one may still \
            fit. --query appends the passages of other knowledge most relevant to the query that still fit. \
            --json prints {"agent": {"id", "slug", "name"}, "budget_tokens", "used_tokens", "query", \
            "documents": [{"id", "title", "tags", "pinned", "scope", "updated_at", "tokens", "markdown"}], \
            "omitted": [{"id", "title", "tags", "pinned", "scope", "updated_at", "tokens", "reason"}], \
            "related": [{"source_id", "source_type", "id", "title", "folder_path", "section_path", "chunk_id", \
            "score", "tokens", "markdown"}]}, the same as GET /v1/boot/{slug}.
            """)

    @Argument(help: "The agent's slug (agents.slug).")
    var slug: String

    @Option(
        name: .customLong("budget-tokens"), help: "Most model tokens of documents and related passages (1-1000000).")
    var budgetTokens = BootRequest.defaultBudgetTokens

    @Option(help: "Append the most relevant other knowledge for this query (hybrid search) that still fits.")
    var query: String?

    @Flag(help: "Print JSON (stable schema) instead of markdown.")
    var json = false

    @Flag(help: "Print markdown (the default).")
    var markdown = false

    func validate() throws {
        if json && markdown { throw ValidationError("--json and --markdown exclude each other") }
        do throws(BootError) {
            try BootRequest(slug: slug, budgetTokens: budgetTokens, query: query).validate()
        } catch {
            throw ValidationError(error.context.replacingOccurrences(of: "budget_tokens", with: "--budget-tokens"))
        }
    }

    func run() async throws {
        let request = BootRequest(slug: slug, budgetTokens: budgetTokens, query: query)
        let environment = AppEnvironment()
        let hasQuery = request.query.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        // The whole model only for a related search; counting needs just its vocabulary.
        let embedder: (any Embedder)? = hasQuery ? try environment.loadEmbedder() : nil
        let counter = try embedder.map { BootService.tokenCounter(for: $0) } ?? environment.loadTokenizer()
        let context = try await environment.withBootService(embedder: embedder, tokenCounter: counter) {
            try await $0.context(request)
        }
        if json {
            try SearchOutput.writeJSON(context)
        } else {
            SearchOutput.write(context.markdown)
        }
        if isatty(STDERR_FILENO) == 1 {
            var note = "\(context.documents.count) document(s), \(context.usedTokens) of \(context.budgetTokens) tokens"
            if !context.omitted.isEmpty { note += "; \(context.omitted.count) not loaded (over budget)" }
            if !context.related.isEmpty { note += "; \(context.related.count) related passage(s)" }
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
    }

    static func hint(for error: BootError) -> String? {
        guard error.code == .unknownAgent, error.suggestions.isEmpty else { return nil }
        return "slugs are agents.slug; list them with: hq db psql -c 'SELECT slug, name FROM agents'"
    }
}

extension AppEnvironment {
    /// Runs `body` with a boot service over the configured database, mapping library errors to one-line CLI
    /// errors with hints.
    func withBootService<T>(
        embedder: (any Embedder)?, tokenCounter: any TokenCounter, _ body: (BootService) async throws -> T
    ) async throws -> T {
        let configuration = try searchConfiguration()
        return try await withDatabasePool(application: "hq-boot", maxConnections: 2) { pool in
            let search = SearchService(pool: pool, embedder: embedder, configuration: configuration, logger: logger)
            return try await body(BootService(pool: pool, search: search, tokenCounter: tokenCounter, logger: logger))
        }
    }

    /// The model's WordPiece tokenizer (its `vocab.txt` only), for counting tokens without loading the weights.
    func loadTokenizer() throws -> any TokenCounter {
        let directory = ModelLocator.defaultDirectory(
            environment: variables, executablePath: CommandLine.arguments.first,
            currentDirectory: FileManager.default.currentDirectoryPath)
        do {
            return try WordPieceTokenizer(vocabularyURL: directory.appendingPathComponent("vocab.txt"))
        } catch {
            throw CLIError("cannot load the model's tokenizer: \(error.code): \(error.context)", hint: error.hint)
        }
    }
}
