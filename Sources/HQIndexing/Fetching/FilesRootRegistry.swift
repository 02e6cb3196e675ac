public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local roots `hq ingest` imported from, kept on this machine (`$HQ_HOME/files-roots`, one real path per
/// line, mode 0600), so the indexer may read the files it imported and nothing else.
///
/// The list lives beside the cluster state, not in the database: a writer of `assets` rows must not be able to
/// widen what the indexer reads.
public struct FilesRootRegistry: Sendable {
    /// The registry file.
    public let path: String

    /// The registry in `home` (`HQ_HOME`).
    public init(home: String) { self.path = home + "/files-roots" }

    /// The recorded roots (empty when none were recorded).
    public func load() -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("/") }
    }

    /// Adds `root` (stored as its real path) unless already there; the file is replaced atomically, 0600.
    /// - Throws: ``IndexingError`` `.invalidArgument` when `root` does not exist or the file cannot be written.
    public func record(_ root: String) throws {
        guard let real = LocalFileFetcher.realPath(root) else {
            throw IndexingError(.invalidArgument, "\(root): no such file or folder")
        }
        var roots = load()
        guard !roots.contains(real) else { return }
        roots.append(real)
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".\(getpid()).tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IndexingError(.invalidArgument, "cannot write \(path)") }
        let bytes = Array((roots.joined(separator: "\n") + "\n").utf8)
        let wrote = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard wrote == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw IndexingError(.invalidArgument, "cannot write \(path)")
        }
    }
}
