// hq-bench-search: the 100,000-chunk search benchmark (bench/search.sh runs it; figures in docs/BENCHMARKS.md).
//
//   hq-bench-search load      builds database hq_bench_search: SciFact indexed by the real indexer into ~100k chunks
//                             (sentence-sized), tags on ~9% / ~1% / ~0.1% of the chunks and a folder holding ~0.5%;
//                             vectors are cached in $BENCH_CACHE so a second build does not embed again. Skipped when
//                             the database already holds a complete build of the same settings.
//   hq-bench-search recall    per filter: recall@10 of the dense leg against an exact filtered scan, short answers,
//                             latency; the incumbent's query (ivfflat lists=20, probes=1, filter after the scan) on the
//                             same data; the whole pipeline in process (query embedding included). One JSON line.
//   hq-bench-search bodies F  writes F: one POST /v1/search body per line for the HTTP load generator.
//   hq-bench-search url [NAME]   prints the benchmark database's URL (or a copy's), for `hq serve`.
//   hq-bench-search copy NAME    (re)creates database NAME as a copy of the benchmark database (for runs that write).
//   hq-bench-search drop NAME    drops such a copy.
import Foundation
import HQBenchSupport
import HQCore
import HQEmbedding
import HQIndexing
import HQSearch
import HQStorage

let env = Bench.environment
let databaseName = "hq_bench_search"
let dataset = env["BENCH_DATASET"] ?? Bench.root + "/../shared/datasets/scifact"
let targetChunks = Int(env["BENCH_CHUNKS"] ?? "") ?? 100_000
let cacheDirectory = env["BENCH_CACHE"] ?? Bench.root + "/.build/bench-cache"
let modelDirectory = URL(fileURLWithPath: env["HQ_MODEL_DIR"] ?? Bench.root + "/models/all-MiniLM-L6-v2")

/// A filter of the benchmark: which documents carry it (a share of the corpus's chunks), and how each system asks for it.
struct BenchFilter {
    let name: String
    /// Share of chunks the filter should match.
    let share: Double
    let tag: String?
    let folder: Bool
    var searchFilter: SearchFilter {
        var filter = SearchFilter()
        if let tag { filter.tags = [tag] }
        if folder { filter.folder = "Bench/Deep" }
        return filter
    }
}

let filters = [
    BenchFilter(name: "none", share: 1, tag: nil, folder: false),
    BenchFilter(name: "tag ~9%", share: 0.09, tag: "bench-9pct", folder: false),
    BenchFilter(name: "tag ~1%", share: 0.01, tag: "bench-1pct", folder: false),
    BenchFilter(name: "tag ~0.1%", share: 0.001, tag: "bench-0.1pct", folder: false),
    BenchFilter(name: "folder ~0.5%", share: 0.005, tag: nil, folder: true),
]

/// The native embedder with a persistent cache keyed by the SHA-256 of each text (records appended as they are
/// computed), so rebuilding the benchmark database does not embed 100k chunks again.
final class CachedEmbedder: Embedder, @unchecked Sendable {
    let base: NativeEmbedder
    let lock = NSLock()
    var store: [String: [Float]] = [:]
    let handle: FileHandle
    var computed = 0
    var modelID: String { base.modelID }
    var dimensions: Int { base.dimensions }
    var maxTokens: Int { base.maxTokens }
    var queryPrefix: String { base.queryPrefix }

    init(base: NativeEmbedder, path: String) throws {
        self.base = base
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let record = 64 + base.dimensions * 4
        let complete = data.count / record * record
        var loaded: [String: [Float]] = [:]
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < complete {
                let key = String(decoding: raw[offset..<offset + 64], as: UTF8.self)
                loaded[key] = (0..<base.dimensions).map {
                    raw.loadUnaligned(fromByteOffset: offset + 64 + $0 * 4, as: Float.self)
                }
                offset += record
            }
        }
        store = loaded
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(complete))  // a torn last record from a killed run
        try handle.seekToEnd()
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        let keys = texts.map { SHA256.hex($0) }
        var missing: [Int] = []
        var seen = Set<String>()
        lock.withLock {
            for (i, key) in keys.enumerated() where store[key] == nil && seen.insert(key).inserted { missing.append(i) }
        }
        if !missing.isEmpty {
            let vectors = try await base.embed(missing.map { texts[$0] })
            var bytes = Data()
            for (i, vector) in zip(missing, vectors) {
                bytes.append(contentsOf: Array(keys[i].utf8))
                vector.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
            try lock.withLock {
                for (i, vector) in zip(missing, vectors) { store[keys[i]] = vector }
                computed += missing.count
                try handle.write(contentsOf: bytes)
            }
        }
        return lock.withLock { keys.map { store[$0]! } }
    }
}

