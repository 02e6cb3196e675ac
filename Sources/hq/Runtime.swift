import Foundation
import HQCore
import HQEmbedding
import HQKnowledge
import HQRuntime
import HQSearch
import HQStorage
import Logging

extension AppEnvironment {
    /// The one runtime of a command, `hq mcp` and `hq serve`: the configured database (started on demand), the
    /// embedder chosen by ``EmbedderSelection`` (an HTTP service when `HQ_EMBED_URL` or `--embed-url` names one,
    /// else the built-in model: the same rule everywhere, so an index is queried with the model that built it),
    /// `HQ_SEARCH_*`, `HQ_STATEMENT_TIMEOUT_MS` and `HQ_LLM_*`. Nothing opens until a call needs it.
    func makeRuntime(
        embedderOptions: EmbedderOptions?, application: String, maxConnections: Int = 2, logger: Logger? = nil,
        llm: Bool = true
    ) throws -> HQRuntime {
        let logger = logger ?? self.logger
        let remote = try EmbedderSelection.remoteConfiguration(environment: variables, options: embedderOptions)
        let modelDirectory = EmbedderSelection.modelDirectory(options: embedderOptions, environment: self)
        var configuration = HQRuntime.Configuration()
        configuration.applicationName = application
        configuration.maxConnections = maxConnections
        configuration.statementTimeoutMilliseconds = try statementTimeoutMilliseconds()
        configuration.search = try searchConfiguration()
        configuration.llm = llm ? try llmConfiguration() : nil
        let environment = self
        // Boot budgets without a query: the built-in model's vocabulary counts (no weights loaded); an HTTP
        // embedder's tokenizer is unknown here, so the estimate counts.
        var makeTokenCounter: (@Sendable () throws -> any TokenCounter)?
        if remote == nil {
            let vocabulary = modelDirectory.appendingPathComponent("vocab.txt")
            makeTokenCounter = { try WordPieceTokenizer(vocabularyURL: vocabulary) }
        }
        let makeEmbedder: @Sendable () throws -> any Embedder = {
            try EmbedderFactory.make(remote: remote, modelDirectory: modelDirectory, logger: logger)
        }
        return HQRuntime(
            databaseURL: { try CLIError.wrap { try environment.databaseURL(startIfNeeded: true) } },
            makeEmbedder: makeEmbedder, makeTokenCounter: makeTokenCounter, configuration: configuration, logger: logger
        )
    }

    /// Runs `body` with a runtime and closes it, turning library errors into one-line CLI errors with a hint;
    /// `flags` names the command's flag for each request field (`chunks_per_source` → `--chunks`).
    func withRuntime<T>(
        _ embedderOptions: EmbedderOptions?, application: String, maxConnections: Int = 2, llm: Bool = true,
        flags: [String: String] = [:], _ body: (HQRuntime) async throws -> T
    ) async throws -> T {
        let runtime = try makeRuntime(
            embedderOptions: embedderOptions, application: application, maxConnections: maxConnections, llm: llm)
        do {
            let result = try await body(runtime)
            await runtime.close()
            return result
        } catch {
            await runtime.close()
            throw Self.cliError(for: error, flags: flags)
        }
    }

    /// The retrieval tuning from `HQ_SEARCH_FUSION`, `HQ_SEARCH_EF_SEARCH`, `HQ_SEARCH_CANDIDATES`.
    func searchConfiguration() throws -> SearchConfiguration {
        do { return try SearchConfiguration.environment(variables) } catch let error as SearchError {
            throw CLIError(error.context, hint: "unset it for the default, or see README (Configuration)")
        }
    }

    /// `HQ_LLM_URL`, `HQ_LLM_MODEL`, `HQ_LLM_API_KEY`; nil when no URL is set.
    func llmConfiguration() throws -> LLMConfiguration? {
        guard let url = variables["HQ_LLM_URL"]?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return nil }
        guard let model = variables["HQ_LLM_MODEL"]?.trimmingCharacters(in: .whitespaces), !model.isEmpty else {
            throw CLIError(
                "HQ_LLM_URL is set but HQ_LLM_MODEL is not",
                hint: "export HQ_LLM_MODEL=<model name>, or unset HQ_LLM_URL")
        }
        let key = variables["HQ_LLM_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return LLMConfiguration(url: url, model: model, apiKey: key)
    }
}

extension RequestFields {
    /// Reads `Request` from fields the CLI filled from its flags; a bad field is reported with its flag's name.
    func decode<Request: FieldDecodable>(_ type: Request.Type, flags: [String: String]) throws -> Request {
        do {
            return try Request(fields: self)
        } catch {
            throw CLIError.invalid(error, flags: flags)
        }
    }
}

extension CLIError {
    /// A bad request field as the CLI words it: `--limit must be an integer from 1 to 1000`.
    static func invalid(_ error: RequestFieldError, flags: [String: String]) -> CLIError {
        let flag = flags[error.field] ?? "--" + error.field.replacingOccurrences(of: "_", with: "-")
        return CLIError("\(flag) \(error.problem)")
    }
}
