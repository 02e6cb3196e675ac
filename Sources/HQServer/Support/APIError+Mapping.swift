import HQCore
import HQEmbedding
import HQKnowledge
public import HQRuntime
import HQSearch
import HQStorage

extension ServerContext {
    /// Runs a route's work through the runtime's services: 503 at once while the database is known to be down or a
    /// connection is lost mid-request (``withDatabaseOutagesAs503(_:)``), and every library error mapped to its HTTP
    /// status by ``APIError/mapping(_:)``, the one place that mapping lives.
    public func run<R: Sendable>(_ body: (HQRuntime) async throws -> R) async throws -> R {
        do {
            return try await withDatabaseOutagesAs503 { try await body(runtime) }
        } catch {
            throw APIError.mapping(error)
        }
    }
}

extension APIError {
    /// The HTTP answer to a library error (other errors unchanged: the error middleware answers 500 and logs them).
    public static func mapping(_ error: any Error) -> any Error {
        switch error {
        case let error as APIError: return error
        case let error as RequestFieldError: return APIError.badRequest(error.description)
        case let error as RuntimeError:
            switch error.code {
            case .databaseUnavailable: return APIError.databaseUnavailable("this server runs without a database")
            case .embedderUnavailable: return APIError.embedderUnavailable(error.description)
            }
        case let error as SearchError:
            switch error.code {
            case .sourceNotFound: return APIError.notFound(error.context)
            case .embedderUnavailable: return APIError.embedderUnavailable(error.context)
            default: return APIError.badRequest(error.context)
            }
        case let error as BootError:
            guard error.code == .unknownAgent else { return APIError.badRequest(error.context) }
            return APIError(
                status: .notFound, code: "agent_not_found", message: error.description, suggestions: error.suggestions)
        case let error as DraftSetError:
            switch error.code {
            case .contactNotFound, .templateNotFound, .draftSetNotFound, .agentNotFound, .noTemplate:
                return APIError.notFound(error.context)
            case .missingMergeFields:
                return APIError(
                    status: .unprocessableContent, code: "missing_merge_fields",
                    message:
                        "missing merge fields: \(error.missingFields.joined(separator: ", ")) (set allow_missing to keep placeholders)"
                )
            case .conflict: return APIError(status: .conflict, code: "conflict", message: error.context)
            default: return APIError.badRequest(error.context)
            }
        case let error as EmbeddingError:
            if error.code == .invalidInput { return APIError.badRequest("the query cannot be embedded") }
            return APIError.embedderUnavailable("the embedder failed: \(error.code)")
        default: return error
        }
    }
}
