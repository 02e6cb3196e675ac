public import Foundation
public import HQEmbedding
public import HQStorage
public import Logging

/// Runs a BEIR dataset through the real pipeline in an isolated database: creates a fresh database on
/// the same server, migrates it, inserts the corpus as documents (title + body; the triggers queue
/// them), indexes with the caller's indexer, runs every test query per mode, scores, drops the database.
public struct EvalRunner: Sendable {
    /// Indexes every pending source of the database behind the pool (the real indexer's `drain`).
    public typealias IndexAll = @Sendable (PostgresPool) async throws -> Void

    /// A URL of any database on the server to use (the eval database is created beside it).
    public var serverURL: String
    /// `db/migrations`.
    public var migrationsDirectory: String
    /// Embeds queries (the indexer embeds the corpus with its own embedder, normally the same).
    public var embedder: any Embedder
    /// Pipeline tuning; candidates are raised so that 100 sources can be ranked.
    public var configuration: SearchConfiguration
    /// Keep the eval database afterwards (for inspection, or to score again with ``reuseDatabase``).
    public var keepDatabase = false
    /// Score an index kept by an earlier run (`--keep-database`) instead of creating, loading and indexing one: the
    /// database's name on the same server. Its corpus must be the dataset's (documents carry `meta.beir_id`).
    public var reuseDatabase: String?
    /// Extra hybrid runs over the same index, one per fusion, reported as `hybrid(<spec>)` (e.g.
    /// `hybrid(convex:0.5)`): a fusion sweep costs one indexing.
    public var fusions: [SearchConfiguration.Fusion] = []
    /// Candidates per leg for every run; nil keeps at least 300 (so that 100 sources can be ranked for Recall@100).
    /// Set it to the service's own figure to measure nDCG@10 and MRR@10 exactly as the service ranks a 10-result
    /// search: queries then ask for 10 results, so Recall@100 covers those 10 only.
    public var candidatesPerLeg: Int?
    let logger: Logger

    /// Creates a runner.
    public init(
        serverURL: String, migrationsDirectory: String, embedder: any Embedder,
        configuration: SearchConfiguration = .init(), logger: Logger
    ) {
        self.serverURL = serverURL
        self.migrationsDirectory = migrationsDirectory
        self.embedder = embedder
        var configuration = configuration
        configuration.denseCandidates = max(configuration.denseCandidates, 300)
        configuration.lexicalCandidates = max(configuration.lexicalCandidates, 300)
        self.configuration = configuration
        self.logger = logger
    }

    /// Loads, indexes and evaluates `dataset` in each of `modes`.
    /// - Parameters:
    ///   - runFile: a TREC run file to write (`qid Q0 docid rank score run`); with several modes one
    ///     file per mode, the mode's name inserted before the extension.
    ///   - index: indexes all pending sources (e.g. `Indexer(pool:embedder:…).drain()`).
    /// - Returns: mean nDCG@10, Recall@100 and MRR@10 per mode.
    public func run(dataset: BEIRDataset, modes: [SearchMode], runFile: String?, index: IndexAll) async throws
        -> EvalReport
    {
        try await run(splits: [dataset], modes: modes, runFile: runFile, index: index)[0]
    }

    /// Loads and indexes the corpus once and evaluates every split's queries over that one index (train to
    /// choose parameters and test to report cost one indexing).
    /// - Parameters:
    ///   - splits: the same corpus with the judgements of each split (the first one's documents are loaded).
    ///   - runFile: as in ``run(dataset:modes:runFile:index:)``; with several splits the split's name is inserted too.
    /// - Returns: one report per split, in order.
    public func run(splits: [BEIRDataset], modes: [SearchMode], runFile: String?, index: IndexAll) async throws
        -> [EvalReport]
    {
        guard let first = splits.first else { return [] }
        if let reuseDatabase {
            let url = try ScratchDatabase.replacingDatabase(in: serverURL, with: reuseDatabase)
            let pool = PostgresPool(configuration: PostgresConfiguration(url), maxConnections: 2, logger: logger)
            do {
                let rows = try await pool.query(
                    "SELECT id, meta ->> 'beir_id' FROM public.documents WHERE meta ? 'beir_id'")
                var documentIDs: [String: String] = [:]
                for row in rows {
                    documentIDs[try row.decode(UUID.self, column: 0).uuidString.lowercased()] = try row.decode(
                        String.self, column: 1)
                }
                guard documentIDs.count == first.documents.count else {
                    throw SearchError(
                        .dataset,
                        "\(reuseDatabase) holds \(documentIDs.count) documents of a BEIR corpus; \(first.name) has \(first.documents.count)"
                    )
                }
                let reports = try await evaluate(
                    splits: splits, modes: modes, runFile: runFile, pool: pool, documentIDs: documentIDs)
                await pool.close()
                return reports
            } catch {
                await pool.close()
                throw error
            }
        }
        return try await ScratchDatabase.with(
            serverURL: serverURL, prefix: "eval", migrationsDirectory: migrationsDirectory, keep: keepDatabase,
            logger: logger
        ) { pool, _ in
            let documentIDs = try await load(first.documents, pool: pool)
            try await index(pool)
            return try await evaluate(
                splits: splits, modes: modes, runFile: runFile, pool: pool, documentIDs: documentIDs)
        }
    }

