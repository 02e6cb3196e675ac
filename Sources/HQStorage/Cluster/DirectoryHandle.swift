import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An open directory that root (or any user) works in by descriptor, never by path.
///
/// The embedded cluster's data directory belongs to `hq-postgres`, so anything inside it can be swapped for a
/// symbolic link, a hard link or a FIFO at any moment by whoever controls that user (a compromised database
/// can write files). Root therefore never follows a path there: each directory is opened with
/// `O_DIRECTORY | O_NOFOLLOW` relative to an already verified descriptor, ownership and modes are changed with
/// `fchown` / `fchmod` on the opened descriptor, files are created fresh (`O_CREAT | O_EXCL | O_NOFOLLOW`) and
/// renamed into place, and files are read only when they are regular, single-linked and small.
///
/// Owns its descriptor (closed in `deinit`); opened with `O_CLOEXEC`, so no child process inherits it.
final class DirectoryHandle {
    let descriptor: Int32
    /// The path this directory was reached by (for messages and for children that need a path).
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    private static let directoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC

    /// Opens `path` following symbolic links in it (the caller's own, trusted locations such as `HQ_HOME`),
    /// creating it (and its parents) with `mode` when missing.
    static func open(trusted path: String, createWithMode mode: mode_t? = nil) throws -> DirectoryHandle {
        if let mode {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
        }
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open directory \(path)", errno) }
        return DirectoryHandle(descriptor: fd, path: path)
    }

    /// Opens the absolute `path` one component at a time from `/` without following any symbolic link, and
    /// checks that every directory on the way is owned by root and writable by nobody else, so that no other
    /// user can swap a component. Missing components are created (root-owned, `mode`).
    static func openRootOwnedPath(_ path: String, createWithMode mode: mode_t) throws -> DirectoryHandle {
        guard path.hasPrefix("/") else { throw ClusterError(.unsafePath, "\(path) is not an absolute path") }
        var current = DirectoryHandle(descriptor: Glibc.open("/", directoryFlags), path: "/")
        guard current.descriptor >= 0 else { throw failure("cannot open /", errno) }
        try current.requireRootOwned()
        for component in path.split(separator: "/").map(String.init) {
            guard component != "..", component != "." else {
                throw ClusterError(.unsafePath, "\(path) contains '.' or '..'")
            }
            current = try current.subdirectory(component, createWithMode: mode)
            try current.requireRootOwned()
        }
        return current
    }

