import ArgumentParser
import Foundation
import HQCore
import HQKnowledge

/// `hq draft-set`: grounded outreach variants for a contact, stored as HQ draft sets.
struct DraftSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft-set",
        abstract: "Assemble outreach draft sets grounded in the knowledge base.",
        subcommands: [DraftSetAssembleCommand.self, DraftSetShowCommand.self])
}

/// `hq draft-set assemble`.
struct DraftSetAssembleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assemble",
        abstract: "Assemble and store a draft set for a contact, channel and stage.",
        discussion: """
            Renders the template's merge fields ({{name}}, {{company}}, {{title}}, any contact column, \
            {{extended.key}}, {{organization.name}}, {{organization.website}}, {{campaign.name}}, \
            {{field | fallback}}), searches the knowledge base (scope: the template's, else the campaign's \
            meta.knowledge {tags, tag_match, exclude_tags, folder}) and gives each variant distinct evidence. \
            With HQ_LLM_URL and HQ_LLM_MODEL set (HQ_LLM_API_KEY optional), an OpenAI-compatible chat model \
            rewrites each variant citing evidence as [E1]; uncited or malformed answers are rejected and the \
            rendered template is stored, flagged. The row gets the next version for (contact, channel, stage); \
            --revise carries the set's feedback and marks it superseded. Missing merge fields fail the \
            assembly unless --allow-missing.
            """)

    @Option(help: ArgumentHelp("The contact's id (optional with --revise).", valueName: "id"))
    var contact: String?

    @Option(help: ArgumentHelp("Channel, e.g. email (optional with --revise).", valueName: "channel"))
    var channel: String?

    @Option(help: ArgumentHelp("Stage, e.g. intro (optional with --revise).", valueName: "stage"))
    var stage: String?

    @Option(
        help: ArgumentHelp(
            "Template id (default: the revised set's, else the active template for channel and stage).", valueName: "id"
        ))
    var template: String?

    @Option(help: ArgumentHelp(DraftSetRequest.fields["variants"].help))
    var variants = 3

    @Option(name: .customLong("evidence"), help: ArgumentHelp(DraftSetRequest.fields["evidence_per_variant"].help))
    var evidencePerVariant = 3

    @Option(
        help: ArgumentHelp("Revise this draft set: carry its feedback, mark it superseded.", valueName: "draft-set-id"))
    var revise: String?

    @Option(help: ArgumentHelp("Feedback to address (default: the revised set's feedback_notes).", valueName: "text"))
    var feedback: String?

    @Flag(
        name: .customLong("allow-missing"),
        help: "Keep placeholders of merge fields without a value instead of failing.")
    var allowMissing = false

    @Option(
        name: .customLong("actor-agent"),
        help: ArgumentHelp("The agent performing the assembly (audit log).", valueName: "agent-id"))
    var actorAgent: String?

    @Option(
        name: .customLong("actor-type"),
        help: ArgumentHelp(DraftSetRequest.fields["actor_type"].help, valueName: "type"))
    var actorType: String?

    @Flag(name: .customLong("no-llm"), help: "Store the rendered template even when HQ_LLM_URL is set.")
    var noLLM = false

    @Flag(help: "Print the stored row as JSON (the schema of POST /v1/draft-sets).")
    var json = false

    @OptionGroup var embedderOptions: EmbedderOptions

    static let flags = [
        "contact_id": "--contact", "template_id": "--template", "evidence_per_variant": "--evidence",
        "revise_draft_set_id": "--revise", "feedback_notes": "--feedback", "actor_agent_id": "--actor-agent",
    ]

    /// The request the flags describe, read by the same ``DraftSetRequest/init(fields:)`` as HTTP and MCP.
    func request() throws -> DraftSetRequest {
        var fields = RequestFields()
        fields.set("contact_id", contact)
        fields.set("channel", channel)
        fields.set("stage", stage)
        fields.set("template_id", template)
        fields.set("variants", variants)
        fields.set("evidence_per_variant", evidencePerVariant)
        fields.set("revise_draft_set_id", revise)
        fields.set("feedback_notes", feedback)
        fields.set("allow_missing", allowMissing ? true : nil)
        fields.set("actor_agent_id", actorAgent)
        fields.set("actor_type", actorType)
        return try fields.decode(DraftSetRequest.self, flags: Self.flags)
    }

    func run() async throws {
        let request = try request()
        let set = try await AppEnvironment().withRuntime(
            embedderOptions, application: "hq-draft-set", maxConnections: 4, llm: !noLLM, flags: Self.flags
        ) {
            try await $0.draftSets().assemble(request)
        }
        if json {
            try SearchOutput.writeJSON(set)
        } else {
            SearchOutput.write(DraftSetOutput.render(set))
        }
    }
}

/// `hq draft-set show`.
struct DraftSetShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a stored draft set.")

    @Argument(help: "The draft set's id.")
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        guard let id = UUID(uuidString: id) else { throw ValidationError("the id must be a UUID") }
        let set = try await AppEnvironment().withRuntime(nil, application: "hq-draft-set", llm: false) {
            try await $0.draftSetReader().draftSet(id: id)
        }
        if json {
            try SearchOutput.writeJSON(set)
        } else {
            SearchOutput.write(DraftSetOutput.render(set))
        }
    }
}

/// Text output of draft sets.
enum DraftSetOutput {
    static func render(_ set: DraftSet) -> String {
        var out = "Draft set v\(set.version) · \(set.channel) / \(set.stage) · \(set.status)\n"
        out += "  id \(set.id.uuidString.lowercased())"
        if let based = set.basedOnDraftSetID { out += " · revises \(based.uuidString.lowercased())" }
        out += "\n"
        if set.meta.needsReview {
            out +=
                "  needs review: \(set.meta.llmRejected) LLM answers rejected, missing fields: \(set.meta.missingFields)\n"
        }
        for variant in set.variants {
            let letter = variant.index <= 26 ? String(UnicodeScalar(UInt8(64 + variant.index))) : String(variant.index)
            out += "\n\(letter). [\(variant.angle ?? "-")] \(variant.generator)"
            if let reason = variant.llmRejection { out += " (LLM answer rejected: \(reason))" }
            out += "\n"
            if let subject = variant.subject { out += "Subject: \(subject)\n" }
            out += variant.body + "\n"
            for evidence in variant.evidence {
                out += "  [\(evidence.id)] \(evidence.title): \"\(evidence.quote)\"\n"
            }
        }
        return out
    }
}
