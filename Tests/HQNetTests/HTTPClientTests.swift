import Foundation
import Glibc
import HQNet
import HQTestSupport
import Logging
import Testing

@Suite("HTTPClient over loopback")
struct HTTPClientTests {
    let client = HTTPClient(logger: Logger(label: "test"))

    @Test("GET returns status, headers and body; error statuses are returned, not thrown")
    func getReturnsResponse() async throws {
        let server = try FaultServer { request, _ in
            request.path == "/missing"
                ? .json(404, #"{"error":"nope"}"#) : .json(200, #"{"ok":true}"#, headers: [("X-Test", "yes")])
        }
        defer { server.stop() }
        let ok = try await client.get(server.baseURL + "/ok")
        #expect(ok.status == 200)
        #expect(ok.header("x-test") == "yes")
        #expect(String(decoding: ok.body, as: UTF8.self) == #"{"ok":true}"#)
        let missing = try await client.get(server.baseURL + "/missing")
        #expect(missing.status == 404)
    }

    @Test("sequential requests reuse one keep-alive connection")
    func keepAlive() async throws {
        let server = try FaultServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        for _ in 0..<5 { _ = try await client.postJSON(server.baseURL + "/x", json: Data("{}".utf8)) }
        #expect(server.requestCount == 5)
        #expect(server.connectionCount == 1)
    }

    @Test("POST sends the body, content type and bearer token")
    func postSendsBodyAndToken() async throws {
        let server = try FaultServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        let body = Data(String(repeating: "x", count: 5000).utf8)  // over 1 KB: no `Expect: 100-continue` wait
        _ = try await client.postJSON(server.baseURL + "/p", json: body, bearerToken: "secret-token")
        let received = try #require(server.received.first)
        // No `Expect: 100-continue`, which would make every large POST wait for the server's go-ahead.
        #expect(received.headers["expect"] == nil)
        #expect(received.method == "POST")
        #expect(received.body.count == 5000)
        #expect(received.headers["authorization"] == "Bearer secret-token")
        #expect(received.headers["content-type"] == "application/json")
    }

    @Test("a body over the size cap fails with responseTooLarge")
    func sizeCap() async throws {
        let server = try FaultServer { _, _ in
            .respond(status: 200, headers: [], body: [UInt8](repeating: 65, count: 10_000))
        }
        defer { server.stop() }
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.get(server.baseURL + "/big", maxBytes: 1000)
        }
        #expect(error?.code == .responseTooLarge)
        let fits = try await client.get(server.baseURL + "/big", maxBytes: 10_000)
        #expect(fits.body.count == 10_000)
    }

    @Test("file URLs are read, with the same cap")
    func fileURL() async throws {
        let path = NSTemporaryDirectory() + "hq-http-\(getpid())-\(UUID().uuidString).txt"
        try Data("hello file".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let response = try await client.get("file://" + path)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello file")
        let error = await #expect(throws: HTTPClientError.self) { try await client.get("file://" + path, maxBytes: 4) }
        #expect(error?.code == .responseTooLarge)
    }

    @Test("a response slower than the timeout fails with timedOut, promptly")
    func timeout() async throws {
        // The server answers after 20 s; the client gives up after 300 ms. The bound leaves room for a loaded
        // machine while still proving the client did not wait for the answer.
        let server = try FaultServer { _, _ in .after(.seconds(20), .json(200, "{}")) }
        defer { server.stop() }
        let started = ContinuousClock.now
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.get(server.baseURL + "/slow", timeout: .milliseconds(300))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.isTransient == true)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("cancelling the task aborts the transfer at once")
    func cancellation() async throws {
        let server = try FaultServer { _, _ in .after(.seconds(20), .json(200, "{}")) }
        defer { server.stop() }
        let client = self.client
        let started = ContinuousClock.now
        let task = Task { try await client.get(server.baseURL + "/slow") }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(10))
        guard case .failure(let error as HTTPClientError) = result else {
            Issue.record("expected a cancellation error, got \(result)")
            return
        }
        #expect(error.code == .cancelled)
    }

    @Test("a refused connection and a reset mid-body are transient errors")
    func connectionErrors() async throws {
        let server = try FaultServer { _, _ in .resetMidBody(declared: 1000, partial: Array("{\"data\":".utf8)) }
        let port = server.port
        let reset = await #expect(throws: HTTPClientError.self) { try await client.get(server.baseURL + "/r") }
        #expect(reset?.code == .connectionLost)
        #expect(reset?.isTransient == true)
        server.stop()
        _ = port
        // A port bound but never listened on refuses connections, and no parallel test can take it meanwhile
        // (a stopped server's port can be reused at once by another test's server).
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        try #require(bound)
        let closedPort = Int(UInt16(bigEndian: address.sin_port))
        let refused = await #expect(throws: HTTPClientError.self) {
            try await client.get("http://127.0.0.1:\(closedPort)/")
        }
        #expect(refused?.code == .couldNotConnect)
    }

    @Test("unsupported schemes are refused")
    func unsupportedScheme() async throws {
        let error = await #expect(throws: HTTPClientError.self) { try await client.get("ftp://127.0.0.1/x") }
        #expect(error?.code == .unsupportedScheme)
    }

    @Test("an explicit proxy receives the request (absolute URI)")
    func explicitProxy() async throws {
        let proxy = try FaultServer { request, _ in .json(200, #"{"via":"\#(request.path)"}"#) }
        defer { proxy.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.proxy = proxy.baseURL
        let proxied = HTTPClient(configuration: configuration, logger: Logger(label: "test"))
        let response = try await proxied.get("http://example.invalid/doc")
        #expect(response.status == 200)
        #expect(proxy.received.first?.path == "http://example.invalid/doc")
    }

    @Test("many concurrent requests all complete")
    func concurrency() async throws {
        let server = try FaultServer { request, _ in .after(.milliseconds(50), .json(200, #"{"p":"\#(request.path)"}"#))
        }
        defer { server.stop() }
        let client = self.client
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<20 {
                group.addTask { String(decoding: try await client.get(server.baseURL + "/\(i)").body, as: UTF8.self) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(bodies).count == 20)
    }
}
