public import MCP

/// Small builders for the JSON Schema of tool arguments, as MCP ``Value``s.
///
/// ```swift
/// JSONSchema.object(
///     properties: [
///         "query": JSONSchema.string("What to look for."),
///         "limit": JSONSchema.integer("Most results.", minimum: 1, maximum: 100, default: 10),
///     ],
///     required: ["query"])
/// ```
public enum JSONSchema {
    /// An object of `properties`; unknown properties are not allowed unless `additionalProperties`.
    public static func object(
        properties: [String: Value], required: [String] = [], additionalProperties: Bool = false
    ) -> Value {
        var schema: [String: Value] = [
            "type": "object",
            "properties": .object(properties),
            "additionalProperties": .bool(additionalProperties),
        ]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    /// A string, optionally one of `choices`, with a default.
    public static func string(
        _ description: String, choices: [String]? = nil, default value: String? = nil, format: String? = nil
    ) -> Value {
        var schema: [String: Value] = ["type": "string", "description": .string(description)]
        if let choices { schema["enum"] = .array(choices.map { .string($0) }) }
        if let value { schema["default"] = .string(value) }
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }

    /// An integer within `minimum…maximum`.
    public static func integer(_ description: String, minimum: Int, maximum: Int, default value: Int? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "integer", "description": .string(description), "minimum": .int(minimum), "maximum": .int(maximum),
        ]
        if let value { schema["default"] = .int(value) }
        return .object(schema)
    }

    /// A number within `minimum…maximum`.
    public static func number(_ description: String, minimum: Double, maximum: Double) -> Value {
        .object([
            "type": "number", "description": .string(description), "minimum": .double(minimum),
            "maximum": .double(maximum),
        ])
    }

    /// A boolean with a default.
    public static func boolean(_ description: String, default value: Bool? = nil) -> Value {
        var schema: [String: Value] = ["type": "boolean", "description": .string(description)]
        if let value { schema["default"] = .bool(value) }
        return .object(schema)
    }

    /// An array of strings (of `format`, e.g. `uuid`).
    public static func strings(_ description: String, format: String? = nil) -> Value {
        var items: [String: Value] = ["type": "string"]
        if let format { items["format"] = .string(format) }
        return .object(["type": "array", "description": .string(description), "items": .object(items)])
    }

    /// The property names of an object schema.
    static func propertyNames(of schema: Value) -> Set<String>? {
        guard let properties = schema.objectValue?["properties"]?.objectValue else { return nil }
        return Set(properties.keys)
    }

    /// The required property names of an object schema.
    static func requiredNames(of schema: Value) -> [String] {
        schema.objectValue?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Whether an object schema allows properties it does not list.
    static func allowsAdditionalProperties(_ schema: Value) -> Bool {
        schema.objectValue?["additionalProperties"]?.boolValue ?? true
    }
}
