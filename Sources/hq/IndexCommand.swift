import ArgumentParser
import Dispatch
import Foundation
import HQEmbedding
import HQIndexing
import HQNet
import HQStorage
import Logging

/// `hq index`: processes the indexing queue once (`--once`, the default) or follows it (`--watch`).
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index pending documents and assets into chunks and vectors.",
        discussion: """
            --once (default) processes everything pending and exits; --watch keeps following changes (LISTEN on \
            hq_index plus a periodic poll) until SIGINT/SIGTERM, then finishes the write in flight and releases its \
            other leases. Several indexers may run at once, on one machine or many.
            """,
        subcommands: [IndexStatusCommand.self])

    @Flag(name: .long, help: "Keep running and index changes as they happen.")
    var watch = false

    @Flag(name: .long, help: "Process everything pending, then exit (the default).")
    var once = false

    @OptionGroup var indexing: IndexingOptions

    func validate() throws {
        if watch && once { throw ValidationError("Choose --watch or --once, not both.") }
    }

    func run() async throws {
        let environment = AppEnvironment()
        try await environment.withIndexer(indexing) { indexer, url in
            if watch {
                try await SignalCancellation.run {
                    try await indexer.watch(
                        listeningWith: PostgresConfiguration(url, applicationName: "hq-index-listen"))
                }
                return
            }
            let summary = try await SignalCancellation.run { try await indexer.drain() }
            try IndexOutput.printSummary(summary, json: indexing.json)
        }
    }
}

/// `hq index status`: counts by state, oldest pending, failures with reasons, models.
struct IndexStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the indexing queue: counts by state, oldest pending, failures, models.")

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    /// The parent's options: `hq index status --json` hands `--json` to the parent command's option group (same
    /// name), so the flag is read from either.
    @OptionGroup(visibility: .hidden) var indexing: IndexingOptions

    func run() async throws {
        let environment = AppEnvironment()
        let url = try CLIError.wrap { try environment.databaseURL() }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 1, logger: environment.logger)
        defer { Task { await pool.close() } }
        let status = try await IndexOutput.mapErrors { try await Indexer.status(pool: pool) }
        if json || indexing.json { return try IndexOutput.printJSON(status) }
        var out = """
            model        \(status.liveModel)\(status.nextModel.map { "  (building: \($0))" } ?? "")
            sources      \(status.total)  indexed \(status.indexed) · pending \(status.pending) (leased \(status.leased), retrying \(status.retrying)) · failed \(status.failed) · archived \(status.archived)
            chunks       \(status.chunks)  live vectors \(status.liveVectors)

            """
        if let oldest = status.oldestPendingSince {
            out += "oldest pending since \(ISO8601DateFormatter().string(from: oldest))\n"
        }
        if !status.failures.isEmpty {
            out += "failures:\n"
            for failure in status.failures {
                let state = failure.retrying ? "retrying" : "failed"
                out +=
                    "  \(failure.id)  \(failure.sourceType) \"\(failure.title)\" \(state) after \(failure.attempts): \(failure.error)\n"
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

/// Options shared by `hq index` and `hq reindex`.
struct IndexingOptions: ParsableArguments {
    @Option(
        name: .customLong("model-dir"),
        help: ArgumentHelp(
            "Model folder (default: $HQ_MODEL_DIR, else models/$HQ_MODEL, else models/all-MiniLM-L6-v2).",
            valueName: "dir"))
    var modelDirectory: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A first load of more than this many sources builds the ANN index after the data (0: never drop it).",
            valueName: "n"))
    var bulkLoadThreshold: Int = 2_000

    @Option(name: .long, help: "Sources leased per batch.")
    var batchSize: Int = 64

    @Option(name: .long, help: "Lease length in seconds (another worker takes over after it).")
    var leaseSeconds: Int = 300

    @Option(name: .long, help: "Attempts before a source is left failed.")
    var maxAttempts: Int = 5

    @Option(name: .long, help: ArgumentHelp("Only this source type.", valueName: "document|asset"))
    var type: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Allow reading asset files under this folder (repeatable; added to HQ_FILES_ROOTS and the folders hq ingest recorded). Relative storage paths are looked up here when HQ_STORAGE_URL is unset.",
            valueName: "dir"))
    var filesRoot: [String] = []

    @Flag(name: .long, help: "Print JSON.")
    var json = false
}

extension AppEnvironment {
    /// Loads the native embedder from `directory` (or the default model folder).
    func nativeEmbedder(directory: String?, modelID: String? = nil) throws -> NativeEmbedder {
        let url =
            directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? ModelLocator.defaultDirectory(
                environment: variables, executablePath: CommandLine.arguments.first,
                currentDirectory: FileManager.default.currentDirectoryPath)
        var configuration = NativeEmbedder.Configuration()
        configuration.modelID = modelID
        do {
            return try NativeEmbedder(modelDirectory: url, configuration: configuration, logger: logger)
        } catch {
            throw CLIError("cannot load the embedding model: \(error.code): \(error.context)", hint: error.hint)
        }
    }

    /// The built-in model whose manifest (`models/<name>.json`) names `modelID`, loaded; nil when none does or it
    /// cannot load (logged).
    func builtInEmbedder(modelID: String) -> (any Embedder)? {
        let models = URL(fileURLWithPath: projectRoot + "/models", isDirectory: true)
        guard let directory = ModelLocator.directory(forModelID: modelID, in: models) else { return nil }
        do {
            return try nativeEmbedder(directory: directory.path)
        } catch {
            logger.warning("cannot load the model \(modelID): \(error)")
            return nil
        }
    }

