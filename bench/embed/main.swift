// hq-bench-embed: throughput, latency, memory and exactness of the native embedder.
//
//   hq-bench-embed throughput --corpus /tmp/minilm_corpus.json [--reps 5] [--batch-size 32] [--threads 2]
//                             [--bulk yes] [--bulk-batch-tokens 512]   (as the indexers' bulk lanes embed)
//   hq-bench-embed rss        --corpus /tmp/minilm_corpus.json [--passages 1000]
//   hq-bench-embed check      --golden ../shared/fixtures/minilm/golden.json
// Common: --model-dir DIR (default: $HQ_MODEL_DIR, else models/all-MiniLM-L6-v2 near the binary).
// The corpus is the one `bench_reference.py corpus` builds, so both engines see the same texts.
// Every result is one JSON line; "foreign_cores" is the CPU other processes used meanwhile.

import Foundation
import HQEmbedding
import Logging

struct Options {
    var mode = "throughput"
    var values: [String: String] = [:]

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        if let first = rest.first, !first.hasPrefix("--") {
            mode = first
            rest = rest.dropFirst()
        }
        while let key = rest.first, key.hasPrefix("--") {
            rest = rest.dropFirst()
            values[String(key.dropFirst(2))] = rest.first ?? ""
            rest = rest.dropFirst()
        }
    }

    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap(Int.init) ?? fallback }
}

/// Wall time, this process's CPU time and everyone's busy CPU time over one measured block.
struct Meter {
    var wall = 0.0
    var selfCores = 0.0
    var foreignCores = 0.0
    var selfCPUSeconds = 0.0

