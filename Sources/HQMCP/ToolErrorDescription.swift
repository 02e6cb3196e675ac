import HQCore
import HQEmbedding
import HQKnowledge
import HQRuntime
import HQSearch
import HQStorage

/// The messages agents read when a call fails: what failed, which argument or service, and what to do.
/// Built only from error descriptions that are safe to show (no SQL parameters, document text or keys).
enum ToolErrorDescription {
    static func message(for error: any Error, tool: String) -> String {
        switch error {
        case let error as MCPToolError:
            return error.message
        case let error as RequestFieldError:
            return MCPToolError.invalidArgument(error.field, error.problem).message
        case let error as RuntimeError:
            return message(for: error)
        case let error as SearchError:
            return message(for: error)
        case let error as PostgresError:
            return message(for: error)
        case let error as BootError:
            return error.code == .unknownAgent
                ? "Unknown agent: \(error.context)."
                    + (error.suggestions.isEmpty ? "" : " Did you mean: \(error.suggestions.joined(separator: ", "))?")
                    + " Use the agent's slug as in HQ (agents.slug)."
                : "Invalid request: \(error.context)."
        case let error as DraftSetError:
            return message(for: error)
        case let error as EmbeddingError:
            return "The embedding model failed (\(error)). Retry, or search with mode \"lexical\" (no model needed)."
        case is CancellationError:
            return "The call to \(tool) was cancelled."
        default:
            return "\(tool) failed: \(error)."
        }
    }

    /// A short label for logs.
    static func kind(of error: any Error) -> String {
        switch error {
        case let error as MCPToolError: "tool.\(error.code)"
        case let error as RequestFieldError: "request.\(error.field)"
        case let error as RuntimeError: "runtime.\(error.code.rawValue)"
        case let error as SearchError: "search.\(error.code)"
        case let error as BootError: "boot.\(error.code)"
        case let error as DraftSetError: "draft_set.\(error.code)"
        case let error as PostgresError: "postgres.\(error.kind)"
        case let error as EmbeddingError: "embedding.\(error.code)"
        default: "\(type(of: error))"
        }
    }

    private static func message(for error: RuntimeError) -> String {
        switch error.code {
        case .databaseUnavailable:
            "HQ's database is not available: \(error.context). Check HQ_DATABASE_URL in this MCP server's configuration "
                + "(or run `hq db status` for the embedded database), then call the tool again."
        case .embedderUnavailable:
            "The embedding model is not available: \(error.context). Search with mode \"lexical\" meanwhile "
                + "(keyword matching, no model needed), or check HQ_MODEL_DIR / HQ_EMBED_URL."
        }
    }

    private static func message(for error: SearchError) -> String {
        switch error.code {
        case .folderNotFound:
            "No such folder (\(error.context)). Folder paths start at the root and use '/', e.g. \"Sales/Playbooks\"; "
                + "folder_path in search results shows real paths. A folder id (UUID) works too."
        case .sourceNotFound:
            "No source found (\(error.context)). Use a source_id from search_knowledge results, or the id of a "
                + "document or asset in HQ."
        case .embedderUnavailable:
            "Semantic search is unavailable (\(error.context)). Use mode \"lexical\" (keyword matching)."
        default:
            "Invalid request: \(error.context)."
        }
    }

    private static func message(for error: DraftSetError) -> String {
        switch error.code {
        case .missingMergeFields:
            "The template uses merge fields that have no value for this contact: "
                + error.missingFields.joined(separator: ", ")
                + ". Fill them in HQ, pick another template, or call again with allow_missing true (the placeholders "
                + "stay and the set is flagged for review). Nothing was written."
        case .contactNotFound, .templateNotFound, .draftSetNotFound, .agentNotFound, .noTemplate:
            "Not found: \(error.context). Nothing was written."
        case .conflict:
            "Conflict: \(error.context). Nothing was written."
        default:
            "Invalid request: \(error.context). Nothing was written."
        }
    }

    private static func message(for error: PostgresError) -> String {
        let unreachable =
            error.isConnectionLost || error.kind == .connectionFailed || error.kind == .connectionClosed
            || error.kind == .poolClosed
        if unreachable {
            return "HQ's database is unreachable (\(error)). The knowledge tools need it: check that the PostgreSQL "
                + "server in HQ_DATABASE_URL (this MCP server's configuration) is running and reachable "
                + "(`hq db status`), then call the tool again. Nothing was changed."
        }
        if error.sqlState == "57014" {
            return "The database took longer than the statement timeout (HQ_STATEMENT_TIMEOUT_MS) to answer. "
                + "Narrow the request (a shorter query, a smaller limit, a filter) or try again shortly. Nothing was changed."
        }
        if error.sqlState == "42P01" || error.sqlState == "42883" {
            return "HQ's database is missing HQ Search's schema (\(error)). Run `hq db migrate` against it, then retry."
        }
        return "Database error (\(error)). Retry; if it persists, check the database with `hq db status`."
    }
}
