import CBLAS
import Dispatch
import Synchronization

/// Runs embedding jobs off the cooperative pool: one serial queue admits jobs in order, and each job
/// spreads its batches over up to `threads` lanes with `DispatchQueue.concurrentPerform`.
///
/// `@unchecked Sendable`: `workspaces` is only touched inside jobs, jobs run one at a time on `queue`,
/// and within a job lane k uses `workspaces[k]` alone.
final class EncoderEngine: @unchecked Sendable {
    private let encoder: BERTEncoder
    private let configuration: NativeEmbedder.Configuration
    private let queue = DispatchQueue(label: "hq.embedding.native", qos: .userInitiated)
    private let workspaces: [Workspace]

    /// Up to this many tokens in a lone batch, products are split by columns rather than BLAS-threaded.
    static let splitColumnsMaxTokens = 64

    init(encoder: BERTEncoder, configuration: NativeEmbedder.Configuration) {
        self.encoder = encoder
        self.configuration = configuration
        self.workspaces = (0..<configuration.threads).map { _ in Workspace(configuration: encoder.weights.configuration)
        }
    }

    /// Tokenizes and encodes `texts` on the engine's threads.
    func run(_ texts: [String], tokenizer: WordPieceTokenizer) async throws(EmbeddingError) -> [Embedding] {
        if Task.isCancelled { throw EmbeddingError(.inferenceFailed, "cancelled before start") }
        return await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.process(texts, tokenizer: tokenizer))
            }
        }
    }

    private func process(_ texts: [String], tokenizer: WordPieceTokenizer) -> [Embedding] {
        let encoded = texts.map(tokenizer.encode)
        let order = encoded.indices.sorted { encoded[$0].tokenCount > encoded[$1].tokenCount }
        let batches = plan(order: order, lengths: encoded.map(\.tokenCount))
        let width = encoder.weights.configuration.hiddenSize
        let output = UnsafeMutablePointer<Float>.allocate(capacity: texts.count * width)
        defer { output.deallocate() }

        let lanes = min(configuration.threads, batches.count)
        // Several batches: one lane per core, single-threaded BLAS. One small batch (a query): split each
        // product's columns over two threads, since streaming the weights dominates. One large batch:
        // let BLAS thread it.
        let splitColumns =
            lanes == 1 && configuration.threads > 1
            && encoded.reduce(0) { $0 + $1.tokenCount } <= Self.splitColumnsMaxTokens
        openblas_set_num_threads(Int32(lanes == 1 && !splitColumns ? configuration.threads : 1))
        let next = Atomic<Int>(0)
        let sendableOutput = SendablePointer(output)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let workspace = workspaces[lane]
            var batch = PackedBatch()
            while true {
                let b = next.add(1, ordering: .relaxed).oldValue
                if b >= batches.count { break }
                batch.removeAll()
                for index in batches[b] { batch.append(encoded[index].ids) }
                let members = batches[b]
                encoder.encode(batch, workspace: workspace, output: sendableOutput.pointer, splitColumns: splitColumns)
                {
                    members[$0]
                }
            }
        }
        return texts.indices.map { i in
            Embedding(
                vector: Array(UnsafeBufferPointer(start: output + i * width, count: width)),
                tokenCount: encoded[i].tokenCount, isTruncated: encoded[i].isTruncated)
        }
    }

    /// Cuts the length-sorted `order` into batches of at most `batchSize` texts and `maxBatchTokens`
    /// tokens, so each batch holds texts of similar length.
    private func plan(order: [Int], lengths: [Int]) -> [[Int]] {
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            let length = lengths[index]
            if !current.isEmpty,
                current.count == configuration.batchSize || tokens + length > configuration.maxBatchTokens
            {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += length
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}

/// A pointer handed to concurrent lanes that write disjoint rows.
///
/// `@unchecked Sendable`: lanes write only the rows of their own batches, and the owner reads the
/// buffer after `concurrentPerform` returns.
private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