// MARK: - load

func chunking(for docs: [Bench.BEIRLine], counter: any TokenCounter, maxTokens: Int) async throws -> (
    ChunkingConfiguration, Int
) {
    // Exactly what the indexer extracts from these documents (markdown strings in documents.content).
    let extractor = ContentExtractor()
    var extracted: [ExtractedText] = []
    for doc in docs {
        let content = String(decoding: try JSONEncoder().encode(doc.text), as: UTF8.self)
        extracted.append(try await extractor.extract(.document(title: doc.title ?? "", content: content)))
    }
    func count(_ target: Int) -> (ChunkingConfiguration, Int) {
        var configuration = ChunkingConfiguration()
        configuration.targetTokens = target
        configuration.overlapTokens = target / 4
        configuration.maxContextTokens = 0
        let chunker = Chunker(counter: counter, maxTokens: maxTokens, configuration: configuration)
        let total = zip(docs, extracted).reduce(0) { $0 + chunker.chunks(of: $1.1, title: $1.0.title ?? "").count }
        return (configuration, total)
    }
    // Chunk counts fall as the target grows: the largest target that still yields at least the wanted count.
    var (low, high) = (8, 256)
    var best = count(low)
    while low <= high {
        let mid = (low + high) / 2
        let attempt = count(mid)
        if attempt.1 >= targetChunks {
            best = attempt
            low = mid + 1
        } else {
            high = mid - 1
        }
    }
    return best
}

