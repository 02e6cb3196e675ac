public import Foundation
public import Logging

/// A small HTTP client over libcurl: `http`, `https` and `file` URLs, keep-alive connection reuse, connect
/// and total timeouts, TLS verification, proxies from the environment, a response size cap, and
/// cancellation.
///
/// All transfers of one client run on one dedicated thread driving a libcurl multi handle, so they share
/// its connection cache (keep-alive) and never block Swift's cooperative pool; callers just `await`.
/// Cancelling the calling task aborts its transfer promptly. HTTP error statuses are returned, not thrown.
///
/// Proxies: unless ``Configuration/proxy`` is set, libcurl reads `http_proxy`, `https_proxy`, `all_proxy`
/// and `no_proxy` from the environment (uppercase too, except `HTTP_PROXY`).
///
/// ```swift
/// let client = HTTPClient(logger: logger)
/// let page = try await client.get("https://example.com/doc.md", maxBytes: 1 << 20)
/// var request = HTTPClientRequest(url: "https://api.openai.com/v1/chat/completions", method: .post)
/// request.setJSONBody(json)
/// request.bearerToken = key
/// let response = try await client.execute(request)
/// ```
public final class HTTPClient: Sendable {
    /// Timeouts, limits and connection settings shared by every request of a client.
    public struct Configuration: Sendable {
        /// Longest wait for a TCP + TLS connection.
        public var connectTimeout: Duration = .seconds(10)
        /// Longest whole transfer (connect, send, wait, receive); requests may override it.
        public var timeout: Duration = .seconds(60)
        /// Largest response body accepted; requests may override it.
        public var maxResponseBytes: Int = 64 << 20
        /// Most simultaneous connections to one host (further transfers queue inside libcurl).
        public var maxConnectionsPerHost: Int = 16
        /// Most idle connections kept open for reuse.
        public var maxIdleConnections: Int = 32
        /// Follow up to 5 redirects (to `http`/`https` only).
        public var followRedirects: Bool = true
        /// Explicit proxy URL; nil uses the environment's, an empty string disables proxies.
        public var proxy: String?
        /// A CA bundle file to verify servers against instead of the system's.
        public var caBundlePath: String?
        /// The `User-Agent` header.
        public var userAgent: String = "hq-search"

        /// The default configuration.
        public init() {}
    }

    /// A client with the default configuration, for callers that have no reason to own one.
    public static let shared = HTTPClient(configuration: .init(), logger: Logger(label: "hq.http"))

    /// The configuration the client was created with.
    public let configuration: Configuration
    private let loop: CurlLoop
    private let logger: Logger

    /// Creates a client and starts its transfer thread.
    /// - Parameters:
    ///   - configuration: timeouts, limits, proxy and TLS settings.
    ///   - logger: receives one `.debug` line per request (method, host, status, time); never headers or bodies.
    public init(configuration: Configuration = .init(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.loop = CurlLoop(configuration: configuration)
    }

    deinit {
        loop.shutdown()
    }

    /// Sends `request` and returns the complete response, whatever its status.
    /// - Throws: ``HTTPClientError`` when no complete response arrived (connection, TLS, timeout, size cap,
    ///   cancellation).
    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let transfer = CurlTransfer(request: request, configuration: configuration)
        if Task.isCancelled { throw transfer.cancelledError }
        let started = ContinuousClock.now
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>) in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        let elapsed = ContinuousClock.now - started
        switch result {
        case .success(let response):
            logger.debug(
                "http",
                metadata: [
                    "method": "\(request.method)", "host": "\(transfer.host)", "status": "\(response.status)",
                    "bytes": "\(response.body.count)",
                    "ms":
                        "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                ])
            return response
        case .failure(let error):
            logger.debug("http failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
            throw error
        }
    }

    /// Fetches `url` (`http`, `https` or `file`) with `GET`.
    /// - Parameters:
    ///   - url: the absolute URL.
    ///   - maxBytes: the size cap for this response (default: the client's).
    ///   - timeout: the total timeout for this request (default: the client's).
    /// - Throws: ``HTTPClientError``; an error status is returned, not thrown.
    public func get(_ url: String, maxBytes: Int? = nil, timeout: Duration? = nil) async throws(HTTPClientError)
        -> HTTPClientResponse
    {
        var request = HTTPClientRequest(url: url)
        request.maxResponseBytes = maxBytes
        request.timeout = timeout
        return try await execute(request)
    }

    /// Sends `json` with `POST` and `Content-Type: application/json`, optionally with a bearer token.
    /// - Throws: ``HTTPClientError``; an error status is returned, not thrown.
    public func postJSON(_ url: String, json: Data, bearerToken: String? = nil, timeout: Duration? = nil)
        async throws(HTTPClientError) -> HTTPClientResponse
    {
        var request = HTTPClientRequest(url: url, method: .post)
        request.setJSONBody(json)
        request.bearerToken = bearerToken
        request.timeout = timeout
        return try await execute(request)
    }
}
