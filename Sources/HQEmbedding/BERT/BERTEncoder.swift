import CBLAS
import Dispatch

/// Sequences packed back to back for one forward pass: no padding at all, so the dense layers
/// see exactly the real tokens and attention runs per sequence over its own keys only.
struct PackedBatch {
    /// Token ids of all sequences, concatenated.
    var ids: [Int32] = []
    /// Each sequence's first row in `ids` and its length.
    var sequences: [(start: Int, length: Int)] = []

    mutating func append(_ tokenIDs: [Int]) {
        sequences.append((ids.count, tokenIDs.count))
        for id in tokenIDs { ids.append(Int32(truncatingIfNeeded: id)) }
    }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        sequences.removeAll(keepingCapacity: true)
    }
}

/// The BERT encoder forward pass plus sentence pooling, on CBLAS. Stateless apart from the weights,
/// so one instance serves every thread; each call brings its own `Workspace`.
struct BERTEncoder: Sendable {
    let weights: BERTWeights

    /// Computes one sentence vector per sequence of `batch`.
    /// - Parameters:
    ///   - batch: packed token ids; each sequence must be non-empty and at most `maxSequenceLength` long.
    ///   - workspace: scratch owned by the calling thread.
    ///   - output: receives `batch.sequences.count` row-major vectors of `hiddenSize` floats, each
    ///     pooled and (if the model says so) L2-normalised; `rowFor(k)` is where sequence k goes.
    ///   - splitColumns: compute each dense product as two column halves on two threads (for small
    ///     batches, where single-threaded sgemm is bound by streaming the weights).
    func encode(
        _ batch: PackedBatch, workspace ws: Workspace, output: UnsafeMutablePointer<Float>, splitColumns: Bool = false,
        rowFor: (Int) -> Int
    ) {
        let c = weights.configuration
        let linear = splitColumns ? Self.linearSplit : Self.linear
        let tokens = batch.ids.count
        ws.reserve(tokens: tokens)
        embed(batch, into: ws.hidden)
        for layer in weights.layers {
            attentionBlock(layer, batch, ws, linear)
            feedForwardBlock(layer, batch, ws, linear)
        }
        for (k, sequence) in batch.sequences.enumerated() {
            pool(
                ws.hidden + sequence.start * c.hiddenSize, length: sequence.length,
                into: output + rowFor(k) * c.hiddenSize)
        }
    }

    /// Word + position + token-type(0) embeddings, then LayerNorm.
    private func embed(_ batch: PackedBatch, into x: UnsafeMutablePointer<Float>) {
        let c = weights.configuration
        let h = c.hiddenSize
        for sequence in batch.sequences {
            for position in 0..<sequence.length {
                let row = x + (sequence.start + position) * h
                let word = weights.wordEmbeddings + Int(batch.ids[sequence.start + position]) * h
                let place = weights.positionEmbeddings + position * h
                let type = weights.tokenTypeEmbeddings
                for j in 0..<h { row[j] = word[j] + place[j] + type[j] }
                Kernels.layerNorm(
                    row, count: h, gamma: weights.embeddingNormGamma, beta: weights.embeddingNormBeta,
                    epsilon: c.layerNormEpsilon)
            }
        }
    }

