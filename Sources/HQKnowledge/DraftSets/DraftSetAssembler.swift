import Foundation
public import HQNet
public import HQSearch
public import HQStorage
public import Logging

/// Assembles and stores a draft set: gathers the contact, its organizations, recent interactions and the
/// template; renders merge fields; searches the knowledge base (template's or campaign's scope) with queries
/// built from them; chooses distinct evidence per variant (MMR across variants); has an LLM write each variant
/// from the rendered template and its evidence when one is configured (answers without valid citations are
/// rejected and flagged); writes the row with the next version and audit rows in one transaction.
///
/// `hq draft-set assemble`, `POST /v1/draft-sets` and MCP tools are thin fronts over ``assemble(_:)``.
///
/// ```swift
/// let assembler = DraftSetAssembler(pool: pool, search: searchService, llm: nil, logger: logger)
/// let set = try await assembler.assemble(DraftSetRequest(contactID: id, channel: "email", stage: "intro"))
/// print(set.version, set.variants.map(\.evidence.count))
/// ```
public final class DraftSetAssembler: Sendable {
    let pool: PostgresPool
    let search: SearchService
    let writer: ChatCompletionsWriter?
    let logger: Logger
    /// The least exact cosine between a variant's query and a passage it cites (``defaultMinimumCosine``). A variant
    /// with no passage above it cites nothing and says so (`notes`, `meta.needs_review`) instead of citing filler.
    public let minimumCosine: Double

    /// Creates an assembler.
    /// - Parameters:
    ///   - pool: connections to a migrated HQ database.
    ///   - search: the retrieval pipeline (its embedder embeds the queries).
    ///   - llm: the chat-completions endpoint that writes variants; nil stores the rendered template.
    ///   - httpClient: the client LLM requests go through.
    ///   - minimumCosine: the absolute relevance floor of evidence.
    ///   - logger: receives counts and timings (never message text above `.debug`, never the API key).
    public init(
        pool: PostgresPool, search: SearchService, llm: LLMConfiguration?, httpClient: HTTPClient = .shared,
        minimumCosine: Double = DraftSetAssembler.defaultMinimumCosine, logger: Logger
    ) {
        self.minimumCosine = minimumCosine
        self.pool = pool
        self.search = search
        self.writer = llm.map { ChatCompletionsWriter(configuration: $0, client: httpClient, logger: logger) }
        self.logger = logger
    }

    /// Assembles, stores and returns a draft set.
    /// - Throws: ``DraftSetError`` (invalid request, contact/template/draft set/agent not found, no template,
    ///   missing merge fields, conflict), `PostgresError`.
    public func assemble(_ request: DraftSetRequest) async throws -> DraftSet {
        try request.validate()
        let started = ContinuousClock.now
        let store = DraftSetStore(pool: pool)
        let context = try await store.loadContext(for: request)

        let values = context.mergeValues
        let body = TemplateRenderer.render(context.template.body, values: values)
        let subject = context.template.subject.map { TemplateRenderer.render($0, values: values) }
        var missing = subject?.missing ?? []
        for field in body.missing where !missing.contains(field) { missing.append(field) }
        if !missing.isEmpty && !request.allowMissingFields {
            throw DraftSetError(
                .missingMergeFields, "the contact has no value for \(missing.joined(separator: ", "))",
                missingFields: missing)
        }

        let queries = QueryPlanner.plan(context, knownNames: try await namesInKnowledge(context))
        let packs = try await evidence(
            queries: queries, scope: context.scope, variants: request.variantCount,
            perVariant: request.evidencePerVariant)
        let openPlaceholders = Set(
            missing.flatMap { LLMAnswerCheck.placeholders(in: Self.placeholderSource(context, field: $0)) })
        let variants = await write(
            packs: packs, context: context, subject: subject?.text, body: body.text, missing: missing,
            openPlaceholders: openPlaceholders)
        let rejected = variants.filter { $0.llmStatus == "rejected" }.count
        let meta = DraftSetMeta(
            queries: queries.map(\.text), scope: context.scope, missingFields: missing,
            llmModel: writer?.configuration.model, llmRejected: rejected,
            // A variant without evidence (nothing above the relevance floors) needs a person's eye too.
            needsReview: rejected > 0 || !missing.isEmpty
                || (request.evidencePerVariant > 0 && variants.contains { $0.evidence.isEmpty }))
        let set = try await store.write(
            DraftSetDraft(
                context: context, variants: variants, meta: meta, actorType: request.effectiveActorType,
                actorAgentID: request.actorAgentID))
        logger.debug(
            "draft set assembled",
            metadata: [
                "version": "\(set.version)", "variants": "\(variants.count)", "llm_rejected": "\(rejected)",
                "ms": "\(ContinuousClock.now - started)",
            ])
        return set
    }

