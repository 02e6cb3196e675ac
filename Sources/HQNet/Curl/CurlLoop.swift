import CCurl
import Foundation
import Synchronization

/// The thread that runs every transfer of one ``HTTPClient`` on a libcurl multi handle.
///
/// Callers hand transfers over with ``submit(_:)`` and ``cancel(_:)`` (under `state`'s lock, then
/// `curl_multi_wakeup`); everything else — easy handles, options, callbacks, completion — happens on the
/// loop thread, so `curl_easy_perform`-style blocking never reaches Swift's cooperative pool.
///
/// `@unchecked Sendable`: `multi` is used by the loop thread only, except `curl_multi_wakeup`, which
/// libcurl documents as callable from any thread; all other shared state is inside the `Mutex`.
final class CurlLoop: @unchecked Sendable {
    private struct State {
        var incoming: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        var shuttingDown = false
    }

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    private let multi: UnsafeMutableRawPointer
    private let state = Mutex(State())
    private let configuration: HTTPClient.Configuration

    init(configuration: HTTPClient.Configuration) {
        _ = Self.globalInit
        self.configuration = configuration
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed (out of memory)") }
        self.multi = multi
        _ = hq_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = hq_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxIdleConnections)
        let thread = Thread { [self] in run() }
        thread.name = "hq.http.curl"
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        let accepted = state.withLock { state -> Bool in
            guard !state.shuttingDown else { return false }
            state.incoming.append(transfer)
            return true
        }
        guard accepted else {
            return transfer.finish(
                .failure(.init(.clientShutDown, host: transfer.host, detail: "the client was shut down")))
        }
        curl_multi_wakeup(multi)
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelled.store(true, ordering: .relaxed)
        state.withLock { $0.cancels.append(transfer) }
        curl_multi_wakeup(multi)
    }

    func shutdown() {
        state.withLock { $0.shuttingDown = true }
        curl_multi_wakeup(multi)
    }

    // MARK: - Loop thread

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [CurlEasy] = []
        while true {
            let (incoming, cancels, shuttingDown) = state.withLock { state in
                defer {
                    state.incoming = []
                    state.cancels = []
                }
                return (state.incoming, state.cancels, state.shuttingDown)
            }
            for transfer in incoming {
                if transfer.cancelled.load(ordering: .relaxed) {
                    transfer.finish(.failure(transfer.cancelledError))
                    continue
                }
                let easy = idle.popLast() ?? CurlEasy()
                guard let easy else {
                    transfer.finish(
                        .failure(.init(.transferFailed, host: transfer.host, detail: "curl_easy_init failed")))
                    continue
                }
                transfer.easy = easy
                if let error = configure(easy, for: transfer) {
                    transfer.finish(.failure(error))
                    recycle(transfer, into: &idle)
                    continue
                }
                active[easy.handle] = transfer
                curl_multi_add_handle(multi, easy.handle)
            }
            for transfer in cancels {
                guard let easy = transfer.easy, active.removeValue(forKey: easy.handle) != nil else { continue }
                curl_multi_remove_handle(multi, easy.handle)
                transfer.finish(.failure(transfer.cancelledError))
                recycle(transfer, into: &idle)
            }
            if shuttingDown {
                for transfer in active.values {
                    if let easy = transfer.easy { curl_multi_remove_handle(multi, easy.handle) }
                    transfer.finish(
                        .failure(.init(.clientShutDown, host: transfer.host, detail: "the client was shut down")))
                    transfer.easy = nil
                }
                break
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: handle)
                else { continue }
                let code = hq_curl_msg_result(message)
                curl_multi_remove_handle(multi, handle)
                transfer.complete(code)
                recycle(transfer, into: &idle)
            }
            // Sleeps until a socket is ready, a timer (timeouts) is due, or `curl_multi_wakeup`.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        idle.removeAll()
        curl_multi_cleanup(multi)
    }

    private func recycle(_ transfer: CurlTransfer, into idle: inout [CurlEasy]) {
        guard let easy = transfer.easy else { return }
        transfer.easy = nil
        // curl_easy_reset keeps the handle's caches; the connection cache itself belongs to the multi handle.
        curl_easy_reset(easy.handle)
        if idle.count < 16 { idle.append(easy) }
    }

    /// Sets every option for one transfer; returns an error if libcurl rejects the request.
    private func configure(_ easy: CurlEasy, for transfer: CurlTransfer) -> HTTPClientError? {
        let request = transfer.request
        easy.set(CURLOPT_URL, request.url)
        easy.set(CURLOPT_NOSIGNAL, 1)
        let guarded = request.addressPolicy != nil
        easy.set(CURLOPT_PROTOCOLS_STR, guarded ? "http,https" : "http,https,file")
        easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_FOLLOWLOCATION, !guarded && (request.followRedirects ?? configuration.followRedirects) ? 1 : 0)
        easy.set(CURLOPT_MAXREDIRS, 5)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, transfer.connectTimeoutMS)
        easy.set(CURLOPT_TIMEOUT_MS, transfer.timeoutMS)
        easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = configuration.caBundlePath { easy.set(CURLOPT_CAINFO, ca) }
        if guarded {
            // A proxy would resolve and connect on our behalf, out of the policy's sight.
            easy.set(CURLOPT_PROXY, "")
            _ = hq_curl_setopt_opensocket_cb(easy.handle, CURLOPT_OPENSOCKETFUNCTION, curlOpenSocket)
            easy.set(CURLOPT_OPENSOCKETDATA, pointer: Unmanaged.passUnretained(transfer).toOpaque())
        } else if let proxy = configuration.proxy {
            easy.set(CURLOPT_PROXY, proxy)
        }
        if let pinned = request.pinnedAddress, let components = URLComponents(string: request.url),
            let host = components.host
        {
            let port = components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80)
            let address = if case .v6 = pinned { "[\(pinned)]" } else { "\(pinned)" }
            transfer.resolveList = curl_slist_append(nil, "\(host):\(port):\(address)")
            easy.set(CURLOPT_RESOLVE, pointer: UnsafeMutableRawPointer(transfer.resolveList))
        }
        easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        easy.set(CURLOPT_ACCEPT_ENCODING, "")
        easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        _ = hq_curl_setopt_off_t(easy.handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.maxBytes))
        _ = hq_curl_setopt_pointer(easy.handle, CURLOPT_ERRORBUFFER, transfer.errorBuffer)

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        _ = hq_curl_setopt_write_cb(easy.handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        easy.set(CURLOPT_WRITEDATA, pointer: context)
        _ = hq_curl_setopt_write_cb(easy.handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        easy.set(CURLOPT_HEADERDATA, pointer: context)
        easy.set(CURLOPT_NOPROGRESS, 0)
        _ = hq_curl_setopt_xferinfo_cb(easy.handle, CURLOPT_XFERINFOFUNCTION, curlProgress)
        easy.set(CURLOPT_XFERINFODATA, pointer: context)

        switch request.method {
        case .get: easy.set(CURLOPT_HTTPGET, 1)
        case .head: easy.set(CURLOPT_NOBODY, 1)
        case .post: easy.set(CURLOPT_POST, 1)
        default: easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        if let body = request.body {
            if request.method == .get || request.method == .head {
                return HTTPClientError(
                    .invalidRequest, host: transfer.host, detail: "\(request.method) cannot carry a body")
            }
            _ = hq_curl_setopt_off_t(easy.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            // COPYPOSTFIELDS copies the bytes, so `body` need not outlive this call.
            _ = body.withUnsafeBytes { bytes in
                hq_curl_setopt_pointer(
                    easy.handle, CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(transfer.errorBuffer)))
            }
        }

        var list: UnsafeMutablePointer<curl_slist>? = nil
        // Without this, libcurl waits up to a second for `100 Continue` before sending bodies over 1 KB.
        list = curl_slist_append(list, "Expect:")
        for (name, value) in request.headers where !name.contains(":") && !name.contains("\r") && !value.contains("\r")
        {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        if let token = request.bearerToken {
            list = curl_slist_append(list, "Authorization: Bearer \(token)")
        }
        transfer.headerList = list
        easy.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(list))
        return nil
    }
}

// C callbacks: no captures; the transfer comes through the user-data pointer (kept alive by `active`).

private let curlWriteBody: hq_curl_write_cb = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if transfer.received.count + length > transfer.maxBytes {
        transfer.exceeded = true
        return 0
    }
    if let data, length > 0 {
        transfer.received.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    }
    return length
}

