public import HQNet
public import Foundation

/// Fetches `http://` and `https://` file URLs with HQNet's libcurl client under the size cap. Other URLs: nil.
public struct HTTPFileFetcher: SourceFileFetcher {
    /// The HTTP client (shared; safe across tasks).
    public let client: HTTPClient
    /// Total time allowed per file.
    public var timeout: Duration

    /// Creates a fetcher.
    /// - Parameters:
    ///   - client: the client to fetch with.
    ///   - timeout: total time per file.
    public init(client: HTTPClient, timeout: Duration = .seconds(60)) {
        self.client = client
        self.timeout = timeout
    }

    /// The body of `url`, or nil when it is not http(s).
    /// - Throws: ``IndexingError`` `.tooLarge` over the cap, `.fileUnavailable` for errors and non-2xx answers
    ///   (the source is retried with backoff).
    public func fetch(_ url: String, maxBytes: Int) async throws -> Data? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        let host = URL(string: url)?.host ?? "?"
        do {
            let response = try await client.get(url, maxBytes: maxBytes, timeout: timeout)
            guard response.isSuccess else {
                throw IndexingError(.fileUnavailable, "\(host) answered \(response.status)")
            }
            return response.body
        } catch let error as HTTPClientError {
            if error.code == .responseTooLarge { throw IndexingError(.tooLarge, "\(host): file exceeds \(maxBytes) bytes") }
            throw IndexingError(.fileUnavailable, "\(host): \(error.code)")
        }
    }
}
