import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The cluster's directories, opened and verified by ``EmbeddedCluster/prepareDirectories()``.
///
/// As root: `/var/lib/hq/clusters` and `<cluster>` are root-owned (0711: the server user may pass, not list or
/// write); `data/`, `log/` and `run/` inside belong to the server user (0700). Root works inside those only
/// through the descriptors held here.
struct ClusterLayout {
    let cluster: DirectoryHandle
    let data: DirectoryHandle
    let log: DirectoryHandle
    let socketDirectory: String
    /// The server user when root delegates to it; nil when the server runs as the caller.
    let serverOwner: FileOwner?
}

extension EmbeddedCluster {
    /// Creates or opens the cluster's directories without following a symbolic link anywhere a user other than
    /// the caller could have planted one, and gives the server user what it must write.
    func prepareDirectories() throws -> ClusterLayout {
        try FileManager.default.createDirectory(atPath: configuration.home, withIntermediateDirectories: true)
        let serverOwner = try configuration.serverUser.map { (name: String) throws -> FileOwner in
            guard let owner = FileOwner.user(name) else {
                throw ClusterError(
                    .notInstalled, "the system user \(name) does not exist", hint: "run scripts/setup as root")
            }
            return owner
        }
        let cluster: DirectoryHandle
        if let serverOwner {
            cluster = try Self.openRootOwnedCluster(configuration.clusterDirectory, server: serverOwner)
        } else {
            cluster = try DirectoryHandle.open(trusted: configuration.clusterDirectory, createWithMode: 0o700)
            try cluster.setOwner(nil, mode: 0o700)
        }
        var owned: [DirectoryHandle] = []
        for name in ["data", "log"] + (configuration.preferredSocketDirectory == nil ? [] : ["run"]) {
            let directory = try cluster.subdirectory(name, createWithMode: 0o700, followLinks: serverOwner == nil)
            try directory.setOwner(serverOwner, mode: 0o700)
            owned.append(directory)
        }
        let socketDirectory = try owned.count > 2 ? owned[2].path : privateSocketDirectory(serverOwner: serverOwner)
        return ClusterLayout(
            cluster: cluster, data: owned[0], log: owned[1], socketDirectory: socketDirectory, serverOwner: serverOwner)
    }

    /// The socket directory clients use: the cluster's `run/`, or the private one recorded in `cluster.json`.
    var currentSocketDirectory: String {
        configuration.preferredSocketDirectory ?? savedState()?.socketDirectory ?? ""
    }

    /// Opens `path` (as root) with every ancestor verified root-owned and not writable by others. The cluster
    /// directory and its parent may still belong to the server user (the layout before root kept them): they
    /// are taken back on their descriptors, which is safe because their own parents are verified first.
    private static func openRootOwnedCluster(_ path: String, server: FileOwner) throws -> DirectoryHandle {
        var components = path.split(separator: "/").map(String.init)
        guard path.hasPrefix("/"), components.count >= 3 else {
            throw ClusterError(.unsafePath, "\(path) is not a cluster directory root can manage")
        }
        let name = components.removeLast()
        let parentName = components.removeLast()
        let grandparent = try DirectoryHandle.openRootOwnedPath(
            "/" + components.joined(separator: "/"), createWithMode: 0o755)
        let parent = try grandparent.subdirectory(parentName, createWithMode: 0o711)
        try takeBack(parent, from: server)
        let cluster = try parent.subdirectory(name, createWithMode: 0o711)
        try takeBack(cluster, from: server)
        return cluster
    }

    /// Makes a directory root-owned (when the server user owns it) and traversable by the server user.
    private static func takeBack(_ directory: DirectoryHandle, from server: FileOwner) throws {
        let info = try directory.status()
        if info.st_uid == server.uid && info.st_uid != 0 {
            try directory.setOwner(FileOwner(uid: 0, gid: 0), mode: 0o711)
            return
        }
        try directory.requireRootOwned()
        if info.st_mode & 0o011 != 0o011 {
            try directory.setOwner(nil, mode: (info.st_mode & 0o7777) | 0o011)
        }
    }

    /// A socket directory for a cluster whose own `run/` path is too long for a socket: the one recorded in
    /// `cluster.json` while it is still a real directory of the server user with mode 0700, else a new one made
    /// by `mkdtemp` under /tmp (an unpredictable name nobody could have planted).
    private func privateSocketDirectory(serverOwner: FileOwner?) throws -> String {
        let tmp = try DirectoryHandle.open(trusted: "/tmp")
        let expectedOwner = serverOwner?.uid ?? getuid()
        if let saved = savedState()?.socketDirectory, saved.hasPrefix("/tmp/hq-"),
            let name = saved.split(separator: "/").last.map(String.init), saved == "/tmp/" + name,
            let directory = try? tmp.subdirectory(name), let info = try? directory.status(),
            info.st_uid == expectedOwner, info.st_mode & 0o7777 == 0o700
        {
            return saved
        }
        let directory = try tmp.makeTemporaryDirectory(prefix: "hq-")
        try directory.setOwner(serverOwner, mode: 0o700)
        return directory.path
    }

    // MARK: - HQ_HOME: the lock and cluster.json

    func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: configuration.home, withIntermediateDirectories: true)
        let fd = open(configuration.lockFile, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ClusterError(.permission, "cannot open \(configuration.lockFile)", hint: "check HQ_HOME permissions")
        }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// `cluster.json` when it is a regular file of the caller (never through a symbolic link).
    func savedState() -> ClusterState? {
        guard let home = try? DirectoryHandle.open(trusted: configuration.home),
            let data = try? home.readFile("cluster.json", maxBytes: 64 << 10, owners: [getuid()])
        else { return nil }
        return try? JSONDecoder().decode(ClusterState.self, from: data)
    }

    /// Replaces `cluster.json` atomically: a fresh 0600 file (`O_EXCL`) in `HQ_HOME`, synced, renamed into place.
    func saveState(_ state: ClusterState) throws {
        let home = try DirectoryHandle.open(trusted: configuration.home, createWithMode: 0o700)
        try home.writeFile("cluster.json", try JSONEncoder().encode(state), mode: 0o600)
    }
}
