import ArgumentParser
import Foundation
import HQCore
import HQSearch

/// `hq show ID`: a document or asset with its chunks.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a document or asset with its indexed chunks.")

    @Argument(help: "A source id (from hq search), or a document or asset id.")
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        var fields = RequestFields()
        fields.set("id", id)
        let request = try fields.decode(SourceChunksRequest.self, flags: ["id": "ID"])
        let detail = try await AppEnvironment().withRuntime(nil, application: "hq-show", llm: false) {
            try await $0.search(needsEmbedder: false).source(id: request.id)
        }
        if json {
            try SearchOutput.writeJSON(detail)
        } else {
            SearchOutput.write(SourceOutput.render(detail, full: true))
        }
    }
}

/// Text output of a source and its chunks.
enum SourceOutput {
    static func render(_ detail: SourceDetail, full: Bool) -> String {
        let colour = SearchOutput.isTerminal
        let bold = colour ? "\u{1B}[1m" : ""
        let dim = colour ? "\u{1B}[2m" : ""
        let reset = colour ? "\u{1B}[0m" : ""
        var out = "\(bold)\(detail.title)\(reset)\n"
        out +=
            "\(dim)\(detail.sourceType.rawValue) \(detail.entityID) · source \(detail.sourceID.uuidString.lowercased())\n"
        out += "folder \(detail.folderPath ?? "/")"
        if !detail.tags.isEmpty { out += " · #" + detail.tags.joined(separator: " #") }
        if detail.pinned { out += " · pinned" }
        if let type = detail.assetType { out += " · \(type)" }
        out += " · \(detail.status), \(detail.chunkCount) chunks\(reset)\n\n"
        for chunk in detail.chunks {
            let section = chunk.sectionPath.isEmpty ? "" : " § " + chunk.sectionPath.joined(separator: " › ")
            let offsets =
                chunk.charStart.map { start in " chars \(start)–\(chunk.charEnd.map(String.init) ?? "?")" } ?? ""
            let score = chunk.score != 0 ? String(format: " score %.4f", chunk.score) : ""
            out += "\(dim)[\(chunk.chunkIndex)]\(section)\(offsets)\(score)\(reset)\n"
            out += (full ? chunk.content : SearchOutput.highlight(chunk.snippet, colour: colour)) + "\n\n"
        }
        return out
    }
}
