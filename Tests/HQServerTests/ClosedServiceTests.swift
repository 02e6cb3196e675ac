import Foundation
import HQNet
import HQServer
import HQTestSupport
import Testing

/// Issue 13, "the service is closed by default": each test is an attack that succeeded before the door was closed,
/// against a real server on loopback over the real database and model.
@Suite("The HTTP service is closed by default")
struct ClosedServiceTests {
    static let secretWords = ["multi-year discount", "Renewal pricing playbook", "kubectl"]

    func withServer(apiKey: String? = nil, _ body: (String, SearchFixture) async throws -> Void) async throws {
        let fixture = try await SearchFixture.shared.value
        try await Fixtures.withServer(embedder: fixture.embedder, database: fixture.pool, apiKey: apiKey) {
            try await body($0, fixture)
        }
    }

    static func send(
        _ url: String, method: HTTPClientRequest.Method = .get, host: String? = nil, contentType: String? = nil,
        body: String? = nil, token: String? = nil
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url, method: method)
        if let host { request.headers.append((name: "Host", value: host)) }
        if let body { request.body = Data(body.utf8) }
        if let contentType { request.headers.append((name: "Content-Type", value: contentType)) }
        request.bearerToken = token
        return try await HTTPClient.shared.execute(request)
    }

    static func errorCode(_ response: HTTPClientResponse) -> String? {
        let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (json?["error"] as? [String: Any])?["code"] as? String
    }

    // MARK: DNS rebinding

    @Test(
        "without a key, a request whose Host is not loopback (DNS rebinding) gets 421 and no data, on every route",
        arguments: [
            "evil.example", "evil.example:8787", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.5",
            "[::2]", "2130706433", "0x7f.0.0.1", "[::1].evil", "localhost:80x", "",
        ])
    func foreignHostRefused(host: String) async throws {
        try await withServer { base, fixture in
            let id = try #require(fixture.ids["Renewal pricing playbook"])
            let attempts: [(HTTPClientRequest.Method, String, String?)] = [
                (.get, "/v1/sources/\(id)", nil), (.get, "/v1/sources/\(id)/chunks?query=renewal", nil),
                (.post, "/v1/search", #"{"query":"renewal discount"}"#), (.get, "/openapi.json", nil),
                (.get, "/metrics", nil), (.get, "/healthz", nil), (.post, "/embed", #"{"input":"renewal"}"#),
            ]
            for (method, path, body) in attempts {
                let response = try await Self.send(
                    base + path, method: method, host: host, contentType: body == nil ? nil : "application/json",
                    body: body)
                #expect(response.status == 421, "\(method) \(path) Host: \(host)")
                #expect(Self.errorCode(response) == "misdirected_request")
                let text = String(decoding: response.body, as: UTF8.self)
                #expect(text.contains("HQ_API_KEY"), "the refusal says how to open the server")
                for word in Self.secretWords { #expect(!text.contains(word), "\(path) leaked '\(word)'") }
            }
        }
    }

    @Test(
        "without a key, loopback Host values are served",
        arguments: [
            "localhost", "LOCALHOST:8787", "app.localhost:3000", "127.0.0.1", "127.1.2.3:9", "[::1]", "[::1]:8787",
            "localhost.",
        ])
    func loopbackHostServed(host: String) async throws {
        try await withServer { base, fixture in
            let id = try #require(fixture.ids["Renewal pricing playbook"])
            let response = try await Self.send(base + "/v1/sources/\(id)", host: host)
            #expect(response.status == 200, "Host: \(host)")
            #expect(String(decoding: response.body, as: UTF8.self).contains("Renewal pricing playbook"))
        }
    }

    @Test(
        "with a key, Host is not restricted (the key is the guard), and a foreign Host without the key still gets 401")
    func keyReplacesHostCheck() async throws {
        try await withServer(apiKey: "host-test-key") { base, fixture in
            let id = try #require(fixture.ids["Renewal pricing playbook"])
            let open = try await Self.send(
                base + "/v1/sources/\(id)", host: "search.example.com", token: "host-test-key")
            #expect(open.status == 200)
            let closed = try await Self.send(base + "/v1/sources/\(id)", host: "search.example.com")
            #expect(closed.status == 401)
            #expect(!String(decoding: closed.body, as: UTF8.self).contains("Renewal pricing playbook"))
        }
    }

    // MARK: Cross-site form POST

    @Test(
        "a write or a body without Content-Type: application/json gets 415 JSON on every POST route, with or without a key",
        arguments: [
            nil, "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/jsonx", "text/json", "application/json-patch+json",
        ])
    func nonJSONRefused(contentType: String?) async throws {
        for key in [nil, "ct-key"] as [String?] {
            try await withServer(apiKey: key) { base, _ in
                let posts = try AuthHardeningTests.operations(sourceID: UUID().uuidString).filter {
                    $0.method == "POST"
                }
                #expect(posts.count >= 4, "the documented POST routes")
                for (_, path) in posts {
                    let response = try await Self.send(
                        base + path, method: .post, contentType: contentType,
                        body: #"{"query":"renewal","input":"renewal","contact_id":"x"}"#, token: key)
                    #expect(response.status == 415, "POST \(path) as \(contentType ?? "no type"), key \(key != nil)")
                    #expect(Self.errorCode(response) == "unsupported_media_type")
                    #expect(response.header("content-type")?.hasPrefix("application/json") == true)
                }
                // Other writing methods and an unmatched path are refused the same way before routing.
                let put = try await Self.send(
                    base + "/v1/search", method: .put, contentType: contentType, body: "{}", token: key)
                #expect(put.status == 415)
            }
        }
    }

    @Test(
        "application/json with parameters or in another case is accepted",
        arguments: [
            "application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
            " application/json ",
        ])
    func jsonAccepted(contentType: String) async throws {
        try await withServer { base, _ in
            let response = try await Self.send(
                base + "/v1/search", method: .post, contentType: contentType, body: #"{"query":"renewal discount"}"#)
            #expect(response.status == 200, "\(contentType)")
        }
    }

    // MARK: Binding

    @Test(
        "the library refuses a non-loopback bind without a key and allows it with one",
        arguments: [
            ("0.0.0.0", false), ("::", false), ("192.168.1.10", false), ("example.com", false), ("127.0.0.1", true),
            ("127.0.0.53", true), ("::1", true), ("[::1]", true), ("localhost", true), ("::ffff:127.0.0.1", true),
        ])
    func bindRule(host: String, loopback: Bool) throws {
        var configuration = ServerConfiguration()
        configuration.host = host
        #expect(LoopbackHost.isLoopbackBindAddress(host) == loopback)
        if loopback {
            try configuration.validate()
        } else {
            #expect(throws: ServerConfigurationError.self) { try configuration.validate() }
            configuration.apiKey = "bind-key"
            try configuration.validate()
        }
    }

    @Test(
        "`hq serve --host 0.0.0.0` without HQ_API_KEY exits with an error naming both ways out; with a key it listens")
    func serveRefusesExposedBindWithoutKey() async throws {
        let hq = TestDatabase.packageRoot + "/.build/release/hq"
        try #require(FileManager.default.isExecutableFile(atPath: hq), "build hq first (scripts/setup)")
        var environment = ProcessInfo.processInfo.environment
        environment["HQ_API_KEY"] = nil
        environment["HQ_MODEL_DIR"] = TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2"
        let refused = try ServeProcess(hq, ["serve", "--host", "0.0.0.0", "--port", "0", "--no-database"], environment)
        let status = try await refused.waitForExit(within: .seconds(60))
        #expect(status != 0)
        let message = refused.stderr
        #expect(message.contains("HQ_API_KEY") && message.contains("127.0.0.1"), "\(message)")
        #expect(!message.contains("listening"))

        environment["HQ_API_KEY"] = "bind-process-key"
        let allowed = try ServeProcess(hq, ["serve", "--host", "0.0.0.0", "--port", "0", "--no-database"], environment)
        defer { allowed.terminate() }
        let listening = try await allowed.waitForStderr(containing: "listening on", within: .seconds(120))
        #expect(listening, "stderr: \(allowed.stderr)")
        #expect(!allowed.stderr.contains("bind-process-key"))
    }
}

/// A child `hq` process whose stderr is collected.
final class ServeProcess: @unchecked Sendable {
    // Invariant: `output` is only touched under `lock`; `process` is configured before `run()` and then only read.
    private let process = Process()
    private let lock = NSLock()
    private var output = Data()

    init(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output.append(data) }
        }
        try process.run()
    }

    var stderr: String { lock.withLock { String(decoding: output, as: UTF8.self) } }

    func waitForExit(within limit: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                terminate()
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(100))  // the last stderr bytes
        return process.terminationStatus
    }

    func waitForStderr(containing text: String, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func terminate() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
