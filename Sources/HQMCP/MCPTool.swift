public import MCP

/// One tool an agent can call: its name, what it is for, the JSON Schema of its arguments, and the call.
///
/// A tool is one self-contained type; ``HQTools/standard(backend:)`` lists the ones `hq mcp` serves.
/// The registry checks arguments against ``inputSchema`` (unknown and missing required arguments)
/// before ``call(_:)``, and turns what `call` throws into a tool error result (`isError: true`) the
/// agent can read, so a tool only throws.
///
/// ```swift
/// struct EchoTool: MCPTool {
///     let name = "echo"
///     let description = "Returns its text."
///     let inputSchema = JSONSchema.object(
///         properties: ["text": JSONSchema.string("What to return.")], required: ["text"])
///     func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
///         .text(try arguments.requiredString("text"))
///     }
/// }
/// ```
public protocol MCPTool: Sendable {
    /// The unique name agents call it by (`snake_case`).
    var name: String { get }
    /// A short human-readable title (nil: none).
    var title: String? { get }
    /// What the tool does, when to use it and what comes back, for an agent that has never seen HQ.
    var description: String { get }
    /// The JSON Schema (`"type": "object"`) of the arguments; see ``JSONSchema``.
    var inputSchema: Value { get }
    /// Hints for clients (read-only, idempotent, closed world by default).
    var annotations: Tool.Annotations { get }

    /// Runs the tool.
    /// - Parameter arguments: the call's arguments, already checked for unknown and missing required keys.
    /// - Returns: the content for the agent.
    /// - Throws: ``MCPToolError`` for bad arguments or unavailable services; library errors
    ///   (`SearchError`, `PostgresError`, `EmbeddingError`) are described by the registry.
    func call(_ arguments: ToolArguments) async throws -> MCPToolResult
}

extension MCPTool {
    /// No title.
    public var title: String? { nil }

    /// Read-only, idempotent, closed world: HQ's knowledge tools only read HQ's database.
    public var annotations: Tool.Annotations {
        Tool.Annotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
    }

    /// The tool as the MCP SDK lists it.
    public var definition: Tool {
        Tool(name: name, title: title, description: description, inputSchema: inputSchema, annotations: annotations)
    }
}

/// What a tool returns: text blocks, in order (typically a short readable summary, then JSON).
public struct MCPToolResult: Sendable, Hashable {
    /// The text blocks.
    public var texts: [String]

    /// A result of the given text blocks.
    public init(texts: [String]) {
        self.texts = texts
    }

    /// A result of one text block.
    public static func text(_ text: String) -> MCPToolResult {
        MCPToolResult(texts: [text])
    }

    /// The result as the MCP SDK sends it.
    var callResult: CallTool.Result {
        CallTool.Result(content: texts.map { .text(text: $0, annotations: nil, _meta: nil) }, isError: false)
    }
}
