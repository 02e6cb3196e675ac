/// A small, stable (process- and platform-independent) hash for naming directories and picking ports.
/// FNV-1a over UTF-8; not cryptographic.
enum StableHash {
    static func value(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hex16(_ text: String) -> String {
        let hex = String(value(text), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
