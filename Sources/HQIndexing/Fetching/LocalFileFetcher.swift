public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads local files, but only under explicitly allowed roots.
///
/// A reference (absolute path, `file://` URL, or a storage object path resolved against each root) is read when:
/// its real path (symlinks and `..` resolved) lies under a root; it opens without following a final symlink; the
/// opened descriptor is still under a root (a directory swapped for a symlink meanwhile is caught); it is a regular
/// file outside the kernel's file systems (not `/proc`, `/sys`, a device or a FIFO); and its size, taken from the
/// descriptor, is within the cap. Exactly that many bytes are read (a pseudo file reporting 0 bytes yields none). Any other reference fails with ``IndexingError`` `.refused`
/// naming the rule.
///
/// - Complexity: one `realpath`, one `open`, `fstat`/`fstatfs`, reads of the file's size.
public struct LocalFileFetcher: SourceFileFetcher {
    /// The allowed roots, as real paths.
    public let roots: [String]
    /// Whether relative references (storage object paths) are looked up under the roots, as in a local copy of the
    /// bucket; off when a storage service answers them.
    public var resolvesObjectPaths: Bool

    /// Creates a fetcher confined to `roots` (missing roots are kept out; `/` and the kernel's pseudo file systems
    /// are refused as roots).
    /// - Throws: ``IndexingError`` `.invalidArgument` for a root that may never be one.
    public init(roots: [String], resolvesObjectPaths: Bool = true) throws {
        var resolved: [String] = []
        for root in roots where !root.isEmpty {
            guard let real = Self.realPath(root) else { continue }
            if real == "/" || Self.isUnder(real, Self.pseudoFileSystems) {
                throw IndexingError(.invalidArgument, "\(root) cannot be a files root (it would expose the system)")
            }
            if !resolved.contains(real) { resolved.append(real) }
        }
        self.roots = resolved
        self.resolvesObjectPaths = resolvesObjectPaths
    }

    /// Reads `url` when it is a local reference (or an object path with ``resolvesObjectPaths``); nil for links. Local
    /// files have no validator: reading and hashing them is cheap and exact, so they are always read.
    public func fetch(_ url: String, maxBytes: Int, ifNoneMatch validator: String?) async throws -> ConditionalFetch? {
        try await read(url, maxBytes: maxBytes).map { .fetched(FetchedFile(bytes: $0, validator: nil)) }
    }

    private func read(_ url: String, maxBytes: Int) async throws -> Data? {
        let candidates: [String]
        switch FileReference(url) {
        case .local(let path):
            candidates = [path]
        case .object(let path) where resolvesObjectPaths:
            guard !roots.isEmpty else { return nil }
            candidates = roots.map { $0 + "/" + path }
        case .object, .link:
            return nil
        case .refused(let reason):
            throw IndexingError(.refused, reason)
        }
        let roots = self.roots
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.readFirst(candidates, roots: roots, maxBytes: maxBytes) })
            }
        }
    }

    /// The first candidate that exists, read under the rules; a refusal of any candidate wins over "not found".
    private static func readFirst(_ candidates: [String], roots: [String], maxBytes: Int) throws -> Data {
        var missing: IndexingError?
        for candidate in candidates {
            do {
                return try read(candidate, roots: roots, maxBytes: maxBytes)
            } catch let error as IndexingError where error.code == .fileUnavailable && candidates.count > 1 {
                missing = error
            }
        }
        throw missing ?? IndexingError(.fileUnavailable, "no such file")
    }

    /// Reads one path under the rules.
    static func read(_ path: String, roots: [String], maxBytes: Int) throws -> Data {
        let name = (path as NSString).lastPathComponent
        guard !roots.isEmpty else {
            throw IndexingError(
                .refused,
                "\(name): local files are read only under an allowed root (hq ingest records its root; add more with --files-root or HQ_FILES_ROOTS)"
            )
        }
        // Lexically outside every root: refuse before touching the file system, so existence is not revealed.
        let lexical = lexicalPath(path)
        guard let real = realPath(path) else {
            if !isUnder(lexical, roots) { throw outside(name) }
            throw IndexingError(.fileUnavailable, "\(name): no such file")
        }
        guard isUnder(real, roots) else {
            throw isUnder(lexical, roots)
                ? IndexingError(.refused, "\(name): resolves outside the allowed roots (through a symlink or ..)")
                : outside(name)
        }
        let fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ELOOP { throw IndexingError(.refused, "\(name): is a symlink (symlinks are not followed)") }
            throw IndexingError(.fileUnavailable, "\(name): cannot be opened (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        // The path may have changed between realpath and open (a directory replaced by a symlink): ask the kernel
        // where the descriptor really is.
        let opened = descriptorPath(fd) ?? real
        if !isUnder(opened, roots) {
            throw IndexingError(.refused, "\(name): resolves outside the allowed roots (changed while opening)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IndexingError(.fileUnavailable, "\(name): cannot be examined") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw IndexingError(.refused, "\(name): is not a regular file (\(kind(info.st_mode)))")
        }
        if isUnder(opened, pseudoFileSystems) {
            throw IndexingError(.refused, "\(name): lives on a kernel file system, not among documents")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw IndexingError(.tooLarge, "\(name): \(size) bytes exceeds the cap of \(maxBytes)")
        }
        var data = Data(count: size)
        var offset = 0
        try data.withUnsafeMutableBytes { buffer in
            while offset < size {
                let got = pread(fd, buffer.baseAddress! + offset, size - offset, off_t(offset))
                if got < 0 && errno == EINTR { continue }
                guard got >= 0 else { throw IndexingError(.fileUnavailable, "\(name): read failed") }
                if got == 0 { break }  // shrank while reading: keep what was there
                offset += got
            }
        }
        if offset < size { data.removeSubrange(offset...) }
        return data
    }

    /// `path` with `.`, `..` and empty components removed by text alone: no symlink is followed (Foundation's
    /// `standardizingPath` may resolve them, which would hide a link that leads out of a root).
    static func lexicalPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func isUnder(_ path: String, _ roots: [String]) -> Bool {
        roots.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    private static func outside(_ name: String) -> IndexingError {
        IndexingError(
            .refused, "\(name): is outside the allowed roots (add its folder with --files-root or HQ_FILES_ROOTS)")
    }

    /// `realpath(3)`: symlinks and `..` resolved; nil when the path does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Where an open descriptor points, from `/proc/self/fd` (Linux); nil elsewhere.
    private static func descriptorPath(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Kernel pseudo file systems, whose files report sizes that mean nothing (roots may not lie there either).
    static let pseudoFileSystems = ["/proc", "/sys", "/dev", "/run"]

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symlink"
        default: "not a file"
        }
    }
}
