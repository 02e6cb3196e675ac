import Foundation
public import HQCore
public import Hummingbird
import NIOCore

extension Request {
    /// The body, at most `server.configuration.maxBodyBytes` long.
    /// - Throws: ``APIError`` 413 when it is longer (checked against `Content-Length` before reading).
    public func collectBody(server: ServerContext) async throws -> ByteBuffer {
        let limit = server.configuration.maxBodyBytes
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: limit)
        }
    }

    /// The body decoded as JSON into `type`.
    /// - Throws: ``APIError`` 413 for a body over the limit, 400 for malformed JSON or a wrong shape (naming
    ///   the field at fault).
    public func decodeJSON<T: Decodable>(_ type: T.Type, server: ServerContext) async throws -> T {
        let buffer = try await collectBody(server: server)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            throw APIError.badRequest(Self.explain(error))
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
    }

    /// The body read as a request's wire fields (``FieldDecodable``), as MCP and the CLI read theirs.
    /// - Throws: ``APIError`` 413 for a body over the limit, 400 for a body that is not a JSON object or a bad field
    ///   (`'limit' must be an integer from 1 to 1000`).
    public func decodeFields<T: FieldDecodable>(_ type: T.Type, server: ServerContext) async throws -> T {
        let buffer = try await collectBody(server: server)
        do {
            return try T(fields: try RequestFields(json: Data(buffer.readableBytesView)))
        } catch {
            throw APIError.badRequest(error.description)
        }
    }

    /// The query string read as a request's wire fields, with `extra` fields from the path (e.g. an id); the
    /// parameters in `routeParameters` belong to the route itself (e.g. `format`) and are left out.
    public func queryFields<T: FieldDecodable>(
        _ type: T.Type, adding extra: [String: String] = [:], routeParameters: Set<String> = []
    ) throws -> T {
        let pairs =
            uri.queryParameters.map { (String($0.key), String($0.value)) }.filter { !routeParameters.contains($0.0) }
            + extra.map { ($0.key, $0.value) }
        do {
            return try T(fields: try RequestFields(query: pairs))
        } catch {
            throw APIError.badRequest(error.description)
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return keys.isEmpty ? "the body" : "'\(keys.hasPrefix(".") ? String(keys.dropFirst()) : keys)'"
        }
        switch error {
        case .keyNotFound(let key, _): return "'\(key.stringValue)' is required"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.debugDescription.hasPrefix("'")
                ? context.debugDescription : "\(path(context)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the body is not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default: return "the body is not valid JSON"
        }
    }
}

extension Decoder {
    /// Refuses a JSON object with a key that `Keys` does not list (a misspelt parameter must not be silently
    /// ignored): ``APIError`` 400 naming the first unknown key.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let all = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        if let unknown = all.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw APIError.badRequest("unknown parameter '\(unknown.stringValue)'")
        }
    }
}

/// Any key of a JSON object (to list an object's keys).
private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