    static func busyJiffies() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first
        else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return 0 }
        return v[0..<8].reduce(0, +) - v[3] - v[4]
    }

    static func selfSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func measure(_ body: () async throws -> Void) async rethrows -> Meter {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let busy0 = busyJiffies()
        let self0 = selfSeconds()
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        var meter = Meter()
        meter.wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let mine = selfSeconds() - self0
        meter.selfCPUSeconds = mine
        meter.selfCores = mine / meter.wall
        meter.foreignCores = max(0, ((busyJiffies() - busy0) / ticks - mine) / meter.wall)
        return meter
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

func round(_ x: Double, _ digits: Int) -> Double {
    let scale = pow(10, Double(digits))
    return (x * scale).rounded() / scale
}

func emit(_ row: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func statusKilobytes(_ field: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

func loadCorpus(_ path: String) -> (passages: [String], queries: [String]) {
    guard let data = FileManager.default.contents(atPath: path),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let passages = object["passages"] as? [String], let queries = object["queries"] as? [String]
    else {
        FileHandle.standardError.write(
            Data("cannot read corpus \(path); build it with bench_reference.py corpus\n".utf8))
        exit(2)
    }
    return (passages, queries)
}

let options = Options(CommandLine.arguments)
let modelDirectory =
    options.values["model-dir"].map { URL(fileURLWithPath: $0) }
    ?? ModelLocator.defaultDirectory(
        environment: ProcessInfo.processInfo.environment, executablePath: CommandLine.arguments[0],
        currentDirectory: FileManager.default.currentDirectoryPath)
var configuration = NativeEmbedder.Configuration()
configuration.batchSize = options.int("batch-size", 32)
configuration.threads = options.int("threads", 2)
configuration.bulkBatchTokens = options.int("bulk-batch-tokens", configuration.bulkBatchTokens)
var logger = Logger(label: "bench.embed")
logger.logLevel = .warning
let embedder = try NativeEmbedder(modelDirectory: modelDirectory, configuration: configuration, logger: logger)
let bulk = options.values["bulk"] == "yes"
let common: [String: Any] = [
    "engine": "hq native (Swift + OpenBLAS)", "batch_size": configuration.batchSize, "threads": configuration.threads,
    "bulk": bulk, "bulk_batch_tokens": configuration.bulkBatchTokens,
]

switch options.mode {
case "throughput":
    let corpus = loadCorpus(options.values["corpus"] ?? "/tmp/minilm_corpus.json")
    let reps = options.int("reps", 5)
    for (name, texts) in [("passages", corpus.passages), ("queries", corpus.queries)] {
        var tokens = 0
        let tokenizing = await Meter.measure {
            tokens = texts.reduce(0) { $0 + embedder.tokenizer.encode($1).tokenCount }
        }
        _ = try await embedder.embed(Array(texts.prefix(64)))  // warm-up: page in weights, size buffers
        var meters: [Meter] = []
        for _ in 0..<reps {
            meters.append(
                try await Meter.measure {
                    _ = try await BulkEmbedding.$isActive.withValue(bulk) { try await embedder.embed(texts) }
                })
        }
        let walls = meters.map(\.wall)
        let best = meters.min { $0.wall < $1.wall }!
        emit(
            common.merging([
                "label": "native_\(name)", "n": texts.count, "tokens": tokens,
                "mean_tokens": round(Double(tokens) / Double(texts.count), 1),
                "tokenize_s": round(tokenizing.wall, 4),
                "median_s": round(median(walls), 3), "best_s": round(best.wall, 3),
                "per_s_median": round(Double(texts.count) / median(walls), 1),
                "per_s_best": round(Double(texts.count) / best.wall, 1),
                "tokens_per_s_median": Int(Double(tokens) / median(walls)),
                "self_cores_during_best": round(best.selfCores, 2),
                // contention-robust: items per second of this process's own CPU time (best run)
                "per_cpu_s": round(Double(texts.count) / meters.map(\.selfCPUSeconds).min()!, 1),
                "foreign_cores_all": meters.map { round($0.foreignCores, 2) },
            ]) { $1 })
    }
    // Single-query latency: one 7–10-token query per call, as a search front end would.
    var latencies: [Double] = []
    let queries = Array(corpus.queries.prefix(options.int("latency-queries", 300)))
    // Per-call windows are far shorter than the kernel's 10 ms CPU accounting tick, so the foreign
    // load is measured over the whole loop.
    let loop = try await Meter.measure {
        for query in queries {
            let start = ContinuousClock.now
            _ = try await embedder.embed([query])
            let elapsed = ContinuousClock.now - start
            latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
    }
    let sorted = latencies.sorted()
    emit(
        common.merging([
            "label": "native_single_query_latency", "n": latencies.count,
            "median_ms": round(median(latencies), 2), "p90_ms": round(sorted[sorted.count * 9 / 10], 2),
            "min_ms": round(sorted[0], 2), "foreign_cores": round(loop.foreignCores, 2),
        ]) { $1 })

case "rss":
    let corpus = loadCorpus(options.values["corpus"] ?? "/tmp/minilm_corpus.json")
    let count = options.int("passages", 1000)
    let texts = (0..<count).map { corpus.passages[$0 % corpus.passages.count] }
    let before = statusKilobytes("VmRSS")
    let meter = try await Meter.measure { _ = try await embedder.embed(texts) }
    emit(
        common.merging([
            "label": "native_peak_rss", "passages": count, "rss_after_load_mb": round(Double(before) / 1024, 1),
            "peak_rss_mb": round(Double(statusKilobytes("VmHWM")) / 1024, 1), "wall_s": round(meter.wall, 2),
            "passages_per_s": round(Double(count) / meter.wall, 1), "foreign_cores": round(meter.foreignCores, 2),
        ]) { $1 })

case "check":
    let path = options.values["golden"] ?? "../shared/fixtures/minilm/golden.json"
    guard let data = FileManager.default.contents(atPath: path),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let cases = object["cases"] as? [[String: Any]]
    else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(2)
    }
    let texts = cases.map { $0["text"] as! String }
    let golden = cases.map { ($0["embedding"] as! [NSNumber]).map(\.doubleValue) }
    func agreement(_ vectors: [[Float]]) -> (Double, Double) {
        var worstCosine = 1.0
        var worstDiff = 0.0
        for (v, g) in zip(vectors, golden) {
            var dot = 0.0
            var na = 0.0
            var nb = 0.0
            for (a, b) in zip(v.map(Double.init), g) {
                dot += a * b
                na += a * a
                nb += b * b
                worstDiff = max(worstDiff, abs(a - b))
            }
            worstCosine = min(worstCosine, dot / (na * nb).squareRoot())
        }
        return (1 - worstCosine, worstDiff)
    }
    var alone: [[Float]] = []
    for text in texts { alone.append(try await embedder.embed([text])[0]) }
    let batched = try await embedder.embed(texts)
    let a = agreement(alone)
    let b = agreement(batched)
    emit([
        "label": "native_vs_golden", "cases": texts.count,
        "alone_one_minus_min_cos": a.0, "alone_max_abs_diff": a.1,
        "batched_one_minus_min_cos": b.0, "batched_max_abs_diff": b.1,
    ])

default:
    FileHandle.standardError.write(Data("unknown mode \(options.mode): use throughput, rss or check\n".utf8))
    exit(2)
}
