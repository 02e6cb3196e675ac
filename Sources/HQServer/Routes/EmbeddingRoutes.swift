import Foundation
import HQEmbedding
public import Hummingbird

/// `POST /v1/embeddings` (OpenAI-compatible) and `POST /embed` (HQ's shape) over the server's embedder.
public struct EmbeddingRoutes: RouteGroup {
    /// Creates the group.
    public init() {}

    /// Registers both embedding endpoints.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        router.post("/v1/embeddings") { request, _ -> Response in
            let body = try await request.decodeJSON(OpenAIEmbeddingsRequest.self, server: server)
            let base64: Bool
            switch body.encodingFormat ?? "float" {
            case "float": base64 = false
            case "base64": base64 = true
            default: throw APIError.badRequest("'encoding_format' must be \"float\" or \"base64\"")
            }
            if let dimensions = body.dimensions, dimensions != server.embedder.dimensions {
                throw APIError.badRequest("'dimensions' must be \(server.embedder.dimensions) for this model")
            }
            let texts = try Self.validated(body.input.texts, server: server)
            let embedded = try await Self.embed(texts, server: server)
            var writer = JSONWriter(capacity: embedded.count * server.embedder.dimensions * 12 + 256)
            writer.raw("{\"object\":\"list\",\"data\":[")
            var tokens = 0
            for (index, item) in embedded.enumerated() {
                writer.raw(
                    index == 0 ? "{\"object\":\"embedding\",\"index\":" : ",{\"object\":\"embedding\",\"index\":")
                writer.int(index)
                writer.raw(",\"embedding\":")
                if base64 { writer.base64Floats(item.vector) } else { writer.floats(item.vector) }
                writer.raw("}")
                tokens += item.tokens
            }
            writer.raw("],\"model\":")
            writer.string(server.embedder.modelID)
            writer.raw(",\"usage\":{\"prompt_tokens\":")
            writer.int(tokens)
            writer.raw(",\"total_tokens\":")
            writer.int(tokens)
            writer.raw("}}")
            return writer.response()
        }

        router.post("/embed") { request, _ -> Response in
            let body = try await request.decodeJSON(HQEmbedRequest.self, server: server)
            let texts = try Self.validated(body.input.texts, server: server)
            let embedded = try await Self.embed(texts, server: server)
            var writer = JSONWriter(capacity: embedded.count * server.embedder.dimensions * 12 + 256)
            if case .one = body.input {
                writer.raw("{\"embedding\":")
                writer.floats(embedded[0].vector)
            } else {
                writer.raw("{\"embeddings\":[")
                for (index, item) in embedded.enumerated() {
                    if index > 0 { writer.raw(",") }
                    writer.floats(item.vector)
                }
                writer.raw("]")
            }
            writer.raw(",\"model\":")
            writer.string(server.embedder.modelID)
            writer.raw(",\"dimensions\":")
            writer.int(server.embedder.dimensions)
            writer.raw("}")
            return writer.response()
        }
    }

    /// The texts checked as every front checks them (``EmbedRequest``), with this server's `--max-inputs`.
    static func validated(_ texts: [String], server: ServerContext) throws -> [String] {
        do {
            return try EmbedRequest(texts: texts, maxInputs: server.configuration.maxInputs).texts
        } catch {
            throw APIError.badRequest(error.description)
        }
    }

    static func embed(_ texts: [String], server: ServerContext) async throws -> [EmbeddedText] {
        do {
            return try await server.embed(texts)
        } catch let error as EmbeddingError {
            server.logger.error("embedding failed", metadata: ["code": "\(error.code)"])
            if error.code == .invalidInput { throw APIError.badRequest("an input cannot be embedded") }
            throw APIError.embedderUnavailable("the embedder failed: \(error.code)")
        }
    }
}

/// `input` as a string or an array of strings.
enum EmbeddingInput: Decodable {
    case one(String)
    case many([String])

    var texts: [String] {
        switch self {
        case .one(let text): [text]
        case .many(let texts): texts
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .one(text)
        } else if let texts = try? container.decode([String].self) {
            self = .many(texts)
        } else {
            throw DecodingError.typeMismatch(
                String.self,
                .init(
                    codingPath: decoder.codingPath, debugDescription: "'input' must be a string or an array of strings")
            )
        }
    }
}

struct OpenAIEmbeddingsRequest: Decodable {
    let input: EmbeddingInput
    let model: String?
    let encodingFormat: String?
    let dimensions: Int?

    enum CodingKeys: String, CodingKey {
        case input, model, dimensions
        case encodingFormat = "encoding_format"
    }
}

struct HQEmbedRequest: Decodable {
    let input: EmbeddingInput
}
