import ArgumentParser
import Foundation
import HQCore
import HQIndexing
import HQSearch
import HQStorage

/// `hq eval DATASET_DIR`: retrieval quality on a BEIR dataset, in an isolated database.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate retrieval on a BEIR folder (nDCG@10, Recall@100, MRR@10 per mode).",
        discussion: """
            Creates a fresh database on the configured server, migrates it, inserts corpus.jsonl as documents, \
            indexes them with the real indexer, runs every judged query of the split (qrels/test.tsv by \
            default; choose parameters with --split train, report --split test) through the real pipeline and \
            drops the database. --json prints {"dataset", "split", "queries", "modes": {"hybrid": \
            {"ndcg@10", "recall@100", "mrr@10"}, …}}. With --split repeated (--split train --split test) the \
            corpus is indexed once, every split is evaluated over that index and --json prints an array of \
            those objects, one per split.
            """)

    @Argument(help: "A BEIR folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv.")
    var datasetDirectory: String

    @Option(
        name: .customLong("split"),
        help: ArgumentHelp(
            "The judgements to evaluate: qrels/<split>.tsv (tune on train, report test; repeatable; default: test).",
            valueName: "name"))
    var splits: [String] = []

    @Option(name: .customLong("mode"), help: "Modes to evaluate (repeatable; default: dense, lexical, hybrid).")
    var modes: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    @Option(
        name: .customLong("run-file"),
        help: ArgumentHelp("Write a TREC run file (one per mode when several).", valueName: "path"))
    var runFile: String?

    @Option(
        name: .customLong("fusion"),
        help: ArgumentHelp(
            "Also evaluate hybrid with this fusion (repeatable): rrf[:K[:DENSE_W:LEXICAL_W]] or convex:ALPHA; reported as hybrid(SPEC).",
            valueName: "spec"))
    var fusions: [String] = []

    @Option(
        name: .customLong("candidates"),
        help: ArgumentHelp(
            "Candidates per leg, with 10 results per query as the service ranks them (Recall@100 then covers 10); default: 300 and 100 results.",
            valueName: "n"))
    var candidates: Int?

    @Flag(name: .customLong("keep-database"), help: "Keep the evaluation database afterwards (its name is logged).")
    var keepDatabase = false

    @Option(
        name: .customLong("reuse-database"),
        help: ArgumentHelp(
            "Score the index a --keep-database run left (by database name) instead of building one: compare settings without indexing again.",
            valueName: "name"))
    var reuseDatabase: String?

    @OptionGroup var embedderOptions: EmbedderOptions

    func run() async throws {
        let modes = try self.modes.map { value in
            guard let mode = SearchMode(rawValue: value.lowercased()) else {
                throw ValidationError(
                    "--mode must be " + RequestFields.alternatives(SearchMode.allCases.map(\.rawValue)))
            }
            return mode
        }
        let environment = AppEnvironment()
        var datasets: [BEIRDataset] = []
        for split in splits.isEmpty ? ["test"] : splits {
            do {
                datasets.append(try BEIRDataset(directory: datasetDirectory, split: split))
            } catch let error as SearchError {
                throw CLIError(
                    "cannot load \(datasetDirectory): \(error.context)",
                    hint: "a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/\(split).tsv")
            }
        }
        // The same embedder rule as every command: the index is built and queried with one model.
        let embedder = try EmbedderSelection.makeEmbedder(
            options: embedderOptions, environment: environment, logger: environment.logger)
        let url = try CLIError.wrap { try environment.databaseURL() }
        var runner = EvalRunner(
            serverURL: url, migrationsDirectory: environment.migrationsDirectory, embedder: embedder,
            configuration: try environment.searchConfiguration(), logger: environment.logger)
        runner.keepDatabase = keepDatabase
        runner.reuseDatabase = reuseDatabase
        if let candidates {
            guard (10...1000).contains(candidates) else { throw ValidationError("--candidates must be 10...1000") }
            runner.candidatesPerLeg = candidates
        }
        runner.fusions = try fusions.map { spec in
            do { return try SearchConfiguration.Fusion(parsing: spec) } catch let error as SearchError {
                throw CLIError(error.context, hint: "e.g. --fusion convex:0.5 or --fusion rrf:60")
            }
        }
        let logger = environment.logger
        let reports = try await runner.run(
            splits: datasets, modes: modes.isEmpty ? [.dense, .lexical, .hybrid] : modes, runFile: runFile
        ) { pool in
            _ = try await Indexer(pool: pool, embedder: embedder, logger: logger).drain()
        }
        if json {
            if reports.count == 1 {
                try SearchOutput.writeJSON(reports[0])
            } else {
                try SearchOutput.writeJSON(reports)
            }
            return
        }
        for report in reports {
            var out =
                "\(report.dataset) (\(report.split) split): \(report.queries) queries, \(datasets[0].documents.count) documents\n"
            let names = SearchMode.allCases.map(\.rawValue) + runner.fusions.map { "hybrid(\($0))" }
            let width = max(9, names.map(\.count).max() ?? 0)
            out += "mode".padding(toLength: width, withPad: " ", startingAt: 0) + "  nDCG@10  Recall@100  MRR@10\n"
            for mode in names {
                guard let m = report.modes[mode] else { continue }
                out += mode.padding(toLength: width, withPad: " ", startingAt: 0)
                out += String(format: "  %.4f   %.4f      %.4f\n", m.ndcg10, m.recall100, m.mrr10)
            }
            SearchOutput.write(out)
        }
    }
}
