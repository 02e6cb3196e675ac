import Foundation
public import HQCore
import HQKnowledge
public import HQRuntime
public import MCP

/// `assemble_draft_set`: grounded outreach variants for one contact, channel and stage, written as a new version of
/// HQ's `draft_sets`, like `hq draft-set assemble --json` and `POST /v1/draft-sets`.
public struct AssembleDraftSetTool: MCPTool {
    private let runtime: HQRuntime
    private let writesWithLLM: Bool

    /// A tool writing through `runtime` (variants by its LLM when one is configured).
    public init(runtime: HQRuntime) {
        self.runtime = runtime
        self.writesWithLLM = runtime.configuration.llm != nil
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
        Tool.Annotations(
            readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: writesWithLLM)
    }

    public var inputSchema: Value { JSONSchema.object(fields: DraftSetRequest.fields) }

    public func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let request = try DraftSetRequest(fields: arguments)
        let set = try await runtime.draftSets().assemble(request)
        var summary =
            "Draft set \(set.id.uuidString.lowercased()) stored: version \(set.version) for \(set.channel)/\(set.stage), "
        summary += "\(set.variants.count) variants, status \(set.status)"
        let rejected = set.variants.filter { $0.llmStatus == "rejected" }.count
        if rejected > 0 { summary += "; \(rejected) LLM drafts rejected (rendered template kept, flagged for review)" }
        return try .json(set, summary: summary + ".")
    }
}
