public import Foundation
import HQCore
public import HQStorage
public import Logging

/// Assembles every scenario of a ``DraftScenarioSet`` on a database holding its corpus (indexed) and scores the
/// evidence against the labels (`hq eval-drafts`).
///
/// Per variant, evidence precision is the share of its citations from `relevant` documents; a variant with no
/// citation from a relevant document has no acceptable evidence. Per scenario, must-cite recall is the share of
/// `must_cite` documents cited by some variant. A citation of a `wrong` document is a failure. Distinctness: no
/// passage may serve two variants, and the share of citations whose document another variant also cites.
public struct DraftSetEvaluator: Sendable {
    let pool: PostgresPool
    let assembler: DraftSetAssembler
    let logger: Logger

    /// An evaluator assembling through `assembler` on `pool`.
    public init(pool: PostgresPool, assembler: DraftSetAssembler, logger: Logger) {
        self.pool = pool
        self.assembler = assembler
        self.logger = logger
    }

    /// Assembles and scores the scenarios of `splits`.
    /// - Throws: ``DraftSetError`` when a label names no document or asset of the corpus; database errors.
    public func run(_ set: DraftScenarioSet, splits: Set<String>, evidencePerVariant: Int = 3) async throws
        -> DraftEvalReport
    {
        let titles = try await corpusTitles()
        var results: [DraftEvalReport.Scenario] = []
        for scenario in set.scenarios where splits.contains(scenario.split) {
            for label in scenario.labels.relevant + scenario.labels.wrong where !titles.contains(label) {
                throw DraftSetError(
                    .invalidRequest, "scenario \(scenario.id): label \"\(label)\" names nothing in the corpus")
            }
            let (contact, template) = try await insert(scenario)
            var request = DraftSetRequest(
                contactID: contact, channel: scenario.template.channel, stage: scenario.template.stage)
            request.templateID = template
            request.variantCount = scenario.variants ?? 2
            request.evidencePerVariant = evidencePerVariant
            request.feedbackNotes = scenario.feedback
            let draft = try await assembler.assemble(request)
            results.append(Self.score(draft, scenario: scenario))
        }
        return DraftEvalReport(scenarios: results)
    }

    /// Titles of the corpus's documents and names of its assets.
    private func corpusTitles() async throws -> Set<String> {
        let rows = try await pool.query(
            "SELECT title FROM public.documents UNION ALL SELECT name FROM public.assets")
        return Set(try rows.map { try $0.decode(String.self, column: 0) })
    }

    /// The scenario's organization, contact, interactions and template as HQ stores them.
    private func insert(_ scenario: DraftScenario) async throws -> (contact: UUID, template: UUID) {
        func text(_ row: [String: JSONValue]?, _ key: String) -> String? { row?[key]?.string }
        let contact = try await pool.query(
            """
            INSERT INTO public.contacts (name, company, title, notes, how_we_met)
            VALUES (\(text(scenario.contact, "name") ?? scenario.id), \(text(scenario.contact, "company")),
                    \(text(scenario.contact, "title")), \(text(scenario.contact, "notes")),
                    \(text(scenario.contact, "how_we_met")))
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        var organization: UUID?
        if let row = scenario.organization {
            organization = try await pool.query(
                """
                INSERT INTO public.organizations (name, industry, description)
                VALUES (\(text(row, "name") ?? scenario.id), \(text(row, "industry")), \(text(row, "description")))
                RETURNING id
                """)[0].decode(UUID.self, column: 0)
            try await pool.execute(
                """
                INSERT INTO public.contact_organizations (contact_id, org_id, is_current, started_at)
                VALUES (\(contact), \(organization), true, now() - interval '1 year')
                """)
        }
        for (age, interaction) in (scenario.interactions ?? []).enumerated() {
            try await pool.execute(
                """
                INSERT INTO public.interactions (contact_id, org_id, type, direction, channel, subject, summary, occurred_at)
                VALUES (\(contact), \(organization), 'email', 'inbound', 'email', \(interaction.subject),
                        \(interaction.summary), now() - make_interval(days => \(age + 1)::int))
                """)
        }
        let t = scenario.template
        let template = try await pool.query(
            """
            INSERT INTO public.templates (name, channel, stage, subject, body, angle, audience)
            VALUES (\(scenario.id), \(t.channel), \(t.stage), \(t.subject), \(t.body), \(t.angle), \(t.audience))
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        return (contact, template)
    }

    static func score(_ draft: DraftSet, scenario: DraftScenario) -> DraftEvalReport.Scenario {
        let relevant = Set(scenario.labels.relevant)
        let wrong = Set(scenario.labels.wrong)
        var chunkUse: [UUID: Int] = [:]
        for evidence in draft.variants.flatMap(\.evidence) { chunkUse[evidence.chunkID, default: 0] += 1 }
        // What a variant cites: its evidence, or, when an LLM wrote it, the evidence its text cites ([E#]).
        func citedEvidence(_ variant: DraftVariant) -> [Evidence] {
            variant.generator == "llm"
                ? variant.evidence.filter { variant.citations.contains($0.id) } : variant.evidence
        }
        let variants = draft.variants.map { variant in
            let cited = citedEvidence(variant).map(\.title)
            let others = Set(
                draft.variants.filter { $0.index != variant.index }.flatMap { citedEvidence($0).map(\.title) })
            return DraftEvalReport.Variant(
                angle: variant.angle ?? "", generator: variant.generator, cited: cited,
                relevant: cited.filter(relevant.contains).count,
                wrong: cited.filter(wrong.contains).count, sharedSources: cited.filter(others.contains).count,
                needsReview: variant.evidence.isEmpty)
        }
        let citedAnywhere = Set(variants.flatMap(\.cited))
        let mustCite = scenario.labels.mustCite
        return DraftEvalReport.Scenario(
            id: scenario.id, split: scenario.split, variants: variants,
            mustCiteFound: mustCite.filter(citedAnywhere.contains),
            mustCiteMissed: mustCite.filter { !citedAnywhere.contains($0) },
            duplicatePassages: chunkUse.values.filter { $0 > 1 }.count, queries: draft.meta.queries)
    }
}

/// The figures of `hq eval-drafts`, per split, and what each scenario cited.
public struct DraftEvalReport: Sendable, Codable {
    /// One variant's citations, scored.
    public struct Variant: Sendable, Codable {
        public var angle: String
        /// `template`, or `llm` when an LLM's answer was accepted (its citations are what counts).
        public var generator: String
        /// Titles of the cited documents, in evidence order.
        public var cited: [String]
        /// Citations of relevant documents.
        public var relevant: Int
        /// Citations of documents labelled wrong.
        public var wrong: Int
        /// Citations of a document another variant of the set also cites.
        public var sharedSources: Int
        /// The variant says that no passage was relevant enough (instead of citing filler).
        public var needsReview: Bool

