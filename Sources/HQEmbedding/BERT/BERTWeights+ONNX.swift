/// Loading a BERT encoder from an ONNX file, in particular one quantised by onnxruntime's dynamic
/// quantisation (int8 weights with per-column scales and zero points behind `MatMulInteger`, uint8
/// embedding tables behind `DequantizeLinear`). Everything is dequantised to fp32 once, here.
///
/// Initialiser names may be anonymous (`onnx::MatMul_1525_quantized`), so roles come from the graph:
/// the embedding `Gather`s by the graph input that indexes them, each dense product (`MatMulInteger` or
/// `MatMul` with a constant weight) by its order and by where its output flows (query and key meet in the
/// score product, value in the context product), biases from the `Add` that follows it, LayerNorm
/// parameters from the `Mul`/`Add` after each normalising `Div` (or a `LayerNormalization` node).
extension BERTWeights {
    /// Maps and parses `path`, traces the encoder's parameters through its graph and dequantises them.
    /// - Throws: `.modelFileMissing`, `.modelFileCorrupt` (broken protobuf, a tensor missing or of the
    ///   wrong shape) or `.unsupportedModel` (a graph that is not a BERT encoder this reader knows).
    convenience init(onnxPath path: String, configuration c: ModelConfiguration) throws(EmbeddingError) {
        let file = try MappedFile(path: path)
        let graph: ONNXGraph
        do {
            graph = try ONNXGraph(model: file.bytes)
        } catch {
            throw EmbeddingError(
                .modelFileCorrupt, "\(path): not an ONNX model (\(error.why) at byte \(error.offset))",
                hint: EmbeddingError.setupHint)
        }
        let storage = WeightStorage()
        let tracer = ONNXTracer(graph: graph, path: path, configuration: c, storage: storage)
        let h = c.hiddenSize
        let embeddings = try tracer.embeddings()
        let norms = try tracer.layerNorms()
        let linears = try tracer.linears()
        guard norms.count == 1 + 2 * c.layerCount, linears.count == 6 * c.layerCount else {
            throw EmbeddingError(
                .unsupportedModel,
                "\(path): \(linears.count) dense products and \(norms.count) LayerNorms, a \(c.layerCount)-layer BERT has "
                    + "\(6 * c.layerCount) and \(1 + 2 * c.layerCount)")
        }
        var layers: [LayerWeights] = []
        for l in 0..<c.layerCount {
            let products = Array(linears[6 * l..<6 * l + 6])
            let (q, k, v) = try tracer.queryKeyValue(products[0], products[1], products[2])
            let qkv = storage.allocate(count: 3 * h * h)
            let qkvBias = storage.allocate(count: 3 * h)
            for (index, part) in [q, k, v].enumerated() {
                try tracer.check(part, outputs: h, inputs: h)
                (qkv + index * h * h).update(from: part.weight, count: h * h)
                (qkvBias + index * h).update(from: part.bias, count: h)
            }
            let (out, up, down) = (products[3], products[4], products[5])
            try tracer.check(out, outputs: h, inputs: h)
            try tracer.check(up, outputs: c.intermediateSize, inputs: h)
            try tracer.check(down, outputs: h, inputs: c.intermediateSize)
            let attentionNorm = norms[1 + 2 * l]
            let outputNorm = norms[2 + 2 * l]
            layers.append(
                LayerWeights(
                    qkv: UnsafePointer(qkv), qkvBias: UnsafePointer(qkvBias),
                    attentionOut: out.weight, attentionOutBias: out.bias,
                    attentionNormGamma: attentionNorm.gamma, attentionNormBeta: attentionNorm.beta,
                    up: up.weight, upBias: up.bias, down: down.weight, downBias: down.bias,
                    outputNormGamma: outputNorm.gamma, outputNormBeta: outputNorm.beta))
        }
        self.init(
            configuration: c, wordEmbeddings: embeddings.word, positionEmbeddings: embeddings.position,
            tokenTypeEmbeddings: embeddings.tokenType, embeddingNorm: (norms[0].gamma, norms[0].beta), layers: layers,
            quantizesActivations: graph.nodes.contains { $0.opType == "DynamicQuantizeLinear" }, source: nil,
            storage: storage)
    }
}

