/// Scratch buffers for one forward pass on one thread, grown on demand and reused across batches.
///
/// Not thread-safe: one lane owns a workspace for the duration of a batch.
final class Workspace {
    /// Rows of the feed-forward block processed at once; bounds the `[rows × intermediate]` buffer.
    static let feedForwardRows = 512

    private(set) var tokenCapacity = 0
    private(set) var sequenceCapacity = 0
    private(set) var hidden: UnsafeMutablePointer<Float>  // [tokens × hidden]
    private(set) var residual: UnsafeMutablePointer<Float>  // [tokens × hidden]
    private(set) var context: UnsafeMutablePointer<Float>  // [tokens × hidden]
    private(set) var qkv: UnsafeMutablePointer<Float>  // [tokens × 3·hidden]
    private(set) var quantized: UnsafeMutablePointer<Float>  // [tokens × hidden], 8-bit-rounded inputs
    private(set) var feedForward: UnsafeMutablePointer<Float>  // [feedForwardBlockRows × intermediate]
    private(set) var scores: UnsafeMutablePointer<Float>  // [maxSequence × maxSequence], one head
    private let hiddenSize: Int
    private let intermediateSize: Int
    /// Rows of `feedForward`: at least one whole sequence, so a block can always hold whole sequences.
    let feedForwardBlockRows: Int

    init(configuration: ModelConfiguration) {
        hiddenSize = configuration.hiddenSize
        intermediateSize = configuration.intermediateSize
        let n = configuration.maxSequenceLength
        hidden = .allocate(capacity: 1)
        residual = .allocate(capacity: 1)
        context = .allocate(capacity: 1)
        qkv = .allocate(capacity: 1)
        quantized = .allocate(capacity: 1)
        feedForwardBlockRows = max(Self.feedForwardRows, n)
        feedForward = .allocate(capacity: feedForwardBlockRows * intermediateSize)
        scores = .allocate(capacity: n * n)
    }

    /// Makes room for `tokens` packed tokens; keeps the buffers if they are large enough.
    func reserve(tokens: Int) {
        guard tokens > tokenCapacity else { return }
        let capacity = max(tokens, tokenCapacity * 3 / 2)
        for buffer in [hidden, residual, context, qkv, quantized] { buffer.deallocate() }
        hidden = .allocate(capacity: capacity * hiddenSize)
        residual = .allocate(capacity: capacity * hiddenSize)
        context = .allocate(capacity: capacity * hiddenSize)
        qkv = .allocate(capacity: capacity * 3 * hiddenSize)
        quantized = .allocate(capacity: capacity * hiddenSize)
        tokenCapacity = capacity
    }

    /// Swaps the roles of `hidden` and `residual` (the LayerNorm output becomes the next input).
    func swapHiddenAndResidual() {
        swap(&hidden, &residual)
    }

    deinit {
        for buffer in [hidden, residual, context, qkv, quantized, feedForward, scores] { buffer.deallocate() }
    }
}
