// Shared by the benchmark executables (not a test, not shipped): where the database is, timing, percentiles, output.
public import Foundation
public import HQStorage
public import Logging

/// Helpers every `bench/` executable uses.
public enum Bench {
    /// The process environment.
    public static let environment = ProcessInfo.processInfo.environment

    /// The package root (`HQ_ROOT`, set by the bench scripts; else the current directory).
    public static let root = environment["HQ_ROOT"] ?? FileManager.default.currentDirectoryPath

    /// A logger at `.warning` (benchmarks print their own progress).
    public static let logger: Logger = {
        var logger = Logger(label: "hq.bench")
        logger.logLevel = .warning
        return logger
    }()

    /// Progress on standard error (standard output carries the result).
    public static func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    /// Seconds elapsed since `start`.
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The `p`-th percentile (0…100) of `values`, nearest-rank; 0 for none.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The server to create benchmark databases on: `HQ_DATABASE_URL`, else the embedded cluster under `HQ_HOME`
    /// (started when it is not running).
    public static func serverURL() throws -> String {
        if let url = environment["HQ_DATABASE_URL"], !url.isEmpty { return url }
        let cluster = EmbeddedCluster(configuration: ClusterConfiguration.resolve(environment: environment))
        if !cluster.status().running { try cluster.start() }
        return try cluster.socketURL()
    }

    /// `serverURL` with its database replaced by `name`.
    public static func databaseURL(_ serverURL: String, name: String) -> String {
        if serverURL.hasPrefix("postgres"), var components = URLComponents(string: serverURL) {
            components.path = "/" + name
            return components.string!
        }
        return serverURL + " dbname=\(name)"
    }

    /// Whether database `name` exists on the server.
    public static func databaseExists(_ name: String, serverURL: String) async throws -> Bool {
        let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: logger)
        do {
            let rows = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
            await admin.close()
            return !rows.isEmpty
        } catch {
            await admin.close()
            throw error
        }
    }

    /// Drops and creates database `name` (fixed text and digits only: it is spliced into DDL) and applies
    /// `db/migrations`. Returns its URL.
    public static func freshDatabase(_ name: String, serverURL: String) async throws -> String {
        precondition(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "database name")
        let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: logger)
        try await admin.execute(script: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try await admin.execute(script: "CREATE DATABASE \(name)")
        await admin.close()
        let url = databaseURL(serverURL, name: name)
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: logger)
        try await MigrationRunner(migrations: MigrationSet(directory: root + "/db/migrations"), logger: logger).migrate(
            connection)
        await connection.close()
        return url
    }

    /// Drops database `name`.
    public static func dropDatabase(_ name: String, serverURL: String) async throws {
        let admin = try await PostgresConnection.connect(PostgresConfiguration(serverURL), logger: logger)
        try await admin.execute(script: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
    }

    /// `value` as one line of sorted-key JSON on standard output.
    public static func printJSON(_ value: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The lines of a BEIR `corpus.jsonl` or `queries.jsonl`.
    public struct BEIRLine: Decodable, Sendable {
        public let _id: String
        public let title: String?
        public let text: String
    }

    /// Parses a JSON-lines file of ``BEIRLine``.
    public static func beirLines(_ path: String) throws -> [BEIRLine] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(BEIRLine.self, from: Data($0.utf8))
        }
    }
}

/// Deterministic shuffles and choices (SplitMix64): every benchmark run makes the same ones.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
