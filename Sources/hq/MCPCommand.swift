import ArgumentParser
import Foundation
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
        // Embedder, search, timeout and LLM settings are resolved now, so a bad flag or variable fails at start,
        // not on the first call; the database and the model open on the first call that needs them.
        let runtime = try env.makeRuntime(
            embedderOptions: embedderOptions, application: "hq-mcp", maxConnections: 4, logger: logger)
        let server = HQMCPServer(
            registry: ToolRegistry(tools: HQTools.standard(runtime: runtime), logger: logger), logger: logger)
        do {
            try await server.runOnStandardIO()
        } catch {
            await runtime.close()
            throw CLIError(
                "the MCP server stopped: \(error)", hint: "hq mcp speaks MCP on stdin/stdout; run it from an MCP client"
            )
        }
        await runtime.close()
    }
}
