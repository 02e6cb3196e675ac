import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport
import Logging
import Synchronization

/// The real all-MiniLM-L6-v2, loaded once for the whole test run.
enum RealModel {
    static let embedder: NativeEmbedder = {
        let directory = URL(fileURLWithPath: TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2", isDirectory: true)
        do {
            return try NativeEmbedder(modelDirectory: directory, logger: TestDatabase.logger)
        } catch {
            fatalError("cannot load the model (run scripts/setup): \(error)")
        }
    }()
}

/// A fast deterministic embedder: a unit vector derived from the text's hash. Counts texts embedded.
final class FakeEmbedder: Embedder {
    let modelID: String
    let dimensions = 384
    let maxTokens = 256
    let texts = Atomic<Int>(0)
    let calls = Atomic<Int>(0)

    init(modelID: String = "sentence-transformers/all-MiniLM-L6-v2") { self.modelID = modelID }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        self.texts.add(texts.count, ordering: .relaxed)
        calls.add(1, ordering: .relaxed)
        return texts.map(Self.vector(for:))
    }

    static func vector(for text: String) -> [Float] {
        var state = UInt64(truncatingIfNeeded: text.hashValue) | 1
        var vector = (0..<384).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 1000) / 1000
        }
        let norm = sqrt(vector.reduce(0) { $0 + $1 * $1 })
        for i in vector.indices { vector[i] /= max(norm, 1e-6) }
        return vector
    }
}

/// Wraps an embedder: counts texts, and fails with `serviceUnavailable` while `failing` is set.
final class FaultyEmbedder: Embedder {
    let base: any Embedder
    let failing = Atomic<Bool>(false)
    let texts = Atomic<Int>(0)
    var modelID: String { base.modelID }
    var dimensions: Int { base.dimensions }
    var maxTokens: Int { base.maxTokens }

    init(_ base: any Embedder) { self.base = base }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        if failing.load(ordering: .relaxed) {
            throw EmbeddingError(.serviceUnavailable, "http://127.0.0.1:9/embed: connection refused")
        }
        self.texts.add(texts.count, ordering: .relaxed)
        return try await base.embed(texts)
    }
}

/// A migrated database with a pool, closed by the caller.
struct TestDB {
    let url: String
    let pool: PostgresPool

    static func make(connections: Int = 4) async throws -> TestDB {
        let url = try await TestDatabase.migratedDatabase()
        return TestDB(
            url: url,
            pool: PostgresPool(
                configuration: PostgresConfiguration(url), maxConnections: connections, logger: TestDatabase.logger))
    }

    func indexer(_ embedder: any Embedder, configure: (inout IndexerConfiguration) -> Void = { _ in }) -> Indexer {
        var configuration = IndexerConfiguration()
        configuration.bulkLoadThreshold = nil
        configure(&configuration)
        return Indexer(pool: pool, embedder: embedder, configuration: configuration, logger: TestDatabase.logger)
    }

    /// Inserts a document whose content is the jsonb value `contentJSON` (JSON text); returns its id.
    @discardableResult
    func document(_ title: String, contentJSON: String, tags: [String] = []) async throws -> UUID {
        let rows = try await pool.query(
            """
            INSERT INTO public.documents (title, content, tags) VALUES (\(title), \(PostgresJSONB(contentJSON)), \(tags)) RETURNING id
            """)
        return try rows[0].decode(UUID.self, column: 0)
    }

    /// Inserts a document whose content is a jsonb string (markdown or stringified TipTap, as HQ stores them).
    @discardableResult
    func document(_ title: String, markdown: String, tags: [String] = []) async throws -> UUID {
        try await document(title, contentJSON: try Self.jsonString(markdown), tags: tags)
    }

    static func jsonString(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    func chunks(document id: UUID) async throws -> [(text: String, hash: String, path: [String], start: Int, end: Int)]
    {
        let rows = try await pool.query(
            """
            SELECT c.content, c.content_hash, coalesce(c.section_path, '{}'), c.char_start, c.char_end
              FROM public.knowledge_chunks c WHERE c.document_id = \(id) ORDER BY c.chunk_index
            """)
        return try rows.map {
            (
                try $0.decode(String.self, column: 0), try $0.decode(String.self, column: 1),
                try $0.decode([String].self, column: 2),
                Int(try $0.decode(Int32.self, column: 3)), Int(try $0.decode(Int32.self, column: 4))
            )
        }
    }

    func scalar<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T {
        try await pool.query(query)[0].decode(T.self, column: 0)
    }
}
