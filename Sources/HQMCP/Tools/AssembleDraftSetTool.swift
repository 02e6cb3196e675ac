import Foundation
public import HQKnowledge
public import MCP

/// `assemble_draft_set`: grounded outreach variants for one contact, channel and stage, written as a new version of
/// HQ's `draft_sets`, like `hq draft-set assemble --json` and `POST /v1/draft-sets`.
public struct AssembleDraftSetTool: MCPTool {
    private let backend: KnowledgeBackend
    private let llm: LLMConfiguration?

    /// A tool writing through `backend`; with `llm`, variants are written by that chat-completions endpoint.
    public init(backend: KnowledgeBackend, llm: LLMConfiguration?) {
        self.backend = backend
        self.llm = llm
    }

    public let name = "assemble_draft_set"
    public let title: String? = "Assemble outreach drafts for a contact"
    public let description = """
        Write a new set of outreach message variants for one CRM contact in HQ (an admin app where a person \
        runs a team of AI agents), for a channel (e.g. "email", "linkedin") and a pipeline stage (e.g. "intro", \
        "follow_up"). The engine fills the template's merge fields ({{name}}, {{company}}, {{title}}, \
        {{organization.X}}, {{extended.key}}) from the contact, picks different evidence from the knowledge \
        base for each variant (quoted passages with source ids and offsets), optionally has an LLM rewrite \
        each variant citing that evidence, and stores the set as the next version for (contact, channel, \
        stage) with status "draft" for a human to choose from. To act on a human's feedback, pass \
        revise_draft_set_id (and feedback): the new version is based on it and the old one becomes \
        "superseded". A merge field without a value fails the call and names the field, unless allow_missing \
        is true. This WRITES to HQ (a draft_sets row and audit_log rows). Returns a summary, then JSON: the \
        stored row {"id", "contact_id", "template_id", "channel", "stage", "version", "status", \
        "selected_variant_index", "based_on_draft_set_id", "feedback_notes", "meta", "variants": [{"index", \
        "subject", "body", "angle", "notes", "evidence": [{"id", "source_id", "chunk_id", "title", "quote", \
        "char_start", "char_end", "score"}], …}], …}.
        """

    public var annotations: Tool.Annotations {
        Tool.Annotations(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: llm != nil)
    }

    public var inputSchema: Value {
        JSONSchema.object(
            properties: [
                "contact_id": JSONSchema.string("The contact (contacts.id, UUID). Not needed when revising.", format: "uuid"),
                "channel": JSONSchema.string("The channel, e.g. \"email\" or \"linkedin\". Not needed when revising."),
                "stage": JSONSchema.string("The pipeline stage, e.g. \"intro\". Not needed when revising."),
                "template_id": JSONSchema.string(
                    "A template (templates.id); default: the revised set's, else the newest active template for the "
                        + "channel and stage.", format: "uuid"),
                "variants": JSONSchema.integer("How many variants to write.", minimum: 1, maximum: 5, default: 3),
                "evidence_per_variant": JSONSchema.integer(
                    "Knowledge passages to ground each variant.", minimum: 0, maximum: 8, default: 3),
                "revise_draft_set_id": JSONSchema.string(
                    "A draft set to revise: its feedback drives the new evidence and it becomes superseded.",
                    format: "uuid"),
                "feedback": JSONSchema.string("Feedback for the revision; default: the revised set's feedback_notes."),
                "allow_missing": JSONSchema.boolean(
                    "Keep placeholders of merge fields without a value (flagged for review) instead of failing.",
                    default: false),
                "actor_agent_id": JSONSchema.string(
                    "Your agent id (agents.id), recorded in the audit log as the author.", format: "uuid"),
            ],
            required: [])
    }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        var request = DraftSetRequest(
            contactID: try arguments.uuidString("contact_id", required: false).flatMap(UUID.init(uuidString:)),
            channel: try arguments.string("channel"), stage: try arguments.string("stage"))
        request.templateID = try arguments.uuidString("template_id", required: false).flatMap(UUID.init(uuidString:))
        request.variantCount = try arguments.int("variants", in: 1...5) ?? 3
        request.evidencePerVariant = try arguments.int("evidence_per_variant", in: 0...8) ?? 3
        request.reviseDraftSetID = try arguments.uuidString("revise_draft_set_id", required: false).flatMap(UUID.init(uuidString:))
        request.feedbackNotes = try arguments.string("feedback")
        request.allowMissingFields = try arguments.bool("allow_missing") ?? false
        request.actorAgentID = try arguments.uuidString("actor_agent_id", required: false).flatMap(UUID.init(uuidString:))
        let assembler = DraftSetAssembler(
            pool: try await backend.pool(), search: try await backend.searchService(needsEmbedder: true), llm: llm,
            logger: backend.logger)
        let set = try await assembler.assemble(request)
        var summary = "Draft set \(set.id.uuidString.lowercased()) stored: version \(set.version) for \(set.channel)/\(set.stage), "
        summary += "\(set.variants.count) variants, status \(set.status)"
        let rejected = set.variants.filter { $0.llmStatus == "rejected" }.count
        if rejected > 0 { summary += "; \(rejected) LLM drafts rejected (rendered template kept, flagged for review)" }
        return try .json(set, summary: summary + ".")
    }
}
