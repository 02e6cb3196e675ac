public import HQCore

extension DraftSetRequest: FieldDecodable {
    /// The fields of `POST /v1/draft-sets`, the `assemble_draft_set` tool and `hq draft-set assemble`.
    public static let fields: [RequestField] = [
        RequestField("contact_id", .uuid, "The contact (contacts.id, UUID). Not needed when revising."),
        RequestField("channel", .string, "The channel, e.g. \"email\" or \"linkedin\". Not needed when revising."),
        RequestField("stage", .string, "The pipeline stage, e.g. \"intro\". Not needed when revising."),
        RequestField(
            "template_id", .uuid,
            "A template (templates.id); default: the revised set's, else the newest active template for the channel "
                + "and stage."),
        RequestField("variants", .integer(variantRange), "How many variants to write.", default: .number(3)),
        RequestField(
            "evidence_per_variant", .integer(evidenceRange), "Knowledge passages to ground each variant.",
            default: .number(3)),
        RequestField(
            "revise_draft_set_id", .uuid,
            "A draft set to revise: its feedback drives the new evidence and it becomes superseded."),
        RequestField(
            "feedback_notes", .string, "Feedback for the revision; default: the revised set's feedback_notes."),
        RequestField(
            "allow_missing", .boolean,
            "Keep placeholders of merge fields without a value (flagged for review) instead of failing.",
            default: .bool(false)),
        RequestField(
            "actor_agent_id", .uuid, "The agent performing the assembly (agents.id), recorded in the audit log."),
        RequestField(
            "actor_type", .choice(DraftSetActor.allCases.map(\.rawValue)),
            "Who performs it, for the audit log: human, agent or system (agent whenever actor_agent_id is given).",
            default: .string("system")),
    ]

    /// Reads the request from its wire fields, with the defaults above.
    public init(fields: RequestFields) throws(RequestFieldError) {
        try fields.rejectUnknown(Self.fields)
        self.init(
            contactID: try fields.uuid("contact_id"), channel: try fields.string("channel", maxBytes: 1_000),
            stage: try fields.string("stage", maxBytes: 1_000), templateID: try fields.uuid("template_id"),
            variantCount: try fields.int("variants", in: Self.variantRange) ?? 3,
            evidencePerVariant: try fields.int("evidence_per_variant", in: Self.evidenceRange) ?? 3,
            reviseDraftSetID: try fields.uuid("revise_draft_set_id"),
            feedbackNotes: try fields.string("feedback_notes", maxBytes: Self.maxFeedbackBytes),
            allowMissingFields: try fields.bool("allow_missing") ?? false,
            actorAgentID: try fields.uuid("actor_agent_id"),
            actorType: try fields.choice("actor_type", DraftSetActor.self) ?? .system)
        if let problem = fieldProblem() { throw problem }
    }
}