    /// Every split's report over one index; with several splits, each run file carries the split's name.
    private func evaluate(
        splits: [BEIRDataset], modes: [SearchMode], runFile: String?, pool: PostgresPool, documentIDs: [String: String]
    ) async throws -> [EvalReport] {
        var reports: [EvalReport] = []
        for dataset in splits {
            let file = runFile.map { splits.count == 1 ? $0 : Self.path($0, inserting: dataset.split) }
            reports.append(
                try await evaluate(dataset: dataset, modes: modes, runFile: file, pool: pool, documentIDs: documentIDs))
        }
        return reports
    }

    private func evaluate(
        dataset: BEIRDataset, modes: [SearchMode], runFile: String?, pool: PostgresPool, documentIDs: [String: String]
    ) async throws -> EvalReport {
        var report = EvalReport(dataset: dataset.name, split: dataset.split, queries: dataset.queries.count, modes: [:])
        var runs: [(name: String, mode: SearchMode, configuration: SearchConfiguration)] = modes.map {
            ($0.rawValue, $0, configuration)
        }
        for fusion in fusions {
            var tuned = configuration
            tuned.fusion = fusion
            runs.append(("hybrid(\(fusion))", .hybrid, tuned))
        }
        for run in runs {
            var tuned = run.configuration
            if let candidatesPerLeg {
                tuned.denseCandidates = candidatesPerLeg
                tuned.lexicalCandidates = candidatesPerLeg
            }
            let service = SearchService(pool: pool, embedder: embedder, configuration: tuned, logger: logger)
            var ndcg = 0.0
            var recall = 0.0
            var mrr = 0.0
            var trec = ""
            for (queryID, text) in dataset.queries {
                let response = try await service.search(
                    SearchRequest(
                        query: text, limit: candidatesPerLeg == nil ? 100 : 10, mode: run.mode, chunksPerSource: 1))
                let ranked = response.results.map { documentIDs[$0.entityID] ?? $0.entityID }
                let relevant = dataset.qrels[queryID] ?? [:]
                ndcg += RankingMetrics.ndcg(ranked: ranked, relevant: relevant, k: 10)
                recall += RankingMetrics.recall(ranked: ranked, relevant: relevant, k: 100)
                mrr += RankingMetrics.reciprocalRank(ranked: ranked, relevant: relevant, k: 10)
                for (rank, result) in response.results.enumerated() {
                    trec += "\(queryID) Q0 \(ranked[rank]) \(rank + 1) \(result.score) hq-\(run.name)\n"
                }
            }
            let n = Double(max(dataset.queries.count, 1))
            report.modes[run.name] = EvalMetrics(ndcg10: ndcg / n, recall100: recall / n, mrr10: mrr / n)
            if let runFile {
                let path = runs.count == 1 ? runFile : Self.path(runFile, inserting: run.name)
                try Data(trec.utf8).write(to: URL(fileURLWithPath: path))
            }
        }
        return report
    }

    /// Inserts the corpus as documents (title; body text as a markdown string in `content`);
    /// returns dataset id by document uuid.
    private func load(_ documents: [BEIRDataset.Document], pool: PostgresPool) async throws -> [String: String] {
        var map: [String: String] = [:]
        var start = 0
        while start < documents.count {
            let batch = documents[start..<min(start + 500, documents.count)]
            start += batch.count
            let ids = batch.map(\.id)
            let titles = batch.map { $0.title.isEmpty ? $0.id : $0.title }
            let bodies = batch.map(\.text)
            let rows = try await pool.query(
                """
                INSERT INTO public.documents (title, content, meta)
                SELECT x.title, to_jsonb(x.body), jsonb_build_object('beir_id', x.id)
                  FROM unnest(\(ids)::text[], \(titles)::text[], \(bodies)::text[]) AS x(id, title, body)
                RETURNING id, meta ->> 'beir_id'
                """)
            for row in rows {
                map[try row.decode(UUID.self, column: 0).uuidString.lowercased()] = try row.decode(
                    String.self, column: 1)
            }
        }
        return map
    }

    static func path(_ path: String, inserting tag: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = url.deletingPathExtension().path
        return ext.isEmpty ? "\(base).\(tag)" : "\(base).\(tag).\(ext)"
    }

    /// `url` with its database name replaced (`postgresql://host:port/db?…` and `postgresql:///db?host=…`).
}
