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
