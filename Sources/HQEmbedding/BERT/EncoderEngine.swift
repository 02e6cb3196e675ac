import CBLAS
import Dispatch
import Synchronization

/// Runs embedding jobs off the cooperative pool, one slice at a time on a serial queue, its batches spread over lanes
/// with `DispatchQueue.concurrentPerform`. A job that is not bulk runs whole in one slice, as it always did; a bulk job
/// (``BulkEmbedding``) runs `threads` batches per slice, in batches of at most `bulkBatchTokens` tokens. Between
/// slices the engine takes the next job by rank: not bulk before bulk, then the higher task priority, then the first
/// to come. A query or an edit waits for at most the slice in flight of a bulk job, not for the whole bulk job.
///
/// `@unchecked Sendable`: `workspaces` and the jobs' buffers are only touched by the slice runner, which runs on the
/// serial `queue`; within a slice lane k uses `workspaces[k]` alone. The waiting list is behind a `Mutex`.
final class EncoderEngine: @unchecked Sendable {
    private let encoder: BERTEncoder
    private let configuration: NativeEmbedder.Configuration
    private let queue = DispatchQueue(label: "hq.embedding.native")
    private let workspaces: [Workspace]
    private let state = Mutex(Scheduler())

    /// Up to this many tokens in a lone batch, products are split by columns rather than BLAS-threaded.
    static let splitColumnsMaxTokens = 64

    init(encoder: BERTEncoder, configuration: NativeEmbedder.Configuration) {
        self.encoder = encoder
        self.configuration = configuration
        self.workspaces = (0..<configuration.threads).map { _ in Workspace(configuration: encoder.weights.configuration)
        }
    }

    /// Tokenizes and encodes `texts` on the engine's threads, in turn by rank (bulk or not, then task priority).
    func run(_ texts: [String], tokenizer: WordPieceTokenizer) async throws(EmbeddingError) -> [Embedding] {
        if Task.isCancelled { throw EmbeddingError(.inferenceFailed, "cancelled before start") }
        let bulk = BulkEmbedding.isActive
        let priority = Int(Task.currentPriority.rawValue)
        return await withCheckedContinuation { continuation in
            let job = Job(
                texts: texts, tokenizer: tokenizer, bulk: bulk, priority: priority, continuation: continuation)
            if state.withLock({ $0.admit(job) }) { runNextSlice() }
        }
    }

    /// Runs the next slice of the highest-ranked waiting job on the serial queue, at the job's quality of service
    /// (user-initiated, or utility for bulk work; on Linux libdispatch gives user-initiated threads niceness -2 when
    /// it may), then the next one, until no job waits. Only one runner at a time (`Scheduler.running`).
    private func runNextSlice() {
        guard let job = state.withLock({ $0.next() }) else { return }
        queue.async(qos: job.bulk ? .utility : .userInitiated, flags: .enforceQoS) {
            if job.batches == nil { self.prepare(job) }
            if job.nextBatch < job.batches!.count { self.runSlice(of: job) }
            if job.nextBatch == job.batches!.count {
                self.state.withLock { $0.remove(job) }
                job.finish(width: self.encoder.weights.configuration.hiddenSize)
            }
            self.runNextSlice()
        }
    }

    /// Tokenizes the job's texts and cuts them into length-sorted batches.
    private func prepare(_ job: Job) {
        job.encoded = job.texts.map(job.tokenizer.encode)
        let lengths = job.encoded.map(\.tokenCount)
        let order = lengths.indices.sorted { lengths[$0] > lengths[$1] }
        let maxTokens =
            job.bulk ? min(configuration.maxBatchTokens, configuration.bulkBatchTokens) : configuration.maxBatchTokens
        job.batches = Self.plan(
            order: order, lengths: lengths, batchSize: configuration.batchSize, maxBatchTokens: maxTokens)
        job.output = .allocate(capacity: max(1, job.texts.count * encoder.weights.configuration.hiddenSize))
    }

