import Foundation
import HQEmbedding
import HQNet
import HQServer
import HQStorage
import HQTestSupport
import Logging

enum Fixtures {
    static let logger = Logger(label: "hq.tests.http")

    /// The native model, loaded once per test process.
    static let native: NativeEmbedder = {
        let directory =
            ProcessInfo.processInfo.environment["HQ_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? TestDatabase.packageRoot + "/models/all-MiniLM-L6-v2"
        do {
            return try NativeEmbedder(
                modelDirectory: URL(fileURLWithPath: directory, isDirectory: true), logger: logger)
        } catch {
            fatalError("cannot load the test model at \(directory): \(error)")
        }
    }()

    static let client = HTTPClient(logger: logger)

    /// Starts `hq serve`'s application in process on a free port.
    static func startServer(
        embedder: (any Embedder)? = nil, _ tweak: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        tweak(&configuration)
        let context = ServerContext(configuration: configuration, embedder: embedder ?? native, logger: logger)
        return try await ServerApplication.start(server: context)
    }

    /// Runs `body` with the base URL of `hq serve`'s application started in process on a free port (suites run in
    /// parallel) over `database`, then shuts it down without waiting: a keep-alive connection of the shared client
    /// would hold the shutdown open.
    static func withServer(
        embedder: any Embedder, database: PostgresPool?, apiKey: String? = nil, _ body: (String) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.apiKey = apiKey
        let server = ServerContext(
            configuration: configuration, embedder: embedder, database: database, logger: TestDatabase.logger)
        let running = try await ServerApplication.start(server: server)
        defer { Task { await running.shutdown() } }
        try await body(running.baseURL)
    }

    static func post(_ url: String, _ json: String, token: String? = nil) async throws -> (
        status: Int, json: [String: Any]
    ) {
        let response = try await client.postJSON(url, json: Data(json.utf8), bearerToken: token)
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    static func errorMessage(_ json: [String: Any]) -> String {
        ((json["error"] as? [String: Any])?["message"] as? String) ?? ""
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0
        var na = 0.0
        var nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}

/// Counts calls and texts; answers with constant vectors after an optional delay.
final class CountingEmbedder: Embedder, @unchecked Sendable {
    let modelID = "counting"
    let dimensions = 4
    let maxTokens = 16
    let delay: Duration
    private let lock = NSLock()
    private var _calls: [Int] = []

    init(delay: Duration = .zero) { self.delay = delay }

    var calls: [Int] { lock.withLock { _calls } }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        lock.withLock { _calls.append(texts.count) }
        if delay > .zero { try await Task.sleep(for: delay) }
        return texts.map { _ in [0.5, 0.5, 0.5, 0.5] }
    }
}
