import Foundation
import Synchronization

/// Canonical decomposition (NFD) and lowercasing of single scalars, with a shared cache.
///
/// The standard library has no public per-scalar decomposition, so non-trivial cases go through
/// Foundation once per distinct scalar and are remembered. ASCII, Latin-1 below U+00C0, unified CJK
/// ideographs and Hangul syllables (decomposed arithmetically) never touch the cache.
final class ScalarNormalizer: Sendable {
    private let cache = Mutex<[UInt32: [Unicode.Scalar]]>([:])

    /// Appends the canonical decomposition of `scalar` to `output`.
    @inline(__always)
    func decompose(_ scalar: Unicode.Scalar, into output: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0xC0 || (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) {
            output.append(scalar)
            return
        }
        if (0xAC00...0xD7A3).contains(v) {
            decomposeHangul(v, into: &output)
            return
        }
        if let cached = cache.withLock({ $0[v] }) {
            output.append(contentsOf: cached)
            return
        }
        let decomposed = Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
        cache.withLock { $0[v] = decomposed }
        output.append(contentsOf: decomposed)
    }

    /// Appends the full (context-free) lowercase mapping of `scalar`, as Rust's `char::to_lowercase`.
    @inline(__always)
    func lowercase(_ scalar: Unicode.Scalar, into output: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0x80 {
            output.append((0x41...0x5A).contains(v) ? Unicode.Scalar(UInt8(v + 32)) : scalar)
            return
        }
        let properties = scalar.properties
        if !properties.changesWhenLowercased {
            output.append(scalar)
            return
        }
        output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
    }

    /// Canonical combining class, 0 for starters.
    @inline(__always)
    func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        scalar.value < 0x300 ? 0 : scalar.properties.canonicalCombiningClass.rawValue
    }

    private func decomposeHangul(_ v: UInt32, into output: inout [Unicode.Scalar]) {
        // Unicode 3.12: syllable = (L × 21 + V) × 28 + T, offsets from U+1100, U+1161, U+11A7.
        let index = v - 0xAC00
        let l = 0x1100 + index / (21 * 28)
        let vowel = 0x1161 + (index % (21 * 28)) / 28
        let t = index % 28
        output.append(Unicode.Scalar(l)!)
        output.append(Unicode.Scalar(vowel)!)
        if t != 0 { output.append(Unicode.Scalar(0x11A7 + t)!) }
    }
}
