import ArgumentParser
import Foundation
import HQIndexing
import HQKnowledge
import HQSearch
import HQStorage

/// `hq eval-drafts DIR`: draft-set evidence against labelled scenarios, in an isolated database.
struct EvalDraftsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-drafts",
        abstract: "Evaluate draft-set evidence on labelled scenarios (precision, must-cite recall, wrong citations).",
        discussion: """
            DIR holds scenarios.json (see samples/draft-scenarios): its corpus is imported and indexed into a fresh \
            database on the configured server, every scenario's contact, organization, interactions and template \
            are written, a draft set is assembled for each (no LLM unless --llm: then the evidence an accepted answer \
            cites is what counts), and the cited documents are scored against the labels. Choose settings on --split train; report --split test. --json prints {"splits": {"train"|"test": \
            {"scenarios", "variants", "precision", "must_cite_recall", "no_acceptable_evidence_rate", \
            "wrong_citation_rate", "shared_source_rate", "duplicate_passages", "citations_per_variant", \
            "llm_variants"}}, \
            "scenarios": [{"id", "split", "variants": [{"angle", "generator", "cited", "relevant", "wrong", "shared_sources", \
            "needs_review"}], "must_cite_found", "must_cite_missed", "duplicate_passages", "queries"}]}.
            """)

    @Argument(help: "A folder with scenarios.json (e.g. samples/draft-scenarios).")
    var directory: String

    @Option(help: ArgumentHelp("train, test or all.", valueName: "split"))
    var split = "all"

    @Option(name: .customLong("evidence"), help: "Passages of evidence per variant (0-8).")
    var evidencePerVariant = 3

    @Option(
        name: .customLong("min-cosine"),
        help: ArgumentHelp("The absolute evidence floor to evaluate (default: the assembler's).", valueName: "cosine"))
    var minimumCosine: Double?

    @Flag(help: "Write variants with the LLM of HQ_LLM_URL/HQ_LLM_MODEL and score the evidence its text cites.")
    var llm = false

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(name: .customLong("keep-database"), help: "Keep the evaluation database afterwards.")
    var keepDatabase = false

    @OptionGroup var embedderOptions: EmbedderOptions

    func run() async throws {
        let splits: Set<String>
        switch split {
        case "all": splits = ["train", "test"]
        case "train", "test": splits = [split]
        default: throw ValidationError("--split must be train, test or all")
        }
        let scenarios: DraftScenarioSet
        do { scenarios = try DraftScenarioSet(directory: directory) } catch let error as DraftSetError {
            throw CLIError(error.context, hint: "see samples/draft-scenarios/scenarios.json for the format")
        }
        let environment = AppEnvironment()
        let logger = environment.logger
        let embedder = try EmbedderSelection.makeEmbedder(
            options: embedderOptions, environment: environment, logger: logger)
        let configuration = try environment.searchConfiguration()
        let corpus = URL(fileURLWithPath: directory).appendingPathComponent(scenarios.corpus).standardizedFileURL.path
        let url = try CLIError.wrap { try environment.databaseURL() }
        let evidence = evidencePerVariant
        let minimumCosine = self.minimumCosine
        let llmConfiguration = llm ? try environment.llmConfiguration() : nil
        if llm && llmConfiguration == nil { throw CLIError("--llm needs HQ_LLM_URL and HQ_LLM_MODEL") }
        let report = try await ScratchDatabase.with(
            serverURL: url, prefix: "evaldrafts", migrationsDirectory: environment.migrationsDirectory,
            keep: keepDatabase,
            logger: logger
        ) { pool, _ in
            _ = try await Ingest(pool: pool, logger: logger).ingest([corpus])
            var indexing = IndexerConfiguration()
            indexing.extraction.fetcher = try environment.assetFileFetcher(extraRoots: [corpus])
            _ = try await Indexer(pool: pool, embedder: embedder, configuration: indexing, logger: logger).drain()
            let search = SearchService(pool: pool, embedder: embedder, configuration: configuration, logger: logger)
            let assembler = DraftSetAssembler(
                pool: pool, search: search, llm: llmConfiguration,
                minimumCosine: minimumCosine ?? DraftSetAssembler.defaultMinimumCosine, logger: logger)
            return try await DraftSetEvaluator(pool: pool, assembler: assembler, logger: logger)
                .run(scenarios, splits: splits, evidencePerVariant: evidence)
        }
        if json {
            try SearchOutput.writeJSON(report)
            return
        }
        var out = ""
        for (name, figures) in report.splits.sorted(by: { $0.key > $1.key }) {
            out += String(
                format:
                    "%@: %d scenarios, %d variants · precision %.3f · must-cite recall %.3f · no acceptable evidence %.3f · wrong citations %.3f · shared sources %.3f · duplicates %d\n",
                name, figures.scenarios, figures.variants, figures.precision, figures.mustCiteRecall,
                figures.noAcceptableEvidenceRate, figures.wrongCitationRate, figures.sharedSourceRate,
                figures.duplicatePassages)
        }
        for scenario in report.scenarios {
            out += "\n\(scenario.id) (\(scenario.split))"
            if !scenario.mustCiteMissed.isEmpty { out += " missed: " + scenario.mustCiteMissed.joined(separator: ", ") }
            out += "\n"
            for variant in scenario.variants {
                out += "  [\(variant.angle)] " + variant.cited.joined(separator: " | ")
                if variant.wrong > 0 { out += "  (\(variant.wrong) wrong)" }
                out += "\n"
            }
        }
        SearchOutput.write(out)
    }
}
