import Foundation

/// Which addresses a guarded fetch may connect to: public unicast only, unless the operator opens private ranges.
///
/// A URL that a database row supplies is hostile input: without this policy it could make the indexer read
/// loopback services, the cloud metadata endpoint (169.254.169.254) or the intranet. `HQ_FETCH_ALLOW_PRIVATE`
/// is the documented escape hatch: `1` allows every address, a comma-separated list of CIDR ranges
/// (`10.0.0.0/8,fd00::/8`) allows those.
public struct AddressPolicy: Sendable, Hashable {
    /// A CIDR range such as `10.0.0.0/8` or `fd00::/8`.
    public struct Range: Sendable, Hashable, CustomStringConvertible {
        let base: IPAddress
        let bits: Int

        /// Parses `ADDRESS/BITS` (or a single address).
        public init?(_ text: String) {
            let parts = text.trimmingCharacters(in: .whitespaces).split(
                separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let base = IPAddress(String(parts[0])) else { return nil }
            let width = if case .v4 = base { 32 } else { 128 }
            let bits = parts.count == 2 ? Int(parts[1]) : width
            guard let bits, (0...width).contains(bits) else { return nil }
            self.base = base
            self.bits = bits
        }

        /// True when `address` lies in the range (an IPv4 range also matches the IPv4 inside a mapped IPv6 form).
        public func contains(_ address: IPAddress) -> Bool {
            switch (base, address) {
            case (.v4(let b), .v4(let a)):
                return bits == 0 || a >> (32 - UInt32(bits)) == b >> (32 - UInt32(bits))
            case (.v4, .v6):
                guard let inner = address.embeddedIPv4 else { return false }
                return contains(.v4(inner))
            case (.v6(let b), .v6(let a)):
                for i in 0..<16 {
                    let remaining = bits - i * 8
                    if remaining <= 0 { return true }
                    let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
                    if a[i] & mask != b[i] & mask { return false }
                }
                return true
            case (.v6, .v4):
                return false
            }
        }

        /// `base/bits`.
        public var description: String { "\(base)/\(bits)" }
    }

    /// Every address is allowed (`HQ_FETCH_ALLOW_PRIVATE=1`).
    public var allowAll: Bool
    /// Non-public ranges the operator allowed.
    public var allowedRanges: [Range]

    /// Public addresses only.
    public static let publicOnly = AddressPolicy(allowAll: false, allowedRanges: [])

    /// Creates a policy.
    public init(allowAll: Bool = false, allowedRanges: [Range] = []) {
        self.allowAll = allowAll
        self.allowedRanges = allowedRanges
    }

    /// Reads `HQ_FETCH_ALLOW_PRIVATE`: unset or empty → public only; `1`/`true`/`yes` → everything; otherwise a
    /// comma-separated list of CIDR ranges.
    /// - Throws: ``HTTPClientError`` `invalidRequest` naming the entry that is not a range.
    public static func environment(_ environment: [String: String]) throws(HTTPClientError) -> AddressPolicy {
        guard let text = environment["HQ_FETCH_ALLOW_PRIVATE"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty,
            !["0", "false", "no"].contains(text.lowercased())
        else { return .publicOnly }
        if ["1", "true", "yes"].contains(text.lowercased()) { return AddressPolicy(allowAll: true) }
        var ranges: [Range] = []
        for entry in text.split(separator: ",") {
            guard let range = Range(String(entry)) else {
                throw HTTPClientError(
                    .invalidRequest, host: "config",
                    detail:
                        "HQ_FETCH_ALLOW_PRIVATE: '\(entry)' is not an address range (use 1, or CIDR ranges like 10.0.0.0/8)"
                )
            }
            ranges.append(range)
        }
        return AddressPolicy(allowedRanges: ranges)
    }

    /// Nil when a connection to `address` is allowed, else the rule that refuses it (e.g. `loopback address
    /// 127.0.0.1`).
    public func refusal(for address: IPAddress) -> String? {
        if allowAll || address.isPublic || allowedRanges.contains(where: { $0.contains(address) }) { return nil }
        return "\(address.scope.rawValue) address \(address) (set HQ_FETCH_ALLOW_PRIVATE to allow it)"
    }
}
