public import Foundation

/// A `jsonb` value holding its JSON text; encode and decode Codable values through it.
///
/// ```swift
/// try await conn.execute("INSERT INTO t (meta) VALUES (\(try PostgresJSONB(encoding: meta)))")
/// let meta = try row.decode(PostgresJSONB.self, column: 0).decode(Meta.self)
/// ```
public struct PostgresJSONB: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    /// The JSON text.
    public var text: String

    /// Wraps JSON text as-is (the server validates it).
    public init(_ text: String) { self.text = text }

    /// Encodes a value with `JSONEncoder`.
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON text with `JSONDecoder`.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(T.self, from: Data(text.utf8))
    }

    public static var postgresType: PostgresDataType { .jsonb }

    /// The jsonb binary format is a version byte (1) followed by the JSON text.
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.writeInteger(UInt8(1))
        buffer.writeString(text)
    }

    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> PostgresJSONB {
        switch buffer.typeOID {
        case OID.jsonb:
            let version = try buffer.readInteger(as: UInt8.self)
            guard version == 1 else {
                throw PostgresError(.decoding, message: "unsupported jsonb version \(version)")
            }
            return PostgresJSONB(buffer.readRemainingString())
        case OID.json, OID.text:
            return PostgresJSONB(buffer.readRemainingString())
        default:
            throw buffer.typeMismatch(PostgresJSONB.self)
        }
    }
}
