public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on raw sockets that does exactly what a test scripts: answer, answer late, send
/// malformed bodies, or reset the connection in the middle of a body. Keeps connections alive and counts
/// requests and connections.
public final class FaultServer: Sendable {
    /// One request as received.
    public struct Received: Sendable {
        public let method: String
        public let path: String
        public let headers: [String: String]
        public let body: [UInt8]

        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    /// What the server does with a request.
    public enum Action: Sendable {
        /// Answer with status, extra headers and body.
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Wait, then act.
        indirect case after(Duration, Action)
        /// Send a head announcing `declared` bytes and `partial` of them, then reset (TCP RST).
        case resetMidBody(declared: Int, partial: [UInt8])

        public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Action {
            .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
        }
    }

    public let port: Int
    /// The loopback address the server listens on.
    public let host: String
    private let listener: Int32
    private let handler: @Sendable (Received, Int) -> Action
    private let counters = Mutex((requests: 0, connections: 0))
    private let log = Mutex<[Received]>([])

    /// Starts listening on 127.0.0.1 at a free port; `handler` gets each request and its 1-based number.
    public init(host: String = "127.0.0.1", _ handler: @escaping @Sendable (Received, Int) -> Action) throws {
        self.handler = handler
        self.host = host
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var baseURL: String { "http://\(host):\(port)" }
    public var requestCount: Int { counters.withLock { $0.requests } }
    public var connectionCount: Int { counters.withLock { $0.connections } }
    public var received: [Received] { log.withLock { $0 } }

    /// Stops accepting (connections in progress finish on their own).
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            counters.withLock { $0.connections += 1 }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer { close(fd) }
        while true {
            guard let request = readRequest(fd, &buffer) else { return }
            let number = counters.withLock { state -> Int in
                state.requests += 1
                return state.requests
            }
            log.withLock { $0.append(request) }
            guard perform(handler(request, number), on: fd) else { return }
        }
    }

    /// Returns false when the connection is gone.
    private func perform(_ action: Action, on fd: Int32) -> Bool {
        switch action {
        case .after(let delay, let next):
            let (seconds, atto) = delay.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(atto) * 1e-18)
            return perform(next, on: fd)
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            return write(fd, Array(head.utf8) + body)
        case .resetMidBody(let declared, let partial):
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(declared)\r\n\r\n"
            _ = write(fd, Array(head.utf8) + partial)
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            return false
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Received? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if headEnd == nil { guard fill(fd, &buffer) else { return nil } }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length { guard fill(fd, &buffer) else { return nil } }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return Received(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}

extension FaultServer {
    /// An OpenAI-style body with `count` vectors of `dimensions` (vector i filled with i+1, then normalised).
    public static func openAIBody(count: Int, dimensions: Int = 384, reversed: Bool = false) -> String {
        let order = reversed ? Array((0..<count).reversed()) : Array(0..<count)
        let items = order.map { i in
            let value = 1 / Float(dimensions).squareRoot()
            let vector = [Float](repeating: value * Float(i + 1), count: dimensions).map { "\($0)" }.joined(
                separator: ",")
            return "{\"object\":\"embedding\",\"index\":\(i),\"embedding\":[\(vector)]}"
        }
        return "{\"object\":\"list\",\"data\":[\(items.joined(separator: ","))],\"model\":\"fake\"}"
    }

    /// How many texts an OpenAI-style request carried.
    public static func inputCount(_ request: Received) -> Int {
        (request.json?["input"] as? [Any])?.count ?? 1
    }
}
