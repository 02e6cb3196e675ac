import Foundation
import HQCore

/// Runs `pdftotext -enc UTF-8 -layout FILE -` in a child process (off the cooperative pool) and returns its pages.
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

    /// The text of each page of the PDF in `data`.
    /// - Throws: ``IndexingError`` `.extractionFailed` when `pdftotext` fails or times out.
    static func pages(of data: Data, executable: String, timeout: Double) async throws -> [String] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(data, executable: executable, timeout: timeout) })
            }
        }
    }

    private static func run(_ data: Data, executable: String, timeout: Double) throws -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hq-pdf-\(UUID().uuidString).pdf")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-q", "-enc", "UTF-8", file.path, "-"]
        // pdftotext parses hostile input: it gets PATH and the locale, never the indexer's keys.
        process.environment = ChildEnvironment(inheriting: ProcessInfo.processInfo.environment).variables
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw IndexingError(.extractionFailed, "pdftotext could not start")
        }
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        guard process.terminationStatus == 0 else {
            throw IndexingError(.extractionFailed, "pdftotext exited with status \(process.terminationStatus)")
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\u{0C}", omittingEmptySubsequences: false)
            .map(String.init)
    }
}
