import ArgumentParser

@main
struct HQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hq",
        abstract: "HQ Search: the knowledge engine of HQ.",
        discussion: """
            Configuration comes from the environment (flags override): HQ_DATABASE_URL or DATABASE_URL \
            (default: an embedded PostgreSQL under HQ_HOME, ~/.local/share/hq), HQ_MODEL_DIR, HQ_EMBED_URL, \
            HQ_LLM_URL / HQ_LLM_MODEL / HQ_LLM_API_KEY (draft-set writing).
            """,
        subcommands: [
            DBCommand.self, IngestCommand.self, IndexCommand.self, ReindexCommand.self, SearchCommand.self,
            ShowCommand.self,
            ChunksCommand.self, BootCommand.self, DraftSetCommand.self, EvalCommand.self, EmbedCommand.self,
            ServeCommand.self,
            MCPCommand.self, EvalDraftsCommand.self,
        ])
}