    /// Opens (creating with `mode` when missing) the directory `name` inside this one without following a
    /// symbolic link; refuses anything that is not a directory.
    /// - Parameter followLinks: follow a link after all: only where no other user can write (the caller's own
    ///   cluster when it does not delegate to a server user), so that a data directory linked elsewhere works.
    func subdirectory(_ name: String, createWithMode mode: mode_t? = nil, followLinks: Bool = false) throws
        -> DirectoryHandle
    {
        try Self.checkName(name)
        if let mode, mkdirat(descriptor, name, mode) != 0, errno != EEXIST {
            throw Self.failure("cannot create \(child(name))", errno)
        }
        let fd = openat(descriptor, name, followLinks ? O_RDONLY | O_DIRECTORY | O_CLOEXEC : Self.directoryFlags)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP || code == ENOTDIR {
                throw ClusterError(
                    .unsafePath, "\(child(name)) is a symbolic link or not a directory; refusing to use it",
                    hint: "remove it; hq creates the directory itself")
            }
            throw Self.failure("cannot open \(child(name))", code)
        }
        return DirectoryHandle(descriptor: fd, path: child(name))
    }

    /// The directory's status, from the descriptor.
    func status() throws -> stat {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Self.failure("cannot stat \(path)", errno) }
        return info
    }

    /// Gives the directory to `owner` (when set) and sets `mode`, on the descriptor.
    func setOwner(_ owner: FileOwner?, mode: mode_t) throws {
        if let owner, fchown(descriptor, owner.uid, owner.gid) != 0 {
            throw Self.failure("cannot give \(path) to uid \(owner.uid)", errno)
        }
        guard fchmod(descriptor, mode) == 0 else { throw Self.failure("cannot chmod \(path)", errno) }
    }

    /// Throws unless the directory is owned by root and not writable by group or others.
    func requireRootOwned() throws {
        let info = try status()
        guard info.st_uid == 0, info.st_mode & 0o022 == 0 else {
            throw ClusterError(
                .unsafePath,
                "\(path) is owned by uid \(info.st_uid) with mode \(String(info.st_mode & 0o7777, radix: 8)); "
                    + "root keeps the cluster's parent directories root-owned and writable only by root",
                hint: "run scripts/setup as root (it makes /var/lib/hq/clusters root-owned, mode 0711)")
        }
    }

    /// Writes `data` to `name` atomically: a fresh file (`O_EXCL | O_NOFOLLOW`, `mode`) beside it, given to
    /// `owner` on its descriptor, synced, then renamed over `name`. Whatever `name` was (a symbolic link, a hard
    /// link to another file) is replaced, never written through.
    func writeFile(_ name: String, _ data: Data, owner: FileOwner? = nil, mode: mode_t = 0o600) throws {
        try Self.checkName(name)
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<8 {
            temporary = ".\(name).hq-\(UInt64.random(in: 0...UInt64.max))"
            fd = openat(descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw Self.failure("cannot create a file in \(path)", errno) }
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlinkat(descriptor, temporary, 0) }
        }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
            throw Self.failure("cannot give \(child(name)) to uid \(owner.uid)", errno)
        }
        guard fchmod(fd, mode) == 0 else { throw Self.failure("cannot chmod \(child(name))", errno) }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure("cannot write \(child(name))", errno)
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw Self.failure("cannot sync \(child(name))", errno) }
        guard renameat(descriptor, temporary, descriptor, name) == 0 else {
            throw Self.failure("cannot replace \(child(name))", errno)
        }
        renamed = true
        fsync(descriptor)
    }

    /// Reads `name` when it is a regular file with one link, at most `maxBytes` long and (when set) owned by
    /// one of `owners`; nil when it does not exist. Never follows a symbolic link, never blocks on a FIFO.
    func readFile(_ name: String, maxBytes: Int, owners: Set<uid_t>? = nil) throws -> Data? {
        try Self.checkName(name)
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP {
                throw ClusterError(.unsafePath, "\(child(name)) is a symbolic link; refusing to read it")
            }
            throw Self.failure("cannot open \(child(name))", code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.failure("cannot stat \(child(name))", errno) }
        guard info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1, Int(info.st_size) <= maxBytes,
            owners.map({ $0.contains(info.st_uid) }) ?? true
        else {
            throw ClusterError(
                .unsafePath, "\(child(name)) is not a plain file of its owner (or is too large); refusing to read it")
        }
        var data = Data(count: Int(info.st_size))
        var total = 0
        while total < data.count {
            let got = data.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            total += got
        }
        return data.prefix(total)
    }

    /// Whether `name` exists here (without following it).
    func contains(_ name: String) -> Bool {
        var info = stat()
        return fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Creates a private directory (`mkdtemp`, mode 0700, owned by the caller) inside this one.
    func makeTemporaryDirectory(prefix: String) throws -> DirectoryHandle {
        try Self.checkName(prefix)
        var template = Array(child(prefix + "XXXXXX").utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard result != nil else { throw Self.failure("cannot create a private directory in \(path)", errno) }
        let made = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return try subdirectory(String(made.split(separator: "/").last!))
    }

    /// Removes the entry `name` (a file, or with `directory` an empty directory) without following it.
    func remove(_ name: String, directory: Bool = false) {
        unlinkat(descriptor, name, directory ? AT_REMOVEDIR : 0)
    }

    func child(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    private static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw ClusterError(.unsafePath, "'\(name)' is not a plain file name")
        }
    }

    static func failure(_ message: String, _ code: Int32) -> ClusterError {
        ClusterError(.permission, "\(message): \(String(cString: strerror(code)))")
    }
}

/// A numeric owner for `fchown`.
struct FileOwner: Equatable {
    var uid: uid_t
    var gid: gid_t

    /// The owner of the calling process.
    static var current: FileOwner { FileOwner(uid: getuid(), gid: getgid()) }

    /// The system user `name`, or nil when it does not exist.
    static func user(_ name: String) -> FileOwner? {
        guard let entry = getpwnam(name) else { return nil }
        return FileOwner(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
}
