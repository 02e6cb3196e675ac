/// What one ``Indexer/drain(progress:)`` (or one batch of ``Indexer/watch(listeningWith:)``) did.
public struct IndexRunSummary: Sendable, Hashable, Codable {
    /// Sources whose new chunk set was written (or confirmed unchanged).
    public var indexed = 0
    /// Sources skipped because nothing that feeds their chunks changed since they were indexed.
    public var unchanged = 0
    /// Sources whose attempt failed and will be retried after a backoff.
    public var retrying = 0
    /// Sources that failed for the last time (visible as failed with the reason).
    public var failed = 0
    /// Sources that changed while being indexed (their newer version is pending again).
    public var stale = 0
    /// Chunks written.
    public var chunks = 0
    /// Chunks whose vector came from the embedder (the rest kept their vector: same content hash).
    public var embeddedChunks = 0
    /// Texts sent to the embedder(s), including a second model's.
    public var embedderTexts = 0
    /// Wall time in seconds.
    public var seconds = 0.0

    /// An empty summary.
    public init() {}

    /// All sources handled, whatever the outcome.
    public var sources: Int { indexed + unchanged + retrying + failed + stale }

    /// Chunks written per second of wall time.
    public var chunksPerSecond: Double { seconds > 0 ? Double(chunks) / seconds : 0 }

    /// Adds another summary's counts (seconds included).
    public mutating func add(_ other: IndexRunSummary) {
        indexed += other.indexed
        unchanged += other.unchanged
        retrying += other.retrying
        failed += other.failed
        stale += other.stale
        chunks += other.chunks
        embeddedChunks += other.embeddedChunks
        embedderTexts += other.embedderTexts
        seconds += other.seconds
    }
}

/// Progress of a running drain, reported after every batch.
public struct IndexProgress: Sendable, Hashable {
    /// Counts so far (``IndexRunSummary/seconds`` is the elapsed time).
    public var summary: IndexRunSummary
    /// Sources still pending (not archived, leased or not), as counted after the batch.
    public var remaining: Int

    /// Creates a progress report.
    public init(summary: IndexRunSummary, remaining: Int) {
        self.summary = summary
        self.remaining = remaining
    }
}