func load() async throws {
    let serverURL = try Bench.serverURL()
    let docs = try Bench.beirLines(dataset + "/corpus.jsonl")
    let base = try NativeEmbedder(modelDirectory: modelDirectory, logger: Bench.logger)
    let (chunkingConfiguration, expected) = try await chunking(
        for: docs, counter: base.tokenizer, maxTokens: base.maxTokens)
    let settings =
        "\(dataset)|\(docs.count)|\(chunkingConfiguration.targetTokens)|\(chunkingConfiguration.overlapTokens)|v1"
    if try await Bench.databaseExists(databaseName, serverURL: serverURL) {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(Bench.databaseURL(serverURL, name: databaseName)), maxConnections: 1,
            logger: Bench.logger)
        let stored = try? await pool.query("SELECT value ->> 'settings' FROM bench.meta WHERE key = 'build'").first?
            .decode(String.self, column: 0)
        await pool.close()
        if stored == settings {
            Bench.log("load: \(databaseName) already holds this build; skipping (BENCH_REBUILD=1 rebuilds)")
            if env["BENCH_REBUILD"] == nil { return }
        }
    }
    Bench.log(
        "load: chunk target \(chunkingConfiguration.targetTokens) tokens, overlap \(chunkingConfiguration.overlapTokens): \(expected) chunks expected"
    )
    let url = try await Bench.freshDatabase(databaseName, serverURL: serverURL)
    let pool = PostgresPool(configuration: PostgresConfiguration(url), maxConnections: 4, logger: Bench.logger)

    // Folders Bench/Deep (the filtered one) and Bench/Other; tags chosen so each filter covers its share of text.
    let folders = try await pool.query(
        """
        WITH b AS (INSERT INTO public.document_folders (name) VALUES ('Bench') RETURNING id)
        INSERT INTO public.document_folders (name, parent_id) SELECT n, b.id FROM b, unnest(ARRAY['Deep', 'Other']) n
        RETURNING name, id
        """)
    var folderID: [String: UUID] = [:]
    for row in folders { folderID[try row.decode(String.self, column: 0)] = try row.decode(UUID.self, column: 1) }
    let weights = docs.map { Double($0.text.utf8.count + ($0.title?.utf8.count ?? 0)) }
    let totalWeight = weights.reduce(0, +)
    var tags = Array(repeating: ["scifact"], count: docs.count)
    var deep = Array(repeating: false, count: docs.count)
    for (seed, filter) in filters.enumerated() where filter.share < 1 {
        var generator = SplitMix(state: UInt64(seed + 1) * 7919)
        var covered = 0.0
        for i in docs.indices.shuffled(using: &generator) where covered < filter.share * totalWeight {
            covered += weights[i]
            if let tag = filter.tag { tags[i].append(tag) } else { deep[i] = true }
        }
    }
    let loadStart = ContinuousClock.now
    for start in stride(from: 0, to: docs.count, by: 1000) {
        let range = start..<min(start + 1000, docs.count)
        let folderIDs = range.map { deep[$0] ? folderID["Deep"]! : folderID["Other"]! }
        try await pool.execute(
            """
            INSERT INTO public.documents (title, content, tags, folder_id, meta)
            SELECT t, to_jsonb(b), string_to_array(g, '|'), f, jsonb_build_object('beir_id', i)
              FROM unnest(\(range.map { docs[$0].title ?? "" }), \(range.map { docs[$0].text }),
                          \(range.map { tags[$0].joined(separator: "|") }), \(folderIDs)::uuid[], \(range.map { docs[$0]._id }))
                   AS u(t, b, g, f, i)
            """)
    }
    Bench.log(String(format: "load: %d documents inserted in %.1f s", docs.count, Bench.seconds(since: loadStart)))

    let cachePath = cacheDirectory + "/vectors-\(SHA256.hex(base.modelID + "|\(base.dimensions)").prefix(16)).bin"
    let embedder = try CachedEmbedder(base: base, path: cachePath)
    Bench.log("load: \(embedder.store.count) vectors in the cache \(cachePath)")
    var configuration = IndexerConfiguration()
    configuration.chunking = chunkingConfiguration
    configuration.tokenCounter = base.tokenizer
    let indexer = Indexer(pool: pool, embedder: embedder, configuration: configuration, logger: Bench.logger)
    let indexStart = ContinuousClock.now
    let summary = try await indexer.drain { progress in
        let done = progress.summary.indexed + progress.summary.failed
        if done % 640 < 64 || progress.remaining == 0 {
            Bench.log(
                String(
                    format: "load: indexed %d sources, %d chunks, %d remaining (%.0f s)", done, progress.summary.chunks,
                    progress.remaining, Bench.seconds(since: indexStart)))
        }
    }
    let indexSeconds = Bench.seconds(since: indexStart)
    guard summary.failed == 0 else { throw BenchError("\(summary.failed) sources failed to index") }

    // The incumbent's layout on the same vectors: full-precision vectors with an ivfflat index (lists = 20), the
    // source's tags and direct folder beside them.
    let incumbentStart = ContinuousClock.now
    try await pool.withConnection {
        try await $0.execute(
            script: """
                CREATE SCHEMA bench;
                CREATE TABLE bench.meta (key text PRIMARY KEY, value jsonb NOT NULL);
                CREATE TABLE bench.incumbent AS
                  SELECT v.chunk_id AS id, v.embedding, s.tags, s.folder_id
                    FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id;
                CREATE INDEX ON bench.incumbent USING ivfflat (embedding extensions.vector_cosine_ops) WITH (lists = 20);
                ANALYZE;
                """)
    }
    // Steady state, as autovacuum leaves a live database: visibility maps set, so index-only scans of the BM25
    // postings skip the heap.
    try await pool.withConnection { try await $0.execute(script: "VACUUM (ANALYZE)") }
    let counts = try await pool.query("SELECT count(*), count(DISTINCT source_id) FROM public.knowledge_chunk_vectors")
        .first!
    let chunks = try counts.decode(Int.self, column: 0)
    let build: [String: Any] = [
        "settings": settings, "chunks": chunks, "documents": docs.count, "index_seconds": indexSeconds,
        "embedded_now": embedder.computed, "target_tokens": chunkingConfiguration.targetTokens,
        "incumbent_build_seconds": Bench.seconds(since: incumbentStart),
    ]
    let json = String(
        decoding: try JSONSerialization.data(withJSONObject: build, options: [.sortedKeys]), as: UTF8.self)
    try await pool.execute("INSERT INTO bench.meta VALUES ('build', \(json)::jsonb)")
    Bench.log(
        String(
            format: "load: %d chunks indexed in %.1f s (%d embedded now, the rest from the cache)", chunks,
            indexSeconds, embedder.computed))
    await pool.close()
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - recall

