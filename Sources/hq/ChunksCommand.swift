import ArgumentParser
import HQCore
import HQSearch

/// `hq chunks ID [--query Q]`: a source's chunks, ranked against a query when given.
struct ChunksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunks",
        abstract: "List a source's chunks, in order or ranked against --query (to read more of a long document).")

    @Argument(help: "A source id (from hq search), or a document or asset id.")
    var id: String

    @Option(help: "Rank the chunks against this query (hybrid).")
    var query: String?

    @Option(help: ArgumentHelp(SourceChunksRequest.fields["limit"].help))
    var limit = 10

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var embedderOptions: EmbedderOptions

    func run() async throws {
        var fields = RequestFields()
        fields.set("id", id)
        fields.set("query", query)
        fields.set("limit", limit)
        let request = try fields.decode(SourceChunksRequest.self, flags: ["id": "ID"])
        let detail = try await AppEnvironment().withRuntime(embedderOptions, application: "hq-chunks", llm: false) {
            try await $0.search(needsEmbedder: request.ranks).chunks(request)
        }
        if json {
            try SearchOutput.writeJSON(detail)
        } else {
            SearchOutput.write(SourceOutput.render(detail, full: !request.ranks))
        }
    }
}