        enum CodingKeys: String, CodingKey {
            case angle, generator, cited, relevant, wrong
            case sharedSources = "shared_sources"
            case needsReview = "needs_review"
        }
    }

    /// One scenario's outcome.
    public struct Scenario: Sendable, Codable {
        public var id: String
        public var split: String
        public var variants: [Variant]
        public var mustCiteFound: [String]
        public var mustCiteMissed: [String]
        /// Passages used by more than one variant (must be 0).
        public var duplicatePassages: Int
        /// The queries the set was assembled from.
        public var queries: [String]

        enum CodingKeys: String, CodingKey {
            case id, split, variants, queries
            case mustCiteFound = "must_cite_found"
            case mustCiteMissed = "must_cite_missed"
            case duplicatePassages = "duplicate_passages"
        }
    }

    /// Means over a split.
    public struct Figures: Sendable, Codable, Equatable {
        public var scenarios: Int
        public var variants: Int
        /// Mean over variants with at least one citation of the share of citations from relevant documents.
        public var precision: Double
        /// Mean over scenarios of the share of must-cite documents cited by some variant.
        public var mustCiteRecall: Double
        /// Share of variants with no citation of a relevant document.
        public var noAcceptableEvidenceRate: Double
        /// Share of variants citing a document labelled wrong.
        public var wrongCitationRate: Double
        /// Share of citations whose document another variant of the same set also cites.
        public var sharedSourceRate: Double
        /// Passages used by two variants of one set (must be 0).
        public var duplicatePassages: Int
        /// Mean citations per variant.
        public var citationsPerVariant: Double
        /// Variants an LLM wrote (their citations in the text are scored).
        public var llmVariants: Int

        enum CodingKeys: String, CodingKey {
            case scenarios, variants, precision
            case mustCiteRecall = "must_cite_recall"
            case noAcceptableEvidenceRate = "no_acceptable_evidence_rate"
            case wrongCitationRate = "wrong_citation_rate"
            case sharedSourceRate = "shared_source_rate"
            case duplicatePassages = "duplicate_passages"
            case citationsPerVariant = "citations_per_variant"
            case llmVariants = "llm_variants"
        }
    }

    public var scenarios: [Scenario]

    /// Figures per split (`train`, `test`) present in the report.
    public var splits: [String: Figures] {
        Dictionary(grouping: scenarios, by: \.split).mapValues(Self.figures)
    }

    static func figures(_ scenarios: [Scenario]) -> Figures {
        let variants = scenarios.flatMap(\.variants)
        let citing = variants.filter { !$0.cited.isEmpty }
        let citations = variants.reduce(0) { $0 + $1.cited.count }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        return Figures(
            scenarios: scenarios.count, variants: variants.count,
            precision: mean(citing.map { Double($0.relevant) / Double($0.cited.count) }),
            mustCiteRecall: mean(
                scenarios.map { scenario in
                    let total = scenario.mustCiteFound.count + scenario.mustCiteMissed.count
                    return total == 0 ? 1 : Double(scenario.mustCiteFound.count) / Double(total)
                }),
            noAcceptableEvidenceRate: mean(variants.map { $0.relevant == 0 ? 1 : 0 }),
            wrongCitationRate: mean(variants.map { $0.wrong > 0 ? 1 : 0 }),
            sharedSourceRate: citations == 0
                ? 0 : Double(variants.reduce(0) { $0 + $1.sharedSources }) / Double(citations),
            duplicatePassages: scenarios.reduce(0) { $0 + $1.duplicatePassages },
            citationsPerVariant: variants.isEmpty ? 0 : Double(citations) / Double(variants.count),
            llmVariants: variants.filter { $0.generator == "llm" }.count)
    }

    enum CodingKeys: String, CodingKey {
        case scenarios, splits
    }

    public init(scenarios: [Scenario]) {
        self.scenarios = scenarios
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenarios = try c.decode([Scenario].self, forKey: .scenarios)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(splits, forKey: .splits)
        try c.encode(scenarios, forKey: .scenarios)
    }
}
