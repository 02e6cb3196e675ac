public import Logging
public import MCP

/// HQ's knowledge as an MCP server: the tools of a ``ToolRegistry`` over any MCP transport
/// (`hq mcp` uses stdio).
///
/// ```swift
/// let server = HQMCPServer(registry: ToolRegistry(tools: HQTools.standard(backend: backend), logger: logger), logger: logger)
/// try await server.run(transport: StdioTransport(logger: logger))   // returns when the client hangs up
/// ```
public struct HQMCPServer: Sendable {
    /// The name the server reports in the handshake.
    public static let name = "hq"
    /// The version the server reports in the handshake.
    public static let version = "0.1.0"

    /// The tools.
    public let registry: ToolRegistry
    private let logger: Logger

    /// A server offering `registry`'s tools.
    public init(registry: ToolRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    /// Serves one client on stdin/stdout until it closes stdin. Nothing else may write to stdout.
    public func runOnStandardIO() async throws {
        try await run(transport: StdioTransport(logger: logger))
    }

    /// Serves one client on `transport` until it disconnects (end of input on stdio).
    /// - Throws: when the transport cannot be connected.
    public func run(transport: any Transport) async throws {
        let server = Server(
            name: Self.name, version: Self.version, title: "HQ knowledge", instructions: ServerInstructions.text,
            capabilities: .init(tools: .init(listChanged: false)))
        let registry = registry
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: registry.definitions)
        }
        await server.withMethodHandler(CallTool.self) { parameters in
            await registry.call(name: parameters.name, arguments: parameters.arguments)
        }
        try await server.start(transport: transport)
        logger.info("mcp server ready", metadata: ["tools": "\(registry.tools.map(\.name))"])
        await server.waitUntilCompleted()
        await server.stop()
        logger.info("mcp client disconnected")
    }
}
