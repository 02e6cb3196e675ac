/// Pointers to one encoder layer's parameters. Matrices are PyTorch `Linear` weights, row-major
/// `[out × in]`, used as the transposed operand of sgemm.
struct LayerWeights: @unchecked Sendable {
    // @unchecked: the pointees are read-only and owned by the BERTWeights that holds this value.
    let qkv: UnsafePointer<Float>  // [3·hidden × hidden]: query, key, value rows stacked
    let qkvBias: UnsafePointer<Float>  // [3·hidden]
    let attentionOut: UnsafePointer<Float>  // [hidden × hidden]
    let attentionOutBias: UnsafePointer<Float>
    let attentionNormGamma: UnsafePointer<Float>
    let attentionNormBeta: UnsafePointer<Float>
    let up: UnsafePointer<Float>  // [intermediate × hidden]
    let upBias: UnsafePointer<Float>  // [intermediate]
    let down: UnsafePointer<Float>  // [hidden × intermediate]
    let downBias: UnsafePointer<Float>
    let outputNormGamma: UnsafePointer<Float>
    let outputNormBeta: UnsafePointer<Float>
}

/// All parameters of a BERT encoder: from a safetensors file, mostly pointers into the mapping (only the
/// fused query/key/value matrices are copied); from a quantised ONNX file, fp32 copies dequantised at load.
///
/// `@unchecked Sendable`: immutable after init; every pointer stays valid while `source` and `storage`
/// (both owned here) live.
final class BERTWeights: @unchecked Sendable {
    let configuration: ModelConfiguration
    let wordEmbeddings: UnsafePointer<Float>  // [vocab × hidden]
    let positionEmbeddings: UnsafePointer<Float>  // [maxPositions × hidden]
    let tokenTypeEmbeddings: UnsafePointer<Float>  // [typeVocab × hidden]; row 0 is used
    let embeddingNormGamma: UnsafePointer<Float>
    let embeddingNormBeta: UnsafePointer<Float>
    let layers: [LayerWeights]
    /// Whether the inputs of every dense product are quantised to 8 bits per sequence first, as the ONNX
    /// graph's `DynamicQuantizeLinear` nodes do (so vectors match onnxruntime's over the same file).
    let quantizesActivations: Bool
    private let source: AnyObject?
    private let storage: WeightStorage

    /// Takes parameters that `storage` (and `source`, if any) keep alive.
    init(
        configuration: ModelConfiguration, wordEmbeddings: UnsafePointer<Float>,
        positionEmbeddings: UnsafePointer<Float>,
        tokenTypeEmbeddings: UnsafePointer<Float>, embeddingNorm: (UnsafePointer<Float>, UnsafePointer<Float>),
        layers: [LayerWeights], quantizesActivations: Bool, source: AnyObject?, storage: WeightStorage
    ) {
        self.configuration = configuration
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        (embeddingNormGamma, embeddingNormBeta) = embeddingNorm
        self.layers = layers
        self.quantizesActivations = quantizesActivations
        self.source = source
        self.storage = storage
    }

    /// Maps `path` and checks every tensor the configuration needs by name, dtype and shape.
    /// Names may carry a `bert.` prefix (checkpoints saved from `BertForMaskedLM` and similar).
    init(path: String, configuration c: ModelConfiguration) throws(EmbeddingError) {
        let tensors = try SafeTensors(path: path)
        let storage = WeightStorage()
        let prefix = tensors.has("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        let h = c.hiddenSize
        let i = c.intermediateSize
        func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingError) -> UnsafePointer<Float> {
            try tensors.float32(prefix + name, shape: shape, storage: storage)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNormGamma = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBeta = try tensor("embeddings.LayerNorm.bias", [h])
        var layers: [LayerWeights] = []
        for l in 0..<c.layerCount {
            let p = "encoder.layer.\(l)."
            let qkv = storage.allocate(count: 3 * h * h)
            let qkvBias = storage.allocate(count: 3 * h)
            for (k, part) in ["query", "key", "value"].enumerated() {
                let w = try tensor(p + "attention.self.\(part).weight", [h, h])
                let b = try tensor(p + "attention.self.\(part).bias", [h])
                (qkv + k * h * h).update(from: w, count: h * h)
                (qkvBias + k * h).update(from: b, count: h)
            }
            layers.append(
                LayerWeights(
                    qkv: UnsafePointer(qkv), qkvBias: UnsafePointer(qkvBias),
                    attentionOut: try tensor(p + "attention.output.dense.weight", [h, h]),
                    attentionOutBias: try tensor(p + "attention.output.dense.bias", [h]),
                    attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                    attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                    up: try tensor(p + "intermediate.dense.weight", [i, h]),
                    upBias: try tensor(p + "intermediate.dense.bias", [i]),
                    down: try tensor(p + "output.dense.weight", [h, i]),
                    downBias: try tensor(p + "output.dense.bias", [h]),
                    outputNormGamma: try tensor(p + "output.LayerNorm.weight", [h]),
                    outputNormBeta: try tensor(p + "output.LayerNorm.bias", [h])))
        }
        self.configuration = c
        self.layers = layers
        self.quantizesActivations = false
        self.source = tensors.file
        self.storage = storage
    }
}
