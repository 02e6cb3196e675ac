import CCurl
import Foundation
import Synchronization

/// One request in flight: its settings, the received bytes, and the caller's continuation.
///
/// `@unchecked Sendable`: the mutable fields (`easy`, `received`, `headerLines`, `exceeded`, `finished`,
/// `headerList`) are touched only on ``CurlLoop``'s thread, after `submit` hands the transfer over under the
/// loop's lock; `continuation` is written once before that hand-over. `cancelled` is atomic.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPClientRequest
    let host: String
    let connectTimeoutMS: Int
    let timeoutMS: Int
    let maxBytes: Int
    let configuration: HTTPClient.Configuration
    let cancelled = Atomic<Bool>(false)

    var continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>?
    var easy: CurlEasy?
    var received = Data()
    var headerLines: [(name: String, value: String)] = []
    var exceeded = false
    var finished = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    var resolveList: UnsafeMutablePointer<curl_slist>?
    /// The rule that refused a socket's address (set by the open-socket callback).
    var refusedAddress: String?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(request: HTTPClientRequest, configuration: HTTPClient.Configuration) {
        self.request = request
        self.configuration = configuration
        let components = URLComponents(string: request.url)
        self.host = components?.scheme?.lowercased() == "file" ? "file" : (components?.host ?? "invalid-url")
        self.connectTimeoutMS = Self.milliseconds(configuration.connectTimeout)
        self.timeoutMS = Self.milliseconds(request.timeout ?? configuration.timeout)
        self.maxBytes = request.maxResponseBytes ?? configuration.maxResponseBytes
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        if let resolveList { curl_slist_free_all(resolveList) }
        errorBuffer.deallocate()
    }

    var cancelledError: HTTPClientError {
        HTTPClientError(.cancelled, host: host, detail: "the request was cancelled")
    }

    /// Resumes the caller once; later calls are ignored.
    func finish(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        guard !finished else { return }
        finished = true
        continuation?.resume(returning: result)
        continuation = nil
    }

    /// Turns libcurl's result into a response or an error.
    func complete(_ code: CURLcode) {
        guard let easy else { return finish(.failure(.init(.transferFailed, host: host, detail: "no handle"))) }
        if code == CURLE_OK {
            var status = easy.info(CURLINFO_RESPONSE_CODE)
            if status == 0 && host == "file" { status = 200 }
            finish(.success(HTTPClientResponse(status: status, headers: headerLines, body: received)))
            return
        }
        finish(.failure(error(for: code)))
    }

    func error(for code: CURLcode) -> HTTPClientError {
        let message = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let kind: HTTPClientError.Code
        var detail = message
        if let refusedAddress {
            return HTTPClientError(
                .addressRefused, host: host, curlCode: Int(code.rawValue),
                detail: "refused to connect to a \(refusedAddress)")
        }
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .couldNotConnect
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            kind = .connectionLost
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            kind = .tlsFailure
        case CURLE_FILESIZE_EXCEEDED:
            kind = .responseTooLarge
            detail = "the response is larger than \(maxBytes) bytes"
        case CURLE_WRITE_ERROR where exceeded:
            kind = .responseTooLarge
            detail = "the response is larger than \(maxBytes) bytes"
        case CURLE_ABORTED_BY_CALLBACK:
            return cancelledError
        case CURLE_UNSUPPORTED_PROTOCOL:
            kind = .unsupportedScheme
            detail = "only http, https and file URLs are supported"
        case CURLE_URL_MALFORMAT:
            kind = .invalidRequest
        default:
            kind = .transferFailed
        }
        return HTTPClientError(kind, host: host, curlCode: Int(code.rawValue), detail: detail)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
