import Foundation

/// A chunk proposed by one or both legs, with what each stage learned about it.
struct Candidate: Sendable {
    let chunkID: UUID
    let sourceID: UUID
    /// Full-precision vector of the searched model (nil when the chunk has none yet).
    var embedding: [Float]?
    var annRank: Int?
    /// This chunk's own BM25 evidence: set when the lexical leg proposed this chunk (its source's best lexical chunk).
    var bm25: Double?
    var lexicalRank: Int?
    /// Its source's BM25 score and rank, for every chunk of a source the lexical leg ranked: the lexical leg scores
    /// whole sources (migration 020), so hybrid fusion adds that evidence to whichever chunk of the source the dense
    /// leg found, instead of only to the one chunk the lexical leg shows.
    var sourceBM25: Double?
    var sourceLexicalRank: Int?
    var cosine: Double?
    var denseRank: Int?
    /// The fused score that ranks sources: in hybrid mode with the source's lexical evidence (``sourceBM25``).
    var score: Double = 0
    /// The fused score with this chunk's own evidence only: orders the chunks shown within one source, so the chunk
    /// that matches the query's words keeps its place there.
    var chunkScore: Double = 0
    /// Set by grouping on a source's shown chunks: the best ``score`` among all its candidates (the source's rank).
    var sourceScore: Double = 0
}

extension UUID {
    /// The UUID's 16 bytes as two big-endian integers: orders UUIDs as their strings do (for stable tie-breaks),
    /// without building strings inside sort comparators.
    var orderKey: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}
