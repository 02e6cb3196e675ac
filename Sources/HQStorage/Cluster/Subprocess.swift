import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a helper program (initdb, pg_ctl, createdb) to completion, optionally as another OS user.
///
/// Uses posix_spawn and waitpid directly: Foundation's `Process.waitUntilExit` can miss the child's
/// exit when called from an async context on Linux, leaving a zombie and a hung caller.
/// Blocking: callers are command-line paths or tests, never the cooperative pool's hot paths.
enum Subprocess {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments`; stdout and stderr are captured together.
    /// - Parameter user: when set (the caller is root), the program runs as that user via `runuser`.
    static func run(_ executable: String, _ arguments: [String], as user: String? = nil) throws -> Result {
        // The server user cannot enter root's working directory: `env -C /` starts it in "/".
        let argv = ["/usr/bin/env", "-C", "/"] + (user.map { [runuserPath, "-u", $0, "--"] } ?? []) + [executable]
        let allArguments = argv + arguments
        // Output goes to a temporary file, not a pipe: `pg_ctl start` leaves a daemon behind that may
        // inherit the write end, and reading a pipe to EOF would then wait for the server to exit.
        let outputPath = NSTemporaryDirectory() + "hq-subprocess-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArgs = allArguments.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, allArguments[0], &actions, nil, cArgs, environ)
        guard spawned == 0 else {
            throw ClusterError(.toolFailed, "cannot run \(allArguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitCode, output: String(decoding: data, as: UTF8.self))
    }

    static var runuserPath: String {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/sbin/runuser"
    }
}
