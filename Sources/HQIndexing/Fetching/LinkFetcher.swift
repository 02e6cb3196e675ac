public import Foundation
public import HQNet

/// Fetches `http`/`https` links that rows supply, so that a row cannot make the indexer reach what only the indexer's
/// machine can reach.
///
/// For the URL and for every redirect hop (at most ``maxRedirects``): the scheme must be `http` or `https`; the host
/// is resolved once and *every* address it resolves to must be allowed by the ``AddressPolicy`` (public unicast
/// unless the operator allows private ranges); the connection is pinned to the checked address (no second lookup,
/// so no DNS-rebinding window) and each socket's address is checked again as it opens. Bodies are capped in size,
/// the whole fetch in time, and only the allowed content types are read (HTML and text by default).
public struct LinkFetcher: SourceFileFetcher {
    /// The HTTP client (shared; safe across tasks).
    public let client: HTTPClient
    /// Which addresses may be reached.
    public var policy: AddressPolicy
    /// Resolves host names (the system's by default).
    public var resolver: any HostResolver
    /// Total time per file, redirects included.
    public var timeout: Duration
    /// Redirects followed at most.
    public var maxRedirects: Int
    /// Content types read: exact types (`application/xhtml+xml`) or prefixes ending in `/` (`text/`). A response
    /// without a `Content-Type` is read as text.
    public var contentTypes: [String]

    /// HTML and text: what a link asset holds unless the operator allows more (`HQ_FETCH_CONTENT_TYPES`).
    public static let defaultContentTypes = ["text/", "application/xhtml+xml"]

    /// Creates a fetcher.
    public init(
        client: HTTPClient, policy: AddressPolicy = .publicOnly, resolver: any HostResolver = SystemHostResolver(),
        timeout: Duration = .seconds(60), maxRedirects: Int = 5, contentTypes: [String] = defaultContentTypes
    ) {
        self.client = client
        self.policy = policy
        self.resolver = resolver
        self.timeout = timeout
        self.maxRedirects = maxRedirects
        self.contentTypes = contentTypes
    }

    /// Parses `HQ_FETCH_CONTENT_TYPES` (comma-separated; `text/*` or `text/` for a family).
    public static func contentTypes(environment: [String: String]) -> [String] {
        guard let text = environment["HQ_FETCH_CONTENT_TYPES"], !text.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            return defaultContentTypes
        }
        return text.split(separator: ",").map {
            let entry = $0.trimmingCharacters(in: .whitespaces).lowercased()
            return entry.hasSuffix("/*") ? String(entry.dropLast()) : entry
        }.filter { !$0.isEmpty }
    }

    /// The body of the link with its strong `ETag`, or `.notModified` when the final hop answers 304 to
    /// `If-None-Match: validator` (sent on every hop), or nil when `url` is not `http(s)`.
    /// - Throws: ``IndexingError`` `.refused` (an address, scheme or content type the rules refuse, too many
    ///   redirects), `.tooLarge`, `.fileUnavailable` (unreachable, error status; retried).
    public func fetch(_ url: String, maxBytes: Int, ifNoneMatch validator: String?) async throws -> ConditionalFetch? {
        guard case .link(var current) = FileReference(url) else { return nil }
        let condition = FetchedFile.strongETag(validator)
        let deadline = ContinuousClock.now + timeout
        for _ in 0...maxRedirects {
            let (components, host) = try Self.parse(current)
            let addresses: [IPAddress]
            if let loopback = Self.loopbackName(host) {
                addresses = loopback
            } else {
                do { addresses = try await resolver.addresses(of: host) } catch {
                    throw IndexingError(.fileUnavailable, "\(host): the host name does not resolve")
                }
            }
            guard !addresses.isEmpty else {
                throw IndexingError(.fileUnavailable, "\(host): the host name has no address")
            }
            for address in addresses {
                if let refusal = policy.refusal(for: address) {
                    throw IndexingError(.refused, "\(host) resolves to a \(refusal)")
                }
            }
            var request = HTTPClientRequest(url: current)
            if let condition { request.headers.append((name: "If-None-Match", value: condition)) }
            request.addressPolicy = policy
            if IPAddress(host) == nil { request.pinnedAddress = addresses[0] }
            request.maxResponseBytes = maxBytes
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw IndexingError(.fileUnavailable, "\(host): timed out") }
            request.timeout = remaining
            let response: HTTPClientResponse
            do { response = try await client.execute(request) } catch {
                switch error.code {
                case .responseTooLarge: throw IndexingError(.tooLarge, "\(host): file exceeds \(maxBytes) bytes")
                case .addressRefused: throw IndexingError(.refused, "\(host): \(error.detail)")
                case .cancelled: throw CancellationError()
                default: throw IndexingError(.fileUnavailable, "\(host): \(error.code)")
                }
            }
            if response.status == 304, condition != nil { return .notModified }
            if (300..<400).contains(response.status), let location = response.header("Location") {
                guard let next = URL(string: location, relativeTo: components.url)?.absoluteString else {
                    throw IndexingError(.refused, "\(host): redirects to a malformed location")
                }
                guard case .link = FileReference(next) else {
                    throw IndexingError(.refused, "\(host): redirects to a scheme other than http or https")
                }
                current = next
                continue
            }
            guard response.isSuccess else {
                throw IndexingError(.fileUnavailable, "\(host) answered \(response.status)")
            }
            if let type = response.header("Content-Type"), !allows(type) {
                let bare = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? type
                throw IndexingError(
                    .refused, "\(host): content type \(bare) is not read (allow it with HQ_FETCH_CONTENT_TYPES)")
            }
            return .fetched(
                FetchedFile(bytes: response.body, validator: FetchedFile.strongETag(response.header("ETag"))))
        }
        throw IndexingError(.refused, "\(FileReference.display(url)): more than \(maxRedirects) redirects")
    }

    /// `localhost` and names under `.localhost` are loopback whatever a resolver says (RFC 6761 §6.3), so they are
    /// judged as 127.0.0.1 and ::1 without a lookup.
    static func loopbackName(_ host: String) -> [IPAddress]? {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard name == "localhost" || name.hasSuffix(".localhost") else { return nil }
        return [IPAddress("127.0.0.1"), IPAddress("::1")].compactMap { $0 }
    }

    private func allows(_ contentType: String) -> Bool {
        let type = (contentType.split(separator: ";").first.map(String.init) ?? contentType)
            .trimmingCharacters(in: .whitespaces).lowercased()
        return contentTypes.contains { $0.hasSuffix("/") ? type.hasPrefix($0) : type == $0 }
    }

    private static func parse(_ url: String) throws -> (URLComponents, String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = components.host, !host.isEmpty
        else { throw IndexingError(.refused, "\(FileReference.display(url)): not an http(s) URL with a host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (components, host)
    }
}