    /// Self-attention, output projection, residual and LayerNorm; the result replaces `ws.hidden`.
    private func attentionBlock(_ layer: LayerWeights, _ batch: PackedBatch, _ ws: Workspace, _ linear: Linear) {
        let c = weights.configuration
        let h = c.hiddenSize
        let d = c.headSize
        let tokens = batch.ids.count
        let x = ws.hidden
        let qkv = ws.qkv
        broadcast(layer.qkvBias, rows: tokens, width: 3 * h, into: qkv)
        linear(quantizedInput(x, batch.sequences, width: h, scratch: ws.quantized), tokens, h, layer.qkv, 3 * h, qkv)

        let scale = 1 / Float(d).squareRoot()
        let ld = Int32(3 * h)
        for sequence in batch.sequences {
            let n = sequence.length
            let n32 = Int32(n)
            for head in 0..<c.headCount {
                let q = qkv + sequence.start * 3 * h + head * d
                let k = q + h
                let v = q + 2 * h
                // scores[n × n] = scale · Q Kᵀ, one head at a time
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, n32, n32, Int32(d), scale, q, ld, k, ld, 0, ws.scores, n32)
                for row in 0..<n { Kernels.softmax(ws.scores + row * n, count: n) }
                // context[n × d] = P V, written into this head's columns
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, n32, Int32(d), n32, 1, ws.scores, n32, v, ld, 0,
                    ws.context + sequence.start * h + head * d, Int32(h))
            }
        }
        // residual = x + bias + context · Woᵀ, then LayerNorm
        addBias(layer.attentionOutBias, to: x, rows: tokens, width: h, into: ws.residual)
        let context = quantizedInput(ws.context, batch.sequences, width: h, scratch: ws.context)
        linear(context, tokens, h, layer.attentionOut, h, ws.residual)
        for row in 0..<tokens {
            Kernels.layerNorm(
                ws.residual + row * h, count: h, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta,
                epsilon: c.layerNormEpsilon)
        }
        ws.swapHiddenAndResidual()
    }

    /// GELU feed-forward, residual and LayerNorm, in blocks of whole sequences (so 8-bit rounding of the
    /// inputs, when the model asks for it, sees one sequence at a time); the result replaces `ws.hidden`.
    private func feedForwardBlock(_ layer: LayerWeights, _ batch: PackedBatch, _ ws: Workspace, _ linear: Linear) {
        let c = weights.configuration
        let h = c.hiddenSize
        let inner = c.intermediateSize
        var next = 0
        while next < batch.sequences.count {
            let firstSequence = next
            let first = batch.sequences[next].start
            var rows = 0
            while next < batch.sequences.count, rows + batch.sequences[next].length <= ws.feedForwardBlockRows {
                rows += batch.sequences[next].length
                next += 1
            }
            let block = batch.sequences[firstSequence..<next].map { (start: $0.start - first, length: $0.length) }
            let x = ws.hidden + first * h
            let out = ws.residual + first * h
            broadcast(layer.upBias, rows: rows, width: inner, into: ws.feedForward)
            linear(
                quantizedInput(x, block, width: h, scratch: ws.quantized + first * h), rows, h, layer.up, inner,
                ws.feedForward)
            Kernels.gelu(ws.feedForward, count: rows * inner)
            addBias(layer.downBias, to: x, rows: rows, width: h, into: out)
            let activated = quantizedInput(ws.feedForward, block, width: inner, scratch: ws.feedForward)
            linear(activated, rows, inner, layer.down, h, out)
            for row in 0..<rows {
                Kernels.layerNorm(
                    out + row * h, count: h, gamma: layer.outputNormGamma, beta: layer.outputNormBeta,
                    epsilon: c.layerNormEpsilon)
            }
        }
        ws.swapHiddenAndResidual()
    }

    /// The input of a dense product: `x` itself, or for a dynamically quantised model each sequence's
    /// rows rounded to its own 8-bit grid in `scratch` (which may be `x` when `x` is not needed after).
    private func quantizedInput(
        _ x: UnsafeMutablePointer<Float>, _ sequences: [(start: Int, length: Int)], width: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> UnsafeMutablePointer<Float> {
        guard weights.quantizesActivations else { return x }
        for sequence in sequences {
            Kernels.fakeQuantize(
                x + sequence.start * width, into: scratch + sequence.start * width, count: sequence.length * width)
        }
        return scratch
    }

    /// Mean or CLS pooling of one sequence's rows, then optional L2 normalisation.
    private func pool(_ rows: UnsafePointer<Float>, length: Int, into out: UnsafeMutablePointer<Float>) {
        let c = weights.configuration
        let h = c.hiddenSize
        switch c.pooling {
        case .cls:
            out.update(from: rows, count: h)
        case .mean:
            for j in 0..<h {
                var sum = 0.0
                for r in 0..<length { sum += Double(rows[r * h + j]) }
                out[j] = Float(sum / Double(length))
            }
        }
        guard c.normalize else { return }
        var squares = 0.0
        for j in 0..<h { squares += Double(out[j]) * Double(out[j]) }
        let inverse = Float(1 / max(squares.squareRoot(), 1e-12))
        for j in 0..<h { out[j] *= inverse }
    }

    /// out[r] = bias for every row.
    private func broadcast(_ bias: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (out + r * width).update(from: bias, count: width) }
    }

    /// out[r] = x[r] + bias for every row.
    private func addBias(
        _ bias: UnsafePointer<Float>, to x: UnsafePointer<Float>, rows: Int, width: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let src = x + r * width
            let dst = out + r * width
            for j in 0..<width { dst[j] = src[j] + bias[j] }
        }
    }

    /// `out[rows × outputs] += input[rows × inputs] · weightᵀ`, weight row-major `[outputs × inputs]`.
    typealias Linear = (
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputs: Int, _ weight: UnsafePointer<Float>, _ outputs: Int,
        _ out: UnsafeMutablePointer<Float>
    ) -> Void

    /// One sgemm (BLAS may thread it).
    static func linear(
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputs: Int, _ weight: UnsafePointer<Float>, _ outputs: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        linearColumns(input, rows, inputs, weight, outputs, out, columns: 0..<outputs)
    }

    /// Two sgemms over the left and right column halves, on two threads: each streams half the weights.
    static func linearSplit(
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputs: Int, _ weight: UnsafePointer<Float>, _ outputs: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        let half = (outputs / 2 + 15) & ~15
        let pointers = SplitPointers(input: input, weight: weight, out: out)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let columns = part == 0 ? 0..<half : half..<outputs
            linearColumns(pointers.input, rows, inputs, pointers.weight, outputs, pointers.out, columns: columns)
        }
    }

    @inline(__always)
    private static func linearColumns(
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputs: Int, _ weight: UnsafePointer<Float>, _ outputs: Int,
        _ out: UnsafeMutablePointer<Float>, columns: Range<Int>
    ) {
        guard !columns.isEmpty else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns.count), Int32(inputs), 1, input,
            Int32(inputs), weight + columns.lowerBound * inputs, Int32(inputs), 1, out + columns.lowerBound,
            Int32(outputs))
    }
}

/// Operands shared by the two halves of a split product.
///
/// `@unchecked Sendable`: both halves read `input` and `weight` and write disjoint columns of `out`;
/// `concurrentPerform` returns only after both finish.
private struct SplitPointers: @unchecked Sendable {
    let input: UnsafePointer<Float>
    let weight: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
}
