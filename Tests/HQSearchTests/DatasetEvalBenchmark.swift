import Foundation
import HQIndexing
import HQSearch
import HQTestSupport
import Testing

/// Opt-in (HQ_EVAL_DATASET=path): the same run as `hq eval DATASET --json`, for bench/search-eval.sh while
/// the command is not wired into `hq`. Prints the report's JSON on stdout.
@Suite("BEIR dataset evaluation (opt-in benchmark)")
struct DatasetEvalBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HQ_EVAL_DATASET"] != nil))
    func evaluateDataset() async throws {
        let env = ProcessInfo.processInfo.environment
        let dataset = try BEIRDataset(directory: env["HQ_EVAL_DATASET"]!)
        let embedder = try await SearchFixture.embedderTask.value
        var configuration = SearchConfiguration()
        if let alpha = env["HQ_EVAL_CONVEX_ALPHA"].flatMap(Double.init) { configuration.fusion = .convex(alpha: alpha) }
        var runner = EvalRunner(
            serverURL: try await TestDatabase.url(), migrationsDirectory: TestDatabase.packageRoot + "/db/migrations",
            embedder: embedder, configuration: configuration, logger: TestDatabase.logger)
        // HQ_EVAL_FUSIONS="convex:0.5 rrf:60": a fusion sweep over the same index.
        runner.fusions = try (env["HQ_EVAL_FUSIONS"] ?? "").split(separator: " ").map { try SearchConfiguration.Fusion(parsing: String($0)) }
        let report = try await runner.run(dataset: dataset, modes: [.dense, .lexical, .hybrid], runFile: env["HQ_EVAL_RUN_FILE"]) { pool in
            _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()
        }
        let data = try SearchJSON.encoder().encode(report)
        print("HQ_EVAL_REPORT " + String(decoding: data, as: UTF8.self))
        #expect(report.queries == dataset.queries.count)
    }
}
