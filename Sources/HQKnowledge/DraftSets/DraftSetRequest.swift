public import Foundation
public import HQCore

/// Who performs a write, as recorded in `audit_log` (HQ's `actor_type` enum).
public enum DraftSetActor: String, Sendable, Hashable, Codable, CaseIterable {
    case human, agent, system
}

/// One assembly: which contact, channel and stage, from which template, how many variants, and whether it
/// revises an earlier set.
///
/// ```swift
/// var request = DraftSetRequest(contactID: contact, channel: "email", stage: "intro")
/// request.variantCount = 3
/// request.actorAgentID = agent      // audit rows name the agent
/// let set = try await assembler.assemble(request)
/// ```
public struct DraftSetRequest: Sendable, Hashable {
    /// The contact the messages are for. May be nil when ``reviseDraftSetID`` is set (taken from that set).
    public var contactID: UUID?
    /// Free-text channel, e.g. `email`, `linkedin`. May be nil when revising.
    public var channel: String?
    /// Free-text stage, e.g. `intro`, `follow_up`. May be nil when revising.
    public var stage: String?
    /// The template; nil picks the revised set's template, else the most recently updated active template
    /// whose channel and stage match (a template with NULL channel or stage matches any).
    public var templateID: UUID?
    /// How many variants to write (1…5; HQ's UI shows up to three, labelled A, B, C).
    public var variantCount: Int
    /// Passages of evidence per variant (0…8).
    public var evidencePerVariant: Int
    /// The draft set this one revises: its feedback drives retrieval and is carried over, and it becomes
    /// `superseded`.
    public var reviseDraftSetID: UUID?
    /// Feedback for the revision; nil carries the revised set's `feedback_notes`.
    public var feedbackNotes: String?
    /// Keep the placeholders of merge fields without a value (recorded per variant) instead of failing.
    public var allowMissingFields: Bool
    /// The agent performing the assembly (audit rows get `actor_type = agent` and this id).
    public var actorAgentID: UUID?
    /// The actor type when no agent is given (default `system`).
    public var actorType: DraftSetActor

    /// A request with defaults: three variants, three passages each, failing on missing merge fields.
    public init(
        contactID: UUID?, channel: String?, stage: String?, templateID: UUID? = nil, variantCount: Int = 3,
        evidencePerVariant: Int = 3, reviseDraftSetID: UUID? = nil, feedbackNotes: String? = nil,
        allowMissingFields: Bool = false, actorAgentID: UUID? = nil, actorType: DraftSetActor = .system
    ) {
        self.contactID = contactID
        self.channel = channel
        self.stage = stage
        self.templateID = templateID
        self.variantCount = variantCount
        self.evidencePerVariant = evidencePerVariant
        self.reviseDraftSetID = reviseDraftSetID
        self.feedbackNotes = feedbackNotes
        self.allowMissingFields = allowMissingFields
        self.actorAgentID = actorAgentID
        self.actorType = actorType
    }

    /// The actor type written to `audit_log`: `agent` whenever an agent id is given.
    public var effectiveActorType: DraftSetActor { actorAgentID == nil ? actorType : .agent }

    /// The accepted ``variantCount``s.
    public static let variantRange = 1...5
    /// The accepted ``evidencePerVariant`` values.
    public static let evidenceRange = 0...8
    /// The longest channel or stage, in characters.
    public static let maxLabelCharacters = 100
    /// The longest feedback, in UTF-8 bytes.
    public static let maxFeedbackBytes = 20_000

    /// Checks ranges, required fields and non-empty text.
    /// - Throws: ``DraftSetError`` `invalidRequest` naming the field as on the wire.
    public func validate() throws {
        if let problem = fieldProblem() { throw DraftSetError(.invalidRequest, problem.description) }
    }

    /// The first field that is out of range, missing or contradicts another; nil when the request is valid.
    func fieldProblem() -> RequestFieldError? {
        guard Self.variantRange.contains(variantCount) else {
            return RequestFieldError(field: "variants", problem: "must be an integer from 1 to 5")
        }
        guard Self.evidenceRange.contains(evidencePerVariant) else {
            return RequestFieldError(field: "evidence_per_variant", problem: "must be an integer from 0 to 8")
        }
        if reviseDraftSetID == nil {
            for (name, missing) in [
                ("contact_id", contactID == nil), ("channel", (channel ?? "").trimmed.isEmpty),
                ("stage", (stage ?? "").trimmed.isEmpty),
            ] where missing {
                return RequestFieldError(field: name, problem: "is required unless revise_draft_set_id is given")
            }
        }
        for (name, value) in [("channel", channel), ("stage", stage)] {
            if let value, value.trimmed.isEmpty || value.count > Self.maxLabelCharacters {
                return RequestFieldError(field: name, problem: "must be 1 to \(Self.maxLabelCharacters) characters")
            }
        }
        if let feedbackNotes, feedbackNotes.utf8.count > Self.maxFeedbackBytes {
            return RequestFieldError(field: "feedback_notes", problem: "must be at most \(Self.maxFeedbackBytes) bytes")
        }
        if actorAgentID != nil && actorType == .human {
            return RequestFieldError(field: "actor_type", problem: "cannot be \"human\" with an actor_agent_id")
        }
        return nil
    }
}
