import ArgumentParser
import Foundation
import HQEmbedding
import HQMCP
import Logging

/// `hq mcp`: HQ's knowledge as Model Context Protocol tools for agents, over stdio.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the knowledge base to agents over the Model Context Protocol (stdio).",
        discussion: """
            Speaks MCP on stdin/stdout (logs go to stderr) until the client closes stdin. Tools: search_knowledge, \
            get_source, get_chunks, boot_context, assemble_draft_set (HQ_LLM_* as for hq draft-set). The database (HQ_DATABASE_URL, else the embedded cluster) and the embedding \
            model are opened on the first call that needs them, so the server starts even when the database is \
            down; such calls then return a tool error saying what to fix. Configure a client with command \
            'hq mcp' and env HQ_DATABASE_URL (and HQ_MODEL_DIR when hq is not run from the repository).
            """)

    @OptionGroup var embedderOptions: EmbedderOptions

    func run() async throws {
        let env = AppEnvironment()
        var logger = Logger(label: "hq.mcp") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = env.logger.logLevel
        // Resolve embedder settings now, so a bad flag or variable fails at start, not on the first search.
        let remote = try EmbedderSelection.remoteConfiguration(environment: env.variables, options: embedderOptions)
        let modelDirectory =
            embedderOptions.modelDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? ModelLocator.defaultDirectory(
                environment: env.variables, executablePath: CommandLine.arguments.first,
                currentDirectory: FileManager.default.currentDirectoryPath)
        let embedderLogger = logger
        var backendConfiguration = KnowledgeBackend.Configuration()
        backendConfiguration.statementTimeoutMilliseconds = try env.statementTimeoutMilliseconds()
        let backend = KnowledgeBackend(
            databaseURL: { try CLIError.wrap { try env.databaseURL(startIfNeeded: true) } },
            makeEmbedder: {
                try EmbedderFactory.make(remote: remote, modelDirectory: modelDirectory, logger: embedderLogger)
            },
            configuration: backendConfiguration, logger: logger)
        let server = HQMCPServer(
            registry: ToolRegistry(tools: HQTools.standard(backend: backend, llm: try env.llmConfiguration()), logger: logger),
            logger: logger)
        do {
            try await server.runOnStandardIO()
        } catch {
            await backend.close()
            throw CLIError(
                "the MCP server stopped: \(error)", hint: "hq mcp speaks MCP on stdin/stdout; run it from an MCP client"
            )
        }
        await backend.close()
    }
}
