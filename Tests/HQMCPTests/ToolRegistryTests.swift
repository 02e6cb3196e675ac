import HQMCP
import Logging
import MCP
import Testing

/// A tool that echoes its arguments, to test the registry without a database.
private struct EchoTool: MCPTool {
    let name = "echo"
    let description = "Returns its text, repeated."
    let inputSchema = JSONSchema.object(
        properties: [
            "text": JSONSchema.string("What to return."),
            "times": JSONSchema.integer("How often.", minimum: 1, maximum: 3, default: 1),
        ],
        required: ["text"])

    func call(_ arguments: ToolArguments) async throws -> MCPToolResult {
        let text = try arguments.requiredString("text")
        return .text(String(repeating: text, count: try arguments.int("times", in: 1...3) ?? 1))
    }
}

/// A tool that fails the way a broken service does.
private struct FailingTool: MCPTool {
    struct Broken: Error {}
    let name = "fail"
    let description = "Always fails."
    let inputSchema = JSONSchema.object(properties: [:])
    func call(_ arguments: ToolArguments) async throws -> MCPToolResult { throw Broken() }
}

@Suite("Tool registry: argument checks and error results")
struct ToolRegistryTests {
    let registry: ToolRegistry = {
        var logger = Logger(label: "hq.mcp.tests")
        logger.logLevel = .warning
        return ToolRegistry(tools: [EchoTool(), FailingTool()], logger: logger)
    }()

    @Test("a valid call returns the tool's text")
    func validCall() async {
        let result = await registry.call(name: "echo", arguments: ["text": "ab", "times": "2"])
        #expect(result.isError == false)
        #expect(result.content == [.text(text: "abab", annotations: nil, _meta: nil)])
    }

    @Test(
        "bad calls are error results naming the problem",
        arguments: [
            ("echo", ["times": 1] as [String: Value], "'text': is required"),
            ("echo", ["text": "a", "extra": true], "Unknown argument 'extra'"),
            ("echo", ["text": "a", "times": 9], "'times': must be an integer from 1 to 3"),
            ("echo", ["text": 5], "'text': must be a string"),
            ("fail", [:], "fail failed"),
            ("nope", [:], "Unknown tool 'nope'"),
        ])
    func badCalls(tool: String, arguments: [String: Value], message: String) async {
        let result = await registry.call(name: tool, arguments: arguments)
        #expect(result.isError == true)
        guard case .text(let text, _, _) = result.content.first else {
            Issue.record("no text content")
            return
        }
        #expect(text.contains(message), "\(text)")
    }

    @Test("definitions carry the schema and read-only hints")
    func definitions() {
        let tool = registry.definitions[0]
        #expect(tool.name == "echo")
        #expect(tool.inputSchema.objectValue?["required"] == ["text"])
        #expect(tool.inputSchema.objectValue?["additionalProperties"] == false)
        #expect(tool.annotations.readOnlyHint == true)
    }
}
