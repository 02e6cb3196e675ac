import ArgumentParser
import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import Synchronization

/// `hq reindex`: marks sources pending and indexes them with progress, or changes the embedding model.
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Re-index sources (all or a selection), or build a new model's vectors and switch to it.",
        discussion: """
            Marks the selected sources pending and indexes them: a progress bar on a terminal (sources, chunks, \
            chunks/s, ETA), plain lines otherwise, and a summary. Unchanged sources are confirmed without \
            re-embedding. Ctrl-C stops cleanly; run it again with --resume to continue where it stopped. \
            --model builds the new model's vectors beside the live ones while search keeps serving the old model, \
            then switches (unless --no-promote).
            """)

    @Flag(name: .long, help: "Every source (the default when no filter is given).")
    var all = false

    @Option(
        name: .long,
        help: ArgumentHelp("A folder (id, or path like Sales/Playbooks), with its subfolders.", valueName: "id|path"))
    var folder: String?

    @Option(name: .long, help: "Sources with this tag.")
    var tag: String?

    @Option(
        name: .long, help: ArgumentHelp("Sources edited since this date (YYYY-MM-DD or ISO 8601).", valueName: "date"))
    var since: String?

    @Flag(name: .long, help: "Do not mark anything: continue an interrupted re-index.")
    var resume = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Build vectors of this model (a folder under models/, or a path) and switch to it.", valueName: "name"))
    var model: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The id stored for --model's vectors (default: from its manifest).", valueName: "id"))
    var modelID: String?

    @Flag(name: .long, help: "With --model: build the vectors but keep the old model live.")
    var noPromote = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "CPU niceness of this bulk job (0-19; 0 keeps it): searches and edits being indexed get the cores first.",
            valueName: "n"))
    var nice: Int32 = 10

    @OptionGroup var indexing: IndexingOptions

    func validate() throws {
        if all && (folder != nil || tag != nil || since != nil) {
            throw ValidationError("--all excludes --folder, --tag and --since.")
        }
        if resume && (all || folder != nil || tag != nil || since != nil) {
            throw ValidationError("--resume takes no filter.")
        }
        if since != nil && Self.parseDate(since!) == nil {
            throw ValidationError("--since must be YYYY-MM-DD or ISO 8601.")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }

    func run() async throws {
        let environment = AppEnvironment()
        ProcessNiceness.lower(to: nice)
        var next: (any Embedder)?
        if let model {
            let path = model.contains("/") ? model : environment.projectRoot + "/models/" + model
            next = try environment.nativeEmbedder(directory: path, modelID: modelID)
        }
        let progress = ProgressReporter(enabled: !indexing.json)
        try await environment.withIndexer(indexing, next: next, bulkJob: true) { indexer, _ in
            if next != nil {
                let result = try await SignalCancellation.run {
                    try await indexer.changeModel(promote: !noPromote, progress: progress.report)
                }
                progress.finish()
                if indexing.json { return try IndexOutput.printJSON(result) }
                try IndexOutput.printSummary(result.summary, json: false)
                let line =
                    result.promoted
                    ? "model \(result.liveModel) is live\n"
                    : "model not switched: \(result.missingChunks) chunks still lack a vector (live: \(result.liveModel))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
                return
            }
            var marked = 0
            if !resume {
                let selection = try await selection(indexer)
                marked = try await indexer.markPending(selection)
                if !indexing.json { FileHandle.standardError.write(Data("marked \(marked) sources\n".utf8)) }
            }
            let summary = try await SignalCancellation.run { try await indexer.drain(progress: progress.report) }
            progress.finish()
            try IndexOutput.printSummary(summary, json: indexing.json)
        }
    }

    private func selection(_ indexer: Indexer) async throws -> ReindexSelection {
        var selection = ReindexSelection(
            sourceType: indexing.type, tag: tag, updatedSince: since.flatMap(Self.parseDate))
        if let folder {
            guard let id = try await indexer.folderID(idOrPath: folder) else {
                throw CLIError("no folder \(folder)", hint: "give a folder id or a path like Sales/Playbooks")
            }
            selection.folderID = id
        }
        return selection
    }
}

/// Shows drain progress: a redrawn bar on a terminal, a plain line every 5 s otherwise (both on stderr).
final class ProgressReporter: Sendable {
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastLine = Mutex<Double>(0)

    init(enabled: Bool) { self.enabled = enabled }

    var report: @Sendable (IndexProgress) -> Void {
        { [self] progress in self.show(progress) }
    }

    private func show(_ progress: IndexProgress) {
        guard enabled else { return }
        let s = progress.summary
        let done = s.sources
        let total = done + progress.remaining
        let rate = s.seconds > 0 ? Double(done) / s.seconds : 0
        let eta = rate > 0 ? Double(progress.remaining) / rate : 0
        let stats = String(
            format: "%d/%d sources · %d chunks · %.1f chunks/s · ETA %d:%02d", done, total, s.chunks, s.chunksPerSecond,
            Int(eta) / 60, Int(eta) % 60)
        if isTerminal {
            let width = 24
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\u{1B}[2K[\(bar)] \(stats)")
        } else {
            let due = lastLine.withLock { last in
                if s.seconds - last >= 5 || progress.remaining == 0 {
                    last = s.seconds
                    return true
                }
                return false
            }
            if due { write(stats + "\n") }
        }
    }

    func finish() {
        if enabled && isTerminal { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Lowers the CPU priority of every thread of this process, so a bulk job yields the cores to searches and to the
/// watcher's edits. On Linux niceness is per thread, and threads inherit their creator's: each thread listed in
/// `/proc/self/task` is reniced, and threads created later (by these) start at the lower priority.
enum ProcessNiceness {
    static func lower(to niceness: Int32) {
        guard niceness > 0 else { return }
        let target = min(niceness, 19)
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for task in tasks.compactMap({ id_t($0) }) {
            // Only ever lowers the priority (raising it back needs privileges this process may not have).
            errno = 0
            let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), task)
            if errno == 0, current >= target { continue }
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), task, target)
        }
    }
}
