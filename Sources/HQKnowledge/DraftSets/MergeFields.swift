import Foundation
public import HQCore

/// The values merge fields resolve against: the contact's row, its primary organization and campaign.
///
/// Syntax (double braces, spaces inside allowed, names are case-sensitive):
/// - `{{name}}`, `{{company}}`, `{{title}}` and every other contact column (`{{email}}`, `{{location}}`…), also as
///   `{{contact.name}}`; `{{company}}` falls back to the primary organization's name when the column is empty;
///   `{{first_name}}` / `{{last_name}}` are the first / last word of `name`.
/// - `{{extended.key}}` (nested: `{{extended.a.b}}`): the contact's `extended` custom fields.
/// - `{{organization.name}}`, `{{organization.website}}`, any organization column, `{{organization.role}}`
///   (the contact's role there) and `{{organization.extended.key}}`: the primary organization (a current link
///   first, then the most recently started).
/// - `{{campaign.name}}`, any campaign column: the contact's campaign.
/// - `{{field | fallback text}}`: the fallback (quotes optional) when the field has no value.
///
/// A field without a value (NULL, blank, unknown name) is never printed as an empty hole: it is reported by
/// name, and the placeholder is kept verbatim.
public struct MergeValues: Sendable, Hashable {
    /// The contact's row (`to_jsonb(contacts)`).
    public var contact: [String: JSONValue]
    /// The primary organization's row, if any.
    public var organization: [String: JSONValue]?
    /// The contact's role at the primary organization.
    public var organizationRole: String?
    /// The contact's campaign row, if any.
    public var campaign: [String: JSONValue]?

    /// Creates the values.
    public init(
        contact: [String: JSONValue], organization: [String: JSONValue]? = nil, organizationRole: String? = nil,
        campaign: [String: JSONValue]? = nil
    ) {
        self.contact = contact
        self.organization = organization
        self.organizationRole = organizationRole
        self.campaign = campaign
    }

    /// The text of a field, or nil when it has none.
    public func value(of field: String) -> String? {
        let path = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let head = path.first, !head.isEmpty, !path.contains("") else { return nil }
        switch head {
        case "contact": return path.count > 1 ? contactValue(Array(path.dropFirst())) : nil
        case "extended": return path.count > 1 ? lookup(contact["extended"], Array(path.dropFirst())) : nil
        case "organization", "org":
            guard path.count > 1, let organization else { return nil }
            if path == [head, "role"] { return organizationRole?.trimmed.nilIfEmpty }
            return lookup(.object(organization), Array(path.dropFirst()))
        case "campaign":
            guard path.count > 1, let campaign else { return nil }
            return lookup(.object(campaign), Array(path.dropFirst()))
        default: return contactValue(path)
        }
    }

    private func contactValue(_ path: [String]) -> String? {
        if path.count > 1 {
            return path[0] == "extended" ? lookup(contact["extended"], Array(path.dropFirst())) : nil
        }
        let words = contact["name"]?.mergeText?.split(whereSeparator: \.isWhitespace).map(String.init) ?? []
        switch path[0] {
        case "first_name": return words.first
        case "last_name": return words.count > 1 ? words.last : nil
        case "company": return contact["company"]?.mergeText ?? organization?["name"]?.mergeText
        case "extended": return nil
        default: return contact[path[0]]?.mergeText
        }
    }

    private func lookup(_ root: JSONValue?, _ path: [String]) -> String? {
        var current = root
        for key in path { current = current?[key] }
        return current?.mergeText
    }
}

/// Fills a template's merge fields (see ``MergeValues`` for the syntax).
public enum TemplateRenderer {
    /// The rendered text and the fields that had no value.
    public struct Result: Sendable, Hashable {
        /// The text; placeholders of missing fields are kept verbatim.
        public var text: String
        /// Missing fields by name, in order of first use, without duplicates.
        public var missing: [String]
    }

    /// Renders `template` against `values`.
    ///
    /// ```swift
    /// TemplateRenderer.render("Hi {{first_name | there}}, {{extended.budget}}", values: values)
    /// // text "Hi Ada, {{extended.budget}}", missing ["extended.budget"] when Ada has no budget field
    /// ```
    /// - Complexity: O(n) in the template's length.
    public static func render(_ template: String, values: MergeValues) -> Result {
        var text = ""
        var missing: [String] = []
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            text += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let inner = rest[open.upperBound..<close.lowerBound]
            let placeholder = rest[open.lowerBound..<close.upperBound]
            rest = rest[close.upperBound...]
            let (field, fallback) = split(inner)
            guard !field.isEmpty, !field.contains("{"), !field.contains(where: \.isNewline) else {
                text += placeholder  // not a merge field (e.g. "{{}}"): left as written
                continue
            }
            if let value = values.value(of: field) {
                text += value
            } else if let fallback {
                text += fallback
            } else {
                text += placeholder
                if !missing.contains(field) { missing.append(field) }
            }
        }
        text += rest
        return Result(text: text, missing: missing)
    }

    /// `name | fallback` → ("name", "fallback"); quotes around the fallback are removed.
    private static func split(_ inner: Substring) -> (String, String?) {
        guard let bar = inner.firstIndex(of: "|") else { return (inner.trimmed, nil) }
        var fallback = inner[inner.index(after: bar)...].trimmed
        if fallback.count >= 2, let first = fallback.first, first == fallback.last, first == "\"" || first == "'" {
            fallback = String(fallback.dropFirst().dropLast())
        }
        return (inner[..<bar].trimmed, fallback)
    }
}

extension StringProtocol {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
