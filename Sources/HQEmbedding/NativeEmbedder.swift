public import Foundation
public import Logging

/// The default embedder: a sentence-transformers BERT model (all-MiniLM-L6-v2 by default) run in
/// process on OpenBLAS, matching the PyTorch reference to 1e-5 per component.
///
/// Loading maps the weights (`mmap`), so many embedders of one model share page cache. Embedding runs
/// on the embedder's own threads, never on Swift's cooperative pool: callers `await` while texts are
/// tokenized, sorted by length, packed into batches without padding and encoded on up to
/// `Configuration.threads` lanes.
///
/// ```swift
/// let embedder = try NativeEmbedder(modelDirectory: dir, logger: logger)
/// let vectors = try await embedder.embed(["how do I reset my password?"])   // [[Float]] of 384
/// ```
public final class NativeEmbedder: Embedder {
    /// Tuning and checks; the defaults suit a 2-core machine.
    public struct Configuration: Sendable {
        /// Most texts per forward pass.
        public var batchSize: Int = 32
        /// Most tokens per forward pass (bounds workspace memory: about 9 KB per token per lane).
        public var maxBatchTokens: Int = 8192
        /// Most tokens per forward pass of a bulk job (``BulkEmbedding``): a job that is not bulk, submitted meanwhile,
        /// waits for at most one such pass per lane.
        public var bulkBatchTokens: Int = 512
        /// Worker lanes; each encodes whole batches with single-threaded BLAS.
        public var threads: Int = 2
        /// Check every file against the SHA-256 manifest beside the folder before loading.
        public var verifyIntegrity: Bool = false
        /// Overrides the model id (default: the manifest's `model_id`, else the folder name).
        public var modelID: String?

        /// The default configuration.
        public init() {}
    }

    /// The model id stored with every vector, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    public let modelID: String
    /// Vector length (the model's hidden size, 384 for all-MiniLM-L6-v2).
    public let dimensions: Int
    /// Longest input in tokens, `[CLS]`/`[SEP]` included (256 for all-MiniLM-L6-v2).
    public let maxTokens: Int
    /// The model's tokenizer, for counting and cutting text in model tokens.
    public let tokenizer: WordPieceTokenizer
    /// The model's own tokenizer: exact counts.
    public var tokenCounter: any TokenCounter { tokenizer }
    /// The model's shape and options, as read from its folder and manifest.
    public let model: ModelConfiguration
    /// What `embedQueries` puts before each query: the manifest's `query_prefix` (empty for most models).
    public let queryPrefix: String

    private let engine: EncoderEngine
    private let logger: Logger

    /// Loads the model in `modelDirectory`.
    ///
    /// Blocks while it reads the configuration, maps the weights and (optionally) hashes the files;
    /// call it at startup.
    /// - Parameters:
    ///   - modelDirectory: folder with `config.json`, `model.safetensors`, `vocab.txt`, …
    ///   - configuration: batching, threads and checks.
    ///   - logger: receives load and timing events; never text content.
    /// - Throws: `EmbeddingError` naming the file at fault (missing, truncated, hash mismatch,
    ///   unsupported architecture) and how to fix it.
    public init(modelDirectory: URL, configuration: Configuration = .init(), logger: Logger) throws(EmbeddingError) {
        guard configuration.batchSize > 0, configuration.threads > 0, configuration.maxBatchTokens > 0,
            configuration.bulkBatchTokens > 0
        else {
            throw EmbeddingError(
                .invalidConfiguration, "batchSize, maxBatchTokens, bulkBatchTokens and threads must be positive")
        }
        let started = ContinuousClock.now
        let manifest = try ModelManifest.beside(modelDirectory)
        if configuration.verifyIntegrity {
            guard let manifest else {
                throw EmbeddingError(
                    .modelFileMissing, "no manifest \(modelDirectory.standardizedFileURL.path).json to verify against",
                    hint: EmbeddingError.setupHint)
            }
            try manifest.verify(directory: modelDirectory)
        }
        var model = try ModelConfiguration(directory: modelDirectory)
        if let manifest { try model.apply(manifest) }
        let tokenizer = try WordPieceTokenizer(
            vocabularyURL: modelDirectory.appendingPathComponent("vocab.txt"), maxTokens: model.maxSequenceLength)
        guard tokenizer.vocabularySize <= model.vocabularySize else {
            throw EmbeddingError(
                .modelFileCorrupt,
                "\(modelDirectory.path)/vocab.txt has \(tokenizer.vocabularySize) tokens, config.json vocab_size \(model.vocabularySize)",
                hint: EmbeddingError.setupHint)
        }
        let weights = try Self.loadWeights(modelDirectory, named: manifest?.weights, configuration: model)
        self.model = model
        self.tokenizer = tokenizer
        self.modelID =
            configuration.modelID ?? manifest?.modelID ?? modelDirectory.standardizedFileURL.lastPathComponent
        self.dimensions = model.hiddenSize
        self.maxTokens = model.maxSequenceLength
        self.queryPrefix = manifest?.queryPrefix ?? ""
        self.engine = EncoderEngine(encoder: BERTEncoder(weights: weights), configuration: configuration)
        self.logger = logger
        logger.info(
            "embedding model loaded",
            metadata: [
                "model": "\(modelID)", "layers": "\(model.layerCount)", "dimensions": "\(model.hiddenSize)",
                "max_tokens": "\(model.maxSequenceLength)", "verified": "\(configuration.verifyIntegrity)",
                "ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
    }

    /// Embeds `texts`, returning one vector of `dimensions` floats per text, in order.
    /// Texts longer than `maxTokens` are truncated; use `embedWithTokenCounts` to learn which.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await embedWithTokenCounts(texts).map(\.vector)
    }

    /// The weights file: the manifest's `weights`, else `model.safetensors`, else `model.onnx`.
    private static func loadWeights(
        _ directory: URL, named name: String?, configuration: ModelConfiguration
    ) throws(EmbeddingError) -> BERTWeights {
        let candidates = name.map { [$0] } ?? ["model.safetensors", "model.onnx"]
        let file =
            candidates.first { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
            ?? candidates[0]
        let path = directory.appendingPathComponent(file).path
        if file.hasSuffix(".onnx") { return try BERTWeights(onnxPath: path, configuration: configuration) }
        return try BERTWeights(path: path, configuration: configuration)
    }

    /// Embeds `texts` and reports, per text, how many tokens the model saw and whether it was cut.
    /// - Throws: `EmbeddingError` if the task was cancelled before the work started.
    public func embedWithTokenCounts(_ texts: [String]) async throws -> [Embedding] {
        if texts.isEmpty { return [] }
        let started = ContinuousClock.now
        let result = try await engine.run(texts, tokenizer: tokenizer)
        logger.debug(
            "embedded", metadata: ["texts": "\(texts.count)", "ms": "\((ContinuousClock.now - started).milliseconds)"])
        return result
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