/// The test queries (qrels/test.tsv) with their text; `all` gives every query of queries.jsonl.
func queries(all: Bool) throws -> [(id: String, text: String)] {
    let lines = try Bench.beirLines(dataset + "/queries.jsonl")
    if all { return lines.map { ($0._id, $0.text) } }
    let qrels = try String(contentsOfFile: dataset + "/qrels/test.tsv", encoding: .utf8)
    let ids = Set(
        qrels.split(separator: "\n").dropFirst().compactMap { $0.split(separator: "\t").first.map(String.init) })
    return lines.filter { ids.contains($0._id) }.map { ($0._id, $0.text) }
}

func milliseconds(since start: ContinuousClock.Instant) -> Double { Bench.seconds(since: start) * 1000 }

func summary(_ values: [Double]) -> [String: Double] {
    ["p50": Bench.percentile(values, 50), "p95": Bench.percentile(values, 95), "p99": Bench.percentile(values, 99)]
}

func recall() async throws {
    let serverURL = try Bench.serverURL()
    let url = Bench.databaseURL(serverURL, name: databaseName)
    let pool = PostgresPool(configuration: PostgresConfiguration(url), maxConnections: 2, logger: Bench.logger)
    let build = try await pool.query("SELECT value::text FROM bench.meta WHERE key = 'build'").first?.decode(
        String.self, column: 0)
    guard let build else { throw BenchError("no benchmark database: run `hq-bench-search load` first") }
    let embedder = try NativeEmbedder(modelDirectory: modelDirectory, logger: Bench.logger)
    let testQueries = try queries(all: false)
    let vectors = try await embedder.embedQueries(testQueries.map(\.text))
    var noCache = SearchConfiguration()
    noCache.cacheCapacity = 0  // every pipeline search embeds its query, as a first-time query does
    let service = SearchService(pool: pool, embedder: embedder, configuration: noCache, logger: Bench.logger)
    let folderDeep = try await pool.query("SELECT public.hq_folder_id_by_path('document', 'Bench/Deep')").first!.decode(
        UUID.self, column: 0)

    // Warm the caches (index pages, plans) once before timing.
    for vector in vectors.prefix(20) { _ = try await service.nearestChunks(to: vector, limit: 10) }

    var results: [[String: Any]] = []
    for filter in filters {
        // The filter over our vector rows (tags and folder chain copied onto them) …
        func vectorRows(_ select: String) -> PostgresQueryBuilder {
            var sql = PostgresQueryBuilder(
                "SELECT \(select) FROM public.knowledge_chunk_vectors v WHERE v.model = public.hq_live_embedding_model() AND NOT v.archived"
            )
            if let tag = filter.tag { sql.append(" AND v.tags && ARRAY[\(sql.bind(tag))]::text[]") }
            if filter.folder { sql.append(" AND v.folder_ids && ARRAY[\(sql.bind(folderDeep))]::uuid[]") }
            return sql
        }
        // … and over the incumbent's rows (the source's tags and direct folder).
        func incumbentRows() -> PostgresQueryBuilder {
            var sql = PostgresQueryBuilder("SELECT id FROM bench.incumbent WHERE true")
            if let tag = filter.tag { sql.append(" AND tags && ARRAY[\(sql.bind(tag))]::text[]") }
            if filter.folder { sql.append(" AND folder_id = \(sql.bind(folderDeep))") }
            return sql
        }
        let matches = try await pool.query(vectorRows("count(*)").query).first!.decode(Int.self, column: 0)

        var ours: [Double] = []
        var oursShort = 0
        var oursMS: [Double] = []
        var incumbent: [Double] = []
        var incumbentShort = 0
        var incumbentMS: [Double] = []
        var exactMS: [Double] = []
        var pipelineMS: [Double] = []
        for (index, vector) in vectors.enumerated() {
            var start = ContinuousClock.now
            var exactSQL = vectorRows("v.chunk_id")
            exactSQL.append(
                " ORDER BY v.embedding OPERATOR(extensions.<=>) \(exactSQL.bind(PostgresVector(vector))), v.chunk_id LIMIT 10"
            )
            let exact = try await pool.query(exactSQL.query).map { try $0.decode(UUID.self, column: 0) }
            exactMS.append(milliseconds(since: start))
            let expected = Set(exact)

            start = ContinuousClock.now
            let found = try await service.nearestChunks(to: vector, filter: filter.searchFilter, limit: 10).map(
                \.chunkID)
            oursMS.append(milliseconds(since: start))
            ours.append(expected.isEmpty ? 1 : Double(Set(found).intersection(expected).count) / Double(expected.count))
            if found.count < expected.count { oursShort += 1 }

            var theirSQL = incumbentRows()
            theirSQL.append(
                " ORDER BY embedding OPERATOR(extensions.<=>) \(theirSQL.bind(PostgresVector(vector))) LIMIT 10")
            start = ContinuousClock.now
            let theirs = try await pool.withConnection { connection in
                try await connection.transaction { tx in
                    _ = try await tx.query("SELECT set_config('ivfflat.probes', '1', true)")
                    return try await tx.query(theirSQL.query).map { try $0.decode(UUID.self, column: 0) }
                }
            }
            incumbentMS.append(milliseconds(since: start))
            incumbent.append(
                expected.isEmpty ? 1 : Double(Set(theirs).intersection(expected).count) / Double(expected.count))
            if theirs.count < expected.count { incumbentShort += 1 }

            start = ContinuousClock.now
            _ = try await service.search(
                SearchRequest(query: testQueries[index].text, filter: filter.searchFilter, limit: 10))
            pipelineMS.append(milliseconds(since: start))
        }
        let n = Double(vectors.count)
        let row: [String: Any] = [
            "filter": filter.name, "matching_chunks": matches,
            "ours": ["recall_at_10": ours.reduce(0, +) / n, "short_queries": oursShort, "ms": summary(oursMS)],
            "incumbent": [
                "recall_at_10": incumbent.reduce(0, +) / n, "short_queries": incumbentShort, "ms": summary(incumbentMS),
            ],
            "exact_scan_ms": summary(exactMS),
            "pipeline_hybrid_ms": summary(pipelineMS),
        ]
        Bench.log("recall: \(filter.name): \(row)")
        results.append(row)
    }
    try Bench.printJSON([
        "build": (try? JSONSerialization.jsonObject(with: Data(build.utf8))) ?? build, "queries": vectors.count,
        "filters": results,
    ])
    await pool.close()
}

