public import Foundation
import HQCore

/// The release `hq` this checkout builds (`scripts/test` builds it first), run to completion as a person runs it.
public enum HQProcess {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
        /// Standard output as text.
        public var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// `.build/release/hq` of this checkout.
    public static var executable: String { TestDatabase.packageRoot + "/.build/release/hq" }

    /// Runs `hq arguments` with the test process's environment changed by `environment` (a nil value removes the
    /// variable), stdin closed; returns once it exits. The wait happens on a thread of its own: a test that blocked a
    /// cooperative thread while `hq` waited for something another test's task holds could stall the whole run.
    public static func run(_ arguments: [String], environment changes: [String: String?] = [:]) async throws -> Result {
        try await BlockingWork.run { try runBlocking(arguments, environment: changes) }
    }

    private static func runBlocking(_ arguments: [String], environment changes: [String: String?]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // stderr is drained on another thread so that a chatty child cannot block on a full pipe.
        let drained = DispatchGroup()
        let box = TextBox()
        drained.enter()
        DispatchQueue.global().async {
            box.data = errors.fileHandleForReading.readDataToEndOfFile()
            drained.leave()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: data, stderr: String(decoding: box.data, as: UTF8.self))
    }

    /// Written by the draining thread before `leave()`, read after `wait()`.
    private final class TextBox: @unchecked Sendable {
        var data = Data()
    }
}
