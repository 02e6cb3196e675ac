/// Character classes exactly as HF `tokenizers` (BertNormalizer, BertPreTokenizer) sees them.
///
/// `tokenizers` classifies with Unicode tables from about version 8, while Swift ships current ones.
/// Every code point assigned a stripping-relevant category (Mn, P*, Cc/Cf/Co) since then behaves in
/// `tokenizers` as an ordinary unassigned character. The exceptions below were established by an
/// exhaustive sweep of all scalar values against `tokenizers` on Unicode 14 data (see the fixtures
/// README); anything assigned after Unicode 14 is treated as unassigned for the same reason.
enum CharacterClass {
    /// What the normalizer and pre-tokenizer do with one scalar.
    enum Kind: UInt8 {
        case ordinary, control, whitespace, punctuation, nonspacingMark
    }

    /// Rust `char::is_whitespace` (the Unicode White_Space property), which `tokenizers` uses.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// CJK ideograph ranges of the BERT normalizer; each such character becomes its own word.
    @inline(__always)
    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }

    /// True for characters the cleanup step deletes: NUL, U+FFFD and control/format/private-use
    /// characters other than tab, newline and carriage return.
    @inline(__always)
    static func isRemovedByCleanup(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return v == 0 || (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0x7F }
        if v == 0xFFFD { return true }
        switch category(scalar) {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// True for characters split off as single-character words: all ASCII punctuation (including
    /// `$+<=>^`|~`, which Unicode calls symbols) and every Unicode P* character.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v)
        }
        switch category(scalar) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// True for nonspacing marks (Mn), which accent stripping drops after NFD.
    @inline(__always)
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && category(scalar) == .nonspacingMark
    }

    /// The general category as `tokenizers` sees it.
    static func category(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        let v = scalar.value
        switch v {
        case 0x166D, 0x111C9: return .otherPunctuation
        // U+1734 was Mn in the old tables; U+1171E was Mn until Unicode 16 made it Mc.
        case 0x1734, 0x1171E: return .nonspacingMark
        default: break
        }
        if isTokenizersUnassigned(v) { return .unassigned }
        let properties = scalar.properties
        if let age = properties.age, age.major > 14 { return .unassigned }
        return properties.generalCategory
    }

    private static func isTokenizersUnassigned(_ v: UInt32) -> Bool {
        guard v >= 0x61D, v <= 0x1E95F else { return false }
        var low = 0
        var high = unassignedRanges.count
        while low < high {
            let mid = (low + high) / 2
            if unassignedRanges[mid].upperBound < v { low = mid + 1 } else { high = mid }
        }
        return low < unassignedRanges.count && unassignedRanges[low].contains(v)
    }

    /// Code points that `tokenizers` treats as unassigned although Unicode 14 gives them a category
    /// that matters here. Sorted, non-overlapping.
    private static let unassignedRanges: [ClosedRange<UInt32>] = [
        0x61D...0x61D, 0x7FD...0x7FD, 0x890...0x891, 0x898...0x89F, 0x8CA...0x8E2, 0x9FD...0x9FE, 0xA76...0xA76,
        0xAFA...0xAFF, 0xB55...0xB55, 0xC04...0xC04, 0xC3C...0xC3C, 0xC77...0xC77, 0xC84...0xC84, 0xD00...0xD00,
        0xD3B...0xD3C, 0xD81...0xD81, 0xEBA...0xEBA, 0x180F...0x180F, 0x1885...0x1886, 0x1ABF...0x1ACE,
        0x1B7D...0x1B7E, 0x1DF6...0x1DFB, 0x2E43...0x2E4F, 0x2E52...0x2E5D, 0xA82C...0xA82C, 0xA8C5...0xA8C5,
        0xA8FF...0xA8FF, 0xA9BD...0xA9BD, 0x10D24...0x10D27, 0x10EAB...0x10EAD, 0x10F46...0x10F50,
        0x10F55...0x10F59, 0x10F82...0x10F89, 0x11070...0x11070, 0x11073...0x11074, 0x110C2...0x110C2,
        0x110CD...0x110CD, 0x111C9...0x111C9, 0x111CF...0x111CF, 0x1123E...0x1123E, 0x1133B...0x1133B,
        0x11438...0x1143F, 0x11442...0x11444, 0x11446...0x11446, 0x1144B...0x1144F, 0x1145A...0x1145B,
        0x1145D...0x1145E, 0x11660...0x1166C, 0x116B9...0x116B9, 0x1182F...0x11837, 0x11839...0x1183B,
        0x1193B...0x1193C, 0x1193E...0x1193E, 0x11943...0x11946, 0x119D4...0x119D7, 0x119DA...0x119DB,
        0x119E0...0x119E0, 0x119E2...0x119E2, 0x11A01...0x11A0A, 0x11A33...0x11A38, 0x11A3B...0x11A47,
        0x11A51...0x11A56, 0x11A59...0x11A5B, 0x11A8A...0x11A96, 0x11A98...0x11A9C, 0x11A9E...0x11AA2,
        0x11C30...0x11C36, 0x11C38...0x11C3D, 0x11C3F...0x11C3F, 0x11C41...0x11C45, 0x11C70...0x11C71,
        0x11C92...0x11CA7, 0x11CAA...0x11CB0, 0x11CB2...0x11CB3, 0x11CB5...0x11CB6, 0x11D31...0x11D36,
        0x11D3A...0x11D3A, 0x11D3C...0x11D3D, 0x11D3F...0x11D45, 0x11D47...0x11D47, 0x11D90...0x11D91,
        0x11D95...0x11D95, 0x11D97...0x11D97, 0x11EF3...0x11EF4, 0x11EF7...0x11EF8, 0x11FFF...0x11FFF,
        0x12FF1...0x12FF2, 0x13430...0x13438, 0x16E97...0x16E9A, 0x16F4F...0x16F4F, 0x16FE2...0x16FE2,
        0x16FE4...0x16FE4, 0x1CF00...0x1CF2D, 0x1CF30...0x1CF46, 0x1E000...0x1E006, 0x1E008...0x1E018,
        0x1E01B...0x1E021, 0x1E023...0x1E024, 0x1E026...0x1E02A, 0x1E130...0x1E136, 0x1E2AE...0x1E2AE,
        0x1E2EC...0x1E2EF, 0x1E944...0x1E94A, 0x1E95E...0x1E95F,
    ]
}
