import Foundation
import Glibc
import HQCore
import HQTestSupport
import MCP

/// The built `hq mcp` running as a subprocess, with the SDK's ``Client`` connected over its stdin/stdout.
struct MCPSession {
    let client: Client
    let initialize: Initialize.Result
    let process: Process
    let input: Pipe
    let output: Pipe

    /// The `hq` executable of this build: beside the test bundle, else `.build/release/hq`.
    static var executable: String {
        let candidates = [Bundle.main.executablePath, CommandLine.arguments.first].compactMap { $0 }.map {
            URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("hq")
                .path
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? TestDatabase.packageRoot + "/.build/release/hq"
    }

    /// Launches `hq mcp` with `databaseURL` and the repository's model, then performs the MCP handshake.
    static func start(databaseURL: String, environment extra: [String: String] = [:]) async throws -> MCPSession {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["mcp"]
        var environment = ProcessInfo.processInfo.environment
        environment["HQ_DATABASE_URL"] = databaseURL
        environment["HQ_MODEL_DIR"] = KnowledgeFixture.modelDirectory
        environment["HQ_LOG_LEVEL"] = "warning"
        environment["HQ_EMBED_URL"] = nil
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        // Close-on-exec on our ends: a process other tests spawn meanwhile must not inherit the write end of the
        // server's stdin, or closing it would not reach the server as end of input (the child gets its own dup).
        for handle in [
            input.fileHandleForReading, input.fileHandleForWriting, output.fileHandleForReading,
            output.fileHandleForWriting,
        ] {
            _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()

        let client = Client(name: "hq-mcp-tests", version: "1.0")
        let transport = StdioTransport(
            input: .init(rawValue: output.fileHandleForReading.fileDescriptor),
            output: .init(rawValue: input.fileHandleForWriting.fileDescriptor))
        do {
            let result = try await withTimeout { try await client.connect(transport: transport) }
            return MCPSession(client: client, initialize: result, process: process, input: input, output: output)
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Calls a tool; returns the text blocks and whether the result is a tool error.
    func call(_ tool: String, _ arguments: [String: Value] = [:]) async throws -> (texts: [String], isError: Bool) {
        let client = client
        let (content, isError) = try await withTimeout { try await client.callTool(name: tool, arguments: arguments) }
        let texts = content.compactMap { block -> String? in
            if case .text(let text, _, _) = block { return text }
            return nil
        }
        return (texts, isError ?? false)
    }

    /// Closes the server's stdin and waits for it to exit; returns its exit status (nil: killed after 10 s).
    func stop() async -> Int32? {
        try? input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await client.disconnect()
        guard !process.isRunning else {
            process.terminate()
            return nil
        }
        return process.terminationStatus
    }
}

/// Runs `body`, failing if it takes longer than `seconds` (a hung server must not hang the suite).
func withTimeout<T: Sendable>(seconds: Int = 30, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimeoutError(seconds: seconds)
        }
        let first = try await group.next()!
        group.cancelAll()
        return first
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    let seconds: Int
    var description: String { "no answer within \(seconds) s" }
}

/// Runs a program to completion on a thread of its own and returns its standard output.
func runProgram(_ path: String, _ arguments: [String], environment: [String: String]) async throws -> Data {
    try await BlockingWork.run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = try output.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        return data
    }
}
