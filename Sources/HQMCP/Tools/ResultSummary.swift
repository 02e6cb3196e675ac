import Foundation
import HQSearch

/// The readable first block of a tool result: one line per source, so an agent sees at a glance what
/// came back before reading the JSON.
enum ResultSummary {
    static func search(_ response: SearchResponse, mode: SearchMode) -> String {
        guard !response.results.isEmpty else {
            return "No sources matched. Try other words, mode \"lexical\" for exact names or codes, or fewer filters."
        }
        let count = response.results.count
        var lines = ["\(count) source\(count == 1 ? "" : "s") (\(mode.rawValue) search), best first:"]
        for (index, result) in response.results.enumerated() {
            lines.append(
                "\(index + 1). \(result.title) — \(describe(result.sourceType, result.folderPath, result.tags))"
                    + String(format: ", score %.3f", result.score) + ", source_id \(id(result.sourceID))")
        }
        lines.append("JSON follows.")
        return lines.joined(separator: "\n")
    }

    static func source(_ detail: SourceDetail, ranked: Bool) -> String {
        var line = "\(detail.title) — \(describe(detail.sourceType, detail.folderPath, detail.tags))"
        if detail.pinned { line += ", pinned" }
        if let type = detail.assetType { line += ", asset type \(type)" }
        line += ", source_id \(id(detail.sourceID)), \(detail.status), \(detail.chunkCount) chunks"
        let shown = detail.chunks.count
        line +=
            ranked
            ? ". \(shown) chunk\(shown == 1 ? "" : "s") ranked against the query, best first."
            : ". All \(shown) chunk\(shown == 1 ? "" : "s") in document order."
        if detail.status != "indexed" {
            line += " (Indexing is \(detail.status): chunks may be missing or out of date.)"
        }
        return line + " JSON follows."
    }

    private static func describe(_ type: SourceType, _ folder: String?, _ tags: [String]) -> String {
        var text = "\(type.rawValue) in \(folder.map { "\"\($0)\"" } ?? "the root folder")"
        if !tags.isEmpty { text += ", tags " + tags.joined(separator: ", ") }
        return text
    }

    private static func id(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }
}