private let curlWriteHeader: hq_curl_write_cb = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        // A new response (after `100 Continue` or a redirect): keep only the final one's fields.
        transfer.headerLines.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.headerLines.append((name: name, value: value))
    }
    return length
}

/// Checks the address of every socket a guarded transfer opens against its request's ``AddressPolicy``; a refused
/// address gets no socket (libcurl then fails the transfer) and is remembered for the error.
private let curlOpenSocket: hq_curl_opensocket_cb = { context, _, address in
    guard let context, let address else { return CURL_SOCKET_BAD }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let family = address.pointee.family
    // `addr` is the start of storage large enough for the family's sockaddr (sockaddr_in6 is longer than sockaddr):
    // read it in place, never through a copy of the 16-byte struct.
    let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr) ?? 0
    let target = IPAddress(
        socketAddress: UnsafeRawPointer(address).advanced(by: offset).assumingMemoryBound(to: sockaddr.self))
    guard let policy = transfer.request.addressPolicy, let target else {
        transfer.refusedAddress = "non-IP address"
        return CURL_SOCKET_BAD
    }
    if let refusal = policy.refusal(for: target) {
        transfer.refusedAddress = refusal
        return CURL_SOCKET_BAD
    }
    return socket(family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
}

private let curlProgress: hq_curl_xferinfo_cb = { context, _, _, _, _ in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.cancelled.load(ordering: .relaxed) ? 1 : 0
}