    /// The fetcher for asset files, each origin confined: local files under `--files-root`, `HQ_FILES_ROOTS`
    /// (`:`-separated) and the roots `hq ingest` recorded; links to public addresses (`HQ_FETCH_ALLOW_PRIVATE`,
    /// `HQ_FETCH_CONTENT_TYPES`); storage objects through `HQ_STORAGE_URL`/`HQ_STORAGE_KEY`/`HQ_STORAGE_BUCKET`.
    func assetFileFetcher(extraRoots: [String]) throws -> AssetFileFetcher {
        let environmentRoots = (variables["HQ_FILES_ROOTS"] ?? "").split(separator: ":").map(String.init)
        let roots = extraRoots + environmentRoots + FilesRootRegistry(home: cluster.home).load()
        let client = HTTPClient(logger: logger)
        do {
            let storage = try StorageFetcher.Configuration.environment(variables)
            let policy = try AddressPolicy.environment(variables)
            return AssetFileFetcher(
                local: try LocalFileFetcher(roots: roots, resolvesObjectPaths: storage == nil),
                links: LinkFetcher(
                    client: client, policy: policy, contentTypes: LinkFetcher.contentTypes(environment: variables)),
                storage: storage.map { StorageFetcher(client: client, configuration: $0) })
        } catch let error as IndexingError {
            throw CLIError("\(error.context)", hint: "see the configuration table in the README")
        } catch let error as HTTPClientError {
            throw CLIError(error.detail, hint: "see the configuration table in the README")
        }
    }

    /// Builds an indexer over a pool to the configured database and runs `body`; closes the pool afterwards.
    func withIndexer(
        _ options: IndexingOptions, next: (any Embedder)? = nil, bulkJob: Bool = false,
        _ body: (Indexer, String) async throws -> Void
    ) async throws {
        if let type = options.type, type != "document", type != "asset" {
            throw ValidationError("--type must be document or asset.")
        }
        let url = try CLIError.wrap { try databaseURL() }
        // HQ_EMBED_URL (with HQ_EMBED_PROVIDER, _MODEL, _API_KEY, …) selects an embedding service, as for hq serve
        // and hq search; without it, the built-in model.
        let embedder: any Embedder
        var configuration = IndexerConfiguration()
        if let remote = try EmbedderSelection.remoteConfiguration(
            environment: variables, options: try EmbedderOptions.parse([]))
        {
            do {
                embedder = try HTTPEmbedder(configuration: remote, logger: logger)
            } catch {
                throw CLIError("cannot set up the embedder: \(error.code): \(error.context)", hint: error.hint)
            }
        } else {
            embedder = try nativeEmbedder(directory: options.modelDirectory)
            // A watcher follows a model change begun by `hq reindex --model` with any built-in model.
            let environment = self
            configuration.embedderForModel = { id in environment.builtInEmbedder(modelID: id) }
        }
        configuration.batchSize = max(1, options.batchSize)
        // A bulk job leaves fresh edits to the edits lanes (its own and a watcher's) for 2 s before its large
        // batches may take them.
        if bulkJob { configuration.editGraceSeconds = 2 }
        configuration.leaseSeconds = max(5, options.leaseSeconds)
        configuration.maxAttempts = max(1, options.maxAttempts)
        configuration.bulkLoadThreshold = options.bulkLoadThreshold > 0 ? options.bulkLoadThreshold : nil
        configuration.sourceType = options.type
        configuration.nextEmbedder = next
        configuration.extraction.fetcher = try assetFileFetcher(extraRoots: options.filesRoot)
        // Four per lane (`--watch` runs an edits lane and a bulk lane): a lease, a write, the lease keeper and the
        // first bulk load's lock can be in use at once.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url, applicationName: "hq-index"), maxConnections: 8, logger: logger)
        let indexer = Indexer(pool: pool, embedder: embedder, configuration: configuration, logger: logger)
        do {
            try await IndexOutput.mapErrors { try await body(indexer, url) }
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }
}

/// Printing and error mapping shared by the indexing commands.
enum IndexOutput {
    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IndexingError {
            throw CLIError(
                "indexing failed: \(error)", hint: error.code == .modelMismatch ? "see hq index status" : nil)
        } catch let error as PostgresError where error.kind == .connectionFailed {
            throw CLIError(
                "cannot connect to the database: \(error)", hint: "check HQ_DATABASE_URL, or run: hq db status")
        } catch let error as PostgresError where error.sqlState == "42883" || error.sqlState == "42P01" {
            throw CLIError("the database schema is missing or old", hint: "run: hq db migrate")
        } catch is CancellationError {
            throw ExitCode(130)
        }
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(data)
    }

    static func printSummary(_ summary: IndexRunSummary, json: Bool) throws {
        if json { return try printJSON(summary) }
        let line = String(
            format:
                "%d sources (%d indexed, %d unchanged, %d retrying, %d failed, %d changed meanwhile) · %d chunks, %d embedded · %.1f s · %.1f chunks/s\n",
            summary.sources, summary.indexed, summary.unchanged, summary.retrying, summary.failed, summary.stale,
            summary.chunks, summary.embeddedChunks, summary.seconds, summary.chunksPerSecond)
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
