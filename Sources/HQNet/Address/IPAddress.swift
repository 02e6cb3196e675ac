/// An IPv4 or IPv6 address, parsed from its text form, with the classification that decides whether a fetch of a
/// URL a row supplied may connect to it.
///
/// ```swift
/// IPAddress("169.254.169.254")?.scope        // .linkLocal
/// IPAddress("::ffff:127.0.0.1")?.scope       // .loopback (the IPv4 inside decides)
/// IPAddress("2606:4700::1111")?.isPublic     // true
/// ```
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first.
    case v4(UInt32)
    /// An IPv6 address as its 16 bytes in network order.
    case v6([UInt8])

    /// Where an address reaches.
    public enum Scope: String, Sendable {
        /// A globally routable unicast address.
        case `public`
        /// 127.0.0.0/8, ::1.
        case loopback
        /// 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7, fec0::/10.
        case `private`
        /// 169.254/16 (cloud metadata lives here), fe80::/10.
        case linkLocal = "link-local"
        /// 224/4, ff00::/8, 255.255.255.255.
        case multicast
        /// 0.0.0.0/8, ::.
        case unspecified
        /// 192.0.0/24, 192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24, 240/4, 2001:db8::/32, 100::/64.
        case reserved
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (`::`, embedded IPv4, an optional `[…]` and `%zone`).
    /// Returns nil for anything else, including IPv4 forms other than four decimal parts (`127.1`, `0x7f.0.0.1`).
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        if let v4 = Self.parseV4(text) {
            self = .v4(v4)
        } else if let v6 = Self.parseV6(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The IPv4 address an IPv6 address carries and that a connection really reaches: v4-mapped (`::ffff:a.b.c.d`),
    /// v4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`). Nil otherwise.
    public var embeddedIPv4: UInt32? {
        guard case .v6(let b) = self else { return nil }
        func v4(at offset: Int) -> UInt32 {
            UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8 | UInt32(b[offset + 3])
        }
        let firstTen = b[0..<10].allSatisfy { $0 == 0 }
        if firstTen && b[10] == 0xff && b[11] == 0xff { return v4(at: 12) }
        if firstTen && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1) {
            return v4(at: 12)
        }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return v4(at: 12)
        }
        if b[0] == 0x20 && b[1] == 0x02 { return v4(at: 2) }
        return nil
    }

    /// Where the address reaches; for IPv6 forms that carry an IPv4 address, the IPv4 address decides.
    public var scope: Scope {
        switch self {
        case .v4(let a): return Self.scope(ofV4: a)
        case .v6(let b):
            if let inner = embeddedIPv4 { return Self.scope(ofV4: inner) }
            if b.allSatisfy({ $0 == 0 }) { return .unspecified }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
            if b[0] == 0xff { return .multicast }
            if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .linkLocal }
            if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return .private }  // fec0::/10, deprecated site-local
            if b[0] & 0xfe == 0xfc { return .private }  // fc00::/7
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return .reserved }  // documentation
            if b[0] == 0x01 && b[1..<8].allSatisfy({ $0 == 0 }) { return .reserved }  // discard-only 100::/64
            return .public
        }
    }

    /// True when ``scope`` is ``Scope/public``.
    public var isPublic: Bool { scope == .public }

    /// Dotted quad, or the IPv6 text with the longest run of zero groups as `::`.
    public var description: String {
        switch self {
        case .v4(let a): return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case .v6(let b):
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff, let inner = embeddedIPv4 {
                return "::ffff:" + IPAddress.v4(inner).description
            }
            let groups = (0..<8).map { UInt16(b[2 * $0]) << 8 | UInt16(b[2 * $0 + 1]) }
            var best = (start: -1, length: 0)
            var run = (start: -1, length: 0)
            for (i, g) in groups.enumerated() {
                if g == 0 {
                    run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
                    if run.length > best.length { best = run }
                } else {
                    run = (-1, 0)
                }
            }
            guard best.length > 1 else { return groups.map { String($0, radix: 16) }.joined(separator: ":") }
            let head = groups[..<best.start].map { String($0, radix: 16) }.joined(separator: ":")
            let tail = groups[(best.start + best.length)...].map { String($0, radix: 16) }.joined(separator: ":")
            return head + "::" + tail
        }
    }

    // MARK: - Parsing

    private static func scope(ofV4 a: UInt32) -> Scope {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { bits == 0 || a >> (32 - bits) == base >> (32 - bits) }
        if a == 0xffff_ffff { return .multicast }  // limited broadcast
        if within(0x0000_0000, 8) { return .unspecified }
        if within(0x7f00_0000, 8) { return .loopback }
        if within(0x0a00_0000, 8) || within(0xac10_0000, 12) || within(0xc0a8_0000, 16) || within(0x6440_0000, 10) {
            return .private
        }
        if within(0xa9fe_0000, 16) { return .linkLocal }
        if within(0xe000_0000, 4) { return .multicast }
        if within(0xf000_0000, 4) || within(0xc000_0000, 24) || within(0xc000_0200, 24) || within(0xc612_0000, 15)
            || within(0xc633_6400, 24) || within(0xcb00_7100, 24)
        {
            return .reserved
        }
        return .public
    }

    private static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            // Decimal only, no leading zeros (libc would read `010` as octal).
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || !part.hasPrefix("0"), let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    private static func parseV6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func parse(_ part: String, last: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if last && index == pieces.count - 1 && piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    result += [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        if halves.count == 2 {
            sawGap = true
            guard let head = parse(halves[0], last: false), let rest = parse(halves[1], last: true) else { return nil }
            groups = head
            tail = rest
        } else {
            guard let all = parse(halves[0], last: true) else { return nil }
            groups = all
        }
        let total = groups.count + tail.count
        if sawGap {
            guard total <= 7 else { return nil }
            groups += Array(repeating: 0, count: 8 - total) + tail
        } else {
            guard total == 8 else { return nil }
        }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
