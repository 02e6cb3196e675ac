import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a host name into the addresses a connection would use.
///
/// The guarded fetcher resolves once, checks every address, and pins the connection to a checked one, so that a
/// second lookup (DNS rebinding) cannot send the connection elsewhere. Tests supply a fixed table.
public protocol HostResolver: Sendable {
    /// The addresses of `host` (an IP literal resolves to itself).
    /// - Throws: ``HTTPClientError`` `couldNotConnect` when the name does not resolve.
    func addresses(of host: String) async throws(HTTPClientError) -> [IPAddress]
}

/// `getaddrinfo` on a dispatch queue (it blocks; the cooperative pool must not).
public struct SystemHostResolver: HostResolver {
    /// Creates a resolver.
    public init() {}

    /// The addresses of `host`, in the system's order.
    public func addresses(of host: String) async throws(HTTPClientError) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        let result: Result<[IPAddress], HTTPClientError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Self.lookup(host)) }
        }
        return try result.get()
    }

    private static func lookup(_ host: String) -> Result<[IPAddress], HTTPClientError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            return .failure(HTTPClientError(.couldNotConnect, host: host, detail: "the host name does not resolve"))
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let address = IPAddress(socketAddress: current.pointee.ai_addr), !addresses.contains(address) {
                addresses.append(address)
            }
            node = current.pointee.ai_next
        }
        return addresses.isEmpty
            ? .failure(HTTPClientError(.couldNotConnect, host: host, detail: "the host name has no address"))
            : .success(addresses)
    }
}

/// A fixed table of names (tests, and hosts the operator pins).
public struct StaticHostResolver: HostResolver {
    /// Addresses by lower-cased host name.
    public var table: [String: [IPAddress]]

    /// Creates a resolver answering from `table`; other names fail to resolve.
    public init(_ table: [String: [IPAddress]]) { self.table = table }

    /// The table's addresses for `host`.
    public func addresses(of host: String) async throws(HTTPClientError) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        guard let found = table[host.lowercased()], !found.isEmpty else {
            throw HTTPClientError(.couldNotConnect, host: host, detail: "the host name does not resolve")
        }
        return found
    }
}

extension IPAddress {
    /// The address in a `sockaddr_in`/`sockaddr_in6`; nil for other families.
    init?(socketAddress: UnsafePointer<sockaddr>?) {
        guard let socketAddress else { return nil }
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                $0.pointee.sin_addr.s_addr
            }
            self = .v4(UInt32(bigEndian: value))
        case AF_INET6:
            let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            self = .v6(bytes)
        default:
            return nil
        }
    }
}
