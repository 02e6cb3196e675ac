import Foundation
import HQCore

/// Accepts or rejects an LLM's answer for one variant. The contract given to the model: answer with a JSON
/// object `{"subject": string?, "body": string, "notes": string?}` and cite the evidence behind every claim
/// with its id in brackets, e.g. `[E1]` or `[E1, E3]`.
///
/// Rejected (the rendered template is stored instead, flagged): not a JSON object or no `body` (`malformed`);
/// a citation of an id not given to the model (`unknown_citation`); no citation at all while evidence was given
/// (`uncited`); a sentence with a figure (a digit: prices, percentages, dates, counts) but no citation
/// (`uncited_claim`); a `{{…}}` placeholder the template did not leave open (`unfilled_placeholder`).
public enum LLMAnswerCheck {
    /// An accepted answer.
    public struct Accepted: Sendable, Hashable {
        /// The body without citation markers.
        public var body: String
        /// The body as the model wrote it, markers included.
        public var citedBody: String
        /// The subject without markers, if the model gave one.
        public var subject: String?
        /// The model's notes, if any.
        public var notes: String?
        /// Cited evidence ids, in order of first citation.
        public var citations: [String]
    }

    /// The verdict.
    public enum Verdict: Sendable, Hashable {
        case accepted(Accepted)
        /// The reason code (see the type's documentation).
        case rejected(String)
    }

    /// Checks the message `content` of a chat completion.
    /// - Parameters:
    ///   - content: the assistant message text.
    ///   - evidenceIDs: the ids given to the model for this variant.
    ///   - openPlaceholders: placeholders the rendered template kept (missing fields with `allow_missing`).
    public static func check(_ content: String, evidenceIDs: Set<String>, openPlaceholders: Set<String> = []) -> Verdict
    {
        guard case .object(let object)? = JSONValue(json: unfenced(content)),
            let body = object["body"]?.string?.trimmed, !body.isEmpty
        else { return .rejected("malformed") }
        let subject = object["subject"]?.string?.nilIfBlank
        let citations = citedIDs(in: body) + citedIDs(in: subject ?? "")
        if citations.contains(where: { !evidenceIDs.contains($0) }) { return .rejected("unknown_citation") }
        if !evidenceIDs.isEmpty && citations.isEmpty { return .rejected("uncited") }
        // "10% off. [E1]" cites the sentence before the marker: move markers in front of the full stop first.
        let normalized = body.replacingOccurrences(
            of: #"([.!?])(\s*\[\s*E\d+(?:\s*,\s*E\d+)*\s*\])"#, with: "$2$1", options: .regularExpression)
        let scalars = Array(normalized.unicodeScalars)
        for sentence in QuoteExtractor.sentenceRanges(scalars) {
            let text = String(String.UnicodeScalarView(scalars[sentence]))
            let bare = QueryPlanner.stripPlaceholders(
                text.replacingOccurrences(of: citationPattern, with: "", options: .regularExpression))
            if bare.contains(where: \.isNumber) && citedIDs(in: text).isEmpty { return .rejected("uncited_claim") }
        }
        for placeholder in placeholders(in: body + " " + (subject ?? "")) where !openPlaceholders.contains(placeholder)
        {
            return .rejected("unfilled_placeholder")
        }
        var unique: [String] = []
        for id in citations where !unique.contains(id) { unique.append(id) }
        return .accepted(
            Accepted(
                body: stripCitations(body), citedBody: body, subject: subject.map(stripCitations),
                notes: object["notes"]?.string?.nilIfBlank, citations: unique))
    }

    /// `[E1]`, `[E1, E2]`, `[E1][E2]`.
    static let citationPattern = #"[ \t]*\[\s*E\d+(\s*,\s*E\d+)*\s*\]"#

    static func citedIDs(in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: citationPattern) else { return [] }
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return matches.flatMap { match -> [String] in
            let group = String(text[Range(match.range, in: text)!])
            return group.split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { $0.hasPrefix("E") }
        }
    }

    static func stripCitations(_ text: String) -> String {
        text.replacingOccurrences(of: citationPattern, with: "", options: .regularExpression)
    }

    static func placeholders(in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #"\{\{[^{}]*\}\}"#) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range, in: text)!])
        }
    }

    /// Models often wrap JSON in a ```json fence despite being asked not to.
    static func unfenced(_ content: String) -> String {
        var text = content.trimmed
        guard text.hasPrefix("```") else { return text }
        if let newline = text.firstIndex(of: "\n") { text = String(text[text.index(after: newline)...]) }
        if text.hasSuffix("```") { text = String(text.dropLast(3)) }
        return text.trimmed
    }
}
