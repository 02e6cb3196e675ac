#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which names and addresses mean "this machine only": the rule behind the bind check of ``ServerConfiguration``
/// and the `Host` check of an unauthenticated server.
///
/// Loopback is `localhost`, any IPv4 address in 127.0.0.0/8, `::1` and the IPv4-mapped form of a 127.0.0.0/8
/// address. Only literal addresses are recognised (no DNS look-up): a name other than `localhost` could resolve
/// anywhere, and resolving it would reopen the window a DNS-rebinding attack uses.
public enum LoopbackHost {
    /// True when a server bound to `host` is reachable from this machine only.
    ///
    /// `0.0.0.0`, `::` and every other name or address answer false.
    /// - Parameter host: the interface given to `hq serve --host` (a name, an IPv4 address, an IPv6 address with or
    ///   without brackets).
    public static func isLoopbackBindAddress(_ host: String) -> Bool {
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "localhost" || isLoopbackLiteral(text)
    }

    /// True when an HTTP `Host` value (`authority` of the request) names this machine: `localhost` or a name under
    /// `.localhost` (RFC 6761 reserves them for loopback, and browsers never send them to the network), an IPv4
    /// address in 127.0.0.0/8, or `[::1]`, each with an optional numeric port.
    ///
    /// A page loaded from `http://evil.example` whose DNS name has been re-pointed at 127.0.0.1 still sends
    /// `Host: evil.example`, so this check is what stops DNS rebinding.
    /// - Complexity: O(*n*) in the length of `authority`.
    public static func isLoopbackAuthority(_ authority: String) -> Bool {
        let text = authority.lowercased()
        let host: Substring
        let port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                port = nil
            } else {
                guard rest.hasPrefix(":") else { return false }
                port = rest.dropFirst()
            }
            guard host.contains(":") else { return false }
        } else {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count > 1 ? parts[1] : nil
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }), Int(port)! <= 65535
            else { return false }
        }
        var name = String(host)
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { return false }
        if name == "localhost" || name.hasSuffix(".localhost") {
            return name.utf8.allSatisfy { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || isAlphanumeric($0) }
        }
        return isLoopbackLiteral(name)
    }

    /// An IPv4 or IPv6 literal (no brackets) that is a loopback address.
    static func isLoopbackLiteral(_ text: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        // ::ffff:127.x.y.z, the IPv4-mapped form of a 127.0.0.0/8 address.
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
