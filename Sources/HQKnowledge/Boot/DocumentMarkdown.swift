import Foundation
import HQCore

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
            // Too deep for the parser, or not JSON at all (a caller passing raw text).
            return unparsable(jsonb)
        }
        return render(value: value)
    }

    /// The markdown of a parsed jsonb value.
    static func render(value: Any) -> String {
        switch value {
        case let string as String:
            let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.hasPrefix("{") || trimmed.hasPrefix("[") else { return trim(string) }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: []) else {
                return unparsable(string)
            }
            return render(parsed: parsed, original: trimmed)
        case is NSNull:
            return ""
        default:
            return render(parsed: value, original: nil)
        }
    }

    private static func render(parsed: Any, original: String?) -> String {
        if TipTapNode.isTipTap(parsed) { return trim(TipTapMarkdown.render(node: parsed)) }
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

    /// Text that looks like JSON but does not parse (nested deeper than the parser allows, or cut off): its TipTap
    /// `text` values one paragraph each when it has any, else the text as written.
    static func unparsable(_ text: String) -> String {
        let texts = textValues(in: text)
        return texts.isEmpty ? trim(text) : texts.joined(separator: "\n\n")
    }

    /// The decoded values of every `"text": "…"` pair in JSON text, in order, without parsing its structure.
    static func textValues(in json: String) -> [String] {
        JSONStringScan.values(in: json).filter { $0.key == "text" && !$0.value.isEmpty }.map(\.value)
    }

    /// Drops blank lines before and after the body; keeps indentation and trailing spaces inside it.
    static func trim(_ text: String) -> String {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
