// hq-bench-http: embedding throughput through `hq serve` over loopback HTTP vs the same model in process.
//
//   hq-bench-http --corpus bench/out/minilm_corpus.json [--rounds 3] [--batches 8] [--model-dir DIR]
//
// Per round, alternating so both paths see the same machine:
//   batch32     one client, sequential requests of 32 passages  (HTTP: HTTPEmbedder/openai → /v1/embeddings)
//   c8-batch32  8 concurrent clients, each sequential requests of 32 passages
//   c8-single   8 concurrent clients, each sequential single queries (the server micro-batches them)
// The server runs in this process on 127.0.0.1 (port 0), so both paths share the same 2 cores.
// Every result is one JSON line: path, mode, texts, seconds, texts_per_s.

import Foundation
import HQEmbedding
import HQServer
import Logging

struct Options {
    var values: [String: String] = [:]
    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let key = rest.first, key.hasPrefix("--") {
            rest = rest.dropFirst()
            values[String(key.dropFirst(2))] = rest.first ?? ""
            rest = rest.dropFirst()
        }
    }
    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap(Int.init) ?? fallback }
}

struct Corpus: Decodable {
    let passages: [String]
    let queries: [String]
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

/// Runs `clients` tasks; client c embeds `requests` slices of `size` texts taken round-robin from `texts`.
func run(_ embedder: any Embedder, texts: [String], clients: Int, requests: Int, size: Int) async throws -> (
    Int, Double
) {
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for c in 0..<clients {
            group.addTask {
                for r in 0..<requests {
                    let start = ((c * requests + r) * size) % max(1, texts.count - size)
                    let vectors = try await embedder.embed(Array(texts[start..<start + size]))
                    precondition(vectors.count == size)
                }
            }
        }
        try await group.waitForAll()
    }
    return (clients * requests * size, seconds(ContinuousClock.now - started))
}

let options = Options(CommandLine.arguments)
guard let corpusPath = options.values["corpus"] else {
    FileHandle.standardError.write(
        Data("usage: hq-bench-http --corpus FILE [--rounds N] [--batches N] [--model-dir DIR]\n".utf8))
    exit(2)
}
let corpus = try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: URL(fileURLWithPath: corpusPath)))
var logger = Logger(label: "hq.bench.http")
logger.logLevel = .warning
let directory =
    options.values["model-dir"].map { URL(fileURLWithPath: $0, isDirectory: true) }
    ?? ModelLocator.defaultDirectory(
        environment: ProcessInfo.processInfo.environment, executablePath: CommandLine.arguments.first,
        currentDirectory: FileManager.default.currentDirectoryPath)
let native = try NativeEmbedder(modelDirectory: directory, logger: logger)

var serverConfiguration = ServerConfiguration()
serverConfiguration.port = 0
let server = try await ServerApplication.start(
    server: ServerContext(configuration: serverConfiguration, embedder: native, logger: logger))
var clientConfiguration = HTTPEmbedderConfiguration(url: server.baseURL, provider: .openAI)
clientConfiguration.maxConcurrency = 8
let http = try HTTPEmbedder(configuration: clientConfiguration, logger: logger)

let rounds = options.int("rounds", 3)
let batches = options.int("batches", 8)
// Warm-up: page in the weights, open the connections.
_ = try await run(native, texts: corpus.passages, clients: 2, requests: 1, size: 32)
_ = try await run(http, texts: corpus.passages, clients: 8, requests: 1, size: 4)

let modes: [(name: String, texts: [String], clients: Int, requests: Int, size: Int)] = [
    ("batch32", corpus.passages, 1, batches, 32),
    ("c8-batch32", corpus.passages, 8, max(1, batches / 4), 32),
    ("c8-single", corpus.queries, 8, batches * 8, 1),
]
for round in 1...rounds {
    for mode in modes {
        for (path, embedder) in [("inprocess", native as any Embedder), ("http", http as any Embedder)] {
            let (texts, elapsed) = try await run(
                embedder, texts: mode.texts, clients: mode.clients, requests: mode.requests, size: mode.size)
            emit([
                "round": round, "mode": mode.name, "path": path, "texts": texts, "seconds": elapsed,
                "texts_per_s": Double(texts) / elapsed,
            ])
        }
    }
}
await server.shutdown()
