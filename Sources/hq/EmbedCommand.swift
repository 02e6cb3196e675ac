import ArgumentParser
import Foundation
import HQEmbedding
import Logging

/// `hq embed`: embeds texts with the configured embedder (the built-in model, or `HQ_EMBED_URL`'s service) and prints
/// the vectors.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with the configured embedder and print one vector per text.",
        discussion: """
            The embedder is chosen as for every command: --embed-url or $HQ_EMBED_URL names a service, else \
            the built-in model ($HQ_MODEL_DIR, $HQ_MODEL or --model-dir). \
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

    @OptionGroup var embedderOptions: EmbedderOptions

    @Flag(name: .long, help: "Built-in model: check its files against their pinned SHA-256 manifest before loading.")
    var verify = false

    func run() async throws {
        var all = texts
        if let file { all += try readLines(file) }
        guard !all.isEmpty else { throw ValidationError("Give at least one TEXT or --file PATH.") }
        // The same checks as POST /v1/embeddings (no bound on the count: a local file may hold any number).
        do { all = try EmbedRequest(texts: all, maxInputs: nil).texts } catch {
            throw CLIError("cannot embed: \(error.description)", hint: "texts must not be empty")
        }

        // The same embedder rule as every command: HQ_EMBED_URL (or --embed-url) names a service, else the built-in
        // model, so `hq embed` shows the vectors the index is built with.
        let environment = AppEnvironment()
        var native = NativeEmbedder.Configuration()
        native.verifyIntegrity = verify
        let embedder = try EmbedderSelection.makeEmbedder(
            options: embedderOptions, environment: environment, native: native, logger: environment.logger)
        let embeddings: [Embedding]
        do {
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
