import Foundation
import HQNet
import HQServer
import HQTestSupport
import Logging
import Synchronization
import Testing

/// Keeps every log line a logger writes, with its metadata, so a test can prove what never reaches the logs.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) \(all) \(event.source) \(event.file):\(event.line)")
        }
    }
}

/// Issue 9, auth: with a key configured, every operation of the committed OpenAPI document except `GET /healthz`
/// answers 401 with a JSON error without the key or with a wrong one (so a new route is covered as soon as it is
/// documented); the key never shows in an answer or a log line; the default bind address is loopback.
@Suite("Bearer auth over every documented route")
struct AuthHardeningTests {
    static let key = "k3y-\(UUID().uuidString)-secret"

    /// Every (method, path) of docs/openapi.json, path parameters filled with a real source id.
    static func operations(sourceID: String) throws -> [(method: String, path: String)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDatabase.packageRoot + "/docs/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.keys.sorted().flatMap { path in
            paths[path]!.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.sorted().map {
                ($0.uppercased(), path.replacingOccurrences(of: "{id}", with: sourceID))
            }
        }
    }

    func request(_ base: String, _ method: String, _ path: String, authorization: String?) async throws
        -> HTTPClientResponse
    {
        var request = HTTPClientRequest(url: base + path, method: .init(method))
        if method == "POST" { request.setJSONBody(Data(#"{"query":"pricing","input":"pricing"}"#.utf8)) }
        if let authorization { request.headers.append((name: "Authorization", value: authorization)) }
        return try await HTTPClient.shared.execute(request)
    }

    @Test(
        "no key, a wrong key, a near miss or a malformed header: 401 JSON on every route but /healthz; the key never leaks"
    )
    func everyRouteNeedsTheKey() async throws {
        let fixture = try await SearchFixture.shared.value
        let log = CapturedLog()
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.apiKey = Self.key
        let server = ServerContext(
            configuration: configuration, embedder: fixture.embedder, database: fixture.pool,
            logger: log.logger("hq.serve"))
        let running = try await ServerApplication.start(server: server)
        defer { Task { await running.shutdown() } }

        let source = try #require(fixture.ids["Renewal pricing playbook"])
        let operations = try Self.operations(sourceID: source)
        #expect(operations.count >= 8, "the document lists the routes")
        let wrong: [String?] = [
            nil, "Bearer wrong", "Bearer " + Self.key.dropLast(), "Bearer " + Self.key + "x", "Basic " + Self.key,
            "Bearer",
            "Bearer  " + Self.key, Self.key, "Bearer " + Self.key.uppercased(),
        ]
        for (method, path) in operations {
            for authorization in wrong {
                let response = try await request(running.baseURL, method, path, authorization: authorization)
                let body = String(decoding: response.body, as: UTF8.self)
                if path == "/healthz" {
                    #expect(response.status == 200)
                    continue
                }
                #expect(
                    response.status == 401,
                    "\(method) \(path) with \(authorization.map { _ in "a bad header" } ?? "no header")")
                #expect(response.header("content-type")?.hasPrefix("application/json") == true)
                let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                #expect((json?["error"] as? [String: Any])?["message"] is String, "\(method) \(path): JSON error body")
                #expect(!body.contains(Self.key) && !body.contains(String(Self.key.dropLast())))
            }
            // The right key opens the route (the status is the route's own, never 401).
            let ok = try await request(running.baseURL, method, path, authorization: "Bearer " + Self.key)
            #expect(ok.status != 401 && ok.status < 500, "\(method) \(path) with the key: \(ok.status)")
            #expect(!String(decoding: ok.body, as: UTF8.self).contains(Self.key))
        }
        let logged = log.text
        #expect(
            !logged.contains(Self.key) && !logged.contains(String(Self.key.dropLast())),
            "the key is not in the server's log")
        #expect(!configuration.description.contains(Self.key))
    }

    @Test("the default bind address is loopback, in the library and in `hq serve --help`")
    func loopbackByDefault() async throws {
        #expect(ServerConfiguration().host == "127.0.0.1")
        guard FileManager.default.isExecutableFile(atPath: HQProcess.executable) else { return }
        let help = try await HQProcess.run(["serve", "--help"]).output
        #expect(help.contains("default: 127.0.0.1"), "hq serve --help: \(help)")
    }
}
