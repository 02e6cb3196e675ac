public import Foundation

/// A JSON value that can cross tasks (rows read with `to_jsonb`, `extended` custom fields, LLM answers).
public enum JSONValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    /// Parses JSON text; nil when it is not valid JSON.
    public init?(json text: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    /// The value under `key` of an object, else nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The text of a string value, else nil.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The members of an object value (empty for other values).
    public var object: [String: JSONValue] {
        if case .object(let object) = self { return object }
        return [:]
    }

    /// Decodes any JSON value (booleans stay booleans).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let flag = try? c.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? c.decode(Double.self) {
            self = .number(number)
        } else if let text = try? c.decode(String.self) {
            self = .string(text)
        } else if let items = try? c.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let text): try c.encode(text)
        case .number(let number): try c.encode(number)
        case .bool(let flag): try c.encode(flag)
        case .array(let items): try c.encode(items)
        case .object(let object): try c.encode(object)
        case .null: try c.encodeNil()
        }
    }
}