    /// The placeholder text of a missing field as the template wrote it (spaces and all).
    static func placeholderSource(_ context: AssemblyContext, field: String) -> String {
        let text = (context.template.subject ?? "") + " " + context.template.body
        return LLMAnswerCheck.placeholders(in: text).filter {
            $0.dropFirst(2).dropLast(2).split(separator: "|").first?.trimmed == field
        }.joined(separator: " ")
    }

    /// One variant per evidence pack: the rendered template, rewritten by the LLM when one is configured and
    /// its answer passes the checks.
    private func write(
        packs: [EvidencePack], context: AssemblyContext, subject: String?, body: String, missing: [String],
        openPlaceholders: Set<String>
    ) async -> [DraftVariant] {
        let contactSummary = [
            context.contact["name"]?.mergeText, context.contact["title"]?.mergeText,
            context.contact["company"]?.mergeText ?? context.organizations.first?.row["name"]?.mergeText,
        ].compactMap { $0 }.joined(separator: ", ")
        var verdicts = [LLMAnswerCheck.Verdict?](repeating: nil, count: packs.count)
        if let writer {
            await withTaskGroup(of: (Int, LLMAnswerCheck.Verdict).self) { group in
                for (index, pack) in packs.enumerated() {
                    let brief = VariantBrief(
                        channel: context.channel, stage: context.stage, angle: pack.angle,
                        contactSummary: contactSummary,
                        renderedSubject: subject, renderedBody: body, evidence: pack.evidence,
                        feedback: context.feedback,
                        openPlaceholders: openPlaceholders)
                    group.addTask { (index, await writer.write(brief)) }
                }
                for await (index, verdict) in group { verdicts[index] = verdict }
            }
        }
        return packs.enumerated().map { index, pack in
            Self.variant(
                index: index + 1, pack: pack, verdict: verdicts[index], subject: subject, body: body, missing: missing,
                feedback: context.feedback)
        }
    }

    static func variant(
        index: Int, pack: EvidencePack, verdict: LLMAnswerCheck.Verdict?, subject: String?, body: String,
        missing: [String],
        feedback: String?
    ) -> DraftVariant {
        var notes: [String] = []
        let angle = pack.angle.replacingOccurrences(of: "_", with: " ")
        if pack.evidence.isEmpty {
            notes.append(
                "Angle: \(angle). No passage of the knowledge base is relevant enough to cite for it: check the facts "
                    + "before sending.")
        } else {
            notes.append(
                "Angle: \(angle). Evidence: " + pack.evidence.map { "\($0.title) [\($0.id)]" }.joined(separator: "; ")
                    + ".")
        }
        if feedback != nil { notes.append("Revised to address the feedback on the previous version.") }
        if !missing.isEmpty {
            notes.append("Missing merge fields kept as placeholders: \(missing.joined(separator: ", ")).")
        }
        var variant = DraftVariant(
            index: index, body: body, subject: subject, angle: pack.angle, notes: nil, generator: "template",
            llmStatus: verdict == nil ? "not_configured" : "rejected", missingFields: missing, evidence: pack.evidence)
        switch verdict {
        case .accepted(let answer)?:
            variant.body = answer.body
            variant.subject = subject == nil ? nil : (answer.subject ?? subject)
            variant.generator = "llm"
            variant.llmStatus = "accepted"
            variant.citedBody = answer.citedBody
            variant.citations = answer.citations
            if let llmNotes = answer.notes { notes.append(llmNotes) }
        case .rejected(let reason)?:
            variant.llmRejection = reason
            notes.append("LLM answer rejected (\(reason)): the rendered template is stored instead.")
        case nil:
            break
        }
        variant.notes = notes.joined(separator: " ")
        return variant
    }
}
