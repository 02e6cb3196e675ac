import HQCore
import HQKnowledge
import HQRuntime
import HQSearch
import HQStorage

extension AppEnvironment {
    /// A library error as the CLI reports it (one line and a next step), the one place the CLI maps errors;
    /// other errors unchanged. `flags` names the command's flag for each request field.
    static func cliError(for error: any Error, flags: [String: String]) -> any Error {
        switch error {
        case let error as RequestFieldError: CLIError.invalid(error, flags: flags)
        case let error as RuntimeError: CLIError(error.description, hint: hint(for: error))
        case let error as BootError: CLIError(error.description, hint: hint(for: error))
        case let error as DraftSetError: CLIError(error.context, hint: hint(for: error))
        case let error as SearchError: CLIError(error.context, hint: hint(for: error))
        case let error as PostgresError:
            CLIError("database error: \(error)", hint: "check HQ_DATABASE_URL, or run: hq db status; hq db migrate")
        default: error
        }
    }

    static func hint(for error: RuntimeError) -> String {
        switch error.code {
        case .databaseUnavailable: "check HQ_DATABASE_URL, or run: hq db status"
        case .embedderUnavailable:
            "use --mode lexical, or check HQ_MODEL_DIR / HQ_EMBED_URL (run scripts/setup for the built-in model)"
        }
    }

    static func hint(for error: SearchError) -> String? {
        switch error.code {
        case .folderNotFound: "folder paths start at the root, e.g. Sales/Playbooks; ids are UUIDs"
        case .sourceNotFound: "ids come from hq search --json (source_id) or HQ (document/asset id)"
        case .embedderUnavailable: "use --mode lexical, or check HQ_MODEL_DIR"
        default: nil
        }
    }

    static func hint(for error: BootError) -> String? {
        guard error.code == .unknownAgent, error.suggestions.isEmpty else { return nil }
        return "slugs are agents.slug; list them with: hq db psql -c 'SELECT slug, name FROM agents'"
    }

    static func hint(for error: DraftSetError) -> String? {
        switch error.code {
        case .missingMergeFields:
            "fill these fields on the contact, give them a fallback ({{field | text}}), or pass --allow-missing"
        case .noTemplate: "pass --template ID, or create an active template for this channel and stage"
        case .conflict: "revise the newest draft or refining version instead"
        case .contactNotFound, .templateNotFound, .draftSetNotFound, .agentNotFound: "ids are UUIDs from HQ"
        default: nil
        }
    }
}
