import ArgumentParser
import Foundation
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

    @Option(help: "Most chunks when ranking (1-50).")
    var limit = 10

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("ID must be a UUID") }
        let ranking = !(query ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        let detail = try await AppEnvironment().withSearchService(needsEmbedder: ranking) {
            try await $0.chunks(sourceID: id, query: query, limit: limit)
        }
        if json { try SearchOutput.writeJSON(detail) } else { SearchOutput.write(SourceOutput.render(detail, full: !ranking)) }
    }
}
