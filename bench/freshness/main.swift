// hq-bench-freshness: how long a change takes to reach `POST /v1/search` (issue 14). bench/freshness.sh runs it on a
// copy of the 100k-chunk database with `hq index --watch`, 8 searching clients and a folder re-index beside it.
//
//   hq-bench-freshness setup  --database URL --files DIR [--per-kind 40]
//       creates the targets (long documents to edit, documents to archive and to delete, assets whose files are
//       replaced) and waits until the watcher has indexed them; remembers them in schema bench_fresh.
//   hq-bench-freshness edits  --database URL --server URL [--seed 7]
//       applies the changes one at a time, in a seeded order, each in its own committed statement, then asks
//       `POST /v1/search` (lexical, the change's own made-up word) every 10 ms until the answer reflects it.
//   hq-bench-freshness report --database URL --timings LOG
//       per kind: p50 / p95 / p99 from commit to the first answer that reflects it; for the kinds the indexer
//       handles, the median of each stage from the watcher's `source timing` lines (HQ_LOG_LEVEL=debug). One JSON
//       object on standard output.
import Foundation
import HQBenchSupport
import HQNet
import HQStorage

let arguments = Array(CommandLine.arguments.dropFirst())
let options: [String: String] = Dictionary(
    arguments.indices.filter { arguments[$0].hasPrefix("--") && $0 + 1 < arguments.count }.map {
        (String(arguments[$0].dropFirst(2)), arguments[$0 + 1])
    },
    uniquingKeysWith: { $1 })
guard let mode = arguments.first, let databaseURL = options["database"] else {
    Bench.log(
        "usage: hq-bench-freshness setup|edits|report --database URL [--files DIR] [--server URL] [--timings LOG]")
    exit(2)
}
let pool = PostgresPool(configuration: PostgresConfiguration(databaseURL), maxConnections: 2, logger: Bench.logger)

/// The kinds of change, each measured on its own targets.
enum Kind: String, CaseIterable {
    case newDocument = "new document"
    case paragraphEdit = "one-paragraph edit of a long document"
    case archive = "archive"
    case delete = "delete"
    case fileReplaced = "asset file replaced"
}

/// A made-up word of 12 letters that no document holds: what the probe searches for.
func nonce(_ generator: inout SplitMix) -> String {
    "q" + String((0..<11).map { _ in Character(Unicode.Scalar(UInt8(97 + generator.next() % 26))) })
}

func now() -> Double { Date().timeIntervalSince1970 }

func jsonString(_ text: String) throws -> String {
    String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
}

// MARK: - setup

