import ArgumentParser
import Foundation
import HQKnowledge
import HQSearch
import HQStorage

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

    @Option(help: "Variants to write (1-5).")
    var variants = 3

    @Option(name: .customLong("evidence"), help: "Passages of evidence per variant (0-8).")
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
        help: ArgumentHelp("human, agent or system (audit log; default system).", valueName: "type"))
    var actorType: String?

    @Flag(name: .customLong("no-llm"), help: "Store the rendered template even when HQ_LLM_URL is set.")
    var noLLM = false

    @Flag(help: "Print the stored row as JSON (the schema of POST /v1/draft-sets).")
    var json = false

    func run() async throws {
        func uuid(_ text: String?, _ option: String) throws -> UUID? {
            guard let text else { return nil }
            guard let id = UUID(uuidString: text) else { throw ValidationError("\(option) must be a UUID") }
            return id
        }
        var actor = DraftSetActor.system
        if let actorType {
            guard let parsed = DraftSetActor(rawValue: actorType) else {
                throw ValidationError("--actor-type must be human, agent or system")
            }
            actor = parsed
        }
        let request = DraftSetRequest(
            contactID: try uuid(contact, "--contact"), channel: channel, stage: stage,
            templateID: try uuid(template, "--template"),
            variantCount: variants, evidencePerVariant: evidencePerVariant,
            reviseDraftSetID: try uuid(revise, "--revise"),
            feedbackNotes: feedback, allowMissingFields: allowMissing,
            actorAgentID: try uuid(actorAgent, "--actor-agent"),
            actorType: actor)
        do {
            try request.validate()
        } catch let error as DraftSetError {
            throw ValidationError(error.context)
        }
        let env = AppEnvironment()
        let llm = noLLM ? nil : try env.llmConfiguration()
        let set = try await env.withDraftSetAssembler(llm: llm) { try await $0.assemble(request) }
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
        let set = try await AppEnvironment().withDraftSetAssembler(llm: nil) { try await $0.draftSet(id: id) }
        if json {
            try SearchOutput.writeJSON(set)
        } else {
            SearchOutput.write(DraftSetOutput.render(set))
        }
    }
}

extension AppEnvironment {
    /// `HQ_LLM_URL`, `HQ_LLM_MODEL`, `HQ_LLM_API_KEY`; nil when no URL is set.
    func llmConfiguration() throws -> LLMConfiguration? {
        guard let url = variables["HQ_LLM_URL"]?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return nil }
        guard let model = variables["HQ_LLM_MODEL"]?.trimmingCharacters(in: .whitespaces), !model.isEmpty else {
            throw CLIError(
                "HQ_LLM_URL is set but HQ_LLM_MODEL is not",
                hint: "export HQ_LLM_MODEL=<model name>, or unset HQ_LLM_URL")
        }
        let key = variables["HQ_LLM_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return LLMConfiguration(url: url, model: model, apiKey: key)
    }

    /// Runs `body` with an assembler over the configured database and the native embedder, mapping library
    /// errors to one-line CLI errors.
    func withDraftSetAssembler<T>(llm: LLMConfiguration?, _ body: (DraftSetAssembler) async throws -> T) async throws
        -> T
    {
        let embedder = try loadEmbedder()
        let configuration = try searchConfiguration()
        return try await withDatabasePool(application: "hq-draft-set", maxConnections: 4) { pool in
            let search = SearchService(pool: pool, embedder: embedder, configuration: configuration, logger: logger)
            return try await body(DraftSetAssembler(pool: pool, search: search, llm: llm, logger: logger))
        }
    }

    static func hint(for error: DraftSetError) -> String? {
        switch error.code {
        case .missingMergeFields:
            "fill these fields on the contact, give them a fallback ({{field | text}}), or pass --allow-missing"
        case .noTemplate: "pass --template ID, or create an active template for this channel and stage"
        case .conflict: "revise the newest draft or refining version instead"
        case .contactNotFound, .templateNotFound, .draftSetNotFound, .agentNotFound: "ids are UUIDs from HQ"
        default: nil
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
