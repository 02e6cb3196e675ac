public import HQRuntime

/// The tools `hq mcp` serves, in listing order.
///
/// To add a tool: write one type conforming to ``MCPTool`` in `Tools/` (take the ``HQRuntime`` in `init` for the
/// pool, the embedder and the services), and append it here.
public enum HQTools {
    /// Every tool, sharing `runtime` (whose configured LLM, if any, writes draft-set variants).
    public static func standard(runtime: HQRuntime) -> [any MCPTool] {
        [
            SearchKnowledgeTool(runtime: runtime),
            GetSourceTool(runtime: runtime),
            GetChunksTool(runtime: runtime),
            BootContextTool(runtime: runtime),
            AssembleDraftSetTool(runtime: runtime),
        ]
    }
}
