import Foundation

/// A retrieval query and the angle a variant built on it takes.
struct PlannedQuery: Sendable, Hashable {
    /// `playbook`, `company_fit`, `recent_conversation`, `feedback`.
    var angle: String
    var text: String
    /// Feedback applies to every variant, not only to the one leaning on it.
    var appliesToAll: Bool
}

/// Builds retrieval queries from the contact, its organization, its recent interactions, the template and
/// (when revising) the feedback notes.
enum QueryPlanner {
    /// Longest query text sent to search (the model sees 256 tokens; BM25 gains nothing from more).
    static let maxQueryCharacters = 600

    /// - Parameter knownNames: lower-cased company and organization names the knowledge base mentions.
    static func plan(_ context: AssemblyContext, knownNames: Set<String> = []) -> [PlannedQuery] {
        var queries: [PlannedQuery] = []
        if let feedback = context.feedback {
            queries.append(PlannedQuery(angle: "feedback", text: clip(feedback), appliesToAll: true))
        }
        // The variant's purpose: what the template is about and for whom, not the message around it. The rendered
        // text is mostly merge-filled names and greetings, which outweighed the angle (a contact's name and company
        // matched nothing worth citing); the template's own words only stand in when it states no angle or audience.
        let template = context.template.row
        let purpose = [template["angle"]?.mergeText, template["audience"]?.mergeText]
        let playbook = join(
            purpose + [template["family"]?.mergeText, context.stage.replacingOccurrences(of: "_", with: " ")]
                + (purpose.allSatisfy { $0 == nil }
                    ? [
                        context.template.subject.map(stripPlaceholders),
                        stripPlaceholders(context.template.body),
                    ] : []))
        if !playbook.isEmpty {
            queries.append(
                PlannedQuery(angle: context.template.angle ?? "playbook", text: playbook, appliesToAll: false))
        }
        var history = context.interactions.prefix(3).map { item in
            join([item.subject, item.summary, item.nextAction])
        }.filter { !$0.isEmpty }
        if history.isEmpty {
            history = [join([context.contact["how_we_met"]?.mergeText, context.contact["notes"]?.mergeText])].filter {
                !$0.isEmpty
            }
        }
        if !history.isEmpty {
            queries.append(
                PlannedQuery(
                    angle: "recent_conversation", text: clip(history.joined(separator: " ")), appliesToAll: false))
        }
        // Who the recipient is, without personal or company names: those name nothing in the knowledge base unless
        // it mentions them (`knownNames`: names found in it).
        let organization = context.organizations.first?.row
        let names = [
            context.contact["company"]?.mergeText, organization?["name"]?.mergeText,
        ].compactMap { $0 }.filter { knownNames.contains($0.lowercased()) }
        let fit = join(
            [
                context.contact["title"]?.mergeText, context.organizations.first?.role,
                organization?["industry"]?.mergeText, organization?["type"]?.mergeText,
                organization?["size"]?.mergeText, organization?["description"]?.mergeText,
                context.contact["tags"]?.mergeText,
            ] + names)
        if !fit.isEmpty { queries.append(PlannedQuery(angle: "company_fit", text: fit, appliesToAll: false)) }
        return queries
    }

    /// Placeholders left in (with `allow_missing`) would only add noise to a query.
    static func stripPlaceholders(_ text: String) -> String {
        text.replacingOccurrences(of: #"\{\{[^{}]*\}\}"#, with: " ", options: .regularExpression)
    }

    /// Non-empty parts, each once (a company often repeats as the organization's name).
    private static func join(_ parts: [String?]) -> String {
        var seen = Set<String>()
        let unique = parts.compactMap { $0?.trimmed }.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
        return clip(unique.joined(separator: ". "))
    }

    private static func clip(_ text: String) -> String {
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard collapsed.count > maxQueryCharacters else { return collapsed }
        let cut = collapsed.prefix(maxQueryCharacters)
        return String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)])
    }
}
