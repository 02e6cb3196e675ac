public import HQKnowledge

/// The tools `hq mcp` serves, in listing order.
///
/// To add a tool: write one type conforming to ``MCPTool`` in `Tools/` (take the ``KnowledgeBackend``
/// in `init` for the pool and embedder), and append it here.
public enum HQTools {
    /// Every tool, sharing `backend`; `llm` writes draft-set variants when configured.
    public static func standard(backend: KnowledgeBackend, llm: LLMConfiguration? = nil) -> [any MCPTool] {
        [
            SearchKnowledgeTool(backend: backend),
            GetSourceTool(backend: backend),
            GetChunksTool(backend: backend),
            BootContextTool(backend: backend),
            AssembleDraftSetTool(backend: backend, llm: llm),
        ]
    }
}
