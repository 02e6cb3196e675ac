import Foundation
import HQCore
import HQStorage
import HQTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What the root-cluster attack tests need: root, the `hq-postgres` user, the PostgreSQL installation and the
/// release `hq` that `scripts/test` builds; plus files that play "something root owns" for an attacker to aim at.
enum ClusterAttack {
    static let serverUser = ClusterConfiguration.rootServerUser

    /// The installation resolved the way `hq` resolves it.
    static var postgresDirectory: String {
        ClusterConfiguration.resolve(environment: ProcessInfo.processInfo.environment).postgresDirectory
    }

    /// Root, the server user and PostgreSQL are all present (the case of `scripts/test` and CI).
    static var canRun: Bool {
        getuid() == 0 && getpwnam(serverUser) != nil
            && FileManager.default.isExecutableFile(atPath: postgresDirectory + "/bin/postgres")
    }

    /// The release `hq` built from this checkout.
    static var hqBinary: String { TestDatabase.packageRoot + "/.build/release/hq" }

    static var serverUID: uid_t { getpwnam(serverUser)!.pointee.pw_uid }
    static var serverGID: gid_t { getpwnam(serverUser)!.pointee.pw_gid }

    /// A symbolic link at `path` pointing at `target`, owned by the server user (as if it had planted it).
    static func plantSymlink(_ path: String, to target: String) throws {
        guard symlink(target, path) == 0 else { throw TestDatabaseError("symlink \(path): errno \(errno)") }
        lchown(path, serverUID, serverGID)
    }

    /// A directory owned by the server user with mode 0700 (the layout before root kept its clusters' parents).
    static func makeServerOwnedDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chown(path, serverUID, serverGID)
        chmod(path, 0o700)
    }

    /// Owner, mode (permission bits) and type of `path` itself (not following a link).
    static func info(_ path: String) -> (uid: uid_t, mode: mode_t, isLink: Bool, isDirectory: Bool)? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return (st.st_uid, st.st_mode & 0o7777, st.st_mode & S_IFMT == S_IFLNK, st.st_mode & S_IFMT == S_IFDIR)
    }

    /// FNV-1a, as `hq` names the predictable socket directory it used to fall back to.
    static func stableHex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Runs `arguments` with exactly `environment`; returns the exit status and stdout + stderr. While it runs,
    /// `whileRunning` is called every 20 ms on another thread (to look at /proc). The wait happens on a thread of its
    /// own, off the cooperative pool.
    static func run(
        _ arguments: [String], environment: [String: String], whileRunning: (@Sendable () -> Void)? = nil
    ) async throws -> (status: Int32, output: String) {
        try await BlockingWork.run { try runBlocking(arguments, environment: environment, whileRunning: whileRunning) }
    }

    /// ``run(_:environment:whileRunning:)`` on the calling thread: only for cleanup in a `defer`, which cannot await.
    static func runBlocking(
        _ arguments: [String], environment: [String: String], whileRunning: (@Sendable () -> Void)? = nil
    ) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "hq-attack-\(UUID().uuidString)"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestDatabaseError("cannot run \(arguments[0]): error \(spawned)") }
        let done = Flag()
        let watcher = Thread {
            while !done.isSet {
                whileRunning?()
                usleep(20_000)
            }
        }
        if whileRunning != nil { watcher.start() }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        done.set()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// Every process's command line (arguments joined by spaces), by pid.
    static func commandLines() -> [Int32: String] {
        var lines: [Int32: String] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            lines[pid] = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        }
        return lines
    }

    /// The environment of process `pid` (`NAME=value` entries), read from /proc.
    static func environment(of pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The pids whose parent is `pid`.
    static func children(of pid: Int32) -> [Int32] {
        var result: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { result.append(child) }
        }
        return result
    }

    /// Secrets `hq` may hold in its environment, with values no test could hit by chance.
    static func secrets() -> [String: String] {
        let tag = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        return [
            "HQ_API_KEY": "hqapi-\(tag)", "HQ_EMBED_API_KEY": "hqembed-\(tag)", "HQ_LLM_API_KEY": "hqllm-\(tag)",
            "HQ_STORAGE_KEY": "hqstorage-\(tag)", "OPENAI_API_KEY": "sk-openai-\(tag)",
            "ANTHROPIC_API_KEY": "sk-ant-\(tag)", "PGPASSWORD": "pgpass-\(tag)",
        ]
    }
}

/// A root-owned decoy: a directory (0700) holding a file (0600) that an attacker wants root to chown or write.
struct Decoy {
    let directory: String
    let file: String
    static let content = "root's file, untouched\n"

    init() throws {
        directory = "/var/lib/hq/decoy-\(UUID().uuidString.prefix(8))"
        file = directory + "/secret"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o700)
        try Data(Self.content.utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
    }

    /// Both still root's, modes and content unchanged, nothing added.
    var isUntouched: Bool {
        guard let dir = ClusterAttack.info(directory), let f = ClusterAttack.info(file) else { return false }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return dir.uid == 0 && dir.mode == 0o700 && f.uid == 0 && f.mode == 0o600 && entries == ["secret"]
            && (try? String(contentsOfFile: file, encoding: .utf8)) == Self.content
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// A flag set once, read from another thread.
final class Flag: @unchecked Sendable {
    // Invariant: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// Text collected from another thread.
final class Collected: @unchecked Sendable {
    // Invariant: `items` is only touched while holding `lock`.
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
