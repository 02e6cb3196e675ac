import Foundation
import HQCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `pdftotext -q -enc UTF-8 FILE -` in a child process (off the cooperative pool) and returns its pages.
///
/// The PDF is written 0600 into a private (0700) temporary directory; the child gets a minimal environment (no
/// keys of ours); its output is read up to a cap, past which the child is stopped and the text truncated.
public enum PDFTextExtractor {
    /// The first `pdftotext` on `PATH` or in the usual folders, else nil.
    public static func defaultPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let candidate = "\(dir)/pdftotext"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The text of each page of the PDF in `data`, and whether the output was cut at `maxOutputBytes`.
    /// - Throws: ``IndexingError`` `.extractionFailed` when `pdftotext` fails or times out.
    static func pages(of data: Data, executable: String, timeout: Double, maxOutputBytes: Int) async throws
        -> (pages: [String], truncated: Bool)
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        try run(data, executable: executable, timeout: timeout, maxOutputBytes: maxOutputBytes)
                    })
            }
        }
    }

    private static func run(_ data: Data, executable: String, timeout: Double, maxOutputBytes: Int) throws
        -> (pages: [String], truncated: Bool)
    {
        let directory = try PrivateTemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(data, name: "input.pdf")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-q", "-enc", "UTF-8", file, "-"]
        // pdftotext parses hostile input: it gets PATH and the locale, never the indexer's keys.
        process.environment = ChildEnvironment(inheriting: ProcessInfo.processInfo.environment).variables
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw IndexingError(.extractionFailed, "pdftotext could not start")
        }
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        var bytes = Data()
        var truncated = false
        let reader = output.fileHandleForReading
        while true {
            let piece = reader.availableData
            if piece.isEmpty { break }
            bytes.append(piece)
            if bytes.count > maxOutputBytes {
                truncated = true
                bytes.removeSubrange(maxOutputBytes...)
                if process.isRunning { process.terminate() }
                break
            }
        }
        process.waitUntilExit()
        timer.cancel()
        guard truncated || process.terminationStatus == 0 else {
            throw IndexingError(.extractionFailed, "pdftotext exited with status \(process.terminationStatus)")
        }
        let pages = String(decoding: bytes, as: UTF8.self).split(separator: "\u{0C}", omittingEmptySubsequences: false)
            .map(String.init)
        return (pages, truncated)
    }
}

/// A directory only this user can enter (`mkdtemp`, 0700), for files handed to child processes.
struct PrivateTemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/hq-XXXXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw IndexingError(.extractionFailed, "cannot create a private temporary directory")
        }
        path = String(cString: made)
    }

    /// Writes `data` to a new 0600 file `name` inside the directory (never through an existing file or symlink).
    func write(_ data: Data, name: String) throws -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IndexingError(.extractionFailed, "cannot create a temporary file") }
        defer { close(fd) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let wrote = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if wrote < 0 && errno == EINTR { continue }
                guard wrote > 0 else { throw IndexingError(.extractionFailed, "cannot write a temporary file") }
                offset += wrote
            }
        }
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
