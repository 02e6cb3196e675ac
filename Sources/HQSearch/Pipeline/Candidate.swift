import Foundation

/// A chunk proposed by one or both legs, with what each stage learned about it.
struct Candidate: Sendable {
    let chunkID: UUID
    let sourceID: UUID
    /// Full-precision vector of the searched model (nil when the chunk has none yet).
    var embedding: [Float]?
    var annRank: Int?
    var bm25: Double?
    var lexicalRank: Int?
    var cosine: Double?
    var denseRank: Int?
    var score: Double = 0
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
