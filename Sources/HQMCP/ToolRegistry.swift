import Foundation
import HQCore
public import Logging
public import MCP

/// The tools a server offers, by name: lists them and runs calls, turning every failure into a tool
/// error result the agent can read (the server keeps running).
public struct ToolRegistry: Sendable {
    /// The tools in listing order.
    public let tools: [any MCPTool]
    private let byName: [String: any MCPTool]
    private let logger: Logger

    /// A registry of `tools`.
    /// - Precondition: names are unique.
    public init(tools: [any MCPTool], logger: Logger) {
        self.tools = tools
        self.byName = Dictionary(
            tools.map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in
                preconditionFailure("two MCP tools are named \(first.name)")
            })
        self.logger = logger
    }

    /// The tools as `tools/list` returns them.
    public var definitions: [Tool] { tools.map(\.definition) }

    /// Runs one call: checks the arguments against the tool's schema, calls it, and maps errors.
    /// - Returns: the tool's content, or an error result (`isError: true`) naming what went wrong.
    public func call(name: String, arguments: [String: Value]?) async -> CallTool.Result {
        guard let tool = byName[name] else {
            let names = tools.map(\.name).joined(separator: ", ")
            return Self.errorResult("Unknown tool '\(name)'. The tools are: \(names).")
        }
        let started = ContinuousClock.now
        do {
            let checked = try Self.check(arguments, against: tool.inputSchema)
            let result = try await tool.call(checked)
            logger.debug("tool call", metadata: ["tool": "\(name)", "ms": "\(Self.milliseconds(since: started))"])
            return result.callResult
        } catch {
            let message = ToolErrorDescription.message(for: error, tool: name)
            logger.notice(
                "tool call failed", metadata: ["tool": "\(name)", "error": "\(ToolErrorDescription.kind(of: error))"])
            return Self.errorResult(message)
        }
    }

    /// Rejects arguments the schema does not list (when it forbids extra ones) and missing required ones.
    static func check(_ arguments: [String: Value]?, against schema: Value) throws(MCPToolError) -> ToolArguments {
        let arguments = RequestFields(arguments: arguments)
        if let known = JSONSchema.propertyNames(of: schema), !JSONSchema.allowsAdditionalProperties(schema) {
            if let unknown = arguments.values.keys.sorted().first(where: { !known.contains($0) }) {
                let list = known.sorted().joined(separator: ", ")
                throw MCPToolError(.invalidArgument, "Unknown argument '\(unknown)'. The arguments are: \(list).")
            }
        }
        for name in JSONSchema.requiredNames(of: schema) where arguments[name] == nil {
            throw MCPToolError.invalidArgument(name, "is required")
        }
        return arguments
    }

    static func errorResult(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
