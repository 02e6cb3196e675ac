import Foundation

/// `documents.content` in every form HQ stores it (HQ-SCHEMA §9.1) as markdown.
///
/// - a jsonb **string** whose text is TipTap JSON (what HQ's UI writes): the TipTap tree, via ``TipTapMarkdown``;
/// - a jsonb string of markdown or plain text (agent scripts, the empty string of a new UI document): verbatim;
/// - a jsonb **object** that is a TipTap doc: the tree;
/// - any other JSON (arrays, foreign objects, numbers): a fenced `json` block, so nothing is lost;
/// - SQL NULL or JSON `null`: empty.
///
/// Like HQ's own consumers, a string that parses to JSON is walked and anything else is used as written. HTML
/// strings stay as written too: markdown readers render inline HTML.
public enum DocumentMarkdown {
    /// The markdown body of a document.
    /// - Parameter jsonb: `documents.content` as PostgreSQL renders jsonb text (`"\"# Notes\""`, `{"type":"doc",…}`),
    ///   or nil for SQL NULL.
    /// - Returns: the body, trimmed of blank lines around it; empty when there is none.
    public static func render(contentJSONB jsonb: String?) -> String {
        guard let jsonb, !jsonb.isEmpty else { return "" }
        guard let value = try? JSONSerialization.jsonObject(with: Data(jsonb.utf8), options: [.fragmentsAllowed]) else {
            // Not valid JSON (a caller passing raw text): use it as written.
            return trim(jsonb)
        }
        return render(value: value)
    }

    /// The markdown of a parsed jsonb value.
    static func render(value: Any) -> String {
        switch value {
        case let string as String:
            let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{") || trimmed.hasPrefix("["),
               let parsed = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [])
            {
                return render(parsed: parsed, original: trimmed)
            }
            return trim(string)
        case is NSNull:
            return ""
        default:
            return render(parsed: value, original: nil)
        }
    }

    private static func render(parsed: Any, original: String?) -> String {
        if TipTapMarkdown.isTipTap(parsed) { return trim(TipTapMarkdown.render(node: parsed)) }
        if let string = parsed as? String { return trim(string) }
        let text: String
        if JSONSerialization.isValidJSONObject(parsed),
           let data = try? JSONSerialization.data(withJSONObject: parsed, options: [.prettyPrinted, .sortedKeys])
        {
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = original ?? "\(parsed)"
        }
        return TipTapMarkdown.codeBlock(text, language: "json")
    }

    /// Drops blank lines before and after the body; keeps indentation and trailing spaces inside it.
    static func trim(_ text: String) -> String {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
