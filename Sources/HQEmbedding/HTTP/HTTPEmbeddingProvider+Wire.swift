import Foundation

/// Request bodies and response parsing per provider.
extension HTTPEmbeddingProvider {
    private struct OpenAIRequest: Encodable {
        let model: String
        let input: [String]
        let encoding_format = "float"
    }
    private struct OllamaRequest: Encodable {
        let model: String
        let input: [String]
    }
    private struct TEIRequest: Encodable {
        let inputs: [String]
        let truncate = true
    }
    private struct HQRequest: Encodable {
        let input: String
    }
    private struct OpenAIResponse: Decodable {
        struct Item: Decodable {
            let index: Int?
            let embedding: [Float]
        }
        let data: [Item]
    }
    private struct OllamaResponse: Decodable {
        let embeddings: [[Float]]
    }
    private struct HQResponse: Decodable {
        let embedding: [Float]
        let dimensions: Int?
    }

    /// The JSON body for `texts` (one text for ``hq``).
    func requestBody(_ texts: [String], model: String) throws -> Data {
        let encoder = JSONEncoder()
        switch kind {
        case .openAI: return try encoder.encode(OpenAIRequest(model: model, input: texts))
        case .ollama: return try encoder.encode(OllamaRequest(model: model, input: texts))
        case .tei: return try encoder.encode(TEIRequest(inputs: texts))
        case .hq: return try encoder.encode(HQRequest(input: texts.first ?? ""))
        }
    }

    /// The vectors in a 2xx response, in input order, after checking count, `index` values, dimensions and
    /// finiteness.
    /// - Throws: a `ResponseProblem` saying what is wrong (never echoing the vectors or texts).
    func vectors(from body: Data, expectedCount: Int, dimensions: Int) throws(ResponseProblem) -> [[Float]] {
        let decoder = JSONDecoder()
        var vectors: [[Float]]
        do {
            switch kind {
            case .openAI:
                let response = try decoder.decode(OpenAIResponse.self, from: body)
                let indexed = response.data.enumerated().map { ($0.element.index ?? $0.offset, $0.element.embedding) }
                let indexes = Set(indexed.map(\.0))
                guard indexes.count == indexed.count, indexes.allSatisfy({ (0..<expectedCount).contains($0) }) else {
                    throw ResponseProblem("the data[].index values are not 0..<\(expectedCount), each once")
                }
                vectors = indexed.sorted { $0.0 < $1.0 }.map(\.1)
            case .ollama:
                vectors = try decoder.decode(OllamaResponse.self, from: body).embeddings
            case .tei:
                vectors = try decoder.decode([[Float]].self, from: body)
            case .hq:
                let response = try decoder.decode(HQResponse.self, from: body)
                if let declared = response.dimensions, declared != response.embedding.count {
                    throw ResponseProblem(
                        "\"dimensions\" is \(declared) but the embedding has \(response.embedding.count) numbers")
                }
                vectors = [response.embedding]
            }
        } catch let problem as ResponseProblem {
            throw problem
        } catch {
            throw ResponseProblem("the body is not the JSON \(self) answers with (\(Self.summary(of: error)))")
        }
        guard vectors.count == expectedCount else {
            throw ResponseProblem("expected \(expectedCount) vectors, got \(vectors.count)")
        }
        for (i, vector) in vectors.enumerated() {
            guard vector.count == dimensions else {
                throw ResponseProblem("vector \(i) has \(vector.count) dimensions, expected \(dimensions)")
            }
            guard vector.allSatisfy(\.isFinite) else { throw ResponseProblem("vector \(i) has a non-finite number") }
        }
        return vectors
    }

    /// The provider's own error message in an error response, if it has one in a known place
    /// (`error.message`, `error`, `message`, `detail`), else the start of the body as text.
    static func providerMessage(in body: Data) -> String {
        let object = try? JSONSerialization.jsonObject(with: body)
        var message: String?
        if let dictionary = object as? [String: Any] {
            if let error = dictionary["error"] as? [String: Any] {
                message = error["message"] as? String
            } else {
                message =
                    dictionary["error"] as? String ?? dictionary["message"] as? String
                    ?? dictionary["detail"] as? String
            }
        }
        let text = message ?? String(decoding: body.prefix(300), as: UTF8.self)
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count > 300 ? String(oneLine.prefix(300)) + "…" : oneLine
    }

    private static func summary(of error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "malformed JSON"
        default: "undecodable"
        }
    }
}

/// What is wrong with a successful-status response.
struct ResponseProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
