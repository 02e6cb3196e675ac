import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An OpenAI-compatible chat-completions endpoint on loopback whose answers a test scripts (the pattern of
/// HQNetTests' FaultServer): `answer` gets the user prompt and returns the assistant message content, or nil
/// for a 500. Records every request's headers and JSON body.
final class LLMStub: Sendable {
    struct Received: Sendable {
        let headers: [String: String]
        let body: Data
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        /// The user message of the chat request.
        var prompt: String {
            let messages = json?["messages"] as? [[String: Any]] ?? []
            return messages.last?["content"] as? String ?? ""
        }
    }

    let port: Int
    private let listener: Int32
    private let answer: @Sendable (String) -> String?
    private let log = Mutex<[Received]>([])

    init(_ answer: @escaping @Sendable (String) -> String?) throws {
        self.answer = answer
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        Thread { [self] in acceptLoop() }.start()
    }

    /// A base URL (the client appends `/chat/completions`).
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var received: [Received] { log.withLock { $0 } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// An OpenAI chat-completion body whose message content is `content`.
    static func completion(_ content: String) -> Data {
        let object: [String: Any] = [
            "id": "chatcmpl-test", "object": "chat.completion", "model": "stub",
            "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": content]]],
        ]
        return try! JSONSerialization.data(withJSONObject: object)
    }

    /// Evidence ids in a prompt (`[E3] Title: "quote"` lines).
    static func evidenceIDs(in prompt: String) -> [String] {
        prompt.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("[E"), let close = line.firstIndex(of: "]") else { return nil }
            return String(line[line.index(after: line.startIndex)..<close])
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        while let request = readRequest(fd, &buffer) {
            log.withLock { $0.append(request) }
            let status: Int
            let body: Data
            if let content = answer(request.prompt) {
                (status, body) = (200, Self.completion(content))
            } else {
                (status, body) = (500, Data(#"{"error": {"message": "boom"}}"#.utf8))
            }
            let head = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
            let bytes = Array(head.utf8) + Array(body)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Received? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd = buffer.firstRange(of: separator)?.lowerBound
        while headEnd == nil {
            guard fill(fd, &buffer) else { return nil }
            headEnd = buffer.firstRange(of: separator)?.lowerBound
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length { guard fill(fd, &buffer) else { return nil } }
        let body = Data(buffer[..<length])
        buffer.removeFirst(length)
        return Received(headers: headers, body: body)
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}
