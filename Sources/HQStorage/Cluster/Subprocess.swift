import Foundation
import HQCore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a helper program (initdb, pg_ctl, createdb) to completion, optionally as another OS user.
///
/// Uses posix_spawn and waitpid directly: Foundation's `Process.waitUntilExit` can miss the child's
/// exit when called from an async context on Linux, leaving a zombie and a hung caller.
/// Blocking: callers are command-line paths or tests, never the cooperative pool's hot paths.
///
/// The child gets only `environment` (an allow-list, never `hq`'s keys), no descriptor of the parent but
/// stdin (/dev/null) and the output file, and no secret in its arguments (callers pass secrets in files).
enum Subprocess {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Output beyond this is dropped (only the last lines are ever shown).
    static let maxOutputBytes = 1 << 20

    /// Runs `executable` with `arguments`; stdout and stderr are captured together.
    /// - Parameter user: when set (the caller is root), the program runs as that user via `runuser`.
    static func run(
        _ executable: String, _ arguments: [String], as user: String? = nil, environment: ChildEnvironment
    ) throws -> Result {
        // The server user cannot enter root's working directory: `env -C /` starts it in "/".
        let argv = ["/usr/bin/env", "-C", "/"] + (user.map { [runuserPath, "-u", $0, "--"] } ?? []) + [executable]
        let allArguments = argv + arguments
        // Output goes to a file, not a pipe: `pg_ctl start` leaves a daemon behind that may inherit the write
        // end, and reading a pipe to EOF would then wait for the server to exit. The file has no name while the
        // child runs (created 0600 in a private directory, both removed at once), so nobody can swap or read it.
        let output = try anonymousFile()
        defer { close(output) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        // Root's other descriptors (database sockets, directories, the lock file) stay with root.
        _ = addCloseFrom.map { $0(&actions, 3) }

        let cArgs = allArguments.map { strdup($0) } + [nil]
        defer { for pointer in cArgs { free(pointer) } }
        let cEnv = environment.entries.map { strdup($0) } + [nil]
        defer { for pointer in cEnv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, allArguments[0], &actions, nil, cArgs, cEnv)
        guard spawned == 0 else {
            throw ClusterError(.toolFailed, "cannot run \(allArguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitCode, output: String(decoding: readTail(output), as: UTF8.self))
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    /// glibc ≥ 2.34's `posix_spawn_file_actions_addclosefrom_np` (not visible to Swift's Glibc module): closes
    /// every descriptor from 3 up in the child, including any a library opened without close-on-exec.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }

    static var runuserPath: String {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/sbin/runuser"
    }

    /// A read-write descriptor of a file that no longer has a name (close-on-exec; dup2 gives the child a copy).
    private static func anonymousFile() throws -> Int32 {
        let temporary = try DirectoryHandle.open(trusted: NSTemporaryDirectory())
        let directory = try temporary.makeTemporaryDirectory(prefix: "hq-subprocess-")
        defer { temporary.remove(String(directory.path.split(separator: "/").last!), directory: true) }
        let fd = openat(directory.descriptor, "output", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DirectoryHandle.failure("cannot create a file in \(directory.path)", errno) }
        directory.remove("output")
        return fd
    }

    /// The last ``maxOutputBytes`` bytes written to `fd`.
    private static func readTail(_ fd: Int32) -> Data {
        let end = lseek(fd, 0, SEEK_END)
        guard end > 0 else { return Data() }
        let start = max(0, Int(end) - maxOutputBytes)
        var data = Data(count: Int(end) - start)
        var total = 0
        while total < data.count {
            let got = data.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + total, $0.count - total, off_t(start + total))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            total += got
        }
        return data.prefix(total)
    }
}
