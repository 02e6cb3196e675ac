public import Foundation

/// How token vectors become one sentence vector.
public enum Pooling: String, Sendable {
    /// Average over the tokens of the text (`pooling_mode_mean_tokens`).
    case mean
    /// The `[CLS]` token's vector (`pooling_mode_cls_token`).
    case cls
}

/// The shape and options of a sentence-transformers BERT model, read from its folder.
///
/// Sources: `config.json` (sizes, epsilon, activation), `sentence_bert_config.json` (`max_seq_length`),
/// `modules.json` (where the pooling config lives, whether a Normalize step follows) and the pooling
/// module's `config.json`.
public struct ModelConfiguration: Sendable, Hashable {
    /// Width of every token vector (`hidden_size`).
    public let hiddenSize: Int
    /// Number of encoder layers.
    public let layerCount: Int
    /// Attention heads per layer; `hiddenSize` is a multiple of it.
    public let headCount: Int
    /// Width of the feed-forward layer.
    public let intermediateSize: Int
    /// Rows of the position embedding table.
    public let maxPositions: Int
    /// Rows of the word embedding table.
    public let vocabularySize: Int
    /// Rows of the token type embedding table.
    public let typeVocabularySize: Int
    /// LayerNorm epsilon.
    public let layerNormEpsilon: Float
    /// Longest input in tokens, `[CLS]`/`[SEP]` included (`max_seq_length`, capped by `maxPositions`).
    public internal(set) var maxSequenceLength: Int
    /// Sentence pooling.
    public internal(set) var pooling: Pooling
    /// Whether sentence vectors are L2-normalised.
    public internal(set) var normalize: Bool

    /// Reads and validates the configuration files in `directory`.
    /// - Throws: `EmbeddingError` `.modelFileMissing`, `.modelFileCorrupt` or `.unsupportedModel`, naming the file.
    public init(directory: URL) throws(EmbeddingError) {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try Self.readObject(configURL)
        let path = configURL.path
        func int(_ key: String) throws(EmbeddingError) -> Int {
            guard let value = config[key] as? NSNumber, value.intValue > 0 else {
                throw EmbeddingError(.modelFileCorrupt, "\(path): \(key) missing or not a positive integer")
            }
            return value.intValue
        }
        let modelType = config["model_type"] as? String ?? "?"
        guard modelType == "bert" else {
            throw EmbeddingError(
                .unsupportedModel, "\(path): model_type \"\(modelType)\" is not supported (only BERT encoders are)")
        }
        if let architectures = config["architectures"] as? [String],
            let bad = architectures.first(where: { !$0.hasPrefix("Bert") })
        {
            throw EmbeddingError(.unsupportedModel, "\(path): architecture \(bad) is not supported (only Bert*)")
        }
        let activation = config["hidden_act"] as? String ?? "gelu"
        guard activation == "gelu" else {
            throw EmbeddingError(
                .unsupportedModel, "\(path): hidden_act \"\(activation)\" is not supported (only exact erf gelu)")
        }
        let positionType = config["position_embedding_type"] as? String ?? "absolute"
        guard positionType == "absolute" else {
            throw EmbeddingError(
                .unsupportedModel, "\(path): position_embedding_type \"\(positionType)\" is not supported")
        }
        hiddenSize = try int("hidden_size")
        layerCount = try int("num_hidden_layers")
        headCount = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        vocabularySize = try int("vocab_size")
        typeVocabularySize = (config["type_vocab_size"] as? NSNumber)?.intValue ?? 2
        guard hiddenSize % headCount == 0, typeVocabularySize >= 1 else {
            throw EmbeddingError(
                .modelFileCorrupt, "\(path): hidden_size \(hiddenSize) is not a multiple of \(headCount) heads")
        }
        layerNormEpsilon = (config["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12

        let sbertURL = directory.appendingPathComponent("sentence_bert_config.json")
        let sbert = FileManager.default.fileExists(atPath: sbertURL.path) ? try Self.readObject(sbertURL) : [:]
        let declaredMax = (sbert["max_seq_length"] as? NSNumber)?.intValue ?? maxPositions
        maxSequenceLength = min(max(declaredMax, 2), maxPositions)

        let (poolingPath, normalize) = try Self.readModules(directory)
        self.normalize = normalize
        pooling = try Self.readPooling(
            directory.appendingPathComponent(poolingPath).appendingPathComponent("config.json"))
    }

    /// Takes pooling, normalisation and the token limit from the manifest where it states them: a folder
    /// without sentence-transformers files (an ONNX export) has them only there.
    /// - Throws: `.modelFileCorrupt` for a pooling or normalisation the manifest names but this embedder lacks.
    mutating func apply(_ manifest: ModelManifest) throws(EmbeddingError) {
        if let name = manifest.pooling {
            guard let value = Pooling(rawValue: name) else {
                throw EmbeddingError(.unsupportedModel, "\(manifest.url.path): pooling \"\(name)\" (only mean or cls)")
            }
            pooling = value
        }
        if let name = manifest.normalize {
            guard ["l2", "none"].contains(name) else {
                throw EmbeddingError(.unsupportedModel, "\(manifest.url.path): normalize \"\(name)\" (only l2 or none)")
            }
            normalize = name == "l2"
        }
        if let limit = manifest.maxTokens { maxSequenceLength = min(max(limit, 2), maxPositions) }
    }

    /// Head width (`hiddenSize / headCount`).
    public var headSize: Int { hiddenSize / headCount }

    private static func readModules(_ directory: URL) throws(EmbeddingError) -> (String, Bool) {
        let url = directory.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return ("1_Pooling", true) }
        guard let data = FileManager.default.contents(atPath: url.path),
            let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
        else { throw EmbeddingError(.modelFileCorrupt, "\(url.path) is not a JSON array of modules") }
        var poolingPath = "1_Pooling"
        var normalize = false
        for module in modules {
            let type = module["type"] as? String ?? ""
            if type.hasSuffix(".Pooling"), let path = module["path"] as? String { poolingPath = path }
            if type.hasSuffix(".Normalize") { normalize = true }
            if type.hasSuffix(".Dense") {
                throw EmbeddingError(.unsupportedModel, "\(url.path): a Dense module after pooling is not supported")
            }
        }
        return (poolingPath, normalize)
    }

    private static func readPooling(_ url: URL) throws(EmbeddingError) -> Pooling {
        guard FileManager.default.fileExists(atPath: url.path) else { return .mean }
        let object = try readObject(url)
        let mean = object["pooling_mode_mean_tokens"] as? Bool ?? false
        let cls = object["pooling_mode_cls_token"] as? Bool ?? false
        let others = [
            "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
            "pooling_mode_lasttoken",
        ].filter { object[$0] as? Bool ?? false }
        switch (mean, cls, others.isEmpty) {
        case (true, false, true): return .mean
        case (false, true, true): return .cls
        default:
            throw EmbeddingError(.unsupportedModel, "\(url.path): only mean or CLS pooling alone is supported")
        }
    }

    private static func readObject(_ url: URL) throws(EmbeddingError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EmbeddingError(.modelFileMissing, "cannot read \(url.path)", hint: EmbeddingError.setupHint)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw EmbeddingError(.modelFileCorrupt, "\(url.path) is not a JSON object", hint: EmbeddingError.setupHint)
        }
        return object
    }
}