// MARK: - bodies

/// One request body per line: every query of queries.jsonl (more than the query cache holds, so cycling through
/// them embeds each query), most unfiltered, the rest spread over the filters.
func bodies(to path: String) throws {
    let all = try queries(all: true)
    var lines: [String] = []
    for (i, query) in all.enumerated() {
        var body: [String: Any] = ["query": query.text, "limit": 10]
        switch i % 10 {
        case 7: body["tags"] = ["bench-9pct"]
        case 8: body["tags"] = [i % 20 == 8 ? "bench-1pct" : "bench-0.1pct"]
        case 9: body["folder"] = "Bench/Deep"
        default: break
        }
        lines.append(
            String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self))
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    Bench.log("bodies: \(lines.count) requests written to \(path)")
}

// MARK: - main

/// A copy's database name: `hq_bench_search_` and letters, digits or `_` (it is spliced into DDL).
func copyName(_ suffix: String) throws -> String {
    guard !suffix.isEmpty, suffix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
        throw BenchError("a copy's name takes letters, digits and _ only")
    }
    return databaseName + "_" + suffix.lowercased()
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "load": try await load()
case "recall": try await recall()
case "bodies" where arguments.count == 2: try bodies(to: arguments[1])
case "url" where arguments.count == 1: print(Bench.databaseURL(try Bench.serverURL(), name: databaseName))
case "url" where arguments.count == 2: print(Bench.databaseURL(try Bench.serverURL(), name: try copyName(arguments[1])))
case "copy" where arguments.count == 2:
    let serverURL = try Bench.serverURL()
    let name = try copyName(arguments[1])
    try await Bench.dropDatabase(name, serverURL: serverURL)
    let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: Bench.logger)
    // names checked: letters, digits, _
    try await admin.execute(script: "CREATE DATABASE \(name) TEMPLATE \(databaseName)")
    await admin.close()
    Bench.log("copy: \(name) is a copy of \(databaseName)")
case "drop" where arguments.count == 2:
    try await Bench.dropDatabase(try copyName(arguments[1]), serverURL: try Bench.serverURL())
default:
    Bench.log("usage: hq-bench-search load | recall | bodies FILE | url [NAME] | copy NAME | drop NAME")
    exit(2)
}
