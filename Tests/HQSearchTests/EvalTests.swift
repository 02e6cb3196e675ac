import Foundation
import HQIndexing
import HQSearch
import HQStorage
import HQTestSupport
import Testing

@Suite("hq eval on a tiny BEIR folder")
struct EvalTests {
    @Test("loads, indexes with the real indexer, and scores known answers")
    func tinyDataset() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hq-beir-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = [
            #"{"_id": "d1", "title": "Photosynthesis", "text": "Plants convert sunlight, water and carbon dioxide into glucose and oxygen."}"#,
            #"{"_id": "d2", "title": "Volcanoes", "text": "Magma rises through the crust and erupts as lava from volcanoes."}"#,
            #"{"_id": "d3", "title": "Tides", "text": "The gravitational pull of the moon causes ocean tides."}"#,
            #"{"_id": "d4", "title": "Insulin", "text": "The pancreas secretes insulin to regulate blood glucose levels."}"#,
        ]
        try corpus.joined(separator: "\n").write(
            to: dir.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try [
            #"{"_id": "q1", "text": "how do plants convert sunlight into glucose"}"#,
            #"{"_id": "q2", "text": "does the moon cause ocean tides"}"#,
            #"{"_id": "q3", "text": "unjudged query"}"#,
        ]
        .joined(separator: "\n").write(
            to: dir.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n"
            .write(to: dir.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        // A train split judging one query wrongly (d2 for the moon): both splits are scored over one index.
        try "query-id\tcorpus-id\tscore\nq2\td2\t1\n"
            .write(to: dir.appendingPathComponent("qrels/train.tsv"), atomically: true, encoding: .utf8)

        let dataset = try BEIRDataset(directory: dir.path)
        #expect(dataset.documents.count == 4 && dataset.queries.count == 2)
        let embedder = try await SearchFixture.embedderTask.value
        var runner = EvalRunner(
            serverURL: try await TestDatabase.url(), migrationsDirectory: TestDatabase.packageRoot + "/db/migrations",
            embedder: embedder, logger: TestDatabase.logger)
        runner.fusions = [.convex(alpha: 0.5), .distribution(alpha: 0.5)]
        let runFile = dir.appendingPathComponent("run.trec").path
        let train = try BEIRDataset(directory: dir.path, split: "train")
        let reports = try await runner.run(splits: [dataset, train], modes: SearchMode.allCases, runFile: runFile) {
            pool in
            _ = try await Indexer(pool: pool, embedder: embedder, logger: TestDatabase.logger).drain()
        }
        #expect(reports.map(\.split) == ["test", "train"])
        let report = reports[0]
        #expect(reports[1].queries == 1 && reports[1].modes["hybrid"].map { $0.ndcg10 < 1 } == true)
        #expect(report.modes["hybrid(dbsf:0.5)"]?.ndcg10 == 1)
        #expect(report.queries == 2)
        #expect(report.modes["dense"]?.ndcg10 == 1)
        #expect(report.modes["hybrid"]?.ndcg10 == 1)
        #expect(report.modes["lexical"]?.ndcg10 == 1)
        #expect(report.modes["hybrid"]?.recall100 == 1)
        #expect(report.modes["hybrid"]?.mrr10 == 1)
        // A fusion sweep reuses the index: one more hybrid run under its own name and run file.
        #expect(Set(report.modes.keys) == ["dense", "lexical", "hybrid", "hybrid(convex:0.5)", "hybrid(dbsf:0.5)"])
        #expect(report.modes["hybrid(convex:0.5)"]?.ndcg10 == 1)
        // Run files carry the split, then the mode.
        #expect(
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("run.test.hybrid(convex:0.5).trec").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run.train.hybrid.trec").path))
        let run = try String(contentsOfFile: dir.appendingPathComponent("run.test.hybrid.trec").path, encoding: .utf8)
        #expect(run.hasPrefix("q1 Q0 d1 1 "))
    }

    @Test("--split picks qrels/<split>.tsv and its queries; a split that is not a plain name or has no file is refused")
    func splits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hq-beir-split-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"_id": "d1", "title": "", "text": "one"}"#.write(
            to: dir.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try [
            #"{"_id": "q1", "text": "test query"}"#, #"{"_id": "q2", "text": "train query"}"#,
            #"{"_id": "q3", "text": "train query two"}"#,
        ]
        .joined(separator: "\n").write(
            to: dir.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try "q1\td1\t1\n".write(to: dir.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        try "query-id\tcorpus-id\tscore\nq2\td1\t1\nq3\td1\t2\n".write(
            to: dir.appendingPathComponent("qrels/train.tsv"), atomically: true, encoding: .utf8)

        let test = try BEIRDataset(directory: dir.path)
        #expect(test.split == "test" && test.queries.map(\.id) == ["q1"])
        let train = try BEIRDataset(directory: dir.path, split: "train")
        #expect(train.split == "train" && train.queries.map(\.id) == ["q2", "q3"])
        #expect(train.qrels["q3"]?["d1"] == 2)
        for bad in ["../test", "qrels/test", "", "test.tsv", "tr\u{0}ain"] {
            #expect(throws: SearchError.self, "\(bad)") { try BEIRDataset(directory: dir.path, split: bad) }
        }
        do {
            _ = try BEIRDataset(directory: dir.path, split: "dev")
            Issue.record("a split without a file loaded")
        } catch let error as SearchError {
            #expect(error.context.contains("qrels/dev.tsv"), "\(error.context)")
        }
    }
}
