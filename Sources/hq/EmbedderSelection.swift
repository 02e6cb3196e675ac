import ArgumentParser
import Foundation
import HQEmbedding
import Logging

/// Flags that choose the embedder; the environment gives the defaults (`HQ_EMBED_URL`, `HQ_EMBED_PROVIDER`,
/// `HQ_EMBED_MODEL`, `HQ_EMBED_API_KEY`, `HQ_MODEL_DIR`). The API key has no flag: command lines are visible
/// to every user of the machine.
struct EmbedderOptions: ParsableArguments {
    @Option(
        name: .customLong("embed-url"),
        help: ArgumentHelp(
            "Embedding service URL (default: $HQ_EMBED_URL; none: the built-in model).", valueName: "url"))
    var url: String?

    @Option(
        name: .customLong("embed-provider"),
        help: ArgumentHelp(
            "Service protocol: openai, ollama, tei or hq (default: $HQ_EMBED_PROVIDER, else openai).", valueName: "name"
        ))
    var provider: String?

    @Option(
        name: .customLong("embed-model"),
        help: ArgumentHelp(
            "Model name sent to the service (default: $HQ_EMBED_MODEL, else the built-in model's id).",
            valueName: "name"))
    var model: String?

    @Option(
        name: .customLong("embed-concurrency"),
        help: ArgumentHelp(
            "Most embedding requests in flight (default: $HQ_EMBED_CONCURRENCY, else 4).", valueName: "n"))
    var concurrency: Int?

    @Option(
        name: .customLong("embed-batch-size"),
        help: ArgumentHelp("Most texts per embedding request (default: $HQ_EMBED_BATCH_SIZE, else 32).", valueName: "n")
    )
    var batchSize: Int?

    @Option(
        name: .customLong("model-dir"),
        help: ArgumentHelp(
            "Built-in model folder (default: $HQ_MODEL_DIR, else models/$HQ_MODEL, else models/all-MiniLM-L6-v2).",
            valueName: "dir"))
    var modelDirectory: String?
}

/// Turns the environment and ``EmbedderOptions`` into the process's one embedder.
enum EmbedderSelection {
    /// The HTTP service configuration, or nil for the built-in model (no URL set).
    static func remoteConfiguration(environment: [String: String], options: EmbedderOptions?) throws
        -> HTTPEmbedderConfiguration?
    {
        func value(_ flag: String?, _ key: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[key]?.trimmingCharacters(in: .whitespaces), !env.isEmpty { return env }
            return nil
        }
        func number(_ flag: Int?, _ key: String) throws -> Int? {
            if let flag { return flag }
            guard let text = value(nil, key) else { return nil }
            guard let n = Int(text), n > 0 else { throw ValidationError("\(key) must be a positive integer") }
            return n
        }
        guard let url = value(options?.url, "HQ_EMBED_URL") else { return nil }
        var provider = HTTPEmbeddingProvider.openAI
        if let name = value(options?.provider, "HQ_EMBED_PROVIDER") {
            guard let parsed = HTTPEmbeddingProvider(name: name) else {
                let names = HTTPEmbeddingProvider.all.map(\.description).joined(separator: ", ")
                throw ValidationError("unknown embedding provider '\(name)': use one of \(names)")
            }
            provider = parsed
        }
        var configuration = HTTPEmbedderConfiguration(
            url: url, provider: provider,
            model: value(options?.model, "HQ_EMBED_MODEL") ?? HTTPEmbedderConfiguration.defaultModel,
            apiKey: value(nil, "HQ_EMBED_API_KEY"))
        if let n = try number(options?.concurrency, "HQ_EMBED_CONCURRENCY") { configuration.maxConcurrency = n }
        if let n = try number(options?.batchSize, "HQ_EMBED_BATCH_SIZE") { configuration.batchSize = n }
        if let n = try number(nil, "HQ_EMBED_DIMENSIONS") { configuration.dimensions = n }
        return configuration
    }

    /// The built-in model's folder: `--model-dir`, else `HQ_MODEL_DIR`, else the repository's default model.
    static func modelDirectory(options: EmbedderOptions?, environment: AppEnvironment) -> URL {
        options?.modelDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? ModelLocator.defaultDirectory(
                environment: environment.variables, executablePath: CommandLine.arguments.first,
                currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// The embedder to use: the configured HTTP service, else the built-in model.
    /// - Parameter native: the built-in model's tuning (e.g. `verifyIntegrity`), unused for a service.
    static func makeEmbedder(
        options: EmbedderOptions, environment: AppEnvironment, native: NativeEmbedder.Configuration = .init(),
        logger: Logger
    ) throws -> any Embedder {
        let remote = try remoteConfiguration(environment: environment.variables, options: options)
        let directory = modelDirectory(options: options, environment: environment)
        do {
            return try EmbedderFactory.make(remote: remote, modelDirectory: directory, native: native, logger: logger)
        } catch {
            throw CLIError("cannot set up the embedder: \(error.code): \(error.context)", hint: error.hint)
        }
    }
}
