import Foundation
import HQEmbedding
import Logging
import Synchronization
import Testing

/// Compares one vector with its golden reference: cosine (in double), max component difference, norm.
private func expectMatches(
    _ vector: [Float], _ golden: Fixtures.GoldenCase, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(vector.count == golden.embedding.count, sourceLocation: sourceLocation)
    var dot = 0.0
    var normA = 0.0
    var normB = 0.0
    var maxDiff = 0.0
    for (a, b) in zip(vector.map(Double.init), golden.embedding) {
        dot += a * b
        normA += a * a
        normB += b * b
        maxDiff = max(maxDiff, abs(a - b))
    }
    let cosine = dot / (normA.squareRoot() * normB.squareRoot())
    #expect(cosine >= 0.9999, "cosine \(cosine)", sourceLocation: sourceLocation)
    #expect(maxDiff <= 1e-5, "max |diff| \(maxDiff)", sourceLocation: sourceLocation)
    #expect(abs(normA.squareRoot() - 1) <= 1e-5, "norm \(normA.squareRoot())", sourceLocation: sourceLocation)
}

@Suite("Native embedder against the golden vectors")
struct NativeEmbedderTests {
    static let logger = Logger(label: "test.embedding")
    static let embedder = load(NativeEmbedder.Configuration())
    static let singleBatchEmbedder: NativeEmbedder = {
        var configuration = NativeEmbedder.Configuration()
        configuration.batchSize = 64
        return load(configuration)
    }()

    static func load(_ configuration: NativeEmbedder.Configuration) -> NativeEmbedder {
        do {
            return try NativeEmbedder(
                modelDirectory: Fixtures.modelDirectory, configuration: configuration, logger: logger)
        } catch {
            fatalError("\(error)")
        }
    }

    @Test("model facts come from the folder")
    func facts() {
        #expect(Self.embedder.modelID == "sentence-transformers/all-MiniLM-L6-v2")
        #expect(Self.embedder.dimensions == 384)
        #expect(Self.embedder.maxTokens == 256)
        #expect(Self.embedder.model.layerCount == 6)
        #expect(Self.embedder.model.pooling == .mean)
    }

    @Test("each text embedded alone matches the reference", arguments: Fixtures.golden)
    func alone(_ golden: Fixtures.GoldenCase) async throws {
        let result = try await Self.embedder.embedWithTokenCounts([golden.text])
        #expect(result.count == 1)
        #expect(result[0].tokenCount == golden.tokenIDs.count)
        #expect(result[0].isTruncated == golden.truncated)
        expectMatches(result[0].vector, golden)
    }

    @Test("all texts in one mixed-length batch match the reference")
    func oneBatch() async throws {
        let vectors = try await Self.singleBatchEmbedder.embed(Fixtures.golden.map(\.text))
        #expect(vectors.count == Fixtures.golden.count)
        for (vector, golden) in zip(vectors, Fixtures.golden) { expectMatches(vector, golden) }
    }

    @Test("all texts over two lanes and several batches match the reference, in input order")
    func manyBatches() async throws {
        let texts = Fixtures.golden.map(\.text) + Fixtures.golden.reversed().map(\.text)
        var configuration = NativeEmbedder.Configuration()
        configuration.batchSize = 5
        let embedder = Self.load(configuration)
        let vectors = try await embedder.embed(texts)
        let expected = Fixtures.golden + Fixtures.golden.reversed()
        for (vector, golden) in zip(vectors, expected) { expectMatches(vector, golden) }
    }

    @Test("concurrent callers get their own results")
    func concurrentCallers() async throws {
        let cases = Array(Fixtures.golden.prefix(8))
        try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (i, golden) in cases.enumerated() {
                group.addTask { (i, try await Self.embedder.embed([golden.text])[0]) }
            }
            for try await (i, vector) in group { expectMatches(vector, cases[i]) }
        }
    }

    @Test("a query is not queued behind a bulk job already running")
    func priorityOvertakesBulk() async throws {
        // Its own embedder, so no other test's jobs share the queue. The bulk job (marked bulk, as the indexers' bulk
        // lanes mark theirs) is long: 16 copies of every golden text. The query, submitted after the bulk job started,
        // must come back first; a first-come engine (before this change) returns it after the whole bulk job.
        let embedder = Self.load(NativeEmbedder.Configuration())
        let bulkTexts = (0..<16).flatMap { _ in Fixtures.golden.map(\.text) }
        let order = Finished()
        let bulk = Task { [embedder, bulkTexts] in
            let vectors = try await BulkEmbedding.$isActive.withValue(true) { try await embedder.embed(bulkTexts) }
            order.append("bulk")
            return vectors
        }
        try await Task.sleep(for: .milliseconds(200))  // the bulk job is admitted and running
        let query = Fixtures.golden[0]
        let vector = try await Task { [embedder] in
            let vector = try await embedder.embed([query.text])[0]
            order.append("query")
            return vector
        }.value
        let bulkVectors = try await bulk.value
        #expect(order.names == ["query", "bulk"])
        expectMatches(vector, query)
        // The bulk job's smaller batches change nothing in its results.
        for (vector, golden) in zip(bulkVectors.prefix(Fixtures.golden.count), Fixtures.golden) {
            expectMatches(vector, golden)
        }
    }

    @Test("a 10 MB text is truncated to the model limit and embedded")
    func tenMegabytes() async throws {
        let text = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 10_000_000 / 45)
        let result = try await Self.embedder.embedWithTokenCounts([text, "short"])
        #expect(result[0].tokenCount == 256)
        #expect(result[0].isTruncated)
        #expect(result[1].tokenCount == 3)
        #expect(!result[1].isTruncated)
    }

    @Test("empty input gives no vectors")
    func emptyInput() async throws {
        let vectors = try await Self.embedder.embed([])
        #expect(vectors.isEmpty)
    }

    @Test(
        "odd Unicode embeds to a unit vector",
        arguments: [
            "\u{0}\u{FFFD}\u{FEFF}\u{200B}", "\u{10FFFF}\u{E000}", String(repeating: "\u{301}", count: 1000),
            String(decoding: [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0x41] as [UInt8], as: UTF8.self), "[PAD][PAD]",
        ])
    func oddUnicode(_ text: String) async throws {
        let vector = try await Self.embedder.embed([text])[0]
        let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
        let finite = vector.allSatisfy { $0.isFinite }
        #expect(finite)
    }
}

/// The order in which concurrent jobs finished.
private final class Finished: Sendable {
    private let order = Mutex<[String]>([])
    func append(_ name: String) { order.withLock { $0.append(name) } }
    var names: [String] { order.withLock { $0 } }
}