/// Follows an ONNX BERT graph from node to node to find which initialiser plays which part.
struct ONNXTracer {
    /// A dense product: fp32 weight row-major `[outputs × inputs]` (transposed from ONNX's `[in × out]`),
    /// its bias, and the node it came from.
    struct Linear {
        let node: Int
        let inputs: Int
        let outputs: Int
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        /// The tensor the bias `Add` produces (where the product's result flows on).
        let result: String
    }

    /// LayerNorm scale and shift, `[hidden]` each.
    struct Norm {
        let gamma: UnsafePointer<Float>
        let beta: UnsafePointer<Float>
    }

    let graph: ONNXGraph
    let path: String
    let configuration: ModelConfiguration
    let storage: WeightStorage
    private let consumers: [String: [Int]]
    private let producer: [String: Int]

    init(graph: ONNXGraph, path: String, configuration: ModelConfiguration, storage: WeightStorage) {
        self.graph = graph
        self.path = path
        self.configuration = configuration
        self.storage = storage
        var consumers: [String: [Int]] = [:]
        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty { consumers[input, default: []].append(index) }
            for output in node.outputs where !output.isEmpty { producer[output] = index }
        }
        self.consumers = consumers
        self.producer = producer
    }

    private func corrupt(_ why: String) -> EmbeddingError {
        EmbeddingError(.modelFileCorrupt, "\(path): \(why)", hint: EmbeddingError.setupHint)
    }

    private func unsupported(_ why: String) -> EmbeddingError {
        EmbeddingError(.unsupportedModel, "\(path): \(why)")
    }

    /// The single node consuming `tensor` with operator `op`, if any.
    private func consumer(of tensor: String, op: String) -> Int? {
        consumers[tensor, default: []].first { graph.nodes[$0].opType == op }
    }

    /// The values of initialiser `name` as floats, or a corrupt-file error naming it.
    private func values(_ name: String) throws(EmbeddingError) -> (values: [Float], dims: [Int]) {
        guard let tensor = graph.initializers[name] else { throw corrupt("initialiser \(name) is missing") }
        guard let values = tensor.values() else {
            throw corrupt("initialiser \(name) (type \(tensor.dataType), shape \(tensor.dims)) has no readable data")
        }
        return (values, tensor.dims)
    }

    /// `(q - zeroPoint) · scale` per element, where scale and zero point are scalars or one per column of
    /// a row-major `[rows × columns]` tensor.
    private func dequantize(_ name: String, scale: String, zeroPoint: String?) throws(EmbeddingError) -> (
        values: [Float], dims: [Int]
    ) {
        let (q, dims) = try values(name)
        let scales = try values(scale).values
        let zeros = try zeroPoint.map { (n: String) throws(EmbeddingError) in try values(n).values } ?? [0]
        let columns = dims.last ?? 1
        guard scales.count == 1 || scales.count == columns, zeros.count == 1 || zeros.count == columns else {
            throw unsupported("\(name): \(scales.count) scales for \(columns) columns (only per-tensor or per-column)")
        }
        var out = [Float](repeating: 0, count: q.count)
        for index in q.indices {
            let column = index % columns
            let s = scales.count == 1 ? scales[0] : scales[column]
            let z = zeros.count == 1 ? zeros[0] : zeros[column]
            out[index] = (q[index] - z) * s
        }
        return (out, dims)
    }

    private func store(_ values: [Float]) -> UnsafePointer<Float> {
        let buffer = storage.allocate(count: values.count)
        values.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: values.count) }
        return UnsafePointer(buffer)
    }

    // MARK: - Embeddings

    /// The word, position and token-type tables, found by the `Gather` nodes that index them: the graph
    /// input `input_ids`, the graph input `token_type_ids`, and anything else (position ids) respectively.
    func embeddings() throws(EmbeddingError) -> (
        word: UnsafePointer<Float>, position: UnsafePointer<Float>, tokenType: UnsafePointer<Float>
    ) {
        let c = configuration
        var word: UnsafePointer<Float>?
        var position: UnsafePointer<Float>?
        var tokenType: UnsafePointer<Float>?
        for node in graph.nodes where node.opType == "Gather" && node.inputs.count == 2 {
            guard graph.initializers[node.inputs[0]] != nil else { continue }
            let table = try embeddingTable(node)
            let index = node.inputs[1]
            let (rows, role): (Int, String) =
                index == "token_type_ids"
                ? (c.typeVocabularySize, "token type")
                : graph.inputs.contains(index) ? (c.vocabularySize, "word") : (c.maxPositions, "position")
            guard table.dims == [rows, c.hiddenSize] else {
                throw corrupt("\(role) embeddings have shape \(table.dims), config implies [\(rows), \(c.hiddenSize)]")
            }
            let pointer = store(table.values)
            switch role {
            case "word": word = pointer
            case "position": position = pointer
            default: tokenType = pointer
            }
        }
        guard let word, let position, let tokenType else {
            throw unsupported("the graph lacks a word, position or token type embedding lookup")
        }
        return (word, position, tokenType)
    }

    /// A `Gather`'s table, dequantised through the `DequantizeLinear` that follows it if there is one.
    private func embeddingTable(_ gather: ONNXGraph.Node) throws(EmbeddingError) -> (values: [Float], dims: [Int]) {
        let name = gather.inputs[0]
        if let next = consumer(of: gather.outputs[0], op: "DequantizeLinear") {
            let inputs = graph.nodes[next].inputs
            guard inputs.count >= 2 else { throw corrupt("DequantizeLinear after \(name) lacks a scale") }
            return try dequantize(name, scale: inputs[1], zeroPoint: inputs.count > 2 ? inputs[2] : nil)
        }
        let table = try values(name)
        guard graph.initializers[name]?.dataType == ONNXGraph.DataType.float.rawValue else {
            throw unsupported("embedding table \(name) is quantised without a DequantizeLinear")
        }
        return table
    }

    // MARK: - Dense products

    /// Every dense product with a constant weight, in graph order.
    func linears() throws(EmbeddingError) -> [Linear] {
        var result: [Linear] = []
        for (index, node) in graph.nodes.enumerated() {
            switch node.opType {
            case "MatMulInteger" where node.inputs.count >= 2 && graph.initializers[node.inputs[1]] != nil:
                result.append(try quantizedLinear(index))
            case "MatMul" where node.inputs.count == 2 && graph.initializers[node.inputs[1]] != nil:
                let weight = try values(node.inputs[1])
                result.append(try linear(index, weight: weight, after: node.outputs[0]))
            default: continue
            }
        }
        return result
    }

    /// `MatMulInteger(A, B, a_zero, b_zero) → Cast → Mul(·, a_scale · b_scale)`: B is dequantised with the
    /// weight scale that the scale `Mul` multiplies the activation scale by.
    private func quantizedLinear(_ index: Int) throws(EmbeddingError) -> Linear {
        let node = graph.nodes[index]
        var tensor = node.outputs[0]
        if let cast = consumer(of: tensor, op: "Cast") { tensor = graph.nodes[cast].outputs[0] }
        guard let scaleMul = consumer(of: tensor, op: "Mul") else { throw unsupported("\(node.name): no output scale") }
        var weightScale: String?
        for input in graph.nodes[scaleMul].inputs where input != tensor {
            if graph.initializers[input] != nil {
                weightScale = input
            } else if let p = producer[input], graph.nodes[p].opType == "Mul" {
                weightScale = graph.nodes[p].inputs.first { graph.initializers[$0] != nil }
            }
        }
        guard let weightScale else { throw unsupported("\(node.name): cannot find the weight scale") }
        let weight = try dequantize(
            node.inputs[1], scale: weightScale,
            zeroPoint: node.inputs.count > 3 && !node.inputs[3].isEmpty ? node.inputs[3] : nil)
        return try linear(index, weight: weight, after: graph.nodes[scaleMul].outputs[0])
    }

    /// Transposes `[in × out]` to `[out × in]` and finds the bias `Add` fed by `tensor`.
    private func linear(_ index: Int, weight: (values: [Float], dims: [Int]), after tensor: String)
        throws(EmbeddingError) -> Linear
    {
        let node = graph.nodes[index]
        guard weight.dims.count == 2 else { throw corrupt("\(node.name): weight of shape \(weight.dims)") }
        let (inputs, outputs) = (weight.dims[0], weight.dims[1])
        guard let add = consumer(of: tensor, op: "Add"),
            let biasName = graph.nodes[add].inputs.first(where: { graph.initializers[$0] != nil })
        else { throw unsupported("\(node.name): no bias Add after the product") }
        let bias = try values(biasName)
        guard bias.values.count == outputs else {
            throw corrupt("\(biasName) has \(bias.values.count) values for \(outputs) outputs")
        }
        var transposed = [Float](repeating: 0, count: weight.values.count)
        for i in 0..<inputs {
            for o in 0..<outputs { transposed[o * inputs + i] = weight.values[i * outputs + o] }
        }
        return Linear(
            node: index, inputs: inputs, outputs: outputs, weight: store(transposed), bias: store(bias.values),
            result: graph.nodes[add].outputs[0])
    }

    /// Checks a product's shape against the configuration.
    func check(_ linear: Linear, outputs: Int, inputs: Int) throws(EmbeddingError) {
        guard linear.outputs == outputs, linear.inputs == inputs else {
            throw corrupt(
                "\(graph.nodes[linear.node].name): weight is [\(linear.inputs) × \(linear.outputs)], config implies [\(inputs) × \(outputs)]"
            )
        }
    }

    /// Orders a layer's first three products as query, key and value: query and key reach the same score
    /// `MatMul` (as its first and second operand), value reaches the other one.
    func queryKeyValue(_ a: Linear, _ b: Linear, _ c: Linear) throws(EmbeddingError) -> (Linear, Linear, Linear) {
        let reached = [a, b, c].map { attentionOperand(from: $0.result) }
        for (pair, value) in [((0, 1), 2), ((0, 2), 1), ((1, 2), 0)] {
            guard let first = reached[pair.0], let second = reached[pair.1], first.node == second.node else { continue }
            let all = [a, b, c]
            return first.slot == 0 ? (all[pair.0], all[pair.1], all[value]) : (all[pair.1], all[pair.0], all[value])
        }
        throw unsupported("\(graph.nodes[a.node].name): cannot tell query, key and value apart")
    }

    /// Follows `tensor` through reshapes and transposes to the attention `MatMul` it feeds, and which operand.
    private func attentionOperand(from tensor: String) -> (node: Int, slot: Int)? {
        var current = tensor
        for _ in 0..<8 {
            for index in consumers[current, default: []] {
                let node = graph.nodes[index]
                if node.opType == "MatMul", let slot = node.inputs.firstIndex(of: current) { return (index, slot) }
            }
            guard
                let next = consumers[current, default: []].first(where: {
                    ["Reshape", "Transpose"].contains(graph.nodes[$0].opType)
                })
            else { return nil }
            current = graph.nodes[next].outputs[0]
        }
        return nil
    }

    // MARK: - LayerNorm

    /// Every LayerNorm's parameters, in graph order: `LayerNormalization` nodes, or the decomposed form
    /// `Div(x - mean, sqrt(var + eps)) → Mul(γ) → Add(β)`.
    func layerNorms() throws(EmbeddingError) -> [Norm] {
        let h = configuration.hiddenSize
        var norms: [Norm] = []
        func vector(_ name: String) throws(EmbeddingError) -> UnsafePointer<Float>? {
            guard graph.initializers[name] != nil else { return nil }
            let v = try values(name)
            return v.values.count == h ? store(v.values) : nil
        }
        for node in graph.nodes {
            if node.opType == "LayerNormalization", node.inputs.count >= 3 {
                guard let gamma = try vector(node.inputs[1]), let beta = try vector(node.inputs[2]) else {
                    throw corrupt("\(node.name): LayerNorm parameters are not [\(h)]")
                }
                norms.append(Norm(gamma: gamma, beta: beta))
                continue
            }
            guard node.opType == "Div", let mul = consumer(of: node.outputs[0], op: "Mul"),
                let gammaName = graph.nodes[mul].inputs.first(where: { graph.initializers[$0] != nil }),
                let add = consumer(of: graph.nodes[mul].outputs[0], op: "Add"),
                let betaName = graph.nodes[add].inputs.first(where: { graph.initializers[$0] != nil }),
                let gamma = try vector(gammaName), let beta = try vector(betaName)
            else { continue }
            norms.append(Norm(gamma: gamma, beta: beta))
        }
        return norms
    }
}
