import ArgumentParser
import Foundation
import HQIndexing
import HQStorage

/// `hq ingest`: imports files and folders as documents and assets.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Import files and folders: markdown as documents, other files as assets.",
        discussion: """
            Folders are walked recursively (hidden entries skipped) and their tree is mirrored as document and \
            asset folders. Re-running updates what changed and leaves the rest alone. The indexer picks the new \
            rows up (run hq index --once, or keep hq index --watch running), or pass --index.
            """)

    @Argument(help: "Files or folders to import.")
    var paths: [String]

    @Option(name: .long, help: "Tag every imported row (repeatable).")
    var tag: [String] = []

    @Option(name: .long, help: ArgumentHelp("Put everything under this folder (A/B allowed).", valueName: "name"))
    var folder: String?

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("Import every file as this kind (default: by file type).", valueName: "document|asset"))
    var kind: String?

    @Flag(name: .long, help: "Index the imported rows right away.")
    var index = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("Give at least one PATH.") }
        if let kind, Ingest.Mode(rawValue: kind) == nil { throw ValidationError("--as must be document or asset.") }
    }

    func run() async throws {
        let environment = AppEnvironment()
        // The indexer reads imported files only under roots it was given: record these.
        let registry = FilesRootRegistry(home: environment.cluster.home)
        for root in Ingest.roots(of: paths) {
            do { try registry.record(root) } catch let error as IndexingError {
                throw CLIError(
                    "cannot record the import root: \(error.context)", hint: "check that HQ_HOME is writable")
            }
        }
        let url = try CLIError.wrap { try environment.databaseURL() }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url, applicationName: "hq-ingest"), maxConnections: 2,
            logger: environment.logger)
        var options = Ingest.Options()
        options.tags = tag
        options.folder = folder
        options.mode = kind.flatMap(Ingest.Mode.init(rawValue:)) ?? .auto
        let summary: Ingest.Summary
        do {
            summary = try await IndexOutput.mapErrors {
                try await Ingest(pool: pool, logger: environment.logger).ingest(paths, options: options)
            }
            await pool.close()
        } catch let error as IndexingError {
            await pool.close()
            throw CLIError("cannot import: \(error)")
        } catch {
            await pool.close()
            throw error
        }
        if json {
            try IndexOutput.printJSON(summary)
        } else {
            let line =
                "\(summary.documentsCreated) documents and \(summary.assetsCreated) assets created, \(summary.updated) updated, \(summary.unchanged) unchanged, \(summary.skipped) skipped, \(summary.foldersCreated) folders created\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        if index {
            var options = IndexingOptions()
            options.json = json
            try await environment.withIndexer(options) { indexer, _ in
                try IndexOutput.printSummary(try await SignalCancellation.run { try await indexer.drain() }, json: json)
            }
        }
    }
}
