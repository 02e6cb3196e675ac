import ArgumentParser
import Foundation
import HQEmbedding
import Logging

/// `hq embed`: embeds texts with the native model and prints the vectors.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with the native model and print one vector per text.",
        discussion: """
            Texts come from the arguments, then from --file (one text per line). Plain output is one line \
            per text with the vector's components separated by spaces; --json prints an object with the \
            model id and, per text, its token count, whether it was truncated, and the vector.
            """)

    @Argument(help: "Texts to embed.")
    var texts: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Also embed each line of this file ('-' for standard input).", valueName: "path"))
    var file: String?

    @Flag(name: .long, help: "Print JSON instead of plain lines.")
    var json = false

    @Option(
        name: .customLong("model-dir"),
        help: ArgumentHelp("Model folder (default: $HQ_MODEL_DIR, else models/all-MiniLM-L6-v2).", valueName: "dir"))
    var modelDirectory: String?

    @Flag(name: .long, help: "Check the model files against their pinned SHA-256 manifest before loading.")
    var verify = false

    func run() async throws {
        var all = texts
        if let file { all += try readLines(file) }
        guard !all.isEmpty else { throw ValidationError("Give at least one TEXT or --file PATH.") }

        let directory =
            modelDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? ModelLocator.defaultDirectory(
                environment: ProcessInfo.processInfo.environment,
                executablePath: Bundle.main.executablePath ?? CommandLine.arguments.first,
                currentDirectory: FileManager.default.currentDirectoryPath)
        var logger = Logger(label: "hq.embed")
        logger.logLevel = .warning
        var configuration = NativeEmbedder.Configuration()
        configuration.verifyIntegrity = verify
        let embeddings: [Embedding]
        let embedder: NativeEmbedder
        do {
            embedder = try NativeEmbedder(modelDirectory: directory, configuration: configuration, logger: logger)
            embeddings = try await embedder.embedWithTokenCounts(all)
        } catch let error as EmbeddingError {
            throw CLIError("cannot embed: \(error.code): \(error.context)", hint: error.hint)
        }
        if json {
            try printJSON(embeddings, model: embedder.modelID, dimensions: embedder.dimensions)
        } else {
            var out = ""
            for embedding in embeddings {
                out += embedding.vector.map { "\($0)" }.joined(separator: " ")
                out += "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    private func readLines(_ path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot read \(path)")
            }
            data = contents
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private struct Output: Encodable {
        struct Item: Encodable {
            let index: Int
            let tokens: Int
            let truncated: Bool
            let vector: [Float]
        }
        let model: String
        let dimensions: Int
        let embeddings: [Item]
    }

    private func printJSON(_ embeddings: [Embedding], model: String, dimensions: Int) throws {
        let output = Output(
            model: model, dimensions: dimensions,
            embeddings: embeddings.enumerated().map { i, e in
                Output.Item(index: i, tokens: e.tokenCount, truncated: e.isTruncated, vector: e.vector)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(output)
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(data)
    }
}