func setup() async throws {
    guard let files = options["files"] else { throw BenchError("setup needs --files DIR (the watcher's --files-root)") }
    let perKind = Int(options["per-kind"] ?? "") ?? 40
    try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
    var generator = SplitMix(state: 20_261_203)
    try await pool.withConnection {
        try await $0.execute(
            script: """
                        DROP SCHEMA IF EXISTS bench_fresh CASCADE;
                CREATE SCHEMA bench_fresh;
                CREATE TABLE bench_fresh.targets (
                  kind text NOT NULL, n integer NOT NULL, document_id uuid, asset_id uuid, path text, body text NOT NULL,
                  nonce text NOT NULL, PRIMARY KEY (kind, n));
                """)
    }
    // Paragraphs: SciFact abstracts already in the database.
    let rows = try await pool.query(
        "SELECT content #>> '{}' FROM public.documents WHERE title NOT LIKE 'Fresh %' ORDER BY id LIMIT \(perKind * 16)"
    )
    let paragraphs = try rows.map { try $0.decode(String.self, column: 0) }
    guard paragraphs.count >= perKind * 16 else { throw BenchError("the database holds too few documents") }
    var waiting: [UUID] = []
    for n in 0..<perKind {
        // A long document: 12 paragraphs (~3,000 words); its edit changes paragraph 6.
        let body = paragraphs[(n * 12)..<(n * 12 + 12)].joined(separator: "\n\n")
        let long = try await pool.query(
            """
            INSERT INTO public.documents (title, content) VALUES (\("Fresh long \(n)"), \(PostgresJSONB(try jsonString(body))))
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        waiting.append(long)
        try await pool.execute(
            """
            INSERT INTO bench_fresh.targets VALUES (\(Kind.paragraphEdit.rawValue), \(Int32(n)), \(long), NULL, NULL,
              \(body), \(nonce(&generator)))
            """)
        // Documents to archive and to delete, each findable by its own word.
        for kind in [Kind.archive, .delete] {
            let word = nonce(&generator)
            let text = paragraphs[perKind * 12 + n] + " Marker \(word)."
            let id = try await pool.query(
                """
                INSERT INTO public.documents (title, content)
                VALUES (\("Fresh \(kind.rawValue) \(n)"), \(PostgresJSONB(try jsonString(text)))) RETURNING id
                """)[0].decode(UUID.self, column: 0)
            waiting.append(id)
            try await pool.execute(
                "INSERT INTO bench_fresh.targets VALUES (\(kind.rawValue), \(Int32(n)), \(id), NULL, NULL, \(text), \(word))"
            )
        }
        // An asset whose text is its file; the replacement keeps the path and the size.
        let word = nonce(&generator)
        let text = paragraphs[perKind * 13 + n] + " Marker \(word)."
        let path = files + "/fresh-asset-\(n).md"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let asset = try await pool.query(
            """
            INSERT INTO public.assets (name, type, mime_type, file_url, file_size)
            VALUES (\("fresh-asset-\(n).md"), 'document'::public.asset_type, 'text/markdown', \(path), \(Int64(text.utf8.count)))
            RETURNING id
            """)[0].decode(UUID.self, column: 0)
        waiting.append(asset)
        try await pool.execute(
            "INSERT INTO bench_fresh.targets VALUES (\(Kind.fileReplaced.rawValue), \(Int32(n)), NULL, \(asset), \(path), \(text), \(word))"
        )
        // New documents: the text now, the row during the run.
        try await pool.execute(
            """
            INSERT INTO bench_fresh.targets VALUES (\(Kind.newDocument.rawValue), \(Int32(n)), NULL, NULL, NULL,
              \(paragraphs[perKind * 14 + n]), \(nonce(&generator)))
            """)
    }
    Bench.log("setup: \(waiting.count) targets written; waiting for the watcher to index them")
    let start = ContinuousClock.now
    while true {
        let pending = try await pool.query(
            """
            SELECT count(*) FROM public.knowledge_sources
             WHERE (document_id = ANY(\(waiting)) OR asset_id = ANY(\(waiting)))
               AND (pending_since IS NOT NULL OR chunk_source_hash IS NULL)
            """)[0].decode(Int64.self, column: 0)
        if pending == 0 { break }
        if Bench.seconds(since: start) > 900 { throw BenchError("\(pending) targets still not indexed after 15 min") }
        try await Task.sleep(for: .milliseconds(500))
    }
    Bench.log(String(format: "setup: indexed in %.1f s", Bench.seconds(since: start)))
}

// MARK: - edits

struct Target {
    let kind: Kind
    let n: Int
    let document: UUID?
    let asset: UUID?
    let path: String?
    let body: String
    let nonce: String
}

func targets() async throws -> [Target] {
    try await pool.query("SELECT kind, n, document_id, asset_id, path, body, nonce FROM bench_fresh.targets").map {
        Target(
            kind: Kind(rawValue: try $0.decode(String.self, column: 0))!, n: Int(try $0.decode(Int32.self, column: 1)),
            document: try $0.decode(UUID?.self, column: 2), asset: try $0.decode(UUID?.self, column: 3),
            path: try $0.decode(String?.self, column: 4), body: try $0.decode(String.self, column: 5),
            nonce: try $0.decode(String.self, column: 6))
    }
}

/// Lexical search for `word`: how many sources the service returns for it.
func probe(_ server: String, _ word: String) async throws -> Int {
    var request = HTTPClientRequest(url: server + "/v1/search", method: .post)
    request.setJSONBody(try JSONSerialization.data(withJSONObject: ["query": word, "mode": "lexical", "limit": 3]))
    request.timeout = .seconds(10)
    if let key = Bench.environment["HQ_API_KEY"], !key.isEmpty { request.bearerToken = key }
    let response = try await HTTPClient.shared.execute(request)
    guard response.isSuccess,
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
        let results = object["results"] as? [Any]
    else {
        throw BenchError("search answered \(response.status)")
    }
    return results.count
}

func edits() async throws {
    guard let server = options["server"] else { throw BenchError("edits needs --server URL") }
    var generator = SplitMix(state: UInt64(options["seed"] ?? "") ?? 7)
    let all = try await targets().shuffled(using: &generator)
    try await pool.withConnection {
        try await $0.execute(
            script: """
                        CREATE TABLE IF NOT EXISTS bench_fresh.results (
                  kind text NOT NULL, n integer NOT NULL, source_id uuid, committed double precision NOT NULL,
                  visible double precision, probes integer NOT NULL);
                TRUNCATE bench_fresh.results;
                """)
    }
    for (i, target) in all.enumerated() {
        var word = target.nonce
        var present = true
        var document = target.document
        switch target.kind {
        case .newDocument:
            let text = target.body + " Marker \(word)."
            document = try await pool.query(
                """
                INSERT INTO public.documents (title, content)
                VALUES (\("Fresh new \(target.n)"), \(PostgresJSONB(try jsonString(text)))) RETURNING id
                """)[0].decode(UUID.self, column: 0)
        case .paragraphEdit:
            var paragraphs = target.body.components(separatedBy: "\n\n")
            paragraphs[6] += " The revised figure is noted as \(word)."
            try await pool.execute(
                """
                UPDATE public.documents SET content = \(PostgresJSONB(try jsonString(paragraphs.joined(separator: "\n\n"))))
                 WHERE id = \(target.document!)
                """)
        case .archive:
            present = false
            try await pool.execute("UPDATE public.documents SET archived_at = now() WHERE id = \(target.document!)")
        case .delete:
            present = false
            try await pool.execute("DELETE FROM public.documents WHERE id = \(target.document!)")
        case .fileReplaced:
            // A re-upload under the same name: other bytes, the same size; HQ stamps the row.
            word = nonce(&generator)
            let text = target.body.replacingOccurrences(of: target.nonce, with: word)
            try Data(text.utf8).write(to: URL(fileURLWithPath: target.path!))
            try await pool.execute("UPDATE public.assets SET updated_at = now() WHERE id = \(target.asset!)")
        }
        let committed = now()
        var visible: Double?
        var probes = 0
        while now() - committed < 30 {
            probes += 1
            let found = try await probe(server, word)
            if (found > 0) == present {
                visible = now()
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let source = try await pool.query(
            """
            SELECT id FROM public.knowledge_sources
             WHERE document_id = \(document) OR asset_id = \(target.asset) LIMIT 1
            """
        ).first?.decode(UUID.self, column: 0)
        try await pool.execute(
            """
            INSERT INTO bench_fresh.results VALUES (\(target.kind.rawValue), \(Int32(target.n)), \(source), \(committed),
              \(visible), \(Int32(probes)))
            """)
        if i % 20 == 19 { Bench.log("edits: \(i + 1) of \(all.count)") }
        // The next change after a pause, so each is measured on its own.
        try await Task.sleep(for: .milliseconds(Int(150 + generator.next() % 250)))
    }
}

// MARK: - report

/// The watcher's `source timing` lines: per source, its stage times (seconds since 1970).
func timings(_ path: String) throws -> [String: [[String: Double]]] {
    var result: [String: [[String: Double]]] = [:]
    let text = try String(contentsOfFile: path, encoding: .utf8)
    for line in text.split(separator: "\n") where line.contains("source timing") {
        var fields: [String: String] = [:]
        for part in line.split(separator: " ") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let source = fields["source"] else { continue }
        var times: [String: Double] = [:]
        for key in ["asked", "leased", "extracted", "embedded", "written"] {
            times[key] = fields[key].flatMap(Double.init)
        }
        result[source.lowercased(), default: []].append(times)
    }
    return result
}

func report() async throws {
    guard let log = options["timings"] else { throw BenchError("report needs --timings LOG") }
    let stagesBySource = try timings(log)
    let rows = try await pool.query("SELECT kind, source_id, committed, visible, probes FROM bench_fresh.results")
    var byKind: [String: [Double]] = [:]
    var missed: [String: Int] = [:]
    var stages: [String: [String: [Double]]] = [:]
    for row in rows {
        let kind = try row.decode(String.self, column: 0)
        let committed = try row.decode(Double.self, column: 2)
        guard let visible = try row.decode(Double?.self, column: 3) else {
            missed[kind, default: 0] += 1
            continue
        }
        byKind[kind, default: []].append((visible - committed) * 1000)
        // The first indexing of this source written after the commit.
        guard let source = try row.decode(UUID?.self, column: 1),
            let timing = stagesBySource[source.uuidString.lowercased()]?
                .filter({ ($0["written"] ?? 0) >= committed && ($0["asked"] ?? 0) >= committed - 60 })
                .min(by: { ($0["written"] ?? 0) < ($1["written"] ?? 0) }),
            let asked = timing["asked"], let leased = timing["leased"], let extracted = timing["extracted"],
            let embedded = timing["embedded"], let written = timing["written"]
        else { continue }
        let split: [(String, Double)] = [
            ("commit_to_lease_asked", asked - committed), ("lease", leased - asked), ("extract", extracted - leased),
            ("embed", embedded - extracted), ("write", written - embedded), ("written_to_visible", visible - written),
        ]
        for (stage, seconds) in split { stages[kind, default: [:]][stage, default: []].append(seconds * 1000) }
    }
    var out: [String: Any] = [:]
    for kind in Kind.allCases.map(\.rawValue) {
        let values = byKind[kind] ?? []
        var entry: [String: Any] = [
            "n": values.count, "not_visible_within_30s": missed[kind] ?? 0,
            "p50_ms": Bench.percentile(values, 50), "p95_ms": Bench.percentile(values, 95),
            "p99_ms": Bench.percentile(values, 99), "max_ms": values.max() ?? 0,
        ]
        if let split = stages[kind] {
            entry["stage_medians_ms"] = split.mapValues { Bench.percentile($0, 50) }
            entry["with_stage_timing"] = split.values.first?.count ?? 0
        }
        out[kind] = entry
    }
    try Bench.printJSON(out)
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

switch mode {
case "setup": try await setup()
case "edits": try await edits()
case "report": try await report()
default:
    Bench.log("unknown mode \(mode): setup, edits or report")
    exit(2)
}
await pool.close()
