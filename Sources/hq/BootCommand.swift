import ArgumentParser
import Foundation
import HQCore
import HQKnowledge

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

    @Option(name: .customLong("budget-tokens"), help: ArgumentHelp(BootRequest.fields["budget_tokens"].help))
    var budgetTokens = BootRequest.defaultBudgetTokens

    @Option(help: "Append the most relevant other knowledge for this query (hybrid search) that still fits.")
    var query: String?

    @Flag(help: "Print JSON (stable schema) instead of markdown.")
    var json = false

    @Flag(help: "Print markdown (the default).")
    var markdown = false

    @OptionGroup var embedderOptions: EmbedderOptions

    static let flags = ["slug": "SLUG"]

    func validate() throws {
        if json && markdown { throw ValidationError("--json and --markdown exclude each other") }
    }

    func run() async throws {
        var fields = RequestFields()
        fields.set("slug", slug)
        fields.set("budget_tokens", budgetTokens)
        fields.set("query", query)
        let request = try fields.decode(BootRequest.self, flags: Self.flags)
        let context = try await AppEnvironment().withRuntime(
            embedderOptions, application: "hq-boot", llm: false, flags: Self.flags
        ) {
            try await $0.boot(needsEmbedder: request.needsEmbedder).context(request)
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
}
