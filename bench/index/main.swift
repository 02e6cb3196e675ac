// hq-bench-index: end-to-end indexing of the SciFact corpus into a fresh database, next to the pure embedder's
// throughput on the same chunks in the same run, then a second `reindex --all` with nothing changed.
// bench/index.sh runs it; see docs/BENCHMARKS.md.
import Foundation
import HQBenchSupport
import HQEmbedding
import HQIndexing
import HQStorage
import Logging

let environment = Bench.environment
let root = Bench.root
let corpusPath = CommandLine.arguments.dropFirst().first ?? root + "/../shared/datasets/scifact/corpus.jsonl"
let logger = Bench.logger
func log(_ text: String) { Bench.log(text) }
func seconds(since start: ContinuousClock.Instant) -> Double { Bench.seconds(since: start) }

// 1. A fresh, migrated database.
let serverURL = try Bench.serverURL()
let databaseName = "hq_bench_index_\(getpid())"
let databaseURL = try await Bench.freshDatabase(databaseName, serverURL: serverURL)
let pool = PostgresPool(configuration: PostgresConfiguration(databaseURL), maxConnections: 4, logger: logger)

// 2. The corpus as HQ documents (markdown strings in documents.content, as agents write them).
let docs = try Bench.beirLines(corpusPath).map { (title: $0.title ?? "", text: $0.text) }
let loadStart = ContinuousClock.now
try await pool.execute(
    """
    INSERT INTO public.documents (title, content)
    SELECT t, to_jsonb(b) FROM unnest(\(docs.map(\.title)), \(docs.map(\.text))) AS u(t, b)
    """)
log("loaded \(docs.count) documents in \(String(format: "%.1f", seconds(since: loadStart))) s")

// 3. The pure embedder on exactly the chunks the indexer will embed.
let modelDirectory = URL(fileURLWithPath: environment["HQ_MODEL_DIR"] ?? root + "/models/all-MiniLM-L6-v2")
let embedder = try NativeEmbedder(modelDirectory: modelDirectory, logger: logger)
let chunker = Chunker(counter: embedder.tokenizer, maxTokens: embedder.maxTokens)
let extractor = ContentExtractor()
var inputs: [String] = []
for doc in docs {
    let text = try await extractor.extract(
        .document(title: doc.title, content: String(decoding: try JSONEncoder().encode(doc.text), as: UTF8.self)))
    inputs += chunker.chunks(of: text, title: doc.title).map(\.embeddingInput)
}
let distinct = Array(Set(inputs)).sorted()
log("\(inputs.count) chunks (\(distinct.count) distinct); embedding them alone…")
let embedStart = ContinuousClock.now
var index = 0
while index < distinct.count {
    let slice = Array(distinct[index..<min(distinct.count, index + 256)])
    _ = try await embedder.embed(slice)
    index += slice.count
}
let embedSeconds = seconds(since: embedStart)
let embedRate = Double(distinct.count) / embedSeconds
log(String(format: "embedder alone: %.1f s, %.1f chunks/s", embedSeconds, embedRate))

// 4. The indexer end to end (first bulk load: the ANN index is dropped and rebuilt after).
let indexer = Indexer(pool: pool, embedder: embedder, configuration: IndexerConfiguration(), logger: logger)
let firstStart = ContinuousClock.now
let first = try await indexer.drain()
let firstSeconds = seconds(since: firstStart)
let pipelineRate = Double(first.chunks) / first.seconds
log(
    String(
        format: "indexer: %d sources, %d chunks, %.1f s pipeline (%.1f chunks/s), %.1f s with the ANN rebuild",
        first.indexed, first.chunks, first.seconds, pipelineRate, firstSeconds))

// 5. `reindex --all` with nothing changed.
let secondStart = ContinuousClock.now
let marked = try await indexer.markPending(.all)
let second = try await indexer.drain()
let secondSeconds = seconds(since: secondStart)
log(
    String(
        format: "reindex --all, unchanged: %d marked, %d unchanged, %d embedded, %.2f s", marked, second.unchanged,
        second.embedderTexts, secondSeconds))

let result: [String: Any] = [
    "documents": docs.count, "chunks": first.chunks, "distinct_chunks": distinct.count,
    "embedder_seconds": embedSeconds, "embedder_chunks_per_s": embedRate,
    "pipeline_seconds": first.seconds, "pipeline_chunks_per_s": pipelineRate,
    "pipeline_vs_embedder": pipelineRate / embedRate, "first_total_seconds_with_ann": firstSeconds,
    "reindex_unchanged_seconds": secondSeconds, "reindex_vs_first": secondSeconds / firstSeconds,
    "reindex_embedded": second.embedderTexts,
]
try Bench.printJSON(result)
await pool.close()
if environment["KEEP_DB"] == nil { try await Bench.dropDatabase(databaseName, serverURL: serverURL) }
