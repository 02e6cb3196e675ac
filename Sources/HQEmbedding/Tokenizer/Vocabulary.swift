import Foundation

/// The WordPiece vocabulary: token string → id, looked up straight from UTF-8 bytes without building a
/// `String` per candidate piece (WordPiece probes many substrings per word).
///
/// An open-addressing hash table over one contiguous key buffer; immutable after init.
struct Vocabulary: Sendable {
    private struct Slot: Sendable {
        var hash: UInt64 = 0
        var keyStart: Int32 = 0
        var keyLength: Int32 = -1  // -1 marks an empty slot
        var id: Int32 = 0
    }

    private let keys: [UInt8]
    private let slots: [Slot]
    private let mask: Int
    /// Number of tokens (lines of vocab.txt).
    let count: Int
    /// The longest key in bytes, `##` included; longer candidates are skipped without hashing.
    let maxKeyLength: Int

    /// Builds the table from tokens in id order (line i of vocab.txt has id i).
    init(tokens: [String]) {
        var keys: [UInt8] = []
        var capacity = 16
        while capacity < tokens.count * 2 { capacity *= 2 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        var maxKeyLength = 0
        for (id, token) in tokens.enumerated() {
            let bytes = Array(token.utf8)
            let hash = Self.hash(bytes[...], continuation: false)
            var index = Int(truncatingIfNeeded: hash) & (capacity - 1)
            var duplicate = false
            while slots[index].keyLength >= 0 {
                let slot = slots[index]
                if slot.hash == hash, Int(slot.keyLength) == bytes.count,
                    keys[Int(slot.keyStart)..<Int(slot.keyStart) + bytes.count].elementsEqual(bytes)
                {
                    duplicate = true  // first occurrence wins, as in a dict built line by line
                    break
                }
                index = (index + 1) & (capacity - 1)
            }
            if duplicate { continue }
            slots[index] = Slot(hash: hash, keyStart: Int32(keys.count), keyLength: Int32(bytes.count), id: Int32(id))
            keys.append(contentsOf: bytes)
            maxKeyLength = max(maxKeyLength, bytes.count)
        }
        self.keys = keys
        self.slots = slots
        self.mask = capacity - 1
        self.count = tokens.count
        self.maxKeyLength = maxKeyLength
    }

    /// Reads `vocab.txt`: one token per line, id = line number.
    init(contentsOf url: URL) throws(EmbeddingError) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EmbeddingError(.modelFileMissing, "cannot read \(url.path)", hint: EmbeddingError.setupHint)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw EmbeddingError(.modelFileCorrupt, "\(url.path) is not UTF-8", hint: EmbeddingError.setupHint)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else {
            throw EmbeddingError(.modelFileCorrupt, "\(url.path) is empty", hint: EmbeddingError.setupHint)
        }
        self.init(tokens: lines)
    }

    /// The id of `token`, if present.
    func id(of token: String) -> Int32? {
        let bytes = Array(token.utf8)
        return bytes.withUnsafeBufferPointer { id(of: $0, continuation: false) }
    }

    /// The id of the piece spelled by `bytes`, with a `##` prefix when `continuation` is true.
    @inline(__always)
    func id(of bytes: UnsafeBufferPointer<UInt8>, continuation: Bool) -> Int32? {
        let length = bytes.count + (continuation ? 2 : 0)
        if length > maxKeyLength { return nil }
        let hash = Self.hash(bytes, continuation: continuation)
        var index = Int(truncatingIfNeeded: hash) & mask
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let slot = slots[index]
                if slot.keyLength < 0 { return nil }
                if slot.hash == hash, Int(slot.keyLength) == length,
                    matches(keys, Int(slot.keyStart), bytes, continuation)
                {
                    return slot.id
                }
                index = (index + 1) & mask
            }
        }
    }

    @inline(__always)
    private func matches(
        _ keys: UnsafeBufferPointer<UInt8>, _ start: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ continuation: Bool
    ) -> Bool {
        var k = start
        if continuation {
            guard keys[k] == UInt8(ascii: "#"), keys[k + 1] == UInt8(ascii: "#") else { return false }
            k += 2
        }
        for b in bytes {
            if keys[k] != b { return false }
            k += 1
        }
        return true
    }

    /// FNV-1a over the key bytes, `##` included for continuations.
    @inline(__always)
    private static func hash<C: Collection>(_ bytes: C, continuation: Bool) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        if continuation {
            h = (h ^ 0x23) &* 0x100_0000_01b3
            h = (h ^ 0x23) &* 0x100_0000_01b3
        }
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
