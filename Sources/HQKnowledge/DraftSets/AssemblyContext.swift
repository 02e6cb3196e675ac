import Foundation
import HQCore

/// Everything an assembly reads before it searches: the contact, its organizations and recent interactions,
/// the template, the knowledge scope and, when revising, the earlier set.
struct AssemblyContext: Sendable {
    struct Interaction: Sendable, Hashable {
        var type: String
        var direction: String?
        var channel: String?
        var subject: String?
        var summary: String?
        var nextAction: String?
        var occurredAt: Date
    }

    struct Template: Sendable, Hashable {
        var id: UUID
        var row: [String: JSONValue]
        var subject: String? { row["subject"]?.string?.nilIfBlank }
        var body: String { row["body"]?.string ?? "" }
        var angle: String? { row["angle"]?.string?.nilIfBlank }
    }

    struct Revision: Sendable, Hashable {
        var id: UUID
        var status: String
        var version: Int
        var feedbackNotes: String?
    }

    var contactID: UUID
    var channel: String
    var stage: String
    var contact: [String: JSONValue]
    /// Primary first (a current link, then the most recently started).
    var organizations: [(row: [String: JSONValue], role: String?)]
    /// Newest first.
    var interactions: [Interaction]
    var campaign: [String: JSONValue]?
    var template: Template
    var scope: KnowledgeScope
    var revision: Revision?
    /// The feedback this version answers (request's, else the revised set's).
    var feedback: String?

    var mergeValues: MergeValues {
        MergeValues(
            contact: contact, organization: organizations.first?.row, organizationRole: organizations.first?.role,
            campaign: campaign)
    }
}

extension String {
    var nilIfBlank: String? { trimmed.isEmpty ? nil : self }
}