    /// Encodes the job's next slice: for a bulk job its next `threads` batches (so a job that is not bulk can run
    /// between slices), for any other job all its batches at once. The lanes take batches in turn, one lane per core
    /// with single-threaded BLAS; a lone small batch (a query) splits each product's columns over two threads, since
    /// streaming the weights dominates; a lone large batch lets BLAS thread it.
    private func runSlice(of job: Job) {
        let batches = job.batches!
        let slice =
            job.nextBatch..<(job.bulk ? min(batches.count, job.nextBatch + configuration.threads) : batches.count)
        job.nextBatch = slice.upperBound
        let lanes = min(configuration.threads, slice.count)
        let encoded = job.encoded
        let splitColumns =
            lanes == 1 && configuration.threads > 1 && slice.count == 1
            && batches[slice.lowerBound].reduce(0) { $0 + encoded[$1].tokenCount } <= Self.splitColumnsMaxTokens
        openblas_set_num_threads(Int32(lanes == 1 && !splitColumns ? configuration.threads : 1))
        let output = SendablePointer(job.output!)
        let next = Atomic<Int>(slice.lowerBound)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            var batch = PackedBatch()
            while true {
                let b = next.add(1, ordering: .relaxed).oldValue
                if b >= slice.upperBound { break }
                let members = batches[b]
                batch.removeAll()
                for index in members { batch.append(encoded[index].ids) }
                encoder.encode(batch, workspace: workspaces[lane], output: output.pointer, splitColumns: splitColumns) {
                    members[$0]
                }
            }
        }
    }

    /// Cuts the length-sorted `order` into batches of at most `batchSize` texts and `maxBatchTokens` tokens, so each
    /// batch holds texts of similar length.
    static func plan(order: [Int], lengths: [Int], batchSize: Int, maxBatchTokens: Int) -> [[Int]] {
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            let length = lengths[index]
            if !current.isEmpty, current.count == batchSize || tokens + length > maxBatchTokens {
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

/// One `run` call: its texts, then (once its first slice starts) its batches and output rows.
///
/// `@unchecked Sendable`: after admission only the slice runner touches the mutable fields.
private final class Job: @unchecked Sendable {
    let texts: [String]
    let tokenizer: WordPieceTokenizer
    let bulk: Bool
    let priority: Int
    let continuation: CheckedContinuation<[Embedding], Never>
    var arrival = 0
    var encoded: [TokenizedText] = []
    var batches: [[Int]]?
    var nextBatch = 0
    var output: UnsafeMutablePointer<Float>?

    init(
        texts: [String], tokenizer: WordPieceTokenizer, bulk: Bool, priority: Int,
        continuation: CheckedContinuation<[Embedding], Never>
    ) {
        self.texts = texts
        self.tokenizer = tokenizer
        self.bulk = bulk
        self.priority = priority
        self.continuation = continuation
    }

    /// Hands the vectors to the caller and frees the rows.
    func finish(width: Int) {
        let rows = output!
        let result = texts.indices.map { i in
            Embedding(
                vector: Array(UnsafeBufferPointer(start: rows + i * width, count: width)),
                tokenCount: encoded[i].tokenCount, isTruncated: encoded[i].isTruncated)
        }
        rows.deallocate()
        output = nil
        continuation.resume(returning: result)
    }
}

/// The jobs waiting for slices, and whether a runner is draining them.
private struct Scheduler {
    var waiting: [Job] = []
    var running = false
    var arrivals = 0

    /// Adds `job`; true when no runner is active and the caller must start one.
    mutating func admit(_ job: Job) -> Bool {
        arrivals += 1
        job.arrival = arrivals
        waiting.append(job)
        guard !running else { return false }
        running = true
        return true
    }

    /// The job whose slice runs next: not bulk before bulk, then the highest priority, then the first arrived; nil
    /// (and the runner stops) when none.
    mutating func next() -> Job? {
        let job = waiting.max {
            ($0.bulk ? 0 : 1, $0.priority, -$0.arrival) < ($1.bulk ? 0 : 1, $1.priority, -$1.arrival)
        }
        if job == nil { running = false }
        return job
    }

    mutating func remove(_ job: Job) {
        waiting.removeAll { $0 === job }
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
